"""The foresight parts of the monthly notice and the annual report (lantian.reports.foresight): the year-end
outlook, what moves the composite index and the concentration profiles, in every format, each number that of
``lantian outlook --json``, ``lantian explain-index --json`` and ``lantian profile --json`` for the same city
and period.

Data: ../shared/data/aqistudy-daily (株洲 city daily values 2013-12 → 2017-01: the hunan_store fixture of
conftest.py) and ../shared/data/prsa-beijing (12 Beijing stations, hourly with wind, 2013-03 → 2017-02).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import openpyxl
import pytest
from rp_helpers import SHARED
from test_report_layout import lone, pages
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io.dataset import Dataset
from lantian.reports.foresight import outlook_date
from lantian.reports.jsonout import document_dict
from lantian.reports.render import write
from lantian.reports.sources import build

OUTLOOK, EXPLAIN, PROFILES = "年终目标达成预测", "综合指数归因", "浓度时间变化特征"


def cli_json(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def as_json(doc) -> dict:
    """The document as its JSON form gives it (``--format json``)."""
    from lantian.reports.jsonout import render_json

    return json.loads(render_json(doc))


@pytest.fixture(scope="module")
def beijing_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("beijing") / "store"
    Dataset(path).ingest([SHARED / "prsa-beijing"])
    return path


@pytest.fixture(scope="module")
def zhuzhou_june(hunan_store):
    return build("monthly", city="株洲", period="2016-06", store=hunan_store)


@pytest.fixture(scope="module")
def beijing_june(beijing_store):
    return build("monthly", city="北京", period="2016-06", store=beijing_store)


def _formats(doc, tmp_path) -> dict[str, object]:
    out = {}
    for fmt in ("html", "md", "json", "xlsx", "pdf"):
        out[fmt] = write(doc, fmt, tmp_path / f"r.{fmt}")
    return out


def _pdf_text(path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return text.stdout.replace(" ", "")


def _sheet(wb, doc, table: str):
    """The sheet of a table: ``表N 标题`` (cut to Excel's 31 characters), as test_period_reports reads it."""
    title = doc.table(table).title
    return wb[next(n for n in wb.sheetnames if n.startswith("表") and title[:8] in n)]


def _check_every_format(doc, tmp_path, headings: list[str], tables: list[str]) -> None:
    files = _formats(doc, tmp_path)
    html = files["html"].read_text(encoding="utf-8")
    md = files["md"].read_text(encoding="utf-8")
    js = json.loads(files["json"].read_text(encoding="utf-8"))
    pdf = _pdf_text(files["pdf"])
    wb = openpyxl.load_workbook(files["xlsx"])
    for heading in headings:
        assert heading in html and heading in md and heading in js["sections"] and heading in pdf, heading
    for name in tables:
        title = doc.table(name).title
        assert title in html and title in md and title.replace(" ", "") in pdf, name
        assert js["tables"][name]["rows"] == document_dict(doc)["tables"][name]["rows"]
        ws = _sheet(wb, doc, name)
        assert ws.max_row >= 2 + len(doc.table(name).rows), name
    # the PDF as an office prints it: no page of a lone line or a lone heading
    for n, lines in enumerate(pages(files["pdf"]), 1):
        assert not lone(lines), f"page {n}: {lines}"


def test_the_monthly_notice_of_a_running_year_carries_the_outlook_and_the_index(
    zhuzhou_june, hunan_store, tmp_path
):
    doc = zhuzhou_june
    headings = [s.heading for s in doc.sections]
    assert OUTLOOK in headings and EXPLAIN in headings
    assert PROFILES not in headings  # the city is known by its daily values only: no hours to profile
    _check_every_format(doc, tmp_path, [OUTLOOK, EXPLAIN], ["outlook", "index_parts", "costly_days"])
    store = str(hunan_store)
    # the outlook as of the month's end, as `lantian outlook` gives it
    (expected,) = cli_json(
        "outlook", "--store", store, "--city", "株洲", "--year", "2016", "--as-of", "2016-06-30", "--json"
    )
    data = as_json(doc)["data"]
    assert data["outlook"] == expected
    from lantian.pipeline.figures import published_text
    from lantian.pipeline.outlook import condition_text, decimals

    table = doc.table("outlook")
    assert [r["target"] for r in table.rows] == [t["name_zh"] for t in expected["targets"]]
    for row, t in zip(table.rows, expected["targets"], strict=True):
        published, shown = decimals(t["target"])
        assert row["threshold"] == published_text(t["threshold"], published)
        assert row["ytd"] == published_text(t["ytd"], published)
        assert row["expected"] == published_text(t["expected"], shown)
        assert row["interval"] == f"{published_text(t['low'], shown)}–{published_text(t['high'], shown)}"
        assert row["probability"] == f"{t['probability'] * 100:.0f}%"
    # the read of the outlook, sentence by sentence
    text = " ".join(
        b.text for s in doc.sections if s.heading == OUTLOOK for b in s.blocks if hasattr(b, "text")
    )
    for t in expected["targets"]:
        if t["condition"]:
            assert condition_text(t["target"], t["condition"]) in text
    assert "达标概率不低于 70%" in text
    # what moves the index, as `lantian explain-index` gives it
    explained = cli_json("explain-index", "--store", store, "--city", "株洲", "--period", "2016-06", "--json")
    assert data["explain"] == explained
    parts = doc.table("index_parts").rows
    assert [float(r["part"]) for r in parts] == [p["part"] for p in explained["by_pollutant"]]
    assert [r["change_part"] for r in parts] == [p["change_part"] for p in explained["by_pollutant"]]
    # the parts add up to the published index (HJ 663 §5.4; lantian.calc.explain.apportion)
    assert round(sum(float(r["part"]) for r in parts), 2) == explained["composite_index"]
    costly = doc.table("costly_days").rows
    assert [str(r["date"]) for r in costly] == [d["date"] for d in explained["costly_days"]]
    assert [r["index_cost"] for r in costly] == [d["index_cost"] for d in explained["costly_days"]]
    assert "index_months" not in {t.name for t in doc.tables()}  # one month: no table of months


def test_the_profiles_of_a_city_with_station_hours(beijing_june, beijing_store, tmp_path):
    doc = beijing_june
    headings = [s.heading for s in doc.sections]
    assert OUTLOOK in headings and EXPLAIN in headings and PROFILES in headings
    _check_every_format(doc, tmp_path, [PROFILES], ["profile_hours", "profile_weekdays"])
    assert "profiles" in [c.name for c in doc.charts()]
    data = as_json(doc)["data"]
    for code in ("pm25", "o3"):
        expected = cli_json(
            "profile", "--store", str(beijing_store), "--city", "北京", "--period", "2016-06", "--pollutant", code,
            "--json",
        )  # fmt: skip
        assert data["profiles"][code] == expected
        by_hour = {r["hour"]: r["mean"] for r in expected["by_hour"]}
        hours = doc.table("profile_hours").rows
        assert [r[f"{code}_a"] for r in hours] == [by_hour.get(h) for h in range(1, 13)]
        assert [r[f"{code}_b"] for r in hours] == [by_hour.get(h) for h in range(13, 25)]
        weekdays = doc.table("profile_weekdays").rows
        assert [r[code] for r in weekdays] == [r["mean"] for r in expected["by_weekday"]]
    assert "profile_months" not in {t.name for t in doc.tables()}  # a month has no monthly profile


def test_the_annual_report_of_a_finished_year_has_no_outlook(beijing_store, tmp_path):
    doc = build("annual", city="北京", period="2016", store=beijing_store)
    headings = [s.heading for s in doc.sections]
    assert OUTLOOK not in headings and "outlook" not in as_json(doc)["data"]
    assert EXPLAIN in headings and PROFILES in headings
    _check_every_format(doc, tmp_path, [EXPLAIN, PROFILES], ["index_parts", "index_months", "profile_months"])
    explained = cli_json(
        "explain-index", "--store", str(beijing_store), "--city", "北京", "--period", "2016", "--json"
    )
    months = doc.table("index_months").rows
    assert [r["composite_index"] for r in months] == [m["composite_index"] for m in explained["by_month"]]
    assert [r["good_rate"] for r in months] == [m["good_rate"] for m in explained["by_month"]]
    expected = cli_json(
        "profile",
        "--store",
        str(beijing_store),
        "--city",
        "北京",
        "--period",
        "2016",
        "--pollutant",
        "pm25",
        "--json",
    )
    assert [r["pm25"] for r in doc.table("profile_months").rows] == [m["mean"] for m in expected["by_month"]]


def test_the_annual_report_of_a_running_year_has_the_outlook_as_of_its_last_day(hunan_store):
    # the aqistudy files end in January 2017 (../shared/data/README.md): 2017 is a running year
    doc = build("annual", city="株洲", period="2017", store=hunan_store)
    data = as_json(doc)["data"]
    assert OUTLOOK in [s.heading for s in doc.sections]
    last = dt.date.fromisoformat(data["outlook"]["as_of"])
    assert last.year == 2017 and last.month == 1
    (expected,) = cli_json(
        "outlook",
        "--store",
        str(hunan_store),
        "--city",
        "株洲",
        "--year",
        "2017",
        "--as-of",
        str(last),
        "--json",
    )
    assert data["outlook"] == expected


def test_december_and_a_finished_year_have_no_outlook():
    assert outlook_date("monthly", "2016-06", dt.date(2017, 1, 31)) == dt.date(2016, 6, 30)
    assert outlook_date("monthly", "2016-06", dt.date(2016, 6, 20)) == dt.date(
        2016, 6, 20
    )  # data end earlier
    assert outlook_date("monthly", "2016-12", dt.date(2017, 1, 31)) is None  # the month ends the year
    assert outlook_date("annual", "2016", dt.date(2017, 1, 31)) is None
    assert outlook_date("annual", "2016", dt.date(2016, 9, 30)) == dt.date(2016, 9, 30)
    assert outlook_date("annual", "2016", None) is None
