"""Weekly, monthly, quarterly and annual reports from real data: every number equals the CLI's ``--json``.

Data: ../shared/data/aqistudy-daily (14 Hunan cities, 2016 against 2015; ranking group of
docs/groups-hunan.toml) and ../shared/data/cnemc (national platform hourly sample, 湘潭 2022-01).
"""

from __future__ import annotations

import json
import subprocess

import openpyxl
import pytest
from PIL import Image
from rp_helpers import GROUPS
from typer.testing import CliRunner

from lantian.cli import app

PERIODS = {"weekly": "2016-W10", "monthly": "2016-03", "quarterly": "2016Q1", "annual": "2016"}
TITLES = {
    "weekly": "长沙市2016年第10周（3月7日—3月13日）大气污染防治工作周调度",
    "monthly": "长沙市2016年3月大气污染防治月考核通报",
    "quarterly": "长沙市2016年第一季度环境空气质量季度评估",
    "annual": "长沙市2016年环境空气质量年度报告",
}
TARGETS = """
[[targets]]
city = "长沙"
year = 2016
good_rate_min = 70.0
pm25_max = 50.0
composite_max = "last_year"
"""


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def report(kind: str, store, *extra: str, city: str = "长沙", period: str | None = None) -> dict:
    return cli_json(
        "report", kind, "--city", city, "--period", period or PERIODS[kind], "--store", str(store),
        *extra, "--json",
    )  # fmt: skip


@pytest.fixture(scope="session")
def targets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "targets.toml"
    path.write_text(TARGETS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def annual(hunan_store, targets_file):
    return report(
        "annual", hunan_store, "--group", "湖南", "--groups", str(GROUPS), "--targets", str(targets_file)
    )


def _check_air_quality(doc: dict, store, city: str, period: str) -> None:
    """The assessment tables equal ``lantian assess --compare --json`` of the same period."""
    assess = cli_json(
        "assess", "--city", city, "--period", period, "--store", str(store), "--compare", "--json"
    )
    assert doc["data"]["assess"] == assess
    row = assess["result"]
    ind = {r["item"]: r for r in doc["tables"]["indicators"]["rows"]}
    assert ind["综合指数"]["index"] == row["composite_index"]
    assert ind["综合指数"]["change"] == row.get("index_change_pct")
    assert ind["优良天数"]["count"] == row["good_days"]
    assert ind["优良天数比例（%）"]["rate"] == row["good_rate"]
    assert ind["重度及以上污染天数"]["count"] == row["heavy_days"]
    stats = doc["tables"]["pollutants"]["rows"]
    means = {r["pollutant"]: r["value"] for r in stats if r["statistic"] == "平均浓度"}
    assert means == {p: row[p] for p in ("so2", "no2", "pm10", "pm25")}
    assert next(r["value"] for r in stats if r["pollutant"] == "o3_8h") == row["o3"]
    assert next(r["value"] for r in stats if r["pollutant"] == "co") == row["co"]
    days = {r["category"]: r["days"] for r in doc["tables"]["categories"]["rows"]}
    assert days == {k.removeprefix("days_"): v for k, v in row.items() if k.startswith("days_")}


def test_annual_report_equals_assess_rank_and_targets(annual, hunan_store, targets_file):
    # 长沙 2016 (aqistudy daily): composite index 5.22 against 5.47 in 2015, −4.6 %; 238 good days of 366.
    assert annual["title"] == TITLES["annual"]
    _check_air_quality(annual, hunan_store, "长沙", "2016")
    assert annual["data"]["assess"]["result"]["composite_index"] == 5.22
    rank = cli_json(
        "rank", "--group", "湖南", "--groups", str(GROUPS), "--period", "2016", "--store", str(hunan_store),
        "--json",
    )  # fmt: skip
    assert annual["data"]["rank"]["rows"] == rank["rows"]
    table = annual["tables"]["province_rank"]["rows"]
    assert [(r["rank"], r["value"]) for r in table] == [
        (r["rank"], r["composite_index"]) for r in rank["rows"]
    ]
    assert len(table) == 14
    targets = cli_json(
        "targets", "--city", "长沙", "--year", "2016", "--targets", str(targets_file),
        "--store", str(hunan_store), "--json",
    )  # fmt: skip
    assert annual["data"]["targets"] == targets
    # the table prints each status of lantian targets in the words of lantian.calc.targets.STATUS_NAMES
    from lantian.calc.targets import STATUS_NAMES

    assert [r["status"] for r in annual["tables"]["targets"]["rows"]] == [
        STATUS_NAMES[t["status"]][0] for t in targets["targets"]
    ]
    daily = cli_json(
        "daily", "--city", "长沙", "--from", "2016-01-01", "--to", "2016-12-31", "--store", str(hunan_store),
        "--json",
    )  # fmt: skip
    assert annual["data"]["daily"]["rows"] == [
        {k: r[k] for k in ("date", "aqi", "category", "primary_pollutants")} | {"level": d["level"]}
        for r, d in zip(daily["rows"], annual["data"]["daily"]["rows"], strict=True)
    ]
    month = cli_json("assess", "--city", "长沙", "--period", "2016-07", "--store", str(hunan_store), "--json")
    assert annual["data"]["monthly"]["this_year"]["2016-07"]["pm25"] == month["result"]["pm25"]
    assert set(annual["charts"]) == {"calendar", "trend_pm25", "trend_composite_index"}
    assert "督查督办情况" not in annual["sections"]


@pytest.mark.parametrize("kind", ["weekly", "monthly", "quarterly"])
def test_air_quality_part_equals_assess(kind, hunan_store):
    doc = report(kind, hunan_store)
    assert doc["title"] == TITLES[kind]
    period = {"weekly": "2016-03-07..2016-03-13"}.get(kind, PERIODS[kind])
    _check_air_quality(doc, hunan_store, "长沙", period)
    # without a database the supervision part says so
    assert doc["sections"][-1] == "督查督办情况"


def test_supervision_parts_equal_cycle_json(hunan_store, scenario_db):
    url, _ = scenario_db
    db = ("--db", url, "--as", "boss")
    weekly = report("weekly", hunan_store, *db)
    cycle_week = cli_json("cycle", "weekly", "--period", "2016-W10", *db, "--json")
    assert weekly["data"]["cycle_cases"] == cycle_week
    rows = {r["unit"]: r for r in weekly["tables"]["cases"]["rows"]}
    assert rows["合计"] == {"unit": "合计", "opened": 2, "closed": 1, "overdue": 1, "escalated": 1}
    for r in cycle_week["by_unit"]:
        assert (rows[r["unit"]]["opened"], rows[r["unit"]]["closed"], rows[r["unit"]]["overdue"]) == (
            r["new"],
            r["closed"],
            r["overdue"],
        )
    monthly = report("monthly", hunan_store, *db)
    # the districts' air quality of the same store and city (lantian.workflow.cycle.store_air_quality)
    air = ("--city", "长沙", "--store", str(hunan_store))
    cycle_month = cli_json("cycle", "monthly", "--period", "2016-03", *air, *db, "--json")
    assert monthly["data"]["cycle_scores"] == cycle_month
    scores = monthly["tables"]["district_scores"]["rows"]
    assert [(r["unit"], r["rank"], r["score"]) for r in scores] == [
        (r["unit"], r["rank"], r["score"]) for r in cycle_month["districts"]
    ]
    # 芙蓉区 missed its deadline of 2016-03-08: the ladder reached 提醒, 通报 and 约谈 by 2016-03-31
    levels = {r["level"] for r in monthly["tables"]["escalations"]["rows"] if r["unit"] == "芙蓉区"}
    assert {"提醒", "通报"} <= levels
    quarterly = report("quarterly", hunan_store, *db)
    cycle_q = cli_json("cycle", "quarterly", "--period", "2016-Q1", *air, *db, "--json")
    assert quarterly["data"]["cycle_scores"] == cycle_q
    assert [r["score"] for r in quarterly["tables"]["department_scores"]["rows"]] == [
        r["score"] for r in cycle_q["departments"]
    ]


def test_supervision_needs_a_reader(hunan_store, scenario_db):
    result = CliRunner().invoke(
        app,
        ["report", "weekly", "--city", "长沙", "--period", "2016-W10", "--store", str(hunan_store)]
        + ["--db", scenario_db[0], "--json"],
    )
    assert result.exit_code != 0
    assert "--as" in str(result.exception)


def _pages_not_blank(pdf, tmp_path) -> None:
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    for page in pages:
        gray = Image.open(page).convert("L")
        assert sum(gray.histogram()[:200]) > 0.002 * gray.width * gray.height, f"{page.name} is blank"


@pytest.mark.parametrize("kind", ["weekly", "monthly", "quarterly", "annual"])
def test_every_format_renders(kind, hunan_store, scenario_db, tmp_path):
    args = ["--db", scenario_db[0], "--as", "boss"] if kind != "annual" else []
    doc = report(kind, hunan_store, *args)
    row = doc["data"]["assess"]["result"]
    for fmt in ("html", "md", "xlsx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        result = CliRunner().invoke(
            app,
            ["report", kind, "--city", "长沙", "--period", PERIODS[kind], "--store", str(hunan_store)]
            + args
            + ["--format", fmt, "--output", str(out)],
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
        if fmt in ("html", "md"):
            text = out.read_text(encoding="utf-8")
            assert TITLES[kind] in text and f"{row['composite_index']:.2f}" in text
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = text.replace(" ", "")
    assert "环境空气质量总体状况" in compact and "六项污染物浓度及达标情况" in compact
    assert f"{row['composite_index']:.2f}" in text and str(row["good_days"]) in text
    if kind in ("weekly", "monthly"):
        assert "问题交办及整改情况" in compact
    _pages_not_blank(tmp_path / "r.pdf", tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = sheet_of(wb, doc, "pollutants")
    expected = [r["value"] for r in doc["tables"]["pollutants"]["rows"]]
    assert [r[2] for r in ws.iter_rows(min_row=3, max_row=2 + len(expected), values_only=True)] == expected
    ws = sheet_of(wb, doc, "indicators")
    first = next(ws.iter_rows(min_row=3, max_row=3, values_only=True))
    assert first[1] == row["composite_index"]


def sheet_of(wb, doc: dict, table: str):
    """The sheet of a table: ``表N 标题`` (cut to Excel's 31 characters)."""
    title = doc["tables"][table]["title"]
    return wb[next(n for n in wb.sheetnames if n.startswith("表") and title[:8] in n)]


def test_english_air_quality_parts(hunan_store):
    doc = report("annual", hunan_store, "--lang", "en")
    assert doc["title"] == "长沙市 Annual Air Quality Report, 2016"
    assert "Overall air quality" in doc["sections"]


def test_national_platform_sample(cnemc_store, tmp_path):
    # 湘潭 2022-01-01..02 from the station hours of the cnemc sample (HJ 633—2012): two valid days.
    doc = report("monthly", cnemc_store, city="湘潭", period="2022-01")
    _check_air_quality(doc, cnemc_store, "湘潭", "2022-01")
    assert doc["data"]["assess"]["source"] == "station hours"
    # the annual report compares with 2021, whose only hour (2022-01-01 00:00) makes no valid day
    for kind, period in (("weekly", "2021-W52"), ("quarterly", "2022Q1"), ("annual", "2022")):
        other = report(kind, cnemc_store, city="湘潭", period=period)
        assert other["data"]["assess"]["result"]["valid_days"] == 2
        out = tmp_path / f"{kind}.xlsx"
        result = CliRunner().invoke(
            app,
            ["report", kind, "--city", "湘潭", "--period", period, "--store", str(cnemc_store)]
            + ["--format", "xlsx", "--output", str(out)],
        )
        assert result.exit_code == 0, result.output
    daily = report("daily", cnemc_store, city="湘潭", period="2022-01-01")
    expected = cli_json(
        "daily", "--city", "湘潭", "--from", "2022-01-01", "--to", "2022-01-01", "--store", str(cnemc_store),
        "--json",
    )  # fmt: skip
    assert daily["data"]["daily"]["rows"][0]["aqi"] == expected["rows"][0]["aqi"] == 160
    assert len(daily["tables"]["stations"]["rows"]) >= 5
