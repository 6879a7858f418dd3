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

import datetime as dt

import numpy as np
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


#: Cells (entity-days × 24 hours) of one block of the dense day grid: bounds the memory of
#: :func:`daily_values` (a block's arrays are a few hundred MB at most).
_GRID_CELLS = 1 << 25


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

    Each entity-day's hours are laid out as one row of 24 cells (hour of day 1…24; a missing hour is
    empty), so every statistic is a pass over that grid: a mean over the row, the 17 windows as sums of
    8 shifted columns. A repeated (entity, time) keeps its last row; rows without an entity are left out.
    """
    min_hours = MIN_HOURS_DAILY if min_hours is None else min_hours
    min_hours_8h = MIN_HOURS_8H if min_hours_8h is None else min_hours_8h
    min_windows = options.mda8_min_windows if min_windows is None else min_windows
    lf = frame.lazy()
    names = lf.collect_schema().names()
    present = [p for p in (*DAILY_MEAN_POLLUTANTS, "o3") if p in names]
    hours = (
        lf.select(pl.col(by).cast(pl.String), TIME, *[pl.col(p).cast(pl.Float64) for p in present])
        .filter(pl.col(by).is_not_null() & pl.col(TIME).is_not_null())
        .with_columns(natural_day_expr().alias(DATE), ((pl.col(TIME).dt.hour() + 23) % 24).alias("_h"))
        .collect()
    )
    schema = {by: pl.String(), DATE: pl.Date()}
    for p in present:
        schema |= {p: pl.Float64(), f"n_{p}": pl.Int32()}
    if "o3" in present:
        schema |= {"n_o3_8h": pl.Int32(), "o3_8h": pl.Float64(), "o3_8h_by_exception": pl.Boolean()}
    if hours.is_empty():
        return pl.LazyFrame(schema=schema)
    entities = hours[by].unique().sort()
    ent = hours[by].cast(pl.Enum(entities)).to_physical().to_numpy().astype(np.int64)
    first_day = hours[DATE].min()
    epoch_day = (first_day - dt.date(1970, 1, 1)).days
    day = hours[DATE].to_physical().to_numpy().astype(np.int64) - epoch_day
    hour = hours["_h"].to_numpy().astype(np.int64)
    n_days = int(day.max()) + 1
    block = max(1, _GRID_CELLS // (24 * len(entities)))
    parts = []
    for start in range(0, n_days, block):
        rows = np.flatnonzero((day >= start) & (day < start + block)) if n_days > block else None
        parts.append(_daily_block(hours, present, ent, day, hour, rows, start, min(block, n_days - start),
                                  len(entities), min_hours, min_hours_8h))
    stats = {name: np.concatenate([p[2][name] for p in parts]) for name in parts[0][2]}
    out = pl.DataFrame({
        by: entities.gather(pl.Series(np.concatenate([p[0] for p in parts]))),
        DATE: pl.Series(np.concatenate([p[1] for p in parts]) + epoch_day, dtype=pl.Int32).cast(pl.Date),
        **stats,
    })
    return _daily_frame(out, present, schema, min_windows, exceedance_exception).sort(by, DATE).lazy()


def _daily_frame(out: pl.DataFrame, present: list[str], schema: dict, min_windows: int,
                 exceedance_exception: bool) -> pl.DataFrame:
    """Empty statistics as null, the MDA8's validity (spec §3.3), the columns in their types."""
    out = out.with_columns([pl.col(p).fill_nan(None) for p in present])
    if "o3" in present:
        mda8 = pl.col("_mda8_max").fill_nan(None)
        over_limit = mda8 > limit_by_date("o3", "8h", pl.col(DATE))
        ok = (pl.col("n_o3_8h") >= min_windows) | (over_limit if exceedance_exception else pl.lit(False))
        out = out.with_columns(
            pl.when(ok).then(mda8).otherwise(None).alias("o3_8h"),
            (ok & (pl.col("n_o3_8h") < min_windows)).alias("o3_8h_by_exception"),
        )
    return out.select([pl.col(c).cast(t) for c, t in schema.items()])


def _daily_block(hours, present, ent, day, hour, rows, start, days, n_entities, min_hours, min_hours_8h):
    """The statistics of the entity-days of one block of days (see :func:`daily_values`)."""
    if rows is not None:
        ent, day, hour = ent[rows], day[rows], hour[rows]
    cell = (ent * days + (day - start)) * 24 + hour
    n_cells = n_entities * days * 24
    # a repeated (entity, time) keeps its last row (the order of the rows given)
    order = np.arange(len(cell))
    last = np.full(n_cells, -1, np.int64)
    last[cell] = order
    keep = last[cell] == order
    if not keep.all():  # repeated cells: the assignment above kept one of them, not necessarily the last
        np.maximum.at(last, cell, order)
        keep = last[cell] == order
        cell = cell[keep]
    else:
        keep = None
    seen = np.zeros(n_entities * days, np.bool_)
    seen[cell // 24] = True
    index = np.flatnonzero(seen)  # entity-days with a row, in (entity, day) order
    stats: dict[str, np.ndarray] = {}
    for p in present:
        values = hours[p].to_numpy()
        values = values[rows] if rows is not None else values
        values = values[keep] if keep is not None else values
        valid = np.zeros(n_cells, np.bool_)
        valid[cell] = ~np.isnan(values)
        valid = valid.reshape(-1, 24)
        n = valid.sum(axis=1, dtype=np.int32)
        # the hours' values in their cells; the empty ones (and missing values) 0 after the maximum
        filled = np.full(n_cells, np.nan) if p == "o3" else np.zeros(n_cells)
        filled[cell] = values
        filled = filled.reshape(-1, 24)
        with np.errstate(invalid="ignore", divide="ignore"):
            if p == "o3":
                stat = np.fmax.reduce(filled, axis=1)
                np.nan_to_num(filled, copy=False)
            else:
                np.nan_to_num(filled, copy=False)
                stat = filled.sum(axis=1) / n
        stats[p] = np.where(n >= min_hours, stat, np.nan)[index]
        stats[f"n_{p}"] = n[index]
        if p == "o3":
            # the 17 windows ending at the hours 08…24 of the day (hj663), each the sum of 8 shifted columns
            first = hj663.MDA8_FIRST_WINDOW_HOUR
            width = 24 - first + 1
            w_sum = filled[:, 0:width].copy()
            w_n = valid[:, 0:width].astype(np.int32)
            for k in range(1, first):
                w_sum += filled[:, k:k + width]
                w_n += valid[:, k:k + width]
            enough = w_n >= min_hours_8h
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(w_sum, w_n, out=w_sum)
            w_sum[~enough] = np.nan
            stats["_mda8_max"] = np.fmax.reduce(w_sum, axis=1)[index]
            stats["n_o3_8h"] = enough.sum(axis=1, dtype=np.int32)[index]
    return index // days, start + index % days, stats


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
