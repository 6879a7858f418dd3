"""The Spark engine in local mode gives results identical to the local engine (same calc code)."""

from __future__ import annotations

import polars as pl
import pytest

from lantian.calc.aqi import aqi_frame
from lantian.calc.averaging import city_daily, daily_values
from lantian.calc.rounding import scaled
from lantian.errors import InputError, StoreError
from lantian.io.dataset import Dataset
from lantian.pipeline import spark as spark_engine
from lantian.pipeline.synth import generate, hourly_blocks, station_registry, write_platform_files
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
    local = Dataset(store).scan_hourly().collect().select(list(HOURLY_SCHEMA))
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
    hourly = Dataset(store).scan_hourly().collect().select(list(HOURLY_SCHEMA))
    registry = Dataset(store).stations()
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

    city = Dataset(store).stations().filter(~pl.col("is_control"))["city"][0]
    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(app, [*args, "--store", str(store), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    period = ["assess", "--city", city, "--period", "2025-01-01..2025-01-10"]
    local, remote = run(*period), run(*period, "--engine", "spark")
    assert remote["source"].endswith("(spark)")
    assert {k: v for k, v in remote.items() if k != "source"} == {
        k: v for k, v in local.items() if k != "source"
    }
    days = ["daily", "--city", city, "--from", "2025-01-02", "--to", "2025-01-09"]
    assert run(*days, "--engine", "spark")["rows"] == run(*days)["rows"]


def test_delta_source_is_looked_up_on_the_classpath(spark, monkeypatch):
    """Native Delta reads when the data source class loads in the driver's JVM: a class Spark ships
    (its Parquet source) is found, a missing one is not, and no download is attempted."""
    monkeypatch.setattr(
        spark_engine, "DELTA_SOURCE", "org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat"
    )
    assert spark_engine.delta_native(spark)
    monkeypatch.setattr(spark_engine, "DELTA_SOURCE", "org.apache.spark.sql.delta.sources.NoSuchSource")
    assert not spark_engine.delta_native(spark)


def test_native_reads_go_through_the_delta_source(spark, store, monkeypatch):
    """With the Delta jar detected the table is loaded with format("delta"); without it, from the file
    list (no data source named). Without the jar on this classpath the native load fails naming the
    missing source; with it, it reads."""
    from pyspark.sql.readwriter import DataFrameReader

    seen: list[str] = []
    original = DataFrameReader.format

    def spy(self, source):
        seen.append(source)
        return original(self, source)

    monkeypatch.setattr(DataFrameReader, "format", spy)
    monkeypatch.setattr(spark_engine, "delta_native", lambda session: False)
    assert spark_engine.read_hourly(spark, str(store)).count() > 0 and seen == []
    monkeypatch.setattr(spark_engine, "delta_native", lambda session: True)
    try:
        spark_engine.read_hourly(spark, str(store))
    except Exception as exc:
        assert "delta" in str(exc).lower()
    assert seen == ["delta"]


def test_reads_a_corrected_value_once(spark, tmp_path):
    """Ingest a platform file, then a corrected copy (one PM2.5 value raised by 240): the upsert replaces
    the partition's file and the old one stays on disk; Spark reads the table's current version only, so
    the hour is there once, corrected, and its AQI is computed from the corrected value."""
    registry = station_registry(4, 1, seed=9)
    _, _, hourly = next(hourly_blocks(registry, [2025], seed=9, days=1))
    write_platform_files(hourly, registry, tmp_path / "cnemc", 3)
    files = sorted((tmp_path / "cnemc").glob("cnemc_*.csv"))
    raw = pl.read_csv(files[1])
    first = pl.int_range(pl.len()) == 0
    (tmp_path / "fixed").mkdir()
    fixed = tmp_path / "fixed" / files[1].name
    raw.with_columns(pm2_5=pl.when(first).then(pl.col("pm2_5") + 240).otherwise(pl.col("pm2_5"))).write_csv(
        fixed
    )
    root = tmp_path / "store"
    ds = Dataset(root)
    ds.replace_registry(registry)
    ds.ingest(files)
    assert ds.ingest([fixed]).files[0].rows_revised == 1
    on_disk = list((root / "hourly").rglob("*.parquet"))
    assert len(on_disk) > len(ds.table_files("hourly"))

    got = pl.from_arrow(spark_engine.read_hourly(spark, str(root)).toArrow())
    hour = pl.Series([raw["timepoint"][0]]).str.to_datetime()[0]
    row = got.filter(pl.col("station_code") == raw["stationcode"][0], pl.col("time") == hour)
    assert row["pm25"].to_list() == [float(raw["pm2_5"][0] + 240)]
    assert got.height == ds.scan_hourly().collect().height  # every stored hour once
    aqi = spark_engine.hourly_aqi(str(root), spark=spark)
    want = aqi_frame(ds.scan_hourly().collect(), kind="hourly", regime="auto").select(aqi.columns)
    assert aqi.sort("station_code", "time").equals(want.sort("station_code", "time"))


def test_empty_and_unreadable_stores(spark, tmp_path):
    """A store without hours gives an empty frame of the hourly columns; a store in the layout before
    Delta tables is refused with the migration command; a remote store without the Delta jar says which
    package to add."""
    empty = spark_engine.read_hourly(spark, str(tmp_path / "empty"))
    assert empty.columns == ["station_code", "time", "so2", "no2", "co", "o3", "pm10", "pm25"]
    assert empty.count() == 0
    old = tmp_path / "old"
    (old / "hourly" / "year=2025").mkdir(parents=True)
    with pytest.raises(StoreError, match="lantian data migrate"):
        spark_engine.read_hourly(spark, str(old))
    with pytest.raises(InputError, match="--packages io.delta"):
        spark_engine.read_hourly(spark, "s3a://bucket/store")
