"""Sand/dust deduction (受沙尘天气过程影响城市空气质量评价补充规定, 环办监测〔2016〕120号), spec §7.

CNEMC deducts the PM10 and PM2.5 concentrations of the dust-affected period; other pollutants stay
(spec §7 [C2]). The input lists, per city, the dust-affected natural days and optionally the affected
hours (``hour``: the hour ending then on that date, 1…24 as in :mod:`lantian.schema`; null: the whole day).

- Day level (switch ``dust_deduction="day"``, default [U]): on a dust-affected day the PM10 and PM2.5
  daily values leave the period means, percentiles and the composite index.
- Hour level (``"hour"`` [U]): the PM10 and PM2.5 hours of the affected periods leave the hourly data
  and the daily values are recomputed from the remaining hours (GB 3095 Table 4: ≥ 20 hours, so a whole
  dust day still loses its PM values).

The good-day rate keeps dust days (CNEMC reports 2021 [C2]); with ``good_rate_keeps_dust_days=False``
the dust days whose AQI > 100 with PM10 or PM2.5 as primary pollutant ("沙尘异常超标天") leave both
the numerator and the denominator [U].
"""

from __future__ import annotations

import polars as pl

from lantian.schema import CITY, DATE, TIME
from lantian.standards import DEFAULT, Options, hj663

DUST_POLLUTANTS = ("pm10", "pm25")
#: Column of the dust input naming one affected hour of the date (hour-ending label, 1…24).
HOUR = "hour"


def mark_dust_days(
    daily: pl.LazyFrame, dust: pl.LazyFrame | pl.DataFrame | None, by: str = CITY
) -> pl.LazyFrame:
    """Add ``dust_day`` (bool): the day has at least one dust-affected hour in ``dust`` (``by``, ``date``)."""
    if dust is None:
        return daily.with_columns(dust_day=pl.lit(False))
    flags = (
        dust.lazy()
        .select(pl.col(by).cast(pl.String), pl.col(DATE).cast(pl.Date))
        .unique()
        .with_columns(_dust=pl.lit(True))
    )
    return (
        daily.join(flags, on=[by, DATE], how="left")
        .with_columns(dust_day=pl.col("_dust").fill_null(False))
        .drop("_dust")
    )


def deduct_days(daily: pl.LazyFrame) -> pl.LazyFrame:
    """PM10 and PM2.5 set to null on ``dust_day`` rows (day-level deduction)."""
    return daily.with_columns(
        [
            pl.when(pl.col("dust_day")).then(None).otherwise(pl.col(p)).alias(p)
            for p in DUST_POLLUTANTS
            if p in daily.collect_schema().names()
        ]
    )


def dust_hours(dust: pl.LazyFrame | pl.DataFrame, by: str = CITY) -> pl.LazyFrame:
    """The hour labels (``by``, ``time``) of the dust input: the listed hour, or all 24 hours of the
    natural day (labels D 01:00 … D+1 00:00) where ``hour`` is null or absent."""
    lf = dust.lazy()
    hour = pl.col(HOUR).cast(pl.Int64) if HOUR in lf.collect_schema().names() else pl.lit(None, pl.Int64)
    midnight = pl.col(DATE).cast(pl.Date).cast(pl.Datetime("us"))
    first = pl.when(hour.is_null()).then(1).otherwise(hour)
    last = pl.when(hour.is_null()).then(24).otherwise(hour)
    return (
        lf.select(
            pl.col(by).cast(pl.String),
            pl.datetime_ranges(
                midnight + pl.duration(hours=first), midnight + pl.duration(hours=last), interval="1h"
            ).alias(TIME),
        )
        .explode(TIME)
        .unique()
    )


def deduct_hours(
    hourly: pl.LazyFrame | pl.DataFrame, hours: pl.LazyFrame | pl.DataFrame, by: str = CITY
) -> pl.LazyFrame:
    """PM10 and PM2.5 set to null on the hours (``by``, ``time``) listed in ``hours`` (hour level)."""
    flags = (
        hours.lazy()
        .select(pl.col(by).cast(pl.String), pl.col(TIME))
        .unique()
        .with_columns(_dust=pl.lit(True))
    )
    lf = hourly.lazy()
    present = [p for p in DUST_POLLUTANTS if p in lf.collect_schema().names()]
    return (
        lf.join(flags, on=[by, TIME], how="left")
        .with_columns(
            [
                pl.when(pl.col("_dust").fill_null(False)).then(None).otherwise(pl.col(p)).alias(p)
                for p in present
            ]
        )
        .drop("_dust")
    )


def deduct(
    daily: pl.LazyFrame,
    options: Options = DEFAULT,
    pm_without_dust_hours: pl.LazyFrame | pl.DataFrame | None = None,
    by: str = CITY,
) -> pl.LazyFrame:
    """The daily frame (with ``dust_day``) as the period statistics see it (switch ``dust_deduction``).

    ``"day"``: PM10 and PM2.5 null on dust days. ``"hour"``: on dust days PM10 and PM2.5 are the daily
    values recomputed without the dust hours, given as ``pm_without_dust_hours`` (``by``, ``date``,
    ``pm10``, ``pm25``); a dust day absent from it lost all its hours and keeps no PM value.
    """
    if options.dust_deduction == "day" or pm_without_dust_hours is None:
        return deduct_days(daily)
    present = [p for p in DUST_POLLUTANTS if p in daily.collect_schema().names()]
    recomputed = pm_without_dust_hours.lazy()
    kept = [p for p in present if p in recomputed.collect_schema().names()]
    recomputed = recomputed.select(
        pl.col(by).cast(pl.String),
        pl.col(DATE).cast(pl.Date),
        *[pl.col(p).alias(f"_hours_{p}") for p in kept],
    ).unique([by, DATE], keep="last")
    return (
        daily.join(recomputed, on=[by, DATE], how="left")
        .with_columns(
            [
                pl.when(pl.col("dust_day"))
                .then(pl.col(f"_hours_{p}") if p in kept else pl.lit(None))
                .otherwise(pl.col(p))
                .alias(p)
                for p in present
            ]
        )
        .drop([f"_hours_{p}" for p in kept])
    )


def good_rate_days(daily_aqi: pl.LazyFrame, options: Options = DEFAULT) -> pl.LazyFrame:
    """The days that enter the good-day statistics (all, or without dust exceedance days)."""
    if options.good_rate_keeps_dust_days:
        return daily_aqi
    primary = pl.col("primary_pollutants").fill_null("")
    dust_exceedance = (
        pl.col("dust_day")
        & (pl.col("aqi") > hj663.GOOD_DAY_MAX_AQI)
        & (primary.str.contains("pm10") | primary.str.contains("pm25"))
    )
    return daily_aqi.filter(~dust_exceedance.fill_null(False))
