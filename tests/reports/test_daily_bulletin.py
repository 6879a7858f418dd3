"""The daily bulletin from the shared data, in every format, with the numbers of ``lantian aqi compute``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from PIL import Image
from typer.testing import CliRunner

from lantian.cli import app

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
AQISTUDY = SHARED / "aqistudy-daily" / "daily"
DAY = "2016-01-05"


@pytest.fixture(scope="module")
def hunan_daily(tmp_path_factory) -> Path:
    """Hunan cities' daily values of January 2016 (aqistudy files) as a generic daily table.

    The aqistudy columns are city,date,AQI,AQI_range,level,PM2.5,PM10,SO2,CO,NO2,O3,rank with 0 for
    missing; O3 is taken as the daily maximum 8-hour mean (shared/data/README.md).
    """
    cols = ["city", "date", "aqi", "aqi_range", "level", "pm25", "pm10", "so2", "co", "no2", "o3_8h", "rank"]
    frames = []
    for name in ("长沙", "株洲", "湘潭"):
        raw = pl.read_csv(
            AQISTUDY / f"{name}.csv.gz",
            has_header=False,
            new_columns=cols,
            encoding="utf8-lossy",
            infer_schema=False,
        )
        frames.append(raw.with_columns(pl.col("city").str.strip_chars("\ufeff")))
    table = (
        pl.concat(frames)
        .filter(pl.col("date").str.starts_with("2016-01"))
        .select(
            "date",
            "city",
            *[
                pl.when(pl.col(c) == "0").then(None).otherwise(pl.col(c)).alias(c)
                for c in ("so2", "no2", "co", "o3_8h", "pm10", "pm25")
            ],
        )
    )
    path = tmp_path_factory.mktemp("daily") / "hunan-2016-01.csv"
    table.write_csv(path)
    return path


@pytest.fixture(scope="module")
def official(hunan_daily, tmp_path_factory) -> dict:
    """What ``lantian aqi compute FILE --kind daily`` gives for 长沙 on the day."""
    out = tmp_path_factory.mktemp("aqi") / "graded.csv"
    result = CliRunner().invoke(
        app, ["aqi", "compute", str(hunan_daily), "--kind", "daily", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    graded = pl.read_csv(out, infer_schema_length=0)
    row = graded.filter((pl.col("city") == "长沙") & (pl.col("date") == DAY)).to_dicts()
    assert len(row) == 1
    return row[0]


def _report(hunan_daily: Path, fmt: str, out: Path, *extra: str):
    result = CliRunner().invoke(
        app,
        [
            "report",
            "daily",
            "--city",
            "长沙",
            "--period",
            DAY,
            "--input",
            str(hunan_daily),
            "--format",
            fmt,
            "--output",
            str(out),
            "--number",
            "长沙蓝天办日报〔2016〕5号",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_json_equals_aqi_compute(hunan_daily, official, tmp_path):
    doc = json.loads(_report(hunan_daily, "json", tmp_path / "r.json").read_text())
    city = doc["data"]["city"]
    assert city["aqi"] == int(official["aqi"])
    assert city["category"] == official["category"]
    assert city["primary_pollutants"] == official["primary_pollutants"]
    for p in ("so2", "no2", "co", "o3_8h", "pm10", "pm25"):
        assert city[f"iaqi_{p}"] == int(official[f"iaqi_{p}"]), p
    iaqi_rows = {r["pollutant"]: r["iaqi"] for r in doc["tables"]["city_pollutants"]["rows"]}
    assert iaqi_rows == {p: int(official[f"iaqi_{p}"]) for p in iaqi_rows}


def test_pdf_text_and_pages(hunan_daily, official, tmp_path):
    pdf = _report(hunan_daily, "pdf", tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "")
    for needle in (
        "长沙市环境空气质量日报",
        "长沙蓝天办日报〔2016〕5号",
        "一、全市空气质量状况",
        "二、健康指引",
        f"环境空气质量指数（AQI）为{official['aqi']}",
        f"类别为{official['category']}",
        "建议采取的措施",
    ):
        assert needle in flat, needle
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert pages
    for page in pages:
        gray = Image.open(page).convert("L")
        assert sum(gray.histogram()[:200]) > 0.002 * gray.width * gray.height, page.name


def test_xlsx_values_equal_aqi_compute(hunan_daily, official, tmp_path):
    path = _report(hunan_daily, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    doc = json.loads(_report(hunan_daily, "json", tmp_path / "r.json").read_text())
    assert len(wb.sheetnames) == 1 + len(doc["tables"])
    ws = wb[wb.sheetnames[1]]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    by_name = {r[0]: r for r in rows}
    assert by_name["细颗粒物(PM₂.₅)"][3] == int(official["iaqi_pm25"])
    assert by_name["一氧化碳(CO)"][3] == int(official["iaqi_co"])
    assert ws.cell(row=3, column=2).number_format in ("0", "0.0")


def test_html_md_and_english(hunan_daily, official, tmp_path):
    html = _report(hunan_daily, "html", tmp_path / "r.html").read_text()
    assert f"为{official['aqi']}" in html
    md = _report(hunan_daily, "md", tmp_path / "r.md").read_text()
    assert "# 长沙市环境空气质量日报" in md
    en = _report(hunan_daily, "md", tmp_path / "en.md", "--lang", "en").read_text()
    assert f"Air Quality Index (AQI) of 长沙市 was {official['aqi']}" in en and "Health advice" in en


def test_unknown_city_is_a_clear_error(hunan_daily):
    result = CliRunner().invoke(
        app, ["report", "daily", "--city", "拉萨", "--period", DAY, "--input", str(hunan_daily), "--json"]
    )
    assert result.exit_code != 0
    assert "no row for city '拉萨'" in str(result.exception)
