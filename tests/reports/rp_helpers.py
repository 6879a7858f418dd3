"""Data of the period-report tests: the aqistudy daily files of the 14 Hunan cities, the national
platform sample, and a small supervision scenario built through the workflow services."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from lantian.workflow.services import Workflow
from shared_paths import HUNAN_CITIES

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
HUNAN = HUNAN_CITIES
GROUPS = ROOT / "docs" / "groups-hunan.toml"

T0 = datetime(2016, 3, 7, 9, 0)  # Monday of ISO week 2016-W10
DISTRICTS = ("芙蓉区", "天心区")
DEPARTMENTS = ("住建",)


def seed_scenario(wf: Workflow) -> dict:
    """Office, two districts, one department, their users; one case closed in time, one overdue and escalated."""
    wf.add_unit(None, "市蓝天办", "office", T0)
    wf.add_user(None, "boss", "王主任", "admin", "市蓝天办", T0)
    for name in DISTRICTS:
        wf.add_unit("boss", name, "district", T0)
    for name in DEPARTMENTS:
        wf.add_unit("boss", name, "department", T0)
    wf.add_user("boss", "insp", "李巡查", "inspector", None, T0)
    wf.add_user("boss", "furong", "芙蓉区联络员", "officer", "芙蓉区", T0)
    wf.add_user("boss", "zhujian", "住建联络员", "officer", "住建", T0)
    base = {"source": "patrol", "severity": "medium", "description": "裸土未覆盖"}
    late = wf.new_case("insp", category="扬尘", district="芙蓉区", address="五一路工地", at=T0, **base)["id"]
    wf.assign("boss", late, "芙蓉区", datetime(2016, 3, 7, 10), deadline=date(2016, 3, 8))
    done = wf.new_case(
        "insp", category="扬尘", district="天心区", address="劳动路工地", at=datetime(2016, 3, 8, 9), **base
    )["id"]
    wf.assign("boss", done, "住建", datetime(2016, 3, 8, 10), deadline=date(2016, 3, 10))
    wf.start("zhujian", done, datetime(2016, 3, 8, 11))
    wf.rectify("zhujian", done, "已覆盖", datetime(2016, 3, 9, 9))
    wf.verify("boss", done, datetime(2016, 3, 9, 15), "核查通过", accept=True)
    wf.escalate("boss", datetime(2016, 3, 31, 18))
    return {"late": late, "done": done}


#: The reports of the bundled sample (src/lantian/data/sample/README.md): 株洲 from the aqistudy city daily
#: files (2013-12 → 2017-01) for the period reports, the national platform's hours of 2026-04-01..03 for the
#: daily bulletin; the ranking group of the three sample cities; the supervision scenario of rp_helpers.
SAMPLE_REPORTS = {
    "daily": "2026-04-02",
    "weekly": "2016-W50",
    "monthly": "2016-12",
    "quarterly": "2016Q4",
    "annual": "2016",
}
