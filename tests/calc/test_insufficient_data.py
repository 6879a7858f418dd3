"""数据不足, not a verdict: a period statistic below the data-validity minimum gives no attainment, no
target verdict and no rank, and every surface says so in words.

Rules: GB 3095—2012/2026 Table 4 (annual means ≥ 324 daily values, ≥ 27 a month, February ≥ 25; the
monthly rule for months, spec §4.3); for a period not made of whole months (a date range, a year to
date) the switch ``coverage_min_pct`` (default 90 % of the days: ⌈0.9 × 20⌉ = 18 of 20), docs/switches.md.
The day values are a clean day well below every Grade II limit (GB 3095 Table 1), so that without the
validity rule the period would read "attains all".
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.calc import ranking, targets
from lantian.calc.assessment import assess, coverage_minimum
from lantian.cli import app
from lantian.io.dataset import Dataset
from lantian.periods import parse_period
from lantian.schema import CITY, DATE
from lantian.standards import hj663

CLEAN = {"so2": 5.0, "no2": 10.0, "co": 0.5, "pm10": 20.0, "pm25": 10.0, "o3_8h": 100.0}
PERIOD = "2026-01-01..2026-01-20"
TWO_DAYS = (dt.date(2026, 1, 1), dt.date(2026, 1, 20))


def _frame(city: str, days) -> pl.DataFrame:
    return pl.DataFrame([{CITY: city, DATE: d, **CLEAN} for d in days])


def _every_day(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def test_twenty_day_period_with_two_days_is_insufficient():
    period = parse_period(PERIOD)
    assert coverage_minimum(period) == 18  # ⌈90 × 20 / 100⌉
    row = assess(_frame("甲", TWO_DAYS), period).row(0, named=True)
    items = [it.name for it in hj663.ITEMS if it.name in row]
    assert items and all(row[f"valid_{i}"] is False for i in items)
    assert all(row[f"attains_{i}"] is None and row[f"multiple_{i}"] is None for i in items)
    assert row["attains_all"] is None and row["exceeding"] == ""
    assert not row["index_valid"] and not row["valid_good_rate"] and not row["data_sufficient"]
    assert (row["valid_days"], row["period_days"], row["coverage_min_days"]) == (2, 20, 18)


def test_enough_days_give_the_verdict():
    """18 of 20 days meet the 90 % minimum: the same clean days attain."""
    row = assess(_frame("甲", _every_day(dt.date(2026, 1, 1), 18)), parse_period(PERIOD)).row(0, named=True)
    assert row["data_sufficient"] and row["attains_all"] is True
    row = assess(_frame("甲", _every_day(dt.date(2026, 1, 1), 17)), parse_period(PERIOD)).row(0, named=True)
    assert not row["data_sufficient"] and row["attains_all"] is None


def test_month_below_27_days_is_insufficient():
    """GB 3095 Table 4: a month needs 27 daily values (26 in January: invalid, 27: valid)."""
    month = parse_period("2026-01")
    assert not assess(_frame("甲", _every_day(dt.date(2026, 1, 1), 26)), month)["valid_pm25"][0]
    assert assess(_frame("甲", _every_day(dt.date(2026, 1, 1), 27)), month)["valid_pm25"][0]


def test_insufficient_city_ranked_last_with_insufficient_data():
    """A city with 2 of 20 days gets no place, even though its 2 days are the cleanest; it is listed last
    with 数据不足 (as provincial notices list it)."""
    dirty = {**CLEAN, "pm25": 70.0}
    full = pl.DataFrame([{CITY: "乙", DATE: d, **dirty} for d in _every_day(dt.date(2026, 1, 1), 20)])
    frame = assess(pl.concat([_frame("甲", TWO_DAYS), full]), parse_period(PERIOD))
    for by in ("index", "pm25", "good_rate"):
        out = ranking.rank(frame, by)
        assert out[CITY].to_list() == ["乙", "甲"], by
        last = out.row(1, named=True)
        assert last["rank"] is None and last["insufficient"] and "数据不足" in last["excluded"]
        assert out.row(0, named=True)["rank"] == 1


def test_targets_give_no_verdict_on_too_few_days():
    t = targets.Targets(city="甲", year=2026, good_rate_min=80.0, pm25_max=35.0, composite_max=4.0)
    args = (t, dt.date(2026, 1, 20), 2, 2, 0, 20.0, 2, 10.0, [100.0, 100.0], 1.5, None)
    sure = targets.evaluate(*args)
    assert targets.verdict(sure)[0] == "各项目标目前均在正常轨道上。"  # the verdict 2 days would give
    short = targets.evaluate(*args, ("有效 2 天 / 共 20 天", "2 valid of 20 days"))
    assert {s.status for s in short} == {"insufficient"}
    zh, en = targets.verdict(short)
    assert zh.startswith("数据不足") and "正常轨道" not in zh and en.startswith("Insufficient data")


# -- the surfaces: CLI table, JSON, dashboard, reports --------------------------------------------------


@pytest.fixture(scope="module")
def two_day_store(tmp_path_factory):
    """City daily values of 株洲 on 2026-01-01 and 2026-01-20 only (a generic CSV ``date,city,…``)."""
    root = tmp_path_factory.mktemp("two-days")
    csv = root / "zhuzhou-daily.csv"
    _frame("株洲", TWO_DAYS).rename({CITY: "city"}).write_csv(csv)
    Dataset(root / "store").ingest([csv])
    targets_file = root / "targets.toml"
    targets_file.write_text('[[targets]]\ncity = "株洲"\nyear = 2026\ngood_rate_min = 80\npm25_max = 35\n',
                            encoding="utf-8")
    return root / "store", targets_file


def _cli(*args: str):
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


def test_cli_table_and_json_say_insufficient(two_day_store):
    store, _ = two_day_store
    table = _cli("assess", "--store", str(store), "--city", "株洲", "--period", PERIOD)
    assert "数据不足" in table and "attains all: True" not in table
    out = json.loads(_cli("assess", "--store", str(store), "--city", "株洲", "--period", PERIOD, "--json"))
    r = out["result"]
    assert out["insufficient"]["zh"].startswith("有效 2 天 / 共 20 天")
    assert r["attains_all"] is None and r["data_sufficient"] is False
    assert [r[f"valid_{it.name}"] for it in hj663.ITEMS if it.name in r] == [False] * len(hj663.INDEX_ITEMS)
    assert r["valid_good_rate"] is False and r["index_valid"] is False
    assert out["source"] == "city daily" and out["sources"] == {"city daily": 2}


def test_cli_targets_say_insufficient(two_day_store):
    store, targets_file = two_day_store
    out = json.loads(_cli("targets", "--store", str(store), "--city", "株洲", "--year", "2026",
                          "--targets", str(targets_file), "--json"))
    assert out["data_sufficient"] is False and {t["status"] for t in out["targets"]} == {"insufficient"}
    assert out["verdict_zh"].startswith("数据不足") and "正常轨道" not in out["verdict_zh"]
    table = _cli("targets", "--store", str(store), "--city", "株洲", "--year", "2026", "--targets", str(targets_file))
    assert "数据不足" in table and "正常轨道" not in table


def test_dashboard_year_panel_says_insufficient(two_day_store):
    """The 2026 panel (year to date 2026-01-01..2026-01-20, 2 valid days) says 数据不足 in words, not
    "各项目标目前均在正常轨道上"."""
    from lantian.pipeline import figures as F
    from lantian.web import air

    store, targets_file = two_day_store
    panel = F.year_panel(Dataset(store), "株洲", 2026, targets_file=targets_file)
    page = air._format_year(panel, "zh", "株洲", [2026], {"targets_file": targets_file, "forecast_file": None})
    assert page["verdict"].startswith("数据不足") and "正常轨道" not in page["verdict"]
    figures = {f["key"]: f["value"] for f in page["figures"]}
    assert figures["composite_index"] == figures["pm25"] == figures["good_rate"] == "数据不足"
    assert {t["status"] for t in page["targets"]} == {"数据不足"}
    en = air._format_year(panel, "en", "株洲", [2026], {"targets_file": targets_file, "forecast_file": None})
    assert en["verdict"].startswith("Insufficient data")


def test_report_says_insufficient(two_day_store, tmp_path):
    """The monthly report of January 2026 (2 of 31 days; GB 3095 Table 4 needs 27)."""
    store, _ = two_day_store
    md = _cli("report", "monthly", "--city", "株洲", "--period", "2026-01", "--format", "md", "--store", str(store))
    assert "数据不足" in md and "均达到国家环境空气质量二级标准" not in md
    out = tmp_path / "monthly.json"
    _cli("report", "monthly", "--city", "株洲", "--period", "2026-01", "--format", "json",
         "--store", str(store), "--output", str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["data"]["assess"]["insufficient"]["zh"].startswith("有效 2 天 / 共 31 天")
