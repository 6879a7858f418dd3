"""The one clock of lantian: Beijing time (UTC+8, :data:`lantian.schema.BEIJING`), whatever the server's zone.

Every time lantian records or compares — a case's report and deadline, an audit entry, an API token's
use, an ingest — is a naive datetime in Beijing time, to the second, as the database and the Parquet
store keep them (:mod:`lantian.schema`). Code that needs "now" or "today" takes a :class:`Clock`
(default :data:`SYSTEM_CLOCK`); tests pass a :class:`FixedClock`. This module is the only place that
reads the system's time.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod

from lantian.schema import BEIJING

__all__ = ["BEIJING", "SYSTEM_CLOCK", "Clock", "FixedClock", "SystemClock", "to_beijing"]


def to_beijing(value: dt.datetime) -> dt.datetime:
    """A naive Beijing datetime: an aware ``value`` is converted, a naive one is taken as Beijing time."""
    if value.tzinfo is not None:
        value = value.astimezone(BEIJING).replace(tzinfo=None)
    return value


class Clock(ABC):
    """The current moment in Beijing time."""

    @abstractmethod
    def now(self) -> dt.datetime:
        """The current naive Beijing datetime, to the second."""

    def today(self) -> dt.date:
        """The current day in Beijing."""
        return self.now().date()


class SystemClock(Clock):
    """The system's clock, read in Beijing time (independent of the process's ``TZ``)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock(Clock):
    """A clock stopped at ``moment`` (a datetime — aware ones are converted to Beijing time — or a day,
    meaning its midnight). :meth:`set` moves it."""

    def __init__(self, moment: dt.datetime | dt.date) -> None:
        self.set(moment)

    def set(self, moment: dt.datetime | dt.date) -> None:
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time())
        self._moment = to_beijing(moment).replace(microsecond=0)

    def now(self) -> dt.datetime:
        return self._moment

    def __repr__(self) -> str:
        return f"FixedClock({self._moment.isoformat()!r})"


#: The clock every surface uses unless given another.
SYSTEM_CLOCK = SystemClock()
