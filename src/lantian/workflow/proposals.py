"""Case proposals from monitoring data: a station far above its neighbours for hours on end.

A station's hourly PM2.5 or PM10 is compared with the median of its neighbours (other stations within
``radius_km``) in the same hour. An hour is *anomalous* when

    value ≥ ratio × neighbour median   and   value − neighbour median ≥ difference   [µg/m³]

with at least ``min_neighbours`` neighbours reporting that hour. ``hours`` or more consecutive anomalous
hours make an *episode*, proposed as a case for the station's district (an officer accepts or dismisses
it). Defaults: ratio 2.0, difference 40 µg/m³, 6 hours, radius 15 km, 2 neighbours — screening values
for a local source (no national rule fixes them); set them per deployment.

Pure: Polars frames in, a Polars frame out; no I/O.
"""

from __future__ import annotations

import polars as pl

from lantian.errors import InputError

DEFAULT_RATIO = 2.0
DEFAULT_DIFFERENCE = 40.0
DEFAULT_HOURS = 6
DEFAULT_RADIUS_KM = 15.0
DEFAULT_MIN_NEIGHBOURS = 2
POLLUTANTS = ("pm25", "pm10")
EARTH_RADIUS_KM = 6371.0088

EPISODE_SCHEMA = {
    "station_code": pl.String,
    "district": pl.String,
    "pollutant": pl.String,
    "start": pl.Datetime("us"),
    "end": pl.Datetime("us"),
    "hours": pl.Int64,
    "max_ratio": pl.Float64,
    "mean_excess": pl.Float64,
}


def _require(frame: pl.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {missing}; it needs {', '.join(columns)}.")


def _distance_km(lon1: pl.Expr, lat1: pl.Expr, lon2: pl.Expr, lat2: pl.Expr) -> pl.Expr:
    """Great-circle (haversine) distance."""
    p1, p2 = lat1.radians(), lat2.radians()
    dphi, dlmb = p2 - p1, (lon2 - lon1).radians()
    a = (dphi / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlmb / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * a.sqrt().arcsin()


def find_episodes(
    hourly: pl.DataFrame,
    stations: pl.DataFrame,
    *,
    ratio: float = DEFAULT_RATIO,
    difference: float = DEFAULT_DIFFERENCE,
    hours: int = DEFAULT_HOURS,
    radius_km: float = DEFAULT_RADIUS_KM,
    min_neighbours: int = DEFAULT_MIN_NEIGHBOURS,
) -> pl.DataFrame:
    """Episodes of a station staying far above its neighbours (see the module docstring).

    ``hourly``: station_code, time, pm25, pm10 (one row per station-hour). ``stations``: station_code,
    district, longitude, latitude. Returns one row per episode (:data:`EPISODE_SCHEMA`), sorted.
    """
    _require(hourly, ("station_code", "time", *POLLUTANTS), "the hourly frame")
    _require(stations, ("station_code", "district", "longitude", "latitude"), "the station frame")
    if ratio < 1 or difference < 0 or hours < 1 or radius_km <= 0 or min_neighbours < 1:
        raise InputError("need ratio ≥ 1, difference ≥ 0, hours ≥ 1, radius_km > 0 and min_neighbours ≥ 1.")
    st = stations.select(
        pl.col("station_code").cast(pl.String),
        pl.col("district").cast(pl.String),
        pl.col("longitude").cast(pl.Float64),
        pl.col("latitude").cast(pl.Float64),
    )
    pairs = (
        st.join(st, how="cross", suffix="_nb")
        .filter(pl.col("station_code") != pl.col("station_code_nb"))
        .filter(
            _distance_km(
                pl.col("longitude"), pl.col("latitude"), pl.col("longitude_nb"), pl.col("latitude_nb")
            )
            <= radius_km
        )
        .select("station_code", neighbour=pl.col("station_code_nb"))
    )
    time = pl.col("time")
    dtype = hourly.schema["time"]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        time = time.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
    long = (
        hourly.select(
            pl.col("station_code").cast(pl.String),
            time.cast(pl.Datetime("us")),
            *(pl.col(p).cast(pl.Float64) for p in POLLUTANTS),
        )
        .unpivot(
            index=["station_code", "time"], on=list(POLLUTANTS), variable_name="pollutant", value_name="value"
        )
        .drop_nulls("value")
    )
    around = (
        pairs.join(long.rename({"station_code": "neighbour", "value": "nb_value"}), on="neighbour")
        .group_by("station_code", "time", "pollutant")
        .agg(median=pl.col("nb_value").median(), n=pl.len())
        .filter(pl.col("n") >= min_neighbours)
    )
    flagged = (
        long.join(around, on=["station_code", "time", "pollutant"])
        .filter(
            (pl.col("value") >= ratio * pl.col("median")) & (pl.col("value") - pl.col("median") >= difference)
        )
        .with_columns(
            ratio_=pl.when(pl.col("median") > 0).then(pl.col("value") / pl.col("median")),
            excess=pl.col("value") - pl.col("median"),
        )
        .sort("station_code", "pollutant", "time")
        .with_columns(
            run=(pl.col("time").diff().over("station_code", "pollutant") != pl.duration(hours=1))
            .fill_null(True)
            .cum_sum()
            .over("station_code", "pollutant")
        )
    )
    episodes = (
        flagged.group_by("station_code", "pollutant", "run")
        .agg(
            start=pl.col("time").min(),
            end=pl.col("time").max(),
            hours=pl.len().cast(pl.Int64),
            max_ratio=pl.col("ratio_").max(),
            mean_excess=pl.col("excess").mean(),
        )
        .filter(pl.col("hours") >= hours)
        .join(st.select("station_code", "district"), on="station_code")
        .with_columns(pl.col("max_ratio").fill_null(float("inf")))
        .select(list(EPISODE_SCHEMA))
        .sort("start", "station_code", "pollutant")
    )
    return episodes.cast(EPISODE_SCHEMA)
