"""Assessment periods: year, half-year, quarter, month, year-to-date and custom ranges (HJ 663).

Spellings: ``2022``, ``2022H1``, ``2022Q3``, ``2022-07``, ``2022-01-01..2022-03-31``, ``ytd`` (1 January
of the year of ``as_of`` to ``as_of``; ``as_of`` is the last day with data, never the clock).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from lantian.errors import InputError

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})[Hh]([12])$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "year", "half", "quarter", "month", "ytd", "range"
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_annual(self) -> bool:
        return self.kind == "year"

    def months(self) -> list[tuple[int, int, bool]]:
        """(year, month, whole) of every calendar month touched; ``whole`` when fully inside."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            first = dt.date(y, m, 1)
            last = dt.date(y, m, calendar.monthrange(y, m)[1])
            out.append((y, m, first >= self.start and last <= self.end))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def same_period_last_year(self) -> Period:
        """The same span one year earlier (29 February maps to 28 February)."""

        def back(d: dt.date) -> dt.date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)

        start, end = back(self.start), back(self.end)
        if self.kind in ("year", "half", "quarter", "month") or (
            self.end
            == dt.date(self.end.year, self.end.month, calendar.monthrange(self.end.year, self.end.month)[1])
        ):
            end = dt.date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
        label = {
            "year": f"{start.year}",
            "half": f"{start.year}H{1 if start.month == 1 else 2}",
            "quarter": f"{start.year}Q{(start.month - 1) // 3 + 1}",
            "month": f"{start.year}-{start.month:02d}",
        }.get(self.kind, f"{start.isoformat()}..{end.isoformat()}")
        return Period(self.kind, start, end, label)


def parse_period(text: str, as_of: dt.date | None = None) -> Period:
    """Parse a period spelling (module docstring). ``ytd`` needs ``as_of``."""
    s = str(text).strip()
    if m := _YEAR.match(s):
        y = int(m[1])
        return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31), s)
    if m := _HALF.match(s):
        y, h = int(m[1]), int(m[2])
        return Period(
            "half",
            dt.date(y, 1 if h == 1 else 7, 1),
            dt.date(y, 6, 30) if h == 1 else dt.date(y, 12, 31),
            f"{y}H{h}",
        )
    if m := _QUARTER.match(s):
        y, q = int(m[1]), int(m[2])
        first = 3 * (q - 1) + 1
        return Period(
            "quarter",
            dt.date(y, first, 1),
            dt.date(y, first + 2, calendar.monthrange(y, first + 2)[1]),
            f"{y}Q{q}",
        )
    if m := _MONTH.match(s):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise InputError(f"period {text!r}: month must be 01–12")
        return Period(
            "month", dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), f"{y}-{mo:02d}"
        )
    if m := _RANGE.match(s):
        try:
            a, b = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise InputError(f"period {text!r}: {exc}") from exc
        if b < a:
            raise InputError(f"period {text!r}: the end is before the start")
        return Period("range", a, b, s)
    if s.lower() == "ytd":
        if as_of is None:
            raise InputError("period 'ytd' needs the last day of data (as_of); none was found")
        return Period("ytd", dt.date(as_of.year, 1, 1), as_of, f"{as_of.year}-01-01..{as_of.isoformat()}")
    raise InputError(
        f"unknown period {text!r}; use 2022, 2022H1, 2022Q3, 2022-07, 2022-01-01..2022-03-31 or ytd"
    )
