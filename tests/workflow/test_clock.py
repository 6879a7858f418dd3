"""The one clock (lantian.clock): Beijing time whatever the process's time zone, and no other clock in src."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from lantian.clock import BEIJING, FixedClock, SystemClock, to_beijing
from lantian.schema import BEIJING as SCHEMA_BEIJING

SRC = Path(__file__).resolve().parents[2] / "src" / "lantian"
#: Reading the system's time directly: allowed only in lantian/clock.py.
SYSTEM_TIME = re.compile(r"\b(?:datetime|date)\.(?:now|today|utcnow)\s*\(")


@pytest.fixture
def utc_process(monkeypatch):
    """The process runs with TZ=UTC (as on many servers); the zone is restored afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_system_clock_is_beijing_time_on_a_utc_server(utc_process):
    assert time.localtime().tm_gmtoff == 0  # the process really is on UTC
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    now = SystemClock().now()
    # Beijing is UTC+8 all year (no daylight saving time; lantian.schema.BEIJING).
    assert abs((now - utc) - dt.timedelta(hours=8)) <= dt.timedelta(seconds=2)
    assert now.tzinfo is None and now.microsecond == 0
    assert SystemClock().today() in {now.date(), (now + dt.timedelta(seconds=2)).date()}


def test_fixed_clock_converts_to_beijing_time():
    late_utc = dt.datetime(2026, 3, 5, 20, 30, 15, 999, tzinfo=dt.UTC)
    clock = FixedClock(late_utc)
    assert clock.now() == dt.datetime(2026, 3, 6, 4, 30, 15)  # 20:30 UTC = 04:30 next day in Beijing
    assert clock.today() == dt.date(2026, 3, 6)
    assert FixedClock(dt.date(2026, 3, 1)).now() == dt.datetime(2026, 3, 1)
    clock.set(dt.datetime(2026, 3, 7, 9, 0))
    assert clock.now() == dt.datetime(2026, 3, 7, 9, 0)  # naive: already Beijing time


def test_to_beijing_and_one_definition_of_beijing():
    assert BEIJING is SCHEMA_BEIJING
    assert to_beijing(dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)) == dt.datetime(2026, 1, 1, 8, 0)
    assert to_beijing(dt.datetime(2026, 1, 1, 8, 0)) == dt.datetime(2026, 1, 1, 8, 0)


def test_only_the_clock_reads_the_system_time():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SYSTEM_TIME.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == [], "use lantian.clock instead:\n" + "\n".join(offenders)
    assert SYSTEM_TIME.search("x = dt.datetime.now().replace(microsecond=0)")  # the pattern bites
    assert SYSTEM_TIME.search("today = date.today()")
