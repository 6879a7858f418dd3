"""Reporting periods of the cycle: day ``2026-03-05``, ISO week ``2026-W10``, month ``2026-03``, quarter ``2026-Q1``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lantian.errors import InputError

_FORMS = {
    "daily": "YYYY-MM-DD (e.g. 2026-03-05)",
    "weekly": "YYYY-Www (ISO week, e.g. 2026-W10)",
    "monthly": "YYYY-MM (e.g. 2026-03)",
    "quarterly": "YYYY-Qn (e.g. 2026-Q1)",
}


@dataclass(frozen=True)
class Period:
    """A closed range of days ``first``..``last`` with its label."""

    kind: str
    label: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min)

    @property
    def end(self) -> datetime:
        """First instant after the period."""
        return datetime.combine(self.last + timedelta(days=1), time.min)

    def months(self) -> list[Period]:
        """The months of a quarter (or the month itself)."""
        out, y, m = [], self.first.year, self.first.month
        while date(y, m, 1) <= self.last:
            out.append(parse_period("monthly", f"{y:04d}-{m:02d}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(y: int, m: int) -> date:
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(kind: str, text: str) -> Period:
    """Parse ``text`` as a period of ``kind`` (daily, weekly, monthly, quarterly)."""
    if kind not in _FORMS:
        raise InputError(f"unknown period kind {kind!r}; use one of {', '.join(_FORMS)}.")
    text = text.strip()
    try:
        if kind == "daily" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return Period(kind, text, d, d)
        if kind == "weekly" and (m := re.fullmatch(r"(\d{4})-W(\d{2})", text)):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(kind, text, first, first + timedelta(days=6))
        if kind == "monthly" and (m := re.fullmatch(r"(\d{4})-(\d{2})", text)):
            y, mo = int(m[1]), int(m[2])
            return Period(kind, text, date(y, mo, 1), _month_end(y, mo))
        if kind == "quarterly" and (m := re.fullmatch(r"(\d{4})-Q([1-4])", text)):
            y, q = int(m[1]), int(m[2])
            return Period(kind, text, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    except ValueError:
        pass
    raise InputError(f"period {text!r} is not a valid {kind} period; write it as {_FORMS[kind]}.")
