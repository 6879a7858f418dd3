"""The cycle's documents are typed results with one JSON form (lantian.workflow.cycle.CycleSummary)."""

from __future__ import annotations

import datetime as dt
import json

from lantian.jsonable import dumps
from lantian.periods import parse_period
from lantian.workflow.cycle import KINDS, CycleSummary


def test_cycle_summary_reads_as_its_figures_and_prints_one_form():
    week = parse_period("2026-W10", kind="weekly")
    figures = {"period": week.label, "from": week.start, "totals": {"new": 2, "closed": 1}}
    summary = CycleSummary("weekly", week, figures)
    assert summary["totals"]["new"] == 2 and dict(summary) == figures and len(summary) == 3
    # ISO 8601: week 10 of 2026 starts on Monday 2 March
    assert summary.to_dict() == {"period": "2026-W10", "from": "2026-03-02", "totals": {"new": 2, "closed": 1}}
    assert json.loads(dumps(summary)) == summary.to_dict()
    assert summary.period.start == dt.date(2026, 3, 2) and summary.kind in KINDS
