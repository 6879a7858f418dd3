"""Profiles of a pollutant's hourly values (what openair's ``timeVariation`` draws) and its mean by wind
direction and speed (a polar summary, as openair's ``polarFreq`` with ``statistic = "mean"``).

Time follows :mod:`lantian.schema`: a value labelled ``T`` is the mean over the hour ending at ``T``.
The *hour of day* is that ending hour, 1 … 24 (the label 00:00 is hour 24 of the natural day before, the
national platform's 1–24 时 of a day); weekday and month are those of the natural day
(:func:`lantian.schema.natural_day_expr`), so the 24 hours of a profile are the 24 hours of its days.
Every mean is the plain mean of the values present, with their count; no validity minimum applies (a
profile describes the data, it is not an assessment statistic).

Wind direction is where the wind blows from, in 16 sectors of 22.5° centred on the compass points
(:data:`lantian.schema.COMPASS_16`): sector ``i`` holds ``[i × 22.5 − 11.25, i × 22.5 + 11.25)`` degrees,
i.e. ``floor((d + 11.25) / 22.5) mod 16``, so a direction on a boundary goes to the sector clockwise of it
(11.25° → NNE) and 348.75° up to 360° are N. Degrees are used where present, else the compass name.
Wind speed bins: :data:`SPEED_EDGES` (m/s; the last bin is open). An hour counts in the polar summary only
with its value, a direction and a speed.
"""

from __future__ import annotations

import polars as pl

from lantian.schema import COMPASS_16, TIME, natural_day_expr

SECTOR_WIDTH = 360.0 / len(COMPASS_16)

#: Lower edges of the wind-speed bins, m/s (0–1, 1–2, 2–3, 3–4, 4–6, ≥ 6: light air to a fresh breeze,
#: where Beijing's hourly winds lie; the Beaufort scale's steps are uneven, these are readable).
SPEED_EDGES: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)

WEEKDAYS_ZH: tuple[str, ...] = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def sector_of_degrees(degrees: float) -> int:
    """The sector (index into :data:`lantian.schema.COMPASS_16`) of a direction in degrees."""
    return int((degrees % 360.0 + SECTOR_WIDTH / 2) // SECTOR_WIDTH) % len(COMPASS_16)


def sector_of_name(name: str) -> int | None:
    """The sector of a 16-point compass name (``NNE`` → 1); ``None`` for anything else."""
    key = (name or "").strip().upper()
    return COMPASS_16.index(key) if key in COMPASS_16 else None


def sector_expr(deg_col: str = "wind_deg", dir_col: str = "wind_dir") -> pl.Expr:
    """Polars expression: the sector of each row, from its degrees where present, else its compass name."""
    from_deg = (((pl.col(deg_col) % 360.0) + SECTOR_WIDTH / 2) / SECTOR_WIDTH).floor().cast(pl.Int64) % len(
        COMPASS_16
    )
    names = {p: i for i, p in enumerate(COMPASS_16)}
    from_name = (
        pl.col(dir_col)
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(names, default=None, return_dtype=pl.Int64)
    )
    return pl.coalesce(from_deg, from_name)


def speed_bin_of(speed: float) -> int:
    """The bin (index into :data:`SPEED_EDGES`) of a wind speed in m/s."""
    return max(i for i, lo in enumerate(SPEED_EDGES) if speed >= lo) if speed >= 0 else 0


def speed_bin_expr(col: str = "wind_speed") -> pl.Expr:
    """Polars expression: the speed bin of each row (null without a speed)."""
    out = pl.lit(0, pl.Int64)
    for i, lo in enumerate(SPEED_EDGES[1:], start=1):
        out = pl.when(pl.col(col) >= lo).then(pl.lit(i, pl.Int64)).otherwise(out)
    return pl.when(pl.col(col).is_not_null()).then(out).otherwise(None)


def speed_bin_labels() -> list[str]:
    """``0–1``, ``1–2``, … ``≥6`` (m/s)."""
    edges = [f"{e:g}" for e in SPEED_EDGES]
    return [f"{a}–{b}" for a, b in zip(edges, edges[1:], strict=False)] + [f"≥{edges[-1]}"]


def hour_of_day_expr(col: str = TIME) -> pl.Expr:
    """The ending hour 1 … 24 of an hour-ending label (00:00 → 24, of the day before)."""
    h = pl.col(col).dt.hour().cast(pl.Int64)
    return pl.when(h == 0).then(pl.lit(24, pl.Int64)).otherwise(h)


def _mean_by(lf: pl.LazyFrame, key: pl.Expr, name: str, value: str) -> pl.DataFrame:
    return (
        lf.filter(pl.col(value).is_not_null())
        .group_by(key.alias(name))
        .agg(pl.col(value).mean().alias("mean"), pl.len().cast(pl.Int64).alias("n"))
        .sort(name)
        .collect()
    )


def time_profiles(hourly: pl.LazyFrame | pl.DataFrame, value: str) -> dict[str, pl.DataFrame]:
    """Mean and count of ``value`` by ``hour`` (1–24), ``weekday`` (1 = Monday … 7) and ``month`` (1–12).

    ``hourly`` has a ``time`` label and the ``value`` column (a station's or a city's hourly series).
    """
    lf = hourly.lazy().select(TIME, value)
    day = natural_day_expr()
    return {
        "hour": _mean_by(lf, hour_of_day_expr(), "hour", value),
        "weekday": _mean_by(lf, day.dt.weekday().cast(pl.Int64), "weekday", value),
        "month": _mean_by(lf, day.dt.month().cast(pl.Int64), "month", value),
    }


def polar_summary(hourly: pl.LazyFrame | pl.DataFrame, value: str) -> pl.DataFrame:
    """Mean and count of ``value`` by wind ``sector`` (0–15) × ``speed_bin`` (index of
    :data:`SPEED_EDGES`), over the rows that carry the value, a direction and a speed.

    ``hourly`` has ``value``, ``wind_speed`` and ``wind_deg`` and/or ``wind_dir`` (station-hours: each
    concentration with the wind measured with it). Empty without such rows.
    """
    lf = hourly.lazy()
    names = lf.collect_schema().names()
    deg = "wind_deg" if "wind_deg" in names else None
    wdir = "wind_dir" if "wind_dir" in names else None
    if "wind_speed" not in names or (deg is None and wdir is None):
        return pl.DataFrame(
            schema={"sector": pl.Int64, "speed_bin": pl.Int64, "mean": pl.Float64, "n": pl.Int64}
        )
    if deg is None:
        lf = lf.with_columns(pl.lit(None, pl.Float64).alias("wind_deg"))
    if wdir is None:
        lf = lf.with_columns(pl.lit(None, pl.String).alias("wind_dir"))
    return (
        lf.with_columns(sector=sector_expr(), speed_bin=speed_bin_expr())
        .filter(
            pl.col(value).is_not_null() & pl.col("sector").is_not_null() & pl.col("speed_bin").is_not_null()
        )
        .group_by("sector", "speed_bin")
        .agg(pl.col(value).mean().alias("mean"), pl.len().cast(pl.Int64).alias("n"))
        .sort("sector", "speed_bin")
        .collect()
    )
