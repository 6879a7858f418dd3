"""A city day whose daily AQI reaches 重度污染 (HJ 633 level 5, AQI > 200) is notified once, when the day
is closed, by the inbox job of `lantian run` (docs/operations.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from tests.ops.test_warning_stored import _drop, _take, db  # noqa: F401  (the bundled 株洲 rows)

from lantian import config
from lantian.clock import FixedClock
from lantian.ops import jobs
from lantian.ops.runs import Runs, runner_id
from lantian.store.models import Notification

# 株洲's stored daily AQI (tests/ops/test_warning_stored.py, from src/lantian/data/sample/aqistudy/株洲.csv.gz):
# 2013-12-05 199, 12-06 244, 12-07 249, 12-08 226, 12-09 143.


def _heavy(db) -> list[tuple[str, str]]:  # noqa: F811
    with db.session() as s:
        rows = s.scalars(
            select(Notification).where(Notification.event == "heavy-day").order_by(Notification.id)
        )
        return sorted({(n.key, n.subject) for n in rows})


def test_heavy_pollution_days_are_notified_once_each(db, tmp_path):  # noqa: F811
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = config.load(
        database_url="sqlite://",
        store=tmp_path / "store",
        inbox=inbox,
        city="株洲",
        webhook_url="http://127.0.0.1:9/hook",
    )
    clock = FixedClock(dt.datetime(2013, 12, 6, 9))
    ctx = jobs.Context(settings, db, clock, Runs(db, runner_id(), 1))

    _drop(inbox, "2013-12-05")  # 199: not heavy
    assert _take(ctx)["heavy_days"] == 0
    _drop(inbox, "2013-12-06")  # 244
    assert _take(ctx)["heavy_days"] == 1
    assert jobs.heavy_days(ctx, ctx.dataset()) == 0  # looking again adds nothing
    _drop(inbox, "2013-12-09")  # 12-07 249, 12-08 226 heavy; 12-09 143 not
    assert _take(ctx)["heavy_days"] == 2
    keys = [k for k, _ in _heavy(db)]
    assert keys == ["heavy-day:株洲:2013-12-06", "heavy-day:株洲:2013-12-07", "heavy-day:株洲:2013-12-08"]
    assert ("heavy-day:株洲:2013-12-06", "【重度污染日】株洲市 2013-12-06 日 AQI 244") in _heavy(db)
