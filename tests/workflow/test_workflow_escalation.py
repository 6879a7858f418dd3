"""The escalation ladder 提醒 → 通报 → 约谈 → 移交纪委监委: thresholds, dates, idempotence."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from wf_helpers import T0, new_case

from lantian.store import open_database
from lantian.store.models import Escalation
from lantian.workflow.rules import Level, Rules
from lantian.workflow.services import Workflow

DEADLINE = date(2026, 3, 5)


def _overdue_case(wf, unit="雨湖区", deadline=DEADLINE):
    cid = new_case(wf)
    wf.assign("boss", cid, unit, T0, deadline=deadline)
    return cid


def _day(offset: int) -> datetime:
    return datetime.combine(DEADLINE + timedelta(days=offset), datetime.min.time()).replace(hour=18)


def test_each_threshold_reached_adds_its_step_once(wf):
    cid = _overdue_case(wf)
    assert wf.escalate("boss", _day(0)) == []  # on the deadline day: not overdue yet
    steps = wf.escalate("boss", _day(1))
    assert [(s["level"], s["level_name"], s["on_date"]) for s in steps] == [("remind", "提醒", "2026-03-06")]
    assert wf.escalate("boss", _day(6)) == []
    assert [s["level"] for s in wf.escalate("boss", _day(7))] == ["notify"]
    assert [s["level"] for s in wf.escalate("boss", _day(29))] == ["interview"]
    last = wf.escalate("boss", _day(30))
    assert [(s["level_name"], s["on_date"], s["overdue_days"]) for s in last] == [
        ("移交纪委监委", "2026-04-04", 30)
    ]
    shown = wf.show_case("boss", cid)
    assert [e["level"] for e in shown["escalations"]] == ["remind", "notify", "interview", "refer"]


def test_running_twice_adds_nothing(wf):
    _overdue_case(wf)
    _overdue_case(wf, "住建")
    first = wf.escalate("boss", _day(16))
    assert len(first) == 6  # two cases × 提醒, 通报, 约谈
    assert wf.escalate("boss", _day(16)) == []
    assert wf.escalate("boss", _day(17)) == []
    with wf.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Escalation)) == 6


def test_step_dates_do_not_depend_on_when_the_command_runs(wf):
    _overdue_case(wf)
    steps = wf.escalate("boss", _day(40))
    assert [s["on_date"] for s in steps] == ["2026-03-06", "2026-03-12", "2026-03-20", "2026-04-04"]


def test_cases_not_owing_a_rectification_are_not_escalated(wf):
    submitted = _overdue_case(wf)
    wf.start("yuhu", submitted, T0)
    wf.rectify("yuhu", submitted, "done", T0 + timedelta(days=1))
    closed = _overdue_case(wf, "岳塘区")
    wf.start("yuetang", closed, T0)
    wf.rectify("yuetang", closed, "done", T0)
    wf.verify("boss", closed, T0)
    new_case(wf)  # never assigned: no deadline
    assert wf.escalate("boss", _day(40)) == []


def test_returned_case_stays_on_the_ladder_and_a_new_deadline_restarts_it(wf):
    cid = _overdue_case(wf)
    wf.start("yuhu", cid, T0)
    wf.rectify("yuhu", cid, "done", T0)
    wf.verify("boss", cid, T0 + timedelta(days=1), "不合格", accept=False)
    assert [s["level"] for s in wf.escalate("boss", _day(8))] == ["remind", "notify"]
    wf.start("yuhu", cid, _day(8))
    wf.rectify("yuhu", cid, "done", _day(8))
    wf.verify("boss", cid, _day(9))
    wf.reopen("boss", cid, "反弹", _day(10))
    wf.assign("boss", cid, "雨湖区", _day(10), deadline=DEADLINE + timedelta(days=12))
    steps = wf.escalate("boss", _day(13))
    assert [(s["level"], s["deadline"]) for s in steps] == [("remind", "2026-03-17")]


def test_thresholds_come_from_the_rules(db_url):
    db = open_database(db_url)
    try:
        from wf_helpers import seed

        rules = Rules(
            ladder=(
                Level("remind", "提醒", 3),
                Level("notify", "通报", 4),
                Level("interview", "约谈", 5),
                Level("refer", "移交纪委监委", 6),
            )
        )
        wf = seed(Workflow(db, rules))
        _overdue_case(wf)
        assert wf.escalate("boss", _day(2)) == []
        assert [s["level"] for s in wf.escalate("boss", _day(5))] == ["remind", "notify", "interview"]
    finally:
        db.dispose()


def test_concurrent_runs_record_each_step_once(wf):
    for unit in ("雨湖区", "岳塘区", "住建"):
        _overdue_case(wf, unit)
    results, errors = [], []
    barrier = threading.Barrier(3)

    def run():
        try:
            barrier.wait()
            results.append(len(wf.escalate("boss", _day(31))))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 12
    with wf.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Escalation)) == 12
