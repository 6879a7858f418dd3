"""District air quality of the monthly assessment (月考核): computed from the store, scored as documented.

Provenance of the expected values:

* district figures — a district's daily values are the mean of its evaluation stations' daily values,
  the city rule of standards §3.4 applied to the district's stations; so a district must have exactly
  the assessment of a city made of the same stations (``lantian.pipeline.figures.district_assessment``);
* scores — the rules of the docstring of :mod:`lantian.workflow.scoring`: composite-index sub-score
  ``100 × best / own``, change-rate sub-score ``50 − 50 × change / span`` (span 20 %), shares 0.4/0.4/0.2
  with a sub-score without its figure left out and the other shares scaled to sum to 1; work part
  ``100 × on-time rate − 5 per overdue case``; total ``(60 × air + 40 × work) / 100``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from lantian.io.dataset import Dataset
from lantian.periods import parse_period
from lantian.pipeline.figures import assessment, district_assessment
from lantian.store import open_database
from lantian.workflow import cycle
from lantian.workflow.scoring import AirQualityResult, AirQualityTable, ScoringConfig, WorkResult, score_units
from lantian.workflow.services import Workflow

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "lantian" / "data" / "sample"
CNEMC_2026 = SAMPLE / "cnemc" / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
#: The 芦淞区 stations of the bundled district list (src/lantian/data/sample/stations/zhuzhou-districts.csv).
LUSONG = ("1515A", "1520A", "1524A")


@pytest.fixture(scope="module")
def zhuzhou_store(tmp_path_factory) -> Dataset:
    """The bundled 2026 national-platform hours of 株洲 with the station lists (national and districts)."""
    ds = Dataset(tmp_path_factory.mktemp("zz") / "store")
    ds.ingest([SAMPLE / "stations", CNEMC_2026])
    return ds


def test_a_district_is_assessed_as_a_city_of_its_stations(zhuzhou_store, tmp_path):
    figures = district_assessment(zhuzhou_store, "株洲", "2026-04")
    assert figures.stations == {"石峰区": ["1518A", "2031A"], "芦淞区": list(LUSONG), "荷塘区": ["1519A"]}
    # the control point 1559A of 荷塘区 does not count (standards §3.4)
    assert figures.row("荷塘区")["stations"] == 1
    assert figures.row("天元区") is None and figures.row("渌口区") is None
    # the same stations registered as a city of their own give the same assessment
    lines = [
        line
        for line in (SAMPLE / "stations" / "hunan-stations-2022.csv").read_text(encoding="utf-8").splitlines()
        if line.split(",")[0] in LUSONG
    ]
    listing = tmp_path / "lusong-as-city.csv"
    listing.write_text(
        "监测点编码,监测点名称,城市,经度,纬度,对照点\n"
        + "\n".join(line.replace(",株洲,", ",芦淞,") for line in lines)
        + "\n",
        encoding="utf-8",
    )
    alone = Dataset(tmp_path / "store")
    alone.ingest([listing, CNEMC_2026])
    city = assessment(alone, "芦淞", "2026-04", compare=True).result
    lusong = figures.row("芦淞区")
    for key in ("composite_index", "index_primary", "pm25", "good_rate", "valid_days"):
        assert lusong[key] == city[key], key
    assert lusong["composite_index"] is not None
    # no data in April 2025: no change rate
    assert lusong["index_change_pct"] is None and lusong["composite_index_last_year"] is None


def test_district_without_data_in_the_period_has_no_figures(zhuzhou_store):
    figures = district_assessment(zhuzhou_store, "株洲", "2026-05")
    assert [r["district"] for r in figures.districts] == ["石峰区", "芦淞区", "荷塘区"]
    assert all(r["composite_index"] is None for r in figures.districts)


def test_missing_sub_scores_are_left_out_and_the_shares_scaled():
    work = [
        WorkResult("甲区", "district", due=0, on_time=0, overdue=0, repeated=0),
        WorkResult("乙区", "district", due=0, on_time=0, overdue=0, repeated=0),
    ]
    air = {
        "甲区": AirQualityResult("甲区", 4.0, None, None),
        "乙区": AirQualityResult("乙区", 5.0, -10.0, None),
    }
    rows = {r["unit"]: r for r in score_units(work, air, ScoringConfig(2026))["district"]}
    # 甲区: the composite-index sub-score alone, 100 × 4 / 4 = 100; total (60 × 100 + 40 × 100) / 100
    assert (rows["甲区"]["air_score"], rows["甲区"]["score"]) == (100.0, 100.0)
    # 乙区: index 100 × 4 / 5 = 80, change 50 + 50 × 10 / 20 = 75, shares 0.4 and 0.2 scaled to 2/3, 1/3:
    # air (0.4 × 80 + 0.2 × 75) / 0.6 = 78.333… → 78.33; total (60 × 78.333… + 40 × 100) / 100 = 87.00
    assert (rows["乙区"]["air_score"], rows["乙区"]["score"]) == (78.33, 87.0)
    assert set(rows["乙区"]["air_quality"]) >= {"composite_index_score", "change_rate_score"}
    assert "target_progress_score" not in rows["乙区"]["air_quality"]


def test_one_overdue_case_costs_the_work_part_not_the_air_part():
    """The module docstring of lantian.workflow.scoring: an overdue due case lowers the on-time rate and
    carries the overdue penalty; with air quality the district keeps its air points."""
    late = WorkResult("甲区", "district", due=1, on_time=0, overdue=1, repeated=0)
    without_air = score_units([late], {}, ScoringConfig(2026))["district"][0]
    # work max(0, 100 × 0/1 − 5) = 0; no air-quality result: the score is the work part
    assert (without_air["work_score"], without_air["score"]) == (0.0, 0.0)
    with_air = score_units([late], {"甲区": AirQualityResult("甲区", 4.0, None, None)}, ScoringConfig(2026))
    row = with_air["district"][0]
    # air 100 (the only district, best index = own index); total (60 × 100 + 40 × 0) / 100 = 60.00
    assert (row["air_score"], row["work_score"], row["score"]) == (100.0, 0.0, 60.0)
    # a penalty of 5 points per overdue case, as configured: two on-time cases and one late one
    mixed = WorkResult("甲区", "district", due=3, on_time=2, overdue=1, repeated=0)
    # 100 × 2/3 − 5 = 61.666… → 61.67
    assert score_units([mixed], {}, ScoringConfig(2026))["district"][0]["work_score"] == 61.67


def test_reason_of_a_missing_air_quality_score():
    work = [WorkResult(u, "district", 0, 0, 0, 0) for u in ("甲区", "乙区", "丙区")]
    table = AirQualityTable({"甲区": AirQualityResult("甲区", 4.0, None, None)}, frozenset({"甲区", "乙区"}))
    rows = {r["unit"]: r for r in score_units(work, table, ScoringConfig(2026))["district"]}
    assert [rows[u]["air_quality_note"] for u in ("甲区", "乙区", "丙区")] == [None, "no_data", "no_station"]
    by_file = {r["unit"]: r for r in score_units(work, dict(table), ScoringConfig(2026))["district"]}
    assert by_file["乙区"]["air_quality_note"] == "no_result"


def test_monthly_notice_scores_districts_from_the_store(zhuzhou_store, tmp_path):
    t0 = datetime(2026, 3, 25, 9)
    database = open_database(f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}")
    try:
        wf = Workflow(database)
        wf.add_unit(None, "株洲市蓝天办", "office", t0)
        wf.add_user(None, "boss", "王主任", "admin", "株洲市蓝天办", t0)
        for name in ("天元区", "芦淞区", "荷塘区", "石峰区"):
            wf.add_unit("boss", name, "district", t0)
        provider = cycle.store_air_quality(zhuzhou_store, "株洲")
        data = cycle.monthly(wf, "boss", parse_period("2026-04", kind="monthly"), provider).to_dict()
    finally:
        database.dispose()
    rows = {r["unit"]: r for r in data["districts"]}
    figures = district_assessment(zhuzhou_store, "株洲", "2026-04")
    assert data["air_quality"] == {"source": "store", "monitored": ["石峰区", "芦淞区", "荷塘区"]}
    assert rows["天元区"]["air_quality_note"] == "no_station" and rows["天元区"]["air_score"] is None
    best = min(r["composite_index"] for r in figures.districts)
    for name in ("芦淞区", "荷塘区", "石峰区"):
        index = figures.row(name)["composite_index"]
        assert rows[name]["air_quality"]["composite_index"] == index
        # no change rate (no April 2025 data) and no district target: the index sub-score alone
        assert rows[name]["air_score"] == rows[name]["air_quality"]["composite_index_score"]
        assert rows[name]["air_quality"]["composite_index_score"] == pytest.approx(100 * best / index, abs=0.005)
