"""Averaging with validity (GB 3095 Table 4; HJ 663): 8-hour and 24-hour moving means, daily means,
O3 daily maximum 1-hour and 8-hour values, and city values from evaluation stations.

Input: a canonical hourly frame (``station_code`` or ``city``, ``time`` = hour-ending label, 1-hour
values). Every aggregate carries ``n_<column>``, the count of valid inputs behind it; a value whose
count is below the minimum is null (an *invalid* statistic), its count is kept to say why.

Natural day D = labels D 01:00 … D+1 00:00 (spec §1.2). The 17 MDA8 windows of day D end at the
labels 08…24 of D, so no window crosses midnight (spec §1.2; settled by the national-platform data,
``tests/calc/test_averaging_official.py``).
"""

from __future__ import annotations

import polars as pl

from lantian.schema import CITY, DATE, STATION, TIME, city_key_expr, natural_day_expr
from lantian.standards import DEFAULT, SWITCH_DAY, Options, gb3095, hj663
from lantian.standards import get as get_regime

DAILY_MEAN_POLLUTANTS: tuple[str, ...] = ("so2", "no2", "co", "pm10", "pm25")

#: Hour of the day of an hour-ending label, 1…24 (00:00 closes the previous day as hour 24).
HOUR_OF_DAY = "hour_of_day"


def _rules_minimum(statistic: str) -> int:
    """A GB 3095 Table 4 minimum; the two editions agree (spec §4.3)."""
    m12 = gb3095.minimum(get_regime("2012").validity, statistic)
    m26 = gb3095.minimum(get_regime("2026").validity, statistic)
    if m12 != m26:  # pragma: no cover - guards a future edition change
        raise ValueError(f"the editions disagree on the {statistic} minimum; pass it explicitly")
    return m12


MIN_HOURS_DAILY = _rules_minimum("24h")  # ≥ 20 hourly values in the natural day
MIN_HOURS_8H = _rules_minimum("8h")  # ≥ 6 hourly values in 8 hours


def limit_by_date(pollutant: str, averaging: str, date: pl.Expr, grade: int = 2) -> pl.Expr:
    """The GB 3095 limit in force on each date (2012; 2026 transitional; 2026 final from 2031)."""
    v12 = gb3095.limit(gb3095.LIMITS_2012, pollutant, averaging, grade)
    vtr = gb3095.limit(gb3095.LIMITS_2026_TRANSITIONAL, pollutant, averaging, grade)
    vfi = gb3095.limit(gb3095.LIMITS_2026_FINAL, pollutant, averaging, grade)
    return (
        pl.when(date < pl.lit(SWITCH_DAY))
        .then(pl.lit(v12))
        .when(date < pl.lit(gb3095.FINAL_LIMITS_FROM))
        .then(pl.lit(vtr))
        .otherwise(pl.lit(vfi))
    )


def hourly_grid(frame: pl.LazyFrame | pl.DataFrame, by: str = STATION) -> pl.LazyFrame:
    """Pad each entity's series to whole natural days (missing hours become null rows).

    Duplicated (entity, time) rows are an input error upstream; here the last one wins.
    """
    lf = frame.lazy().unique([by, TIME], keep="last")
    bounds = lf.group_by(by).agg(
        first=natural_day_expr().min().cast(pl.Datetime("us")) + pl.duration(hours=1),
        last=natural_day_expr().max().cast(pl.Datetime("us")) + pl.duration(hours=24),
    )
    grid = bounds.select(
        by, pl.datetime_ranges("first", "last", interval="1h", time_unit="us").alias(TIME)
    ).explode(TIME)
    schema = lf.collect_schema()
    return grid.join(
        lf.with_columns(pl.col(TIME).cast(pl.Datetime("us"))), on=[by, TIME], how="left"
    ).with_columns(pl.col(TIME).cast(schema[TIME]))


def _with_day(lf: pl.LazyFrame) -> pl.LazyFrame:
    hour = pl.col(TIME).dt.hour()
    return lf.with_columns(
        natural_day_expr().alias(DATE),
        pl.when(hour == 0).then(pl.lit(24)).otherwise(hour).cast(pl.Int8).alias(HOUR_OF_DAY),
    )


def moving_mean(
    frame: pl.LazyFrame | pl.DataFrame,
    pollutant: str,
    hours: int,
    min_hours: int,
    by: str = STATION,
    within_day: bool = False,
    name: str | None = None,
) -> pl.LazyFrame:
    """Moving mean over the ``hours`` hourly values ending at each label, with its valid count.

    ``within_day=True`` restarts the window each natural day (the daily O3 8-hour series, spec §1.2);
    otherwise it crosses midnight (real-time 24-hour moving means, spec §3.3). The mean is null when
    fewer than ``min_hours`` values are valid (GB 3095 Table 4: 8-hour ≥ 6; 24-hour ≥ 20 by analogy [U]).
    """
    name = name or f"{pollutant}_{hours}h"
    lf = _with_day(hourly_grid(frame, by)).sort(by, TIME)
    value = pl.col(pollutant).cast(pl.Float64)
    total = value.fill_null(0.0).rolling_sum(hours, min_samples=1)
    count = value.is_not_null().cast(pl.Int32).rolling_sum(hours, min_samples=1)
    if not within_day:
        total, count = total.over(by), count.over(by)
    # within_day: the padded grid holds whole natural days (hours 01…24) per entity, sorted, so a window
    # ending at hour ≥ ``hours`` of a day lies inside that day and entity; earlier ones are dropped below.
    complete = (pl.col(HOUR_OF_DAY) >= hours) if within_day else pl.lit(True)
    return lf.with_columns(
        pl.when(complete & (count >= min_hours)).then(total / count).otherwise(None).alias(name),
        pl.when(complete).then(count).otherwise(None).alias(f"n_{name}"),
    )


def daily_values(
    frame: pl.LazyFrame | pl.DataFrame,
    by: str = STATION,
    options: Options = DEFAULT,
    min_hours: int | None = None,
    min_hours_8h: int | None = None,
    min_windows: int | None = None,
    exceedance_exception: bool = True,
) -> pl.LazyFrame:
    """Daily statistics of an hourly series (station or city), one row per entity and natural day.

    Columns: ``so2 no2 co pm10 pm25`` daily means (≥ ``min_hours`` = 20 valid hours, GB 3095 Table 4),
    ``o3`` the daily maximum 1-hour value (same 20-hour minimum by analogy [U]), ``o3_8h`` the MDA8 (max
    of the 17 windows ending 08…24, each ≥ 6 of 8 hours; valid with ≥ ``mda8_min_windows`` valid windows,
    or fewer when the maximum of the valid ones exceeds the O3 8-hour limit [U], spec §3.3), and
    ``n_<column>`` counts. Passing ``min_hours=1, min_hours_8h=1, min_windows=1`` reproduces the
    national platform's real-time values, which skip the minimums (data README).
    """
    min_hours = MIN_HOURS_DAILY if min_hours is None else min_hours
    min_hours_8h = MIN_HOURS_8H if min_hours_8h is None else min_hours_8h
    min_windows = options.mda8_min_windows if min_windows is None else min_windows
    lf = frame.lazy()
    names = lf.collect_schema().names()
    present = [p for p in (*DAILY_MEAN_POLLUTANTS, "o3") if p in names]
    # One pass of group-by aggregations per entity-day (no padded grid): an 8-hour window of the day is
    # a filter on the hour of day, so the 17 windows ending 08…24 are 17 filtered sums and counts.
    lf = _with_day(lf.select(by, TIME, *present).unique([by, TIME], keep="last"))
    aggs: list[pl.Expr] = []
    for p in present:
        v = pl.col(p).cast(pl.Float64)
        n = v.is_not_null().sum().cast(pl.Int32)
        stat = v.max() if p == "o3" else v.mean()
        aggs += [pl.when(n >= min_hours).then(stat).otherwise(None).alias(p), n.alias(f"n_{p}")]
    windows = range(hj663.MDA8_FIRST_WINDOW_HOUR, 25)
    if "o3" in names:
        hour = pl.col(HOUR_OF_DAY)
        o3 = pl.col("o3").cast(pl.Float64)
        for end in windows:
            in_window = hour.is_between(end - 7, end)
            aggs += [o3.filter(in_window).sum().alias(f"_w{end}_sum"),
                     o3.filter(in_window).count().cast(pl.Int32).alias(f"_w{end}_n")]
    out = lf.group_by(by, DATE).agg(aggs)
    if "o3" in names:
        means = [
            pl.when(pl.col(f"_w{e}_n") >= min_hours_8h).then(pl.col(f"_w{e}_sum") / pl.col(f"_w{e}_n"))
            for e in windows
        ]
        out = out.with_columns(
            _mda8_max=pl.max_horizontal(means),
            n_o3_8h=pl.sum_horizontal([(pl.col(f"_w{e}_n") >= min_hours_8h).cast(pl.Int32) for e in windows]),
        ).drop([f"_w{e}_{k}" for e in windows for k in ("sum", "n")])
        over_limit = pl.col("_mda8_max") > limit_by_date("o3", "8h", pl.col(DATE))
        ok = (pl.col("n_o3_8h") >= min_windows) | (over_limit if exceedance_exception else pl.lit(False))
        out = out.with_columns(
            pl.when(ok).then(pl.col("_mda8_max")).otherwise(None).alias("o3_8h"),
            (ok & (pl.col("n_o3_8h") < min_windows)).alias("o3_8h_by_exception"),
        ).drop("_mda8_max")
    return out.sort(by, DATE)


def city_hourly(hourly: pl.LazyFrame | pl.DataFrame, stations: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """City hourly series: mean of the valid hourly values of the city's evaluation stations.

    Control points (``is_control``) and stations outside ``valid_from``…``valid_to`` on the hour's
    natural day are left out (spec §3.4 [C2]). ``n_stations_<p>`` counts the stations behind each value.
    """
    lf = _evaluation(hourly.lazy().with_columns(natural_day_expr().alias("_day")), stations, "_day")
    cols = [p for p in (*DAILY_MEAN_POLLUTANTS, "o3") if p in lf.collect_schema().names()]
    aggs = []
    for p in cols:
        aggs += [
            pl.col(p).mean().alias(p),
            pl.col(p).is_not_null().sum().cast(pl.Int32).alias(f"n_stations_{p}"),
        ]
    return lf.group_by(CITY, TIME).agg(aggs).sort(CITY, TIME)


def _evaluation(lf: pl.LazyFrame, stations: pl.DataFrame | pl.LazyFrame, day_col: str) -> pl.LazyFrame:
    reg = stations.lazy().select(
        STATION,
        city_key_expr(CITY).alias(CITY),
        pl.col("is_control").fill_null(False).alias("_control"),
        pl.col("valid_from").cast(pl.Date).alias("_from"),
        pl.col("valid_to").cast(pl.Date).alias("_to"),
    )
    names = lf.collect_schema().names()
    if CITY in names:
        lf = lf.drop(CITY)
    day = pl.col(day_col)
    return (
        lf.join(reg, on=STATION, how="inner")
        .filter(
            ~pl.col("_control")
            & (pl.col("_from").is_null() | (pl.col("_from") <= day))
            & (pl.col("_to").is_null() | (pl.col("_to") >= day))
        )
        .drop("_control", "_from", "_to")
    )


def city_daily(
    station_daily: pl.LazyFrame | pl.DataFrame, stations: pl.DataFrame | pl.LazyFrame
) -> pl.LazyFrame:
    """City daily values as the mean of the valid station daily values (``station_stats`` order).

    ``n_stations_<p>`` counts the valid evaluation stations behind each value (spec §3.4 [C2/U]).
    """
    lf = _evaluation(station_daily.lazy(), stations, DATE)
    cols = [p for p in (*DAILY_MEAN_POLLUTANTS, "o3", "o3_8h") if p in lf.collect_schema().names()]
    aggs = []
    for p in cols:
        aggs += [
            pl.col(p).mean().alias(p),
            pl.col(p).is_not_null().sum().cast(pl.Int32).alias(f"n_stations_{p}"),
        ]
    return lf.group_by(CITY, DATE).agg(aggs).sort(CITY, DATE)


def city_values(
    hourly: pl.LazyFrame | pl.DataFrame,
    stations: pl.DataFrame | pl.LazyFrame,
    options: Options = DEFAULT,
) -> pl.LazyFrame:
    """City daily values from station hours in the order the switch ``city_aggregation_order`` names.

    ``station_stats`` (default): station daily statistics first, then their mean over evaluation
    stations; ``city_hourly``: the city hourly series first, then its daily statistics.
    """
    if options.city_aggregation_order == "city_hourly":
        return daily_values(city_hourly(hourly, stations), by=CITY, options=options)
    return city_daily(daily_values(hourly, by=STATION, options=options), stations)
