"""Channels of a unit and of a user: a case assigned (交办) and its ladder steps reach the unit once, the
office too for the ladder; a target newly at risk or lost is notified once; a warning level change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from test_run import PASSWORD, RULES, _Webhook

from lantian import config
from lantian.clock import FixedClock
from lantian.errors import InputError, PermissionDenied
from lantian.ops import jobs, notify
from lantian.ops.runs import Runs, runner_id
from lantian.store import open_database
from lantian.store.models import Notification
from lantian.workflow.services import Workflow

ROOT = Path(__file__).resolve().parents[2]
#: 株洲's daily city figures 2016-01-01…2017-01-31 bundled with lantian (src/lantian/data/sample/README.md).
DAILY = ROOT / "src/lantian/data/sample/aqistudy/株洲.csv.gz"
START = dt.datetime(2026, 4, 1, 9, 0)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def office(db, tmp_path):
    """The office with 荷塘区 (a robot of its own) and an officer of 荷塘区 (another robot)."""
    unit_hook, officer_hook, office_hook = _Webhook(), _Webhook(), _Webhook()
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    settings = config.load(database_url="sqlite://", store=tmp_path / "store", rules_file=tmp_path / "rules.toml",
                           webhook_url=office_hook.url)
    clock = FixedClock(START)
    wf = Workflow.from_settings(db, settings, clock)
    wf.init_office("株洲市蓝天办", "boss", "王主任", PASSWORD, START - dt.timedelta(days=1))
    wf.add_unit("boss", "荷塘区", "district", START)
    wf.add_user("boss", "liu", "刘科长", "officer", "荷塘区", START, password=PASSWORD)
    wf.set_channels("boss", "unit", "荷塘区", START, webhook=unit_hook.url)
    wf.set_channels("boss", "user", "liu", START, webhook=officer_hook.url, email="liu@hetang.example.cn")
    ctx = jobs.Context(settings, db, clock, Runs(db, runner_id(), 1))
    ctx.since()  # the service starts at START
    yield {"wf": wf, "ctx": ctx, "clock": clock, "unit": unit_hook, "officer": officer_hook,
           "office": office_hook, "settings": settings}
    for hook in (unit_hook, officer_hook, office_hook):
        hook.server.shutdown()


def _rows(db) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return sorted((n.event, n.channel, n.target) for n in s.scalars(select(Notification)))


def test_a_unit_receives_its_case_assigned_and_its_ladder_steps_once(db, office):
    wf, ctx, clock = office["wf"], office["ctx"], office["clock"]
    case = wf.new_case("boss", source="patrol", category="扬尘", severity="medium", district="荷塘区",
                       address="红旗路工地", description="裸土未覆盖", at=START)
    wf.assign("boss", case["id"], "荷塘区", START + dt.timedelta(hours=1), deadline=dt.date(2026, 4, 3))
    assert jobs.scan_events(ctx)["assigned"] == 2
    assert jobs.scan_events(ctx)["assigned"] == 0
    # 交办 goes to the unit only: its robot and its officer's (no e-mail: run.smtp is not set).
    assert _rows(db) == sorted([("assigned", "webhook", office["unit"].url),
                                ("assigned", "webhook", office["officer"].url)])
    # RULES (tests/ops/test_run.py): 提醒 at 2 days overdue; 2026-04-05 is 2 days after the deadline.
    clock.set(dt.datetime(2026, 4, 5, 8, 30))
    for _ in range(2):
        jobs.escalate(ctx, "2026-04-05")
    ladder = [r for r in _rows(db) if r[0] == "escalation"]
    assert ladder == sorted([("escalation", "webhook", office["unit"].url),
                             ("escalation", "webhook", office["officer"].url),
                             ("escalation", "webhook", office["office"].url)])
    for _ in range(2):
        notify.deliver(db, office["settings"], timeout=5)
    unit_texts = office["unit"].texts()
    assert len(unit_texts) == 2
    assert sum("【交办】" in t and f"问题 {case['id']}" in t for t in unit_texts) == 1
    assert sum("【提醒】" in t and "荷塘区" in t for t in unit_texts) == 1
    assert len(office["officer"].texts()) == 2
    assert [t.split("\n")[0][:4] for t in office["office"].texts()] == ["【提醒】"]
    seen = notify.notifications(db, case_id=case["id"])
    assert len(seen) == 5 and {n["status"] for n in seen} == {"sent"}
    assert jobs.scan_events(ctx)["assigned"] == 0  # looking again adds nothing


def test_assignments_before_the_service_started_are_not_notified(db, office):
    wf, ctx = office["wf"], office["ctx"]
    case = wf.new_case("boss", source="patrol", category="扬尘", severity="medium", district="荷塘区",
                       address="建设路", description="渣土车未覆盖", at=START - dt.timedelta(hours=3))
    wf.clock = FixedClock(START - dt.timedelta(hours=2))
    wf.assign("boss", case["id"], "荷塘区", START - dt.timedelta(hours=2), deadline=dt.date(2026, 4, 3))
    assert jobs.scan_events(ctx)["assigned"] == 0 and _rows(db) == []


def test_channels_are_checked_and_set_by_an_administrator_only(db, office):
    wf = office["wf"]
    with pytest.raises(InputError, match="不是 http"):
        wf.set_channels("boss", "unit", "荷塘区", START, webhook="ftp://robot")
    with pytest.raises(InputError, match="邮箱"):
        wf.set_channels("boss", "unit", "荷塘区", START, email="hetang.example.cn")
    with pytest.raises(PermissionDenied):
        wf.set_channels("liu", "unit", "荷塘区", START, webhook="https://robot.example.cn/x")
    assert wf.set_channels("boss", "unit", "荷塘区", START, webhook="", email="a@x.cn，b@x.cn") == {
        "of": "unit", "name": "荷塘区", "webhook_url": None, "email": "a@x.cn,b@x.cn"}


def _targets(path: Path, good_rate_min: float) -> Path:
    path.write_text(f'[[targets]]\ncity = "株洲"\nyear = 2017\ngood_rate_min = {good_rate_min}\npm25_max = 200\n',
                    encoding="utf-8")
    return path


def test_a_target_newly_at_risk_or_lost_is_notified_once(db, office, tmp_path):
    from lantian.pipeline.store import open_dataset

    ds = open_dataset(tmp_path / "store")
    ds.ingest([DAILY])
    targets = _targets(tmp_path / "targets.toml", 90)
    ctx = office["ctx"]
    ctx.settings = ctx.settings.with_values("argument", {"city": "株洲", "targets_file": str(targets)})
    # As of 2017-01-31: 6 good days of 31 (the sample's January 2017). 90 % of 365 needs 329 good days,
    # 323 of the 334 days left: a budget of 11 non-good days, below a tenth of them (33) → 有风险
    # (lantian.calc.targets._evaluate, good_days); PM2.5 111 µg/m³ so far against 200 → 可完成.
    assert jobs.check_targets(ctx, ds) == 1
    assert jobs.check_targets(ctx, ds) == 0
    [row] = notify.notifications(db)
    assert row["event"] == "target" and "【目标有风险】" in row["subject"] and "优良天数比例" in row["subject"]
    # 99 % needs 362 good days, 356 more of the 334 left: 已失守 — a new status, notified once.
    _targets(targets, 99)
    assert jobs.check_targets(ctx, ds) == 1
    assert jobs.check_targets(ctx, ds) == 0
    assert "【目标已失守】" in notify.notifications(db)[0]["subject"]


def test_a_warning_level_change_of_the_forecast_is_notified_once(db, office, tmp_path):
    forecast = tmp_path / "forecast.csv"
    # Three days above AQI 200 from 2026-04-02 (the demo's forecast shape, lantian.web.demo.DEMO_FORECAST).
    forecast.write_text("city,date,aqi\n株洲,2026-04-01,185\n株洲,2026-04-02,215\n株洲,2026-04-03,238\n"
                        "株洲,2026-04-04,221\n株洲,2026-04-05,160\n", encoding="utf-8")
    ctx = office["ctx"]
    ctx.settings = ctx.settings.with_values("argument", {"city": "株洲", "forecast_file": str(forecast)})
    assert jobs.check_warning(ctx) == 1
    assert jobs.check_warning(ctx) == 0
    [row] = notify.notifications(db)
    assert row["event"] == "warning" and row["subject"].startswith("【预警】株洲市重污染天气预警：")
    office["clock"].set(dt.datetime(2026, 4, 6, 9))  # the episode has ended: the warning is lifted, once
    assert jobs.check_warning(ctx) == 1
    assert jobs.check_warning(ctx) == 0
    assert notify.notifications(db)[0]["subject"] == "【预警】株洲市重污染天气预警解除"
