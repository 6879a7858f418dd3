"""Monitoring proposals: the pure episode finder, and accepting or dismissing proposals."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from wf_helpers import T0

from lantian.errors import InputError, NotFound, PermissionDenied, WorkflowError
from lantian.workflow.proposals import find_episodes

STATIONS = pl.DataFrame(
    {
        "station_code": ["A", "B", "C", "D"],
        "district": ["雨湖区", "岳塘区", "岳塘区", "湘潭县"],
        "longitude": [112.90, 112.92, 112.94, 113.60],  # D is ~70 km away: nobody's neighbour
        "latitude": [27.85, 27.86, 27.84, 27.60],
    }
)
START = datetime(2026, 3, 1)


def _hourly(high_hours: range, value: float = 150.0, base: float = 40.0) -> pl.DataFrame:
    rows = []
    for h in range(24):
        for s in "ABCD":
            v = value if s == "A" and h in high_hours else base
            rows.append({"station_code": s, "time": START + timedelta(hours=h), "pm25": v, "pm10": None})
    return pl.DataFrame(rows, schema_overrides={"pm10": pl.Float64})


def test_a_station_far_above_its_neighbours_for_n_hours_is_an_episode():
    out = find_episodes(_hourly(range(5, 13)), STATIONS)
    assert out.to_dicts() == [
        {
            "station_code": "A",
            "district": "雨湖区",
            "pollutant": "pm25",
            "start": datetime(2026, 3, 1, 5),
            "end": datetime(2026, 3, 1, 12),
            "hours": 8,
            "max_ratio": 3.75,  # 150 / median(40, 40)
            "mean_excess": 110.0,
        }
    ]


def test_short_weak_or_interrupted_runs_are_not_episodes():
    assert find_episodes(_hourly(range(5, 10)), STATIONS).height == 0  # 5 hours < 6
    assert find_episodes(_hourly(range(5, 13), value=79.0), STATIONS).height == 0  # ratio 1.975 < 2
    assert find_episodes(_hourly(range(5, 13), value=59.0, base=20.0), STATIONS).height == 0  # excess 39 < 40
    assert (
        find_episodes(_hourly(range(5, 13), value=60.0, base=20.0), STATIONS).height == 1
    )  # excess 40: at threshold
    gap = _hourly(range(2, 8)).filter(
        ~((pl.col("station_code") == "A") & (pl.col("time") == START + timedelta(hours=4)))
    )
    assert find_episodes(gap, STATIONS).height == 0  # a missing hour breaks the run


def test_isolated_station_and_tz_aware_times():
    far = _hourly(range(0, 0)).with_columns(
        pm25=pl.when(pl.col("station_code") == "D").then(300.0).otherwise(pl.col("pm25"))
    )
    assert find_episodes(far, STATIONS).height == 0  # D has no neighbours within 15 km
    aware = _hourly(range(5, 13)).with_columns(pl.col("time").dt.replace_time_zone("Asia/Shanghai"))
    assert find_episodes(aware, STATIONS)["start"].to_list() == [datetime(2026, 3, 1, 5)]
    with pytest.raises(InputError, match="lacks column"):
        find_episodes(_hourly(range(1)).drop("pm10"), STATIONS)


def test_proposals_are_stored_once_and_decided_by_their_districts_officer(wf):
    episodes = find_episodes(_hourly(range(5, 13)), STATIONS).to_dicts()
    added = wf.record_proposals("boss", episodes, T0)
    assert [(p["station_code"], p["district"], p["status"]) for p in added] == [("A", "雨湖区", "open")]
    assert wf.record_proposals("boss", episodes, T0) == []
    pid = added[0]["id"]
    assert wf.list_proposals("yuetang") == []
    # another district's proposal does not exist for its officer: 404 as for an id never issued
    # (data-safety issue, defect 11: "403 vs 404 lets an officer probe ... ids")
    with pytest.raises(NotFound, match=f"没有编号为 {pid} 的监测异常线索"):
        wf.accept_proposal("yuetang", pid, T0)
    with pytest.raises(PermissionDenied):
        wf.accept_proposal("insp", pid, T0)
    case = wf.accept_proposal("yuhu", pid, T0, category="工业排放", severity="high")
    assert (case["source"], case["status"], case["district"], case["category"]) == (
        "monitoring",
        "reported",
        "雨湖区",
        "工业排放",
    )
    assert wf.list_proposals("boss")[0]["case_id"] == case["id"]
    with pytest.raises(WorkflowError, match="已受理；只能处理待处理的线索"):
        wf.dismiss_proposal("yuhu", pid, "重复", T0)


def test_dismissing_a_proposal(wf):
    episodes = find_episodes(_hourly(range(5, 13)), STATIONS).to_dicts()
    pid = wf.record_proposals("boss", episodes, T0)[0]["id"]
    out = wf.dismiss_proposal("boss", pid, "仪器故障", T0)
    assert out["status"] == "dismissed"
    assert wf.list_proposals("boss", "open") == []
    with pytest.raises(InputError, match="不予受理的理由为空"):
        wf.dismiss_proposal("boss", pid, "", T0)
