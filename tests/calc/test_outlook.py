"""Year-end outlook (lantian.calc.outlook; method in docs/outlook.md).

Calibration on the shared data (../shared/data/README.md, aqistudy-daily/: 366 cities, daily city values
2013-12 → 2017-01): for 2015 and 2016, as of 30 June, with every frame cut at the as-of date, the outlook's
probabilities of "not worse than last year" (只降不升) are scored against what the full year then gave
(assessed by the same calc code); the Brier score must be lower than that of the year-to-date verdict
(1 if met so far, else 0) and of a constant 0.5."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.calc import outlook as ol
from lantian.calc.assessment import assess
from lantian.cli import app
from lantian.io.aqistudy import read_aqistudy_daily
from lantian.periods import Period
from shared_paths import SHARED_DATA

DAILY = SHARED_DATA / "aqistudy-daily" / "daily"


@pytest.fixture(scope="module")
def all_cities() -> pl.DataFrame:
    files = sorted(DAILY.glob("*.csv.gz"))
    assert len(files) == 366
    return pl.concat(
        [read_aqistudy_daily(f)[0].select("city", "date", *ol.POLLUTANTS) for f in files],
        how="vertical_relaxed",
    )


def _outcomes(daily: pl.DataFrame, year: int, thresholds: pl.DataFrame) -> pl.DataFrame:
    """Whether each city met each threshold at the end of ``year`` (the real, whole year)."""
    actual = assess(daily, Period.of_year(year))
    rows = []
    for target, (column, _, _) in ol.TARGETS.items():
        thr = thresholds.filter(pl.col("target") == target)
        got = thr.join(actual.select("city", pl.col(column).cast(pl.Float64).alias("actual")), on="city")
        rows.append(got.with_columns(outcome=ol.meets(pl.col("actual"), pl.col("threshold"), target)))
    return pl.concat(rows).select("city", "target", "outcome")


@pytest.mark.parametrize("year", [2015, 2016])
def test_outlook_as_of_june_beats_the_ytd_verdict_and_a_coin(all_cities, year, record_property):
    as_of = dt.date(year, 6, 30)
    seen = all_cities.filter(pl.col("date") <= as_of)  # the store truncated at the as-of date
    thresholds = ol.not_worse_than_last_year(seen, year)
    forecast = ol.outlook(seen, year, as_of, thresholds, ol.Method(n_sims=40))
    scored = forecast.join(_outcomes(all_cities, year, thresholds), on=["city", "target"]).drop_nulls(
        "probability"
    )
    scores = {}
    for target in ("good_rate", "pm25", "composite_index"):
        rows = scored.filter(pl.col("target") == target)
        # nearly every city with a valid value last year (about half of the cities begin in 2015) has an
        # outlook; the others lack valid data this year (数据不足)
        assert len(rows) >= 0.9 * thresholds.filter(pl.col("target") == target).height > 150, target
        scores[target] = {
            "outlook": ol.brier(rows["probability"], rows["outcome"]),
            "ytd": ol.brier(rows["ytd_meets"], rows["outcome"]),
            "half": ol.brier(pl.Series([0.5] * len(rows)), rows["outcome"]),
        }
    record_property("brier", scores)
    print(year, json.dumps(scores, indent=1))
    for target, s in scores.items():
        assert s["outlook"] < s["ytd"] and s["outlook"] < s["half"], (target, s)


def _history(years=(2014, 2015), cities=("甲", "乙")) -> pl.DataFrame:
    """Synthetic days whose PM2.5 encodes its own date: 1000·(year − 2000) + day of the year."""
    rows = []
    for city in cities:
        for y in years:
            for d in pl.date_range(dt.date(y, 1, 1), dt.date(y, 12, 31), eager=True):
                doy = d.timetuple().tm_yday - 1
                rows.append({"city": city, "date": d, "pm25": float(1000 * (y - 2000) + doy)})
    return pl.DataFrame(rows).with_columns(
        so2=pl.lit(8.0), no2=pl.lit(30.0), co=pl.lit(0.8), pm10=pl.col("pm25") * 0 + 60.0, o3_8h=pl.lit(90.0)
    )


def test_blocks_copy_consecutive_days_of_one_earlier_year_near_the_same_date():
    method = ol.Method(n_sims=30, block_days=7, jitter_days=5, seed=1)
    sims = ol.simulate_rest(_history(), 2016, dt.date(2016, 6, 30), method)
    assert sims.height == 2 * 30 * 184  # two cities × 30 simulated years × 1 July … 31 December
    code = sims["pm25"].to_numpy()
    year = code // 1000 + 2000
    source_day = code % 1000
    target_day = np.array([d.timetuple().tm_yday - 1 for d in sims["date"].to_list()])
    assert set(year) <= {2014, 2015}
    # the same season: within the jitter of the block's first day, plus the day's place in the block
    assert np.abs(source_day - target_day).max() <= method.jitter_days + 1  # 1: leap-year offset
    # within a block, consecutive days of one year
    same_block = (np.arange(len(code)) % 184 % 7 != 0)[1:] & (target_day[1:] < 350)  # before a year-end clip
    assert (np.diff(code)[same_block] == 1).all()
    assert sims.select(pl.col("sim").n_unique()).item() == 30


def test_nothing_after_the_as_of_date_changes_the_outlook(all_cities):
    city = all_cities.filter(pl.col("city") == "株洲")
    as_of = dt.date(2016, 6, 30)
    seen = city.filter(pl.col("date") <= as_of)
    thresholds = ol.not_worse_than_last_year(seen, 2016)
    method = ol.Method(n_sims=30)
    assert ol.outlook(city, 2016, as_of, thresholds, method).equals(
        ol.outlook(seen, 2016, as_of, thresholds, method)
    )


def test_a_finished_year_is_certain_and_equals_its_assessment(all_cities):
    city = all_cities.filter(pl.col("city") == "株洲")
    thresholds = ol.not_worse_than_last_year(city, 2016)
    out = ol.outlook(city, 2016, dt.date(2016, 12, 31), thresholds, ol.Method(n_sims=20))
    actual = assess(city, Period.of_year(2016)).row(0, named=True)
    for row in out.iter_rows(named=True):
        column = ol.TARGETS[row["target"]][0]
        assert row["probability"] in (0.0, 1.0)
        assert row["ytd"] == row["expected"] == row["low"] == row["high"] == actual[column]
        assert (row["probability"] == 1.0) == row["ytd_meets"]


def test_cli_outlook_json_per_city(tmp_path):
    store = str(tmp_path / "store")
    runner = CliRunner()
    ran = runner.invoke(app, ["ingest", str(DAILY / "株洲.csv.gz"), "--store", store])
    assert ran.exit_code == 0, ran.output
    ran = runner.invoke(
        app,
        [
            "outlook",
            "--store",
            store,
            "--city",
            "株洲",
            "--year",
            "2016",
            "--as-of",
            "2016-06-30",
            "--sims",
            "30",
            "--json",
        ],
    )
    assert ran.exit_code == 0, ran.output
    (city,) = json.loads(ran.output)
    assert city["city"] == "株洲" and city["as_of"] == "2016-06-30"
    assert {t["target"] for t in city["targets"]} == set(ol.TARGETS)
    for t in city["targets"]:
        assert {"target", "threshold", "ytd", "expected", "low", "high", "probability"} <= set(t)
        assert t["low"] <= t["high"] and 0 <= t["probability"] <= 1
    table = runner.invoke(
        app, ["outlook", "--store", store, "--city", "株洲", "--year", "2016", "--sims", "30"]
    )
    assert table.exit_code == 0 and "达标概率" in table.output and "优良天数比例" in table.output
    refused = runner.invoke(app, ["outlook", "--store", store, "--year", "2016"])
    assert refused.exit_code != 0
