"""The heavy-pollution warning level derived from the stored city daily AQI (not only from a forecast
file): looked at after each new day that the inbox brings, notified once per change of level."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from sqlalchemy import select

from lantian import config
from lantian.clock import FixedClock
from lantian.ops import jobs, notify
from lantian.ops.runs import Runs, runner_id
from lantian.store import open_database
from lantian.store.models import Notification

ROOT = Path(__file__).resolve().parents[2]
#: 株洲's city daily figures from the aggregator, bundled with lantian (src/lantian/data/sample/README.md:
#: aqistudy/, 2013-12 → 2017-01), rows taken unchanged.
DAILY = ROOT / "src/lantian/data/sample/aqistudy/株洲.csv.gz"
# The stored daily AQI of 株洲 from these rows (lantian daily --city 株洲, i.e. lantian.pipeline.figures.daily_table,
# recomputed from the concentrations by HJ 633): 2013-12-05 199, 12-06 244, 12-07 249, 12-08 226, 12-09 143.
# The 2018 three-level scheme (lantian.standards.warnings.SCHEMES["2018"], spec §8): yellow at 2 days with
# AQI > 200, orange at 3, red at 4 with 2 above 300 (or AQI 500).


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


def _drop(inbox: Path, last: str) -> None:
    """The bundled rows up to the day ``last`` as a file in the inbox (each drop one day more)."""
    lines = gzip.open(DAILY, "rt", encoding="utf-8-sig").read().splitlines()
    kept = [line for line in lines if line.split(",")[1] <= last]
    (inbox / f"株洲-{last}.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")


def _take(ctx) -> dict:
    jobs.poll_inbox(ctx)  # the first look sees the file; the second takes it (unchanged in between)
    return jobs.poll_inbox(ctx)


def _warnings(db) -> list[str]:
    with db.session() as s:
        rows = s.scalars(select(Notification).where(Notification.event == "warning").order_by(Notification.id))
        return [n.subject for n in rows]


def test_the_warning_level_of_the_stored_daily_aqi_is_notified_once_per_change(db, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = config.load(database_url="sqlite://", store=tmp_path / "store", inbox=inbox, city="株洲",
                           webhook_url="http://127.0.0.1:9/hook")
    clock = FixedClock(dt.datetime(2013, 12, 7, 9))
    ctx = jobs.Context(settings, db, clock, Runs(db, runner_id(), 1))

    _drop(inbox, "2013-12-06")  # one day above 200: below the lowest level
    assert _take(ctx)["warning"] == 0
    assert _warnings(db) == []

    clock.set(dt.datetime(2013, 12, 8, 9))
    _drop(inbox, "2013-12-07")  # 12-06 and 12-07 above 200: yellow
    assert _take(ctx)["warning"] == 1
    assert _warnings(db) == ["【预警】株洲市重污染天气预警：黄色预警"]
    assert jobs.check_warning(ctx) == 0  # looking again (each tick) adds nothing
    assert jobs.scan_events(ctx)["warning"] == 0

    clock.set(dt.datetime(2013, 12, 9, 9))
    _drop(inbox, "2013-12-08")  # three days: orange
    assert _take(ctx)["warning"] == 1
    assert _warnings(db)[-1] == "【预警】株洲市重污染天气预警：橙色预警"
    [row] = [n for n in notify.notifications(db) if "橙色" in n["subject"]]
    assert row["key"] == "warning:株洲:2013-12-09:orange"
    with db.session() as s:
        body = s.scalar(select(Notification.body).where(Notification.key == row["key"]))
    assert "已入库的日 AQI" in body and "2013-12-06 至 2013-12-08" in body and "连续 3 天" in body
    assert "最高 249" in body

    clock.set(dt.datetime(2013, 12, 10, 9))
    _drop(inbox, "2013-12-09")  # 143: the episode has ended, the warning is lifted once
    assert _take(ctx)["warning"] == 1
    assert _warnings(db)[-1] == "【预警】株洲市重污染天气预警解除"
    assert jobs.check_warning(ctx) == 0
    assert len(_warnings(db)) == 3


def test_an_episode_in_old_stored_days_is_no_warning_now(db, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = config.load(database_url="sqlite://", store=tmp_path / "store", inbox=inbox, city="株洲")
    # The store ends with three days above 200 (2013-12-06…08), but the office's clock is a month later.
    ctx = jobs.Context(settings, db, FixedClock(dt.datetime(2014, 1, 9, 9)), Runs(db, runner_id(), 1))
    _drop(inbox, "2013-12-08")
    assert _take(ctx)["taken"] == ["株洲-2013-12-08.csv"]
    assert jobs.check_warning(ctx) == 0 and _warnings(db) == []
