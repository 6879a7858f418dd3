"""The Spark engine in local mode gives results identical to the local engine (same calc code)."""

from __future__ import annotations

import polars as pl
import pytest

from lantian.calc.aqi import aqi_frame
from lantian.calc.averaging import city_daily, daily_values
from lantian.calc.rounding import scaled
from lantian.pipeline import spark as spark_engine
from lantian.pipeline.synth import generate
from lantian.schema import HOURLY_SCHEMA


@pytest.fixture(scope="module")
def spark():
    session = spark_engine.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-store")
    generate(root, stations=12, cities=3, years=1, start=2025, seed=11, days=10)
    return root


def test_hourly_aqi_identical_to_local_engine(spark, store):
    got = spark_engine.hourly_aqi(str(store), spark=spark)
    local = pl.read_parquet(store / "hourly", hive_partitioning=False).select(list(HOURLY_SCHEMA))
    want = aqi_frame(local, kind="hourly", regime="auto").select(got.columns)
    key = ["station_code", "time"]
    assert got.height == local.height
    assert got.sort(key).equals(want.sort(key))


def test_date_range_selects_natural_days(spark, store):
    got = spark_engine.hourly_aqi(str(store), start="2025-01-03", end="2025-01-04", spark=spark)
    # Natural days 3 and 4 January: labels 01-03 01:00 … 01-05 00:00.
    assert str(got["time"].min()) == "2025-01-03 01:00:00"
    assert str(got["time"].max()) == "2025-01-05 00:00:00"


def test_station_and_city_daily_identical_to_local_engine(spark, store):
    hourly = pl.read_parquet(store / "hourly", hive_partitioning=False).select(list(HOURLY_SCHEMA))
    registry = pl.read_parquet(store / "stations.parquet")
    want_station = daily_values(hourly, by="station_code").collect()
    want_city = city_daily(want_station, registry).collect()

    got_station = spark_engine.daily_station_stats(str(store), spark=spark)
    got_city = spark_engine.city_daily(str(store), spark=spark)

    # Daily means are sums in whatever order a group-by meets the rows: the local engine itself varies
    # in the last binary digit from run to run. Every figure lantian derives reads a value as its exact
    # 9-decimal integer (lantian.calc.rounding.scaled); in that form the engines are identical.
    def exact(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
        return frame.sort(key).select(
            [scaled(pl.col(c)).alias(c) if t == pl.Float64 else pl.col(c) for c, t in frame.schema.items()]
        )

    assert got_station.columns == want_station.columns
    assert exact(got_station, ["station_code", "date"]).equals(exact(want_station, ["station_code", "date"]))
    assert got_city.columns == want_city.columns
    assert exact(got_city, ["city", "date"]).equals(exact(want_city, ["city", "date"]))
    # The sample exercises gaps: days with fewer than 24 valid hours, and invalid values.
    assert (got_station["n_pm25"] < 24).any()
    assert (
        got_station.select(["so2", "no2", "co", "pm10", "pm25", "o3_8h"]).null_count().sum_horizontal().item()
        > 0
    )


def test_assess_and_daily_commands_with_engine_spark(spark, store):
    """`--engine spark` gives the same published figures as the local engine (same calc code)."""
    import json

    from typer.testing import CliRunner

    from lantian.cli import app

    city = pl.read_parquet(store / "stations.parquet").filter(~pl.col("is_control"))["city"][0]
    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(app, [*args, "--store", str(store), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    period = ["assess", "--city", city, "--period", "2025-01-01..2025-01-10"]
    local, remote = run(*period), run(*period, "--engine", "spark")
    assert remote["source"].endswith("(spark)")
    assert {k: v for k, v in remote.items() if k != "source"} == {k: v for k, v in local.items() if k != "source"}
    days = ["daily", "--city", city, "--from", "2025-01-02", "--to", "2025-01-09"]
    assert run(*days, "--engine", "spark")["rows"] == run(*days)["rows"]
