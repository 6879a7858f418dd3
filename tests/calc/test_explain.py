"""What moves the composite index (lantian.calc.explain, lantian explain-index).

Decomposition: the pollutant parts add up to the published composite index, and their change parts to
the published change, exactly (HJ 663 §5.4: the index is the sum of the single indexes, 2 dp, GB/T 8170);
the stations' contributions add up to the city's published PM2.5 mean (HJ 663: the city daily value is
the mean of its evaluation stations). Data: ../shared/data/README.md (aqistudy-daily/ city daily values of
366 cities; prsa-beijing/ hours of Beijing's 12 stations, Dingling the control point)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.calc import explain as ex
from lantian.calc.assessment import assess
from lantian.cli import app
from lantian.io.aqistudy import read_aqistudy_daily
from lantian.periods import Period
from shared_paths import SHARED_DATA

DAILY = SHARED_DATA / "aqistudy-daily" / "daily"
runner = CliRunner()


def D(x) -> Decimal:
    return Decimal(str(x))


def test_apportion_keeps_the_total_and_each_part_within_one_unit():
    exact = [0.333333, 0.333333, 0.333334]
    parts = ex.apportion(exact, 1.0, 2)
    assert sum(parts) == Decimal("1.00") and all(
        abs(p - D(e)) < Decimal("0.01") for p, e in zip(parts, exact, strict=True)
    )
    # a change whose parts have both signs
    parts = ex.apportion([-0.304, 0.052, -0.751], -1.0, 2)
    assert sum(parts) == Decimal("-1.00")


@pytest.fixture(scope="module")
def cities() -> pl.DataFrame:
    files = sorted(DAILY.glob("*.csv.gz"))[:60]
    return pl.concat([read_aqistudy_daily(f)[0] for f in files], how="vertical_relaxed")


@pytest.mark.parametrize(
    "period", [Period.of_year(2016), Period.of_month(2016, 1), Period.of_quarter(2015, 3)]
)
def test_pollutant_parts_and_change_parts_add_up_exactly(cities, period):
    now = assess(cities, period)
    before = {r["city"]: r for r in assess(cities, period.same_period_last_year()).iter_rows(named=True)}
    checked = 0
    for row in now.iter_rows(named=True):
        if row["composite_index"] is None or before.get(row["city"], {}).get("composite_index") is None:
            continue
        parts = ex.pollutant_parts(row, last_year=before[row["city"]])
        assert sum(p["part"] for p in parts) == D(row["composite_index"]), row["city"]
        change = D(row["composite_index"]) - D(before[row["city"]]["composite_index"])
        assert sum(p["change_part"] for p in parts) == change, row["city"]
        # each part within 0.01 of its exact single index (largest remainder moves a part by one unit at most)
        assert all(abs(p["part"] - D(p["index"])) <= Decimal("0.01") for p in parts)
        assert sum(p["share_pct"] for p in parts) == pytest.approx(100, abs=0.3)
        checked += 1
    assert checked > 25  # cities with both periods assessable (some lack 2014 data)


@pytest.fixture(scope="module")
def beijing_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("prsa") / "store"
    assert (
        runner.invoke(app, ["ingest", str(SHARED_DATA / "prsa-beijing"), "--store", str(store)]).exit_code
        == 0
    )
    return store


def test_station_contributions_add_up_to_the_city_mean(beijing_store):
    ran = runner.invoke(
        app, ["explain-index", "--city", "北京", "--period", "2016", "--store", str(beijing_store), "--json"]
    )
    assert ran.exit_code == 0, ran.output
    res = json.loads(ran.output)
    stations = res["by_station"]
    assert len(stations) == 11 and not any("Dingling" in s["station"] for s in stations)  # the control point
    published_pm25 = next(p["value"] for p in res["by_pollutant"] if p["pollutant"] == "pm25")
    assert sum(D(s["part"]) for s in stations) == D(published_pm25)
    # the exact contributions add up to the exact mean of the city daily values (the means of the stations)
    from lantian.calc.averaging import daily_values
    from lantian.io.dataset import Dataset

    hourly = Dataset(beijing_store).scan_hourly(start=dt.date(2016, 1, 1), end=dt.date(2017, 1, 1))
    per_station = (
        daily_values(hourly, by="station_code")
        .filter(
            pl.col("date").dt.year() == 2016, pl.col("station_code").is_in([s["station"] for s in stations])
        )
        .collect()
    )
    city_mean = per_station.group_by("date").agg(pl.col("pm25").mean())["pm25"].mean()
    # (equal up to the order of floating-point additions: the sums run station by station, not day by day)
    assert sum(s["contribution"] for s in stations) == pytest.approx(city_mean, rel=1e-9)
    # leave one station out: the mean of the other stations' daily mean, as published (integer)
    first = stations[0]
    others = per_station.filter(pl.col("station_code") != first["station"])
    without = others.group_by("date").agg(pl.col("pm25").mean())["pm25"].mean()
    assert first["pm25_without"] == float(round(D(without), 0))
    # the pollutant parts add up here too
    assert sum(D(p["part"]) for p in res["by_pollutant"]) == D(res["composite_index"])


def test_costly_days_are_the_worst_days_with_their_cost(cities):
    city = cities.filter(pl.col("city") == cities["city"][0])
    period = Period.of_year(2016)
    days = ex.costly_days(city, period, n=3)
    base = assess(city, period).row(0, named=True)
    assert [d["aqi"] for d in days] == sorted((d["aqi"] for d in days), reverse=True)
    worst = days[0]
    without = assess(city.filter(pl.col("date") != worst["date"]), period).row(0, named=True)
    expected = base["composite_index_exact"] - without["composite_index_exact"]
    assert float(worst["index_cost"]) == pytest.approx(expected, abs=0.005)
    if worst["aqi"] > 100:
        assert worst["good_rate_cost"] > 0


def test_cli_table_reads_chinese(beijing_store):
    ran = runner.invoke(
        app, ["explain-index", "--city", "北京", "--period", "2016-12", "--store", str(beijing_store)]
    )
    assert ran.exit_code == 0, ran.output
    for words in ("综合指数", "分站点", "代价最大的污染日", "2016年12月"):
        assert words in ran.output
