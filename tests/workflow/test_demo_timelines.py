"""The demo's case timelines read in date order (issue "Deployable by a real office", point 8).

Every step of a demo case (lantian.web.demo._seed) is recorded — audit entry included — at the moment
it is dated: the audit entry of a case's creation is stamped with the case's reported time, and no step
of a case is dated before the step that precedes it.
"""

from __future__ import annotations

import datetime as dt

from lantian.clock import FixedClock
from lantian.store import open_database
from lantian.web.demo import _seed
from lantian.workflow.services import Workflow

NOW = dt.datetime(2026, 11, 30, 15, 0)


def _dated_steps(case: dict, trail: list[dict]) -> list[tuple[str, str]]:
    steps = [(e["at"], e["action"]) for e in trail]
    steps += [(r["submitted_at"], "rectify") for r in case["rectifications"]]
    steps += [(r["verified_at"], r["outcome"]) for r in case["verifications"]]
    steps += [(r["at"], "comment") for r in case["comments"]]
    return steps


def test_every_demo_case_timeline_is_in_date_order(tmp_path):
    database = open_database(f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}")
    try:
        wf = Workflow(database, clock=FixedClock(NOW))
        _seed(wf, NOW)
        assert wf.clock.now() == NOW  # the workflow's own clock is given back
        cases = wf.list_cases("admin")
        assert len(cases) == 5
        for row in cases:
            case = wf.show_case("admin", row["id"])
            trail = wf.audit_trail("case", row["id"])
            times = [str(e["at"]) for e in trail]
            # the audit trail, in the order written, is in date order and starts at the report
            assert times == sorted(times), (row["id"], times)
            assert trail[0]["action"] == "create" and times[0] == case["reported_at"], row["id"]
            # every dated step of the case lies between its report and now
            for when, what in _dated_steps(case, trail):
                assert case["reported_at"] <= str(when) <= NOW.isoformat(), (row["id"], what, when)
        # steps recorded in the order they are dated: the written order of the rectifications and
        # verifications of the closed dust case (case 5) follows their dates
        closed = wf.show_case("admin", 5)
        assert closed["status"] == "closed"
        assert closed["rectifications"][0]["submitted_at"] < closed["verifications"][0]["verified_at"]
    finally:
        database.dispose()
