"""Sand/dust deduction (受沙尘天气过程影响城市空气质量评价补充规定, 环办监测〔2016〕120号), spec §7.

Day level (switch ``dust_deduction="day"``, default [U]): on a city's dust-affected days the PM10 and
PM2.5 daily values leave the period means, percentiles and the composite index; other pollutants stay.
Hour level (``"hour"``): the PM hours of the affected periods are removed before the daily means.
The good-day rate keeps dust days (CNEMC reports 2021 [C2]); with ``good_rate_keeps_dust_days=False``
the dust days whose AQI > 100 with PM10 or PM2.5 as primary pollutant ("沙尘异常超标天") leave both
the numerator and the denominator [U].
"""

from __future__ import annotations

import polars as pl

from lantian.schema import CITY, DATE, STATION, TIME
from lantian.standards import DEFAULT, Options, hj663

DUST_POLLUTANTS = ("pm10", "pm25")


def mark_dust_days(
    daily: pl.LazyFrame, dust_days: pl.LazyFrame | pl.DataFrame | None, by: str = CITY
) -> pl.LazyFrame:
    """Add ``dust_day`` (bool) from a frame of (``by``, ``date``) dust-affected days."""
    if dust_days is None:
        return daily.with_columns(dust_day=pl.lit(False))
    flags = (
        dust_days.lazy()
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


def deduct_hours(
    hourly: pl.LazyFrame, dust_hours: pl.LazyFrame | pl.DataFrame, by: str = STATION
) -> pl.LazyFrame:
    """PM hours removed where (``by``, ``time``) is listed in ``dust_hours`` (hour-level deduction)."""
    flags = (
        dust_hours.lazy()
        .select(pl.col(by).cast(pl.String), pl.col(TIME))
        .unique()
        .with_columns(_dust=pl.lit(True))
    )
    return (
        hourly.lazy()
        .join(flags, on=[by, TIME], how="left")
        .with_columns(
            [
                pl.when(pl.col("_dust").fill_null(False)).then(None).otherwise(pl.col(p)).alias(p)
                for p in DUST_POLLUTANTS
            ]
        )
        .drop("_dust")
    )


def dust_hours_from_days(dust_days: pl.DataFrame | pl.LazyFrame, by: str = CITY) -> pl.LazyFrame:
    """All 24 hour labels of each dust-affected natural day."""
    return (
        dust_days.lazy()
        .select(
            pl.col(by).cast(pl.String),
            pl.datetime_ranges(
                pl.col(DATE).cast(pl.Datetime("us")) + pl.duration(hours=1),
                pl.col(DATE).cast(pl.Datetime("us")) + pl.duration(hours=24),
                interval="1h",
            ).alias(TIME),
        )
        .explode(TIME)
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
