"""The weekly dispatch, monthly notice and quarterly review of an office without monitoring data.

Issue "cycle reports without air data still come out": a new office runs ``lantian init``, logs cases
and downloads the 月考核通报 before (or without) monitoring data of the month in the store. The
supervision part (cases, unit scores, escalations) is published anyway; the air-quality sections are
replaced by one paragraph that says what is missing and what to do (wording of the issue:
"数据存储中没有株洲市2026年11月的监测数据，本期空气质量情况暂缺；导入监测数据（lantian ingest）后重新生成本通报。",
the period as lantian.periods.Period.label_zh gives it). The annual report, an air-quality document,
keeps refusing with its error.

Two offices: one whose store does not exist (nothing ingested), one with the bundled sample
(``lantian data sample``: daily rows 2013-12…2017-01, 株洲 station hours of 2026-04-01…03, sample
README) and so no data of 2026-11, 2026-W45 (2–8 November) or 2026Q4.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantian import config
from lantian.cli import app
from lantian.errors import InputError, NotFound
from lantian.store import open_database
from lantian.workflow.services import Workflow

T0 = datetime(2026, 11, 2, 9)
DISTRICTS = ("天元区", "芦淞区", "荷塘区", "石峰区", "渌口区")

#: (report, period, the period as Period.label_zh / label_en gives it, how the paragraph names the document)
REPORTS = {
    "weekly": ("2026-W45", "2026年第45周（11月2日—11月8日）", "Week 45, 2026 (2–8 November)", "本期周调度"),
    "monthly": ("2026-11", "2026年11月", "November 2026", "本通报"),
    "quarterly": ("2026Q4", "2026年第四季度", "Q4 2026", "本季度评估"),
}


def _flat(text: str) -> str:
    """Text without white space: a paragraph wrapped over lines of the PDF reads as one string."""
    return re.sub(r"\s+", "", text)


def _office(home: Path, runner: CliRunner) -> None:
    """``lantian init`` as the issue's reproduction, then five districts and one overdue-to-be case."""
    made = runner.invoke(
        app,
        ["init", "--admin", "wang", "--name", "王主任", "--office", "株洲市蓝天办", "--password-stdin"],
        input="wang-secret-1\n",
    )
    assert made.exit_code == 0, made.output
    database = open_database(config.load().database_url)
    try:
        wf = Workflow(database)
        for name in DISTRICTS:
            wf.add_unit("wang", name, "district", T0)
        wf.add_user("wang", "insp", "李巡查", "inspector", None, T0)
        wf.new_case(
            "insp",
            source="patrol",
            category="扬尘",
            severity="medium",
            district="芦淞区",
            address="芦淞区建设中路工地",
            description="裸土未覆盖",
            at=datetime(2026, 11, 3, 10),
        )
    finally:
        database.dispose()


def _make_office(tmp_path: Path, monkeypatch, reason: str) -> Path:
    """An office after ``lantian init``: with no store (``no_store``) or with the sample store (``no_data``)."""
    home = tmp_path / "home"
    monkeypatch.setenv("LANTIAN_HOME", str(home))
    for name in ("LANTIAN_STORE", "LANTIAN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    _office(home, runner)
    if reason == "no_data":
        sample = runner.invoke(app, ["data", "sample"])
        assert sample.exit_code == 0, sample.output
        assert (home / "store").is_dir()
    else:
        assert not (home / "store").exists()
    return home


@pytest.fixture(params=["no_store", "no_data"])
def office(request, tmp_path, monkeypatch):
    """(home, reason) of both offices."""
    return _make_office(tmp_path, monkeypatch, request.param), request.param


def _report(kind: str, fmt: str, out: Path | None = None, lang: str = "zh", period: str | None = None):
    args = ["report", kind, "--city", "株洲", "--period", period or REPORTS[kind][0], "--as", "wang", "-f", fmt]
    args += ["--lang", lang]
    if out is not None:
        args += ["-o", str(out)]
    return CliRunner().invoke(app, args)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _expected_zh(kind: str, reason: str) -> str:
    _, label, _, this = REPORTS[kind]
    head = (
        f"尚未建立监测数据存储，没有株洲市{label}的监测数据"
        if reason == "no_store"
        else f"数据存储中没有株洲市{label}的监测数据"
    )
    return f"{head}，本期空气质量情况暂缺；导入监测数据（lantian ingest）后重新生成{this}。"


@pytest.mark.parametrize("kind", list(REPORTS))
def test_pdf_says_air_data_is_missing_and_keeps_supervision(office, kind, tmp_path):
    home, reason = office
    pdf = tmp_path / f"{kind}.pdf"
    result = _report(kind, "pdf", pdf)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdf_text(pdf)
    flat = _flat(text)
    assert _flat(_expected_zh(kind, reason)) in flat
    # the supervision part as usual
    if kind in ("weekly", "monthly"):
        assert "问题交办及整改情况" in flat
        assert "本期新增交办问题1件" in flat  # the one case of 2026-11-03 (lies in W45, November, Q4)
        assert "芦淞区" in flat
    if kind in ("monthly", "quarterly"):
        assert "区县（市）考核得分及排名" in flat
        for name in DISTRICTS:
            assert name in flat
    # no air-quality section, no machine path, no traceback
    assert "六项污染物浓度及达标情况" not in flat
    assert "Traceback" not in text
    assert "/tmp" not in text and str(home) not in text and str(tmp_path) not in text


@pytest.mark.parametrize("kind", list(REPORTS))
def test_english_pdf_says_air_data_is_missing(kind, tmp_path, monkeypatch):
    _make_office(tmp_path, monkeypatch, "no_store")
    pdf = tmp_path / f"{kind}-en.pdf"
    result = _report(kind, "pdf", pdf, lang="en")
    assert result.exit_code == 0, result.output
    text = " ".join(_pdf_text(pdf).split())
    label = REPORTS[kind][2]
    assert f"no monitoring data of 株洲市 for {label}" in text
    assert "Ingest the monitoring data (lantian ingest)" in text
    assert "Traceback" not in text and "/tmp" not in text


@pytest.mark.parametrize("kind", list(REPORTS))
def test_json_data_says_air_quality_is_missing(office, kind):
    _, reason = office
    result = _report(kind, "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    data = doc["data"]
    assert data["air_quality"] is None
    period, _, _, _ = REPORTS[kind]
    assert data["air_quality_missing"]["reason"] == reason
    assert data["air_quality_missing"]["city"] == "株洲"
    assert data["air_quality_missing"]["period"] == period
    assert "assess" not in data and "daily" not in data
    if kind in ("monthly", "quarterly"):
        assert data["cycle_scores"]["period"] == period
    # every source named can be run again: no assessment of a period without data
    assert not any(s.startswith("lantian assess") for s in doc["sources"])


def test_monthly_district_cells_say_why_there_is_no_air_score(office):
    _, reason = office
    result = _report("monthly", "md")
    assert result.exit_code == 0, result.output
    md = result.stdout
    rows = {
        cells[2]: cells
        for line in md.splitlines()
        if line.startswith("| ") and len(cells := [c.strip() for c in line.split("|")]) > 5
    }
    scores = json.loads(_report("monthly", "json").stdout)["data"]["cycle_scores"]
    if reason == "no_store":
        # nothing could be read from a store: every district has no monitoring data
        assert scores["air_quality"]["source"] == "none"
        for name in DISTRICTS:
            assert rows[name][4] == "（无监测数据）"
        assert "无监测数据，空气质量不计分，得分为工作得分。" in md
    else:
        # the store's districts with a station (as the station list ingested names them) have no data in
        # November; the others have no station
        assert scores["air_quality"]["source"] == "store"
        monitored = set(scores["air_quality"]["monitored"])
        assert monitored <= set(DISTRICTS)
        for name in DISTRICTS:
            assert rows[name][4] == ("（站点本月无数据）" if name in monitored else "（无监测站点）")
    # each district is scored on its work part alone (lantian.workflow.scoring: air part missing)
    for r in scores["districts"]:
        assert r["air_score"] is None and r["score"] == r["work_score"]


def test_quarterly_scores_are_those_of_the_quarters_months(office):
    result = _report("quarterly", "md")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.startswith("| 排名 |"))
    # 2026Q4: October, November, December (lantian cycle quarterly: "months")
    assert [c.strip() for c in header.split("|")][4:7] == ["10月", "11月", "12月"]


def test_annual_report_still_refuses_without_data(office):
    _, reason = office
    result = _report("annual", "pdf", Path("annual.pdf"), period="2026" if reason == "no_store" else "2025")
    assert result.exit_code != 0
    if reason == "no_store":
        assert isinstance(result.exception, InputError)
        assert "does not exist; ingest data first" in str(result.exception)
    else:
        assert isinstance(result.exception, NotFound)
        assert "no data for city '株洲' between 2025-01-01 and 2025-12-31" in str(result.exception)
    assert not Path("annual.pdf").exists()
