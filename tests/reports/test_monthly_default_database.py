"""The monthly notice reads the one default database of every command, and shows district air quality.

Issue "Deployable by a real office", points 4 and 7: ``lantian case …`` and ``lantian report monthly``
open the same database (the setting ``database_url``, default ``sqlite:///<data_dir>/lantian.db``,
lantian.config.REGISTRY) without ``--db``; the district part of the notice comes from the store
(lantian.pipeline.figures.district_assessment), and a district without a station says so.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantian import config
from lantian.cli import app
from lantian.io.dataset import Dataset
from lantian.store import open_database
from lantian.workflow.services import Workflow

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "lantian" / "data" / "sample"
CNEMC_2026 = SAMPLE / "cnemc" / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
T0 = datetime(2026, 4, 1, 9)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An office's data directory (LANTIAN_HOME) with the bundled 株洲 hours and station lists."""
    path = tmp_path / "home"
    monkeypatch.setenv("LANTIAN_HOME", str(path))
    for name in ("LANTIAN_STORE", "LANTIAN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    Dataset(path / "store").ingest([SAMPLE / "stations", CNEMC_2026])
    return path


def _organisation(url: str) -> None:
    database = open_database(url)
    try:
        wf = Workflow(database)
        wf.add_unit(None, "株洲市蓝天办", "office", T0)
        wf.add_user(None, "boss", "王主任", "admin", "株洲市蓝天办", T0)
        for name in ("天元区", "芦淞区", "荷塘区", "石峰区", "渌口区"):
            wf.add_unit("boss", name, "district", T0)
        wf.add_user("boss", "insp", "李巡查", "inspector", None, T0)
    finally:
        database.dispose()


def test_case_and_report_commands_share_the_default_database(home):
    runner = CliRunner()
    url = config.load().database_url
    assert url == f"sqlite:///{(home / 'lantian.db').as_posix()}"
    _organisation(url)
    made = runner.invoke(
        app,
        ["case", "new", "--district", "芦淞区", "--category", "扬尘", "--address", "芦淞区建设中路工地",
         "--description", "裸土未覆盖", "--as", "insp", "--at", "2026-04-02T10:00", "--json"],
    )
    assert made.exit_code == 0, made.output
    case_id = json.loads(made.stdout)["id"]
    report = runner.invoke(
        app, ["report", "monthly", "--city", "株洲", "--period", "2026-04", "--as", "boss", "--json"]
    )
    assert report.exit_code == 0, report.output
    doc = json.loads(report.stdout)
    data = doc["data"]
    # the case made without --db is counted in the notice made without --db
    assert data["cycle_cases"]["totals"]["new"] == 1
    assert [r["new"] for r in data["cycle_cases"]["by_unit"] if r["unit"] == "芦淞区"] == [1]
    assert case_id == 1
    text = json.dumps(doc, ensure_ascii=False)
    assert "未配置督查数据库" not in text and "尚未建立" not in text


def test_notice_shows_district_air_quality_and_districts_without_station(home):
    _organisation(config.load().database_url)
    result = CliRunner().invoke(
        app, ["report", "monthly", "--city", "株洲", "--period", "2026-04", "--as", "boss", "-f", "md"]
    )
    assert result.exit_code == 0, result.output
    md = result.stdout
    rows = {
        cells[2]: cells
        for line in md.splitlines()
        if line.startswith("| ") and len(cells := [c.strip() for c in line.split("|")]) > 5
    }
    # 天元区 and 渌口区: no station of the bundled district list (sample README); said in the table
    assert rows["天元区"][4] == "（无监测站点）" and rows["渌口区"][4] == "（无监测站点）"
    assert "天元区、渌口区无监测站点，空气质量不计分，得分为工作得分。" in md
    # districts with stations have an air-quality score (no bare dash)
    for name in ("芦淞区", "荷塘区", "石峰区"):
        assert rows[name][4] not in ("—", "")
        float(rows[name][4])


def test_notice_json_scores_come_from_the_cycle_result(home):
    _organisation(config.load().database_url)
    result = CliRunner().invoke(
        app, ["report", "monthly", "--city", "株洲", "--period", "2026-04", "--as", "boss", "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["data"]["cycle_scores"]
    assert scores["air_quality"] == {"source": "store", "monitored": ["石峰区", "芦淞区", "荷塘区"]}
    notes = {r["unit"]: r["air_quality_note"] for r in scores["districts"]}
    assert notes == {"天元区": "no_station", "渌口区": "no_station", "芦淞区": None, "荷塘区": None, "石峰区": None}


def test_without_a_database_the_notice_says_where_it_would_be(home):
    result = CliRunner().invoke(app, ["report", "monthly", "--city", "株洲", "--period", "2026-04", "-f", "html"])
    assert result.exit_code == 0, result.output
    assert f"督查数据库 {home / 'lantian.db'} 尚未建立" in result.stdout
    assert not (home / "lantian.db").exists()  # reading a report creates no database
