"""When each job is due, and for which period.

A schedule is text from the settings registry (section ``[run]``):

=============  ==================  =====================================================
Kind           Text                Due period at a moment
=============  ==================  =====================================================
``day``        ``08:30``           the day of the last 08:30 passed
``week``       ``mon 09:00``       the ISO week before the last Monday 09:00 passed
``month``      ``3 09:00``         the month before the last 3rd 09:00 passed
``quarter``    ``10 09:00``        the quarter before the last 10th of a quarter's first month
=============  ==================  =====================================================

``off`` switches a job off. Only the latest due period is run: a service down for a week makes last
week's dispatch when it comes back, not every day's bulletin of the week.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lantian.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("day", "week", "month", "quarter")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Schedule:
    """A calendar: ``kind`` (day, week, month, quarter), the day within it (weekday 0–6 or day of the
    month 1–28; unused for ``day``) and the time of day."""

    kind: str
    day: int
    time: dt.time

    def last_due(self, now: dt.datetime) -> dt.datetime:
        """The latest moment ≤ ``now`` at which the job falls due."""
        at = dt.datetime.combine(now.date(), self.time)
        if self.kind == "day":
            return at if at <= now else at - dt.timedelta(days=1)
        if self.kind == "week":
            at -= dt.timedelta(days=(now.weekday() - self.day) % 7)
            return at if at <= now else at - dt.timedelta(days=7)
        months = 1 if self.kind == "month" else 3
        year, month = now.year, now.month
        if months == 3:
            month -= (month - 1) % 3
        while True:
            at = dt.datetime.combine(dt.date(year, month, self.day), self.time)
            if at <= now:
                return at
            month -= months
            if month < 1:
                year, month = year - 1, month + 12

    def period(self, due: dt.datetime) -> str:
        """The period a run due at ``due`` is for (a day, ``YYYY-Www``, ``YYYY-MM`` or ``YYYYQn``)."""
        if self.kind == "day":
            return due.date().isoformat()
        if self.kind == "week":
            year, week, _ = (due.date() - dt.timedelta(days=7)).isocalendar()
            return f"{year}-W{week:02d}"
        first = due.date().replace(day=1)
        if self.kind == "month":
            last = first - dt.timedelta(days=1)
            return f"{last.year}-{last.month:02d}"
        last = first - dt.timedelta(days=1)
        return f"{last.year}Q{(last.month - 1) // 3 + 1}"

    def describe(self) -> str:
        time = self.time.strftime("%H:%M")
        if self.kind == "day":
            return f"每天 {time}"
        if self.kind == "week":
            return f"每周{'一二三四五六日'[self.day]} {time}"
        if self.kind == "month":
            return f"每月 {self.day} 日 {time}"
        return f"每季度第一个月 {self.day} 日 {time}"


def parse_schedule(text: str, kind: str, setting: str) -> Schedule | None:
    """The schedule written as ``text`` for a job of ``kind`` (``None`` for ``off``); ``setting`` names
    the setting in messages."""
    if kind not in KINDS:
        raise ValueError(f"unknown schedule kind {kind!r}")
    raw = text.strip().lower()
    if raw in ("off", "none", "no", "false", ""):
        return None
    examples = {"day": "08:30", "week": "mon 09:00", "month": "3 09:00", "quarter": "10 09:00"}
    parts = raw.split()
    wrong = ConfigError(
        f"设置 run.{setting} 的值 {text!r} 不是有效的时间表；请写成 {examples[kind]!r} 的形式"
        f"{'（星期为 ' + '/'.join(WEEKDAYS) + '）' if kind == 'week' else ''}"
        f"{'（日为 1–28）' if kind in ('month', 'quarter') else ''}，或写 off 关闭该任务。"
    )
    if len(parts) != (1 if kind == "day" else 2):
        raise wrong
    match = _TIME.match(parts[-1])
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise wrong
    time = dt.time(int(match.group(1)), int(match.group(2)))
    day = 0
    if kind == "week":
        if parts[0][:3] not in WEEKDAYS:
            raise wrong
        day = WEEKDAYS.index(parts[0][:3])
    elif kind in ("month", "quarter"):
        if not parts[0].isdigit() or not 1 <= int(parts[0]) <= 28:
            raise wrong
        day = int(parts[0])
    return Schedule(kind, day, time)
