"""Spark engine: the same computations as the local engine, run on a PySpark cluster.

No distribution layer of lantian's own: Spark reads the store's Delta Lake tables (``hourly/``,
``stations/``; :mod:`lantian.io.dataset`), partitions them, and hands each partition or group to
lantian's own calc functions through Arrow (``mapInArrow`` / ``groupBy(...).applyInArrow``). Each
worker runs the identical Polars code the local engine runs, so results are identical, not merely close.

How a table is read (:func:`read_table`): when the Delta Lake jar is on Spark's classpath
(:func:`delta_native`, looked up in the driver's JVM, no network), natively with
``spark.read.format("delta")``; the store may then be a local path or any Hadoop-compatible URL
(``hdfs://``, ``s3a://``, ``abfss://`` …). Otherwise the table's current data files are listed from its
Delta log on the driver (``Dataset.table_files``, local paths only) and read with
``spark.read.parquet(*files)``. Either way Spark reads one version of the table, never a file a newer
version replaced; a local store is opened first, which rolls back the commits of an interrupted ingest.

- :func:`hourly_aqi` — HJ 633 hourly AQI of every station-hour (:func:`lantian.calc.aqi.aqi_frame`),
  per partition.
- :func:`daily_station_stats` — per-station daily statistics, one station-year per group, computed by
  the local engine's station function (:data:`STATION_DAILY`).
- :func:`city_daily` — per-city daily values from the station daily values and the registry, one
  city per group, by the local engine's city function (:data:`CITY_DAILY`).

``pyspark`` is an optional dependency (``pip install 'lantian[spark]'``). See docs/spark.md for
``spark-submit`` on a cluster.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import polars as pl

from lantian.errors import InputError
from lantian.schema import HOURLY_SCHEMA, POLLUTANTS, STATION, STATION_SCHEMA, TIME

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

#: The Delta Lake data source of ``delta-spark`` (its presence on the classpath is what :func:`delta_native`
#: checks), and the package that provides it (the release matching the Spark version; 4.0.0 for Spark 4.0).
DELTA_SOURCE = "org.apache.spark.sql.delta.sources.DeltaDataSource"
DELTA_PACKAGE = "io.delta:delta-spark_2.13:<version>"

#: Local-engine functions the Spark engine applies per group ("module:function"), resolved on the
#: workers (lantian must be installed there): station hourly → station daily; (station daily, registry)
#: → city daily.
STATION_DAILY = "lantian.calc.averaging:daily_values"
CITY_DAILY = "lantian.calc.averaging:city_daily"


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise InputError("the Spark engine needs PySpark: pip install 'lantian[spark]'") from exc


def session(master: str | None = None, app_name: str = "lantian") -> SparkSession:
    """The active Spark session, or a new one (``master`` default: ``$LANTIAN_SPARK_MASTER`` or ``local[*]``).

    Under ``spark-submit`` the session (and its master) come from the submission. A local session's
    workers run the driver's interpreter unless ``$PYSPARK_PYTHON`` names another.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName(app_name)
    master = master or os.environ.get("LANTIAN_SPARK_MASTER", "local[*]")
    builder = builder.master(master)
    if master.startswith("local"):
        # local workers run this interpreter (lantian installed), not the first python3 on PATH;
        # PySpark reads the worker's interpreter from this variable when the context starts
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def _resolve(spec: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"local-engine function {spec!r} is not available: {exc}") from exc


def _spark_schema(schema: dict[str, pl.DataType]) -> str:
    """Spark DDL for a Polars schema (the types lantian's frames use)."""
    names = {
        pl.String: "string",
        pl.Float64: "double",
        pl.Int64: "bigint",
        pl.Int32: "int",
        pl.Boolean: "boolean",
        pl.Date: "date",
        pl.UInt32: "bigint",
        pl.Int8: "int",
    }
    cols = []
    for col, dtype in schema.items():
        if isinstance(dtype, pl.Datetime):
            ddl = "timestamp_ntz"
        else:
            ddl = names.get(dtype.base_type())
            if ddl is None:
                raise InputError(f"column {col!r}: type {dtype} has no Spark mapping")
        cols.append(f"`{col}` {ddl}")
    return ", ".join(cols)


def _arrow_type(dtype: pl.DataType):
    import pyarrow as pa

    if isinstance(dtype, pl.Datetime):
        return pa.timestamp("us")
    return {
        pl.String: pa.string(),
        pl.Float64: pa.float64(),
        pl.Int64: pa.int64(),
        pl.Int32: pa.int32(),
        pl.Boolean: pa.bool_(),
        pl.Date: pa.date32(),
        pl.Int8: pa.int32(),
        pl.UInt32: pa.int64(),
    }[dtype.base_type()]


def _arrow_cast(frame: pl.DataFrame, schema: dict[str, pl.DataType]):
    """The frame as an Arrow table with exactly the types Spark expects for ``schema``."""
    import pyarrow as pa

    target = pa.schema([(c, _arrow_type(t)) for c, t in schema.items()])
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()]).to_arrow().cast(target)


def delta_native(spark: SparkSession) -> bool:
    """Whether Spark reads Delta tables itself: the Delta Lake data source (:data:`DELTA_SOURCE`) loads in
    the driver's JVM (its jar on the classpath, e.g. ``spark-submit --packages`` :data:`DELTA_PACKAGE`,
    or ``spark.jars``). A class lookup only: nothing is downloaded. ``False`` without a driver JVM
    (Spark Connect)."""
    try:
        jvm = spark._jvm
    except Exception:  # Spark Connect sessions have no JVM gateway
        return False
    if jvm is None:
        return False
    try:
        jvm.org.apache.spark.util.Utils.classForName(DELTA_SOURCE, False, False)
    except Exception:  # py4j's Py4JJavaError wrapping ClassNotFoundException
        return False
    return True


def _is_url(store: str) -> bool:
    return "://" in store and not store.startswith("file://")


def table_files(store: str, name: str) -> list[str]:
    """The data files of the store's table ``name`` in its current version, from its Delta log
    (``lantian.io.dataset.Dataset.table_files``: absolute paths, sorted by partition)."""
    from lantian.io.dataset import Dataset

    if _is_url(store):
        raise InputError(
            f"Spark 读取远程存储 {store} 需要 Delta Lake 的 jar（当前 Spark 的 classpath 中没有 {DELTA_SOURCE}）："
            f"请在 spark-submit 中加上 --packages {DELTA_PACKAGE}（与 Spark 版本对应的 delta-spark 版本，"
            "如 Spark 4.0 用 4.0.0），或把存储放在本地路径上"
        )
    return Dataset(store.removeprefix("file://")).table_files(name)


def read_table(spark: SparkSession, store: str, name: str, schema: dict[str, pl.DataType]) -> DataFrame:
    """The columns ``schema`` of the store's Delta table ``name`` (its current version) as a Spark
    DataFrame: natively when :func:`delta_native`, else ``spark.read.parquet`` on :func:`table_files`.
    A local store is opened first (a store in the old layout is refused, an interrupted ingest rolled
    back); a table it does not have yet reads as no rows."""
    columns = list(schema)
    ddl = _spark_schema(schema)
    url = store.rstrip("/") + "/" + name
    native = delta_native(spark)
    if native and _is_url(store):
        return spark.read.format("delta").load(url).select(*columns)
    files = table_files(store, name)  # a URL store without the Delta jar: refused, with what to add
    if not files:
        return spark.createDataFrame([], ddl)
    if native:
        return spark.read.format("delta").load(url).select(*columns)
    return spark.read.schema(ddl).parquet(*files).select(*columns)


def read_hourly(
    spark: SparkSession, store: str, start: str | None = None, end: str | None = None
) -> DataFrame:
    """The store's hourly table (station, time, six pollutants) as a Spark DataFrame (:func:`read_table`).

    ``start``/``end`` (ISO dates) keep the natural days start…end (labels start 01:00 … end+1 00:00).
    """
    from pyspark.sql import functions as F

    df = read_table(spark, store, "hourly", {c: HOURLY_SCHEMA[c] for c in (STATION, TIME, *POLLUTANTS)})
    if start:
        df = df.where(F.col(TIME) > F.to_timestamp_ntz(F.lit(f"{start} 00:00:00")))
    if end:
        df = df.where(F.col(TIME) <= F.to_timestamp_ntz(F.lit(f"{end} 00:00:00")) + F.expr("INTERVAL 1 DAY"))
    return df


def _collect(df: DataFrame) -> pl.DataFrame:
    return pl.from_arrow(df.toArrow())


# ---------------------------------------------------------------------------------------------
# Hourly AQI (per partition)


def _aqi_schema(regime: str) -> dict[str, pl.DataType]:
    from lantian.calc.aqi import aqi_frame

    probe = pl.DataFrame(schema=HOURLY_SCHEMA)
    return {
        STATION: pl.String(),
        TIME: pl.Datetime("us"),
        **{
            c: t
            for c, t in aqi_frame(probe, kind="hourly", regime=regime).schema.items()
            if c.startswith("iaqi_") or c in ("aqi", "primary_pollutants", "level", "category", "regime")
        },
    }


def hourly_aqi(
    store: str,
    start: str | None = None,
    end: str | None = None,
    regime: str = "auto",
    spark: SparkSession | None = None,
    collect: bool = True,
) -> pl.DataFrame | DataFrame:
    """Hourly AQI of every station-hour of the store, computed per Spark partition by ``aqi_frame``."""
    spark = spark or session()
    out_schema = _aqi_schema(regime)

    def per_partition(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from lantian.calc.aqi import aqi_frame

        table = pa.Table.from_batches(list(batches))
        if table.num_rows == 0:
            return
        frame = pl.from_arrow(table).cast({c: t for c, t in HOURLY_SCHEMA.items()})
        yield from _arrow_cast(aqi_frame(frame, kind="hourly", regime=regime), out_schema).to_batches()

    df = read_hourly(spark, store, start, end).mapInArrow(per_partition, _spark_schema(out_schema))
    return _collect(df) if collect else df


# ---------------------------------------------------------------------------------------------
# Station and city daily values (per group)


def _frame(result: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return result.collect() if isinstance(result, pl.LazyFrame) else result


def _station_schema(function: str) -> dict[str, pl.DataType]:
    return dict(_frame(_resolve(function)(pl.DataFrame(schema=HOURLY_SCHEMA))).schema)


def _station_daily_df(spark: SparkSession, store: str, start: str | None, end: str | None, function: str):
    schema = _station_schema(function)

    def per_station(table):
        fn = _resolve(function)
        frame = pl.from_arrow(table).cast(dict(HOURLY_SCHEMA)).sort(TIME)
        return _arrow_cast(_frame(fn(frame)), schema)

    # One group per station: the local function pads each station's series over its own days, so a
    # station's hours must stay together to give the local engine's rows.
    df = (
        read_hourly(spark, store, start, end)
        .groupBy(STATION)
        .applyInArrow(per_station, _spark_schema(schema))
    )
    return df, schema


def daily_station_stats(
    store: str,
    start: str | None = None,
    end: str | None = None,
    spark: SparkSession | None = None,
    collect: bool = True,
    function: str = STATION_DAILY,
) -> pl.DataFrame | DataFrame:
    """Per-station daily statistics on Spark, one group per station, by the local engine's function.

    ``function`` ("module:function", default :data:`STATION_DAILY`) takes a canonical hourly frame of
    one station and returns its daily rows (Polars DataFrame or LazyFrame).
    """
    spark = spark or session()
    df, _ = _station_daily_df(spark, store, start, end, function)
    return _collect(df) if collect else df


_REGISTRY_COLUMNS = (STATION, "city", "is_control", "valid_from", "valid_to")


def city_daily(
    store: str,
    start: str | None = None,
    end: str | None = None,
    spark: SparkSession | None = None,
    collect: bool = True,
    station_function: str = STATION_DAILY,
    city_function: str = CITY_DAILY,
) -> pl.DataFrame | DataFrame:
    """Per-city daily values on Spark: station daily values (per station), then city values (per city).

    ``city_function`` takes ``(station_daily, stations)`` (the registry rows of one city) and returns the
    city's daily rows, as the local engine does.
    """
    from pyspark.sql import functions as F

    spark = spark or session()
    stations_df, station_schema = _station_daily_df(spark, store, start, end, station_function)
    reg_schema = {c: t for c, t in STATION_SCHEMA.items() if c in _REGISTRY_COLUMNS}
    registry = read_table(spark, store, "stations", reg_schema).select(*_REGISTRY_COLUMNS)
    reg_cols = [c for c in _REGISTRY_COLUMNS if c != STATION]
    renamed = registry.select(STATION, *[F.col(c).alias(f"_reg_{c}") for c in reg_cols])
    joined = stations_df.join(renamed, on=STATION, how="inner").withColumn("_group", F.col("_reg_city"))
    probe = _frame(
        _resolve(city_function)(pl.DataFrame(schema=station_schema), pl.DataFrame(schema=reg_schema))
    )
    schema = dict(probe.schema)

    def per_city(table):
        fn = _resolve(city_function)
        frame = pl.from_arrow(table).drop("_group")
        registry_rows = (
            frame.select(STATION, *[pl.col(f"_reg_{c}").alias(c) for c in reg_cols])
            .unique(STATION, maintain_order=True)
            .cast(reg_schema)
        )
        # The local engine's order (station, date): float sums then add in the same order.
        station_daily = frame.select(list(station_schema)).cast(station_schema).sort(STATION, "date")
        return _arrow_cast(_frame(fn(station_daily, registry_rows)), schema)

    df = joined.groupBy("_group").applyInArrow(per_city, _spark_schema(schema))
    return _collect(df) if collect else df
