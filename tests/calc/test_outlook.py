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


# -- the read of the outlook ("若此后重污染天数不超过 N 天，达标概率不低于 70%"; docs/outlook.md) --------------


def _independent_years(seen: pl.DataFrame, year: int, as_of: dt.date, thresholds: pl.DataFrame, method):
    """Per simulated year, recomputed here from the simulated days (lantian.calc.outlook.simulate_rest, the
    same draw for the same seed): whether each target was met by the whole year (the real days so far plus
    the simulated rest, assessed as a year) and what the rest brought — heavy days (AQI > 200, HJ 633 Table
    2 levels 5–6), non-good days (valid days with AQI > 100), the mean of the remaining days' PM2.5."""
    from lantian.calc.aqi import aqi_frame

    sims = ol.simulate_rest(seen, year, as_of, method)
    ytd = seen.filter(pl.col("date").dt.year() == year)
    copies = ytd.join(pl.DataFrame({"sim": np.arange(method.n_sims, dtype=np.int32)}), how="cross")
    whole = pl.concat([copies.select(sims.columns), sims], how="vertical_relaxed")
    years = assess(whole.with_columns(city=pl.col("sim").cast(pl.Utf8)).drop("sim"), Period.of_year(year))
    graded = (
        aqi_frame(sims.lazy(), kind="daily", regime="auto", time_col="date")
        .group_by("sim")
        .agg(
            heavy=(pl.col("aqi") > 200).sum(),
            non_good=(pl.col("aqi") > 100).sum(),
            pm25=pl.col("pm25").mean(),
        )
        .collect()
        .with_columns(city=pl.col("sim").cast(pl.Utf8))
    )
    out = {}
    for target, rest in (("heavy_days", "heavy"), ("good_rate", "non_good"), ("pm25", "pm25")):
        column = ol.TARGETS[target][0]
        thr = thresholds.filter(pl.col("target") == target)["threshold"].item()
        valid = pl.col(ol.VALIDITY[target]).fill_null(False)
        frame = years.select("city", pl.when(valid).then(pl.col(column).cast(pl.Float64)).alias("v")).join(
            graded.select("city", pl.col(rest).cast(pl.Float64).alias("rest")), on="city"
        )
        met = frame.select(ol.meets(pl.col("v"), pl.lit(thr), target))["v"].to_numpy()
        out[target] = (frame["rest"].to_numpy(), met)
    return out


@pytest.mark.parametrize("city_name", ["株洲", "长沙"])
def test_the_read_holds_in_the_simulated_years(all_cities, city_name):
    city = all_cities.filter(pl.col("city") == city_name)
    as_of = dt.date(2016, 6, 30)
    seen = city.filter(pl.col("date") <= as_of)
    thresholds = ol.not_worse_than_last_year(seen, 2016)
    method = ol.Method(n_sims=120, seed=7)
    table = ol.outlook(seen, 2016, as_of, thresholds, method, level=0.7)
    again = _independent_years(seen, 2016, as_of, thresholds, method)
    for target, (rest, met) in again.items():
        row = table.filter(pl.col("target") == target).row(0, named=True)
        bound = row["condition_max"]
        assert bound is not None, (city_name, target)
        within = rest <= bound
        # the promise: among the simulated years whose rest stays within the bound, at least 70% meet it
        assert met[within].mean() >= 0.7 and row["condition_achieved"] == pytest.approx(met[within].mean())
        assert row["condition_n_sims"] == within.sum()
        # the bound is reached by a simulated year that still meets the target (a day count: exactly N;
        # PM2.5: a rest-of-year mean in (N − 1, N])
        assert (met & (np.ceil(rest) == bound)).any()
        # and it is the largest such bound
        for larger in sorted({int(x) for x in np.ceil(rest[met]) if x > bound}):
            assert met[rest <= larger].mean() < 0.7, (target, larger)
        if target == "heavy_days":
            # heavy days only add up: no year that met the target had more than the days still affordable
            assert bound <= row["threshold"] - row["ytd"]


def test_the_read_is_monotone_in_the_probability(all_cities):
    city = all_cities.filter(pl.col("city") == "株洲")
    as_of = dt.date(2016, 6, 30)
    seen = city.filter(pl.col("date") <= as_of)
    thresholds = ol.not_worse_than_last_year(seen, 2016)
    method = ol.Method(n_sims=80)
    bounds = {}
    for level in (0.5, 0.7, 0.9):
        t = ol.outlook(seen, 2016, as_of, thresholds, method, level=level)
        bounds[level] = {r["target"]: r["condition_max"] for r in t.iter_rows(named=True)}
        assert bounds[level]["o3"] is None and bounds[level]["composite_index"] is None  # no read for these
    for target in ol.CONDITIONS:
        seq = [bounds[lv][target] for lv in (0.5, 0.7, 0.9)]
        # a surer promise asks a tighter bound (or none at all)
        present = [b for b in seq if b is not None]
        assert present == sorted(present, reverse=True), (target, seq)
        assert seq[0] is not None


def test_condition_definition_on_a_small_case():
    # six simulated years: rest heavy days and whether the year met its target (docs/outlook.md, 达标条件)
    rest = np.array([0, 1, 1, 2, 3, 5], dtype=float)
    met = np.array([True, True, False, True, False, False])
    # ≤ 2: 3 of 4 met (75%) and a year with exactly 2 met; ≤ 3 and ≤ 5: no year with 3 or 5 met
    assert ol.condition(rest, met, 0.7) == {"max": 2, "achieved": 0.75, "n_sims": 4}
    # 80%: ≤ 2 gives 75%, ≤ 1 gives 2 of 3, ≤ 0 gives 1 of 1
    assert ol.condition(rest, met, 0.8) == {"max": 0, "achieved": 1.0, "n_sims": 1}
    assert ol.condition(rest, np.zeros(6, dtype=bool), 0.7)["max"] is None
    assert ol.condition(np.array([np.nan]), np.array([True]), 0.7)["max"] is None


def test_cli_and_json_carry_the_read_at_the_configured_probability(tmp_path, monkeypatch):
    store = str(tmp_path / "store")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(DAILY / "株洲.csv.gz"), "--store", store]).exit_code == 0
    args = ["outlook", "--store", store, "--city", "株洲", "--year", "2016", "--as-of", "2016-06-30"]
    monkeypatch.setenv("LANTIAN_OUTLOOK_PROBABILITY_PCT", "80")
    (city,) = json.loads(runner.invoke(app, [*args, "--sims", "30", "--json"]).output)
    reads = {t["target"]: t["condition"] for t in city["targets"]}
    assert reads["o3"] is None and reads["composite_index"] is None
    assert reads["heavy_days"]["probability"] == 0.8 and "max_heavy_days" in reads["heavy_days"]
    assert "max_non_good_days" in reads["good_rate"] and "max_rest_pm25" in reads["pm25"]
    table = runner.invoke(app, [*args, "--sims", "30"])
    n = reads["heavy_days"]["max_heavy_days"]
    assert f"若此后重污染天数不超过 {n} 天，达标概率不低于 80%" in table.output
    monkeypatch.setenv("LANTIAN_OUTLOOK_PROBABILITY_PCT", "100")
    refused = runner.invoke(app, [*args, "--sims", "30"])
    # refused with what is wrong (the error reaches the user as the command's message: lantian.cli main)
    assert refused.exit_code != 0 and "outlook_probability_pct" in str(refused.exception)


# -- trend options --------------------------------------------------------------------------------------


def _levels(by_year: dict[int, float]) -> pl.DataFrame:
    """Synthetic whole years of one city whose PM2.5 and PM10 are the year's level every day."""
    rows = []
    for y, level in by_year.items():
        for d in pl.date_range(dt.date(y, 1, 1), dt.date(y, 12, 31), eager=True):
            rows.append({"city": "甲", "date": d, "pm25": level, "pm10": level * 1.5})
    return pl.DataFrame(rows).with_columns(
        so2=pl.lit(8.0), no2=pl.lit(30.0), co=pl.lit(0.8), o3_8h=pl.lit(90.0)
    )


@pytest.mark.parametrize(
    ("levels", "direction"),
    [({2013: 90.0, 2014: 75.0, 2015: 60.0}, -1), ({2013: 40.0, 2014: 50.0, 2015: 60.0}, 1)],
)
def test_the_linear_trend_moves_the_expected_value_with_the_trend(levels, direction):
    history = _levels(levels)
    this_year = _levels({2016: 60.0}).filter(pl.col("date") <= dt.date(2016, 3, 31))
    daily = pl.concat([history, this_year])
    as_of = dt.date(2016, 3, 31)
    thresholds = pl.DataFrame({"city": ["甲"], "target": ["pm25"], "threshold": [60.0]})
    plain = ol.outlook(daily, 2016, as_of, thresholds, ol.Method(n_sims=20, trend="none"))
    linear = ol.outlook(daily, 2016, as_of, thresholds, ol.Method(n_sims=20, trend="linear"))
    assert plain["expected"].item() == pytest.approx(sum(levels.values()) / 3 * 0.75 + 60 * 0.25, abs=1)
    # the trend line (a step of 15 or 10 a year) carried to 2016: every drawn day moves to 2016's level
    step = (levels[2015] - levels[2013]) / 2
    assert linear["expected"].item() == pytest.approx(60 * 0.25 + (levels[2015] + step) * 0.75, abs=1)
    assert (linear["expected"].item() - plain["expected"].item()) * direction > 0


def test_trend_factors_scale_each_year_to_the_target_year():
    f = ol.trend_factors(_levels({2014: 80.0, 2015: 60.0}), 2016)
    by_year = dict(zip(f["_year"], f["f_pm25"], strict=True))
    # the line through (2014, 80) and (2015, 60) is 40 in 2016: 40/80 and 40/60
    assert by_year[2014] == pytest.approx(0.5) and by_year[2015] == pytest.approx(2 / 3)
    assert f["f_so2"].to_list() == pytest.approx([1.0, 1.0])  # no trend, no change


def test_an_unknown_trend_is_refused(all_cities):
    city = all_cities.filter(pl.col("city") == "株洲", pl.col("date") <= dt.date(2016, 6, 30))
    with pytest.raises(ValueError, match="trend"):
        ol.outlook(
            city, 2016, dt.date(2016, 6, 30), ol.not_worse_than_last_year(city, 2016), ol.Method(trend="up")
        )
