"""`lantian aqi compute` and `lantian aqi value` (spec §11.1–11.2 through the command line)."""

import csv
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from lantian.cli import app
from shared_paths import CNEMC_2022

runner = CliRunner()

DAILY = """date,city,so2,no2,pm10,co,o3_8h,pm25
2022-05-01,B1,10,40,250,1.0,100,115
2022-05-02,B2,8,30,45,0.6,90,30
2022-05-03,B3,8,30,45,0.6,90,70
2026-05-03,B3,8,30,45,0.6,90,70
"""


def test_compute_generic_daily_gives_section_11_2(tmp_path):
    src, out = tmp_path / "daily.csv", tmp_path / "out.csv"
    src.write_text(DAILY, encoding="utf-8")
    result = runner.invoke(app, ["aqi", "compute", str(src), "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    got = [(r["city"], r["date"], r["aqi"], r["primary_pollutants"], r["level"], r["category"]) for r in rows]
    assert got == [
        ("B1", "2022-05-01", "150", "pm10,pm25", "3", "轻度污染"),  # B1: tie
        ("B2", "2022-05-02", "45", "", "1", "优"),  # B2: no primary pollutant at AQI ≤ 50
        ("B3", "2022-05-03", "94", "pm25", "2", "良"),  # B3 under HJ 633—2012
        ("B3", "2026-05-03", "110", "pm25", "3", "轻度污染"),  # B3 under HJ 633—2026
    ]
    assert rows[0]["iaqi_no2"] == "50" and rows[1]["iaqi_no2"] == "38" and rows[1]["iaqi_pm25"] == "43"


@pytest.mark.parametrize(("args", "aqi_2012", "aqi_2026"), [
    (["--pm25", "36"], 52, 52),  # A2
    (["--pm25", "60"], 82, 100),  # A3
    (["--pm10", "150"], 100, 112),  # A8
    (["--so2", "100"], 75, 75),  # A9
    (["--co", "2.5"], 63, 63),  # A12
    (["--o3-8h", "161"], 101, 101),  # A15
    (["--pm25", "80", "--kind", "hourly"], 107, 119),  # A17
    (["--o3-8h", "900", "--o3", "1000"], 400, 300),  # A22
])
def test_value_gives_section_11_1_under_both_editions(args, aqi_2012, aqi_2026):
    for date, expected in (("2022-05-01", aqi_2012), ("2026-05-01", aqi_2026)):
        result = runner.invoke(app, ["aqi", "value", *args, "--date", date, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["aqi"] == expected


def test_value_prints_category_colour_and_advice():
    result = runner.invoke(app, ["aqi", "value", "--pm25", "36", "--date", "2022-05-01"])
    assert result.exit_code == 0
    assert "良" in result.output and "黄色" in result.output and "极少数异常敏感人群" in result.output


def test_compute_platform_release_matches_official(tmp_path):
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["aqi", "compute", str(CNEMC_2022), "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["matches_official"] == summary["rows_with_official_or_computed_aqi"] == 636


@pytest.mark.parametrize(("content", "message"), [
    ("date,city,pm25\n2022-01-01,A,abc\n", "line 2, column 'pm25': 'abc' is not a number"),
    ("date,city,pm25,pm2.5\n", "unknown column(s) 'pm2.5'"),
    ("date,city,pm25\n2022-13-01,A,5\n", "line 2, column 'date': unparseable date"),
    ("date,city,pm25\n2022-12-01,A,-5\n", "line 2, column 'pm25': negative concentration"),
    ("", "the file is empty"),
])
def test_bad_input_gets_a_clear_message_and_no_traceback(tmp_path, content, message):
    src = tmp_path / "bad.csv"
    src.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", "from lantian.cli import main; main()", "aqi", "compute",
                           str(src), "--output", str(tmp_path / "o.csv")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
