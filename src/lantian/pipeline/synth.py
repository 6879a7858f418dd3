"""Synthetic national monitoring data: ~1,900 stations in ~340 cities, one to ten years, hourly.

The statistical shape comes from real data, fitted once by ``benchmarks/fit_synth_params.py`` and
shipped as ``lantian/data/synth_params.json`` (no access to the real files is needed at run time):

- per pollutant and calendar month: the empirical distribution of hourly values (quantiles, through
  which a latent standard-normal value is mapped) and a 24-hour diurnal profile; the log-normal
  location and scale are kept to express the profile in latent units (PRSA Beijing hourly data,
  2013-03 → 2017-02, 11 urban stations);
- day-to-day (AR(1), cross-pollutant correlated: PM, CO, NO2, SO2 together, O3 opposite) and
  hour-to-hour (AR(1)) persistence, and the spread between the stations of one city (same source);
- each city's level per season relative to Beijing, from the daily city values of 365 real cities
  (aqistudy daily data 2015–2016); synthetic cities reuse those names and contrasts;
- gaps: station outages (rows absent) and single-instrument outages (values null) with the rate and
  run-length distribution observed in the PRSA data (one hour to several weeks), plus isolated
  missing values at the rate of the national-platform releases (capped at 2 %).

Values are published-precision numbers (integers; CO one decimal, mg/m³), labelled by the hour that
ends (:mod:`lantian.schema`). Generation is deterministic for a given ``seed`` and size: each year of
each fixed block of :data:`CITY_BLOCK` cities draws from its own ``numpy.random.SeedSequence`` child.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from lantian.clock import SYSTEM_CLOCK
from lantian.errors import InputError
from lantian.schema import HOURLY_SCHEMA, POLLUTANTS, STATION, STATION_SCHEMA, TIME, city_key

#: Cities generated together (a fixed block, so results do not depend on memory or chunking).
CITY_BLOCK = 24
#: Upper bound of the isolated-missing rate taken from the platform files.
MAX_ISOLATED_MISSING = 0.02
_DECIMALS = {"so2": 0, "no2": 0, "co": 1, "o3": 0, "pm10": 0, "pm25": 0}
_FLOOR = {"so2": 1.0, "no2": 1.0, "co": 0.1, "o3": 1.0, "pm10": 1.0, "pm25": 1.0}
_SEASON = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0])  # by month-1: DJF, MAM, JJA, SON

#: Columns of a national-platform hourly release (2022 layout, as in ``../shared/data/cnemc``).
PLATFORM_CSV_COLUMNS = (
    "timepoint",
    "stationcode",
    "longitude",
    "latitude",
    "area",
    "positionname",
    "primarypollutant",
    "aqi",
    "pm10",
    "pm10_24h",
    "pm2_5",
    "pm2_5_24h",
    "o3",
    "o3_24h",
    "o3_8h",
    "o3_8h_24h",
    "no2",
    "no2_24h",
    "so2",
    "so2_24h",
    "co",
    "co_24h",
)


@cache
def params() -> dict:
    """The fitted parameters (``lantian/data/synth_params.json``)."""
    text = resources.files("lantian").joinpath("data/synth_params.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass
class SynthReport:
    store: Path
    stations: int
    cities: int
    years: list[int]
    rows: int = 0
    #: the hourly table's current data files (``Dataset.table_files("hourly")``), sorted by partition
    files: list[Path] = field(default_factory=list)
    platform_files: int = 0

    def as_dict(self) -> dict:
        return {
            "store": str(self.store),
            "stations": self.stations,
            "cities": self.cities,
            "years": self.years,
            "rows": self.rows,
            "parquet_files": len(self.files),
            "platform_files": self.platform_files,
        }


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def station_registry(stations: int = 1900, cities: int = 340, seed: int = 1) -> pl.DataFrame:
    """The synthetic station registry (:data:`lantian.schema.STATION_SCHEMA`).

    City names are real (those with fitted levels); provinces are synthetic groups ``P01``…; every
    city has at least one evaluation station and about a third have one control point (对照点).
    """
    names = sorted(params()["cities"])
    if not 1 <= cities <= len(names):
        raise InputError(f"--cities must be between 1 and {len(names)}, got {cities}")
    if stations < cities:
        raise InputError(f"--stations ({stations}) must be at least --cities ({cities})")
    rng = _rng(seed, 0)
    chosen = sorted(rng.choice(len(names), size=cities, replace=False).tolist())
    city_names = [names[i] for i in chosen]
    weights = rng.lognormal(0.0, 0.6, size=cities)
    extra = rng.multinomial(stations - cities, weights / weights.sum())
    counts = extra + 1
    rows = []
    code = 1001
    for c, (name, n) in enumerate(zip(city_names, counts, strict=True)):
        lon, lat = 100 + rng.uniform(0, 25), 20 + rng.uniform(0, 25)
        control_at = n - 1 if n >= 3 and rng.random() < 0.35 else -1
        for k in range(int(n)):
            rows.append(
                {
                    STATION: f"{code}A",
                    "name": f"{name}{k + 1:02d}" + ("(对照点)" if k == control_at else ""),
                    "city": name if name.endswith(("盟", "州", "地区")) else f"{name}市",
                    "province": f"P{c % 31 + 1:02d}",
                    "longitude": round(lon + rng.normal(0, 0.05), 4),
                    "latitude": round(lat + rng.normal(0, 0.05), 4),
                    "is_control": k == control_at,
                }
            )
            code += 1
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        [pl.lit(None, dtype).alias(col) for col, dtype in STATION_SCHEMA.items() if col not in frame.columns]
    ).select([pl.col(c).cast(t) for c, t in STATION_SCHEMA.items()])


def _ar1(shocks: np.ndarray, phi: np.ndarray | float) -> np.ndarray:
    """Unit-variance AR(1) along axis 0 of standard-normal ``shocks`` (``phi`` per column)."""
    out = np.empty_like(shocks)
    out[0] = shocks[0]
    phi = np.asarray(phi, dtype=shocks.dtype)
    scale = np.sqrt(1.0 - phi * phi)
    for t in range(1, len(shocks)):
        np.multiply(out[t - 1], phi, out=out[t])
        out[t] += scale * shocks[t]
    return out


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF (tanh approximation, absolute error < 2e-4: ample for synthetic data)."""
    return 0.5 * (1.0 + np.tanh(0.7978845608 * (z + 0.044715 * z**3)))


def _durations(rng: np.random.Generator, quantiles: list[int], n: int) -> np.ndarray:
    """Outage lengths (hours) drawn from the fitted quantiles, interpolated in log space."""
    q = np.log(np.maximum(np.asarray(quantiles, dtype=float), 1.0))
    u = rng.random(n) * (len(q) - 1)
    lo = np.floor(u).astype(int)
    hi = np.minimum(lo + 1, len(q) - 1)
    return np.maximum(np.rint(np.exp(q[lo] + (q[hi] - q[lo]) * (u - lo))), 1).astype(int)


def _outage_mask(
    rng: np.random.Generator, n_rows: int, n_hours: int, rate: float, quantiles: list[int]
) -> np.ndarray:
    """Boolean (n_rows, n_hours): True inside an outage."""
    mask = np.zeros((n_rows, n_hours), dtype=bool)
    counts = rng.poisson(rate * n_hours / 8760.0, size=n_rows)
    for r, k in enumerate(counts):
        if k == 0:
            continue
        starts = rng.integers(0, n_hours, size=k)
        for s, d in zip(starts, _durations(rng, quantiles, k), strict=True):
            mask[r, s : s + d] = True
    return mask


def _block(
    registry: pl.DataFrame, city_names: list[str], year: int, seed: int, block: int, days: int | None = None
) -> pl.DataFrame:
    """Hourly frame of one block of cities for one year (or its first ``days`` days)."""
    p = params()
    start = dt.datetime(year, 1, 1, 1)
    n_hours = (dt.datetime(year + 1, 1, 1, 1) - start) // dt.timedelta(hours=1)
    if days is not None:
        n_hours = min(n_hours, 24 * days)
    times = np.arange(np.datetime64(start, "h"), np.datetime64(start, "h") + n_hours, dtype="datetime64[h]")
    begin = times - np.timedelta64(1, "h")  # the hour's beginning decides month and hour of day
    month = begin.astype("datetime64[M]").astype(int) % 12
    hour = (begin - begin.astype("datetime64[D]")).astype(int)
    day_idx = (begin.astype("datetime64[D]") - begin[0].astype("datetime64[D]")).astype(int)
    n_days = int(day_idx[-1]) + 1
    n_pol = len(POLLUTANTS)
    rng = _rng(seed, year, block)
    reg = registry.filter(pl.col("city").is_in(city_names)).sort(STATION)
    codes = reg[STATION].to_list()
    city_of = np.asarray([city_names.index(c) for c in reg["city"]])
    n_st, n_ct = len(codes), len(city_names)
    q = [p["pollutant"][pol] for pol in POLLUTANTS]

    # Daily anomalies per city, correlated across pollutants, AR(1) from day to day.
    chol = np.linalg.cholesky(np.asarray(p["daily_correlation"]) + 1e-9 * np.eye(n_pol))
    shocks = (rng.standard_normal((n_days, n_ct, n_pol)) @ chol.T).reshape(n_days, n_ct * n_pol)
    daily = _ar1(shocks, np.tile([x["phi_day"] for x in q], n_ct)).reshape(n_days, n_ct, n_pol)
    # Hourly anomalies: half shared by the city's stations, half the station's own; AR(1) hour to hour.
    phi_h = np.asarray([x["phi_hour"] for x in q])
    hourly = _ar1(rng.standard_normal((n_hours, (n_ct + n_st) * n_pol)), np.tile(phi_h, n_ct + n_st))
    hourly = hourly.reshape(n_hours, n_ct + n_st, n_pol)
    hourly = np.sqrt(0.5) * hourly[:, city_of, :] + np.sqrt(0.5) * hourly[:, n_ct:, :]  # (hours, st, pol)

    values = np.empty((n_st, n_hours, n_pol))
    season = _SEASON[month]
    probs = np.asarray(p["probs"])
    for j, pol in enumerate(POLLUTANTS):
        sigma = np.asarray(q[j]["sigma"])[month]
        diurnal = np.asarray(q[j]["diurnal"])[month, hour] / sigma  # in latent (standard-normal) units
        offsets = np.asarray([p["cities"][city_key(c)][pol] for c in city_names])[:, season]
        share = q[j]["daily_share"]
        st_off = rng.normal(0.0, q[j]["station_sd"], size=(n_st, 1))
        d = daily[day_idx][:, city_of, j].T  # (st, hours)
        z = diurnal[None, :] + np.sqrt(share) * d + np.sqrt(1.0 - share) * hourly[:, :, j].T
        u = np.clip(_normal_cdf(z), probs[0], probs[-1])
        logq = np.log(np.maximum(np.asarray(q[j]["monthly_quantiles"]), _FLOOR[pol]))  # (12, n_probs)
        logv = np.empty_like(u)
        for m in range(12):
            cols = month == m
            logv[:, cols] = np.interp(u[:, cols], probs, logq[m])
        logv += offsets[city_of] + st_off
        values[:, :, j] = np.round(np.maximum(np.exp(logv), _FLOOR[pol]), _DECIMALS[pol])

    # Gaps: single-instrument outages and isolated missing values (null), station outages (no row).
    o = p["outages"]
    for j, pol in enumerate(POLLUTANTS):
        miss = _outage_mask(rng, n_st, n_hours, o["instrument_per_year"], o["instrument_hours_quantiles"])
        miss |= rng.random((n_st, n_hours)) < min(p["isolated_missing"][pol], MAX_ISOLATED_MISSING)
        values[:, :, j][miss] = np.nan
    keep = ~_outage_mask(rng, n_st, n_hours, o["station_per_year"], o["station_hours_quantiles"]).ravel()
    flat = values.reshape(n_st * n_hours, n_pol)[keep]
    frame = pl.DataFrame(
        {
            STATION: pl.Series(np.repeat(np.asarray(codes), n_hours)[keep]),
            TIME: np.tile(times.astype("datetime64[us]"), n_st)[keep],
            **{pol: flat[:, j] for j, pol in enumerate(POLLUTANTS)},
        }
    ).with_columns([pl.col(pol).fill_nan(None) for pol in POLLUTANTS])
    return frame.select([pl.col(c).cast(t) for c, t in HOURLY_SCHEMA.items()])


def hourly_blocks(
    registry: pl.DataFrame, years: list[int], seed: int = 1, days: int | None = None
) -> Iterator[tuple[int, int, pl.DataFrame]]:
    """Yield ``(year, block, frame)``: the hourly data of each fixed block of cities, year by year."""
    cities = registry["city"].unique().sort().to_list()
    blocks = [cities[i : i + CITY_BLOCK] for i in range(0, len(cities), CITY_BLOCK)]
    for year in years:
        for b, names in enumerate(blocks):
            yield year, b, _block(registry, names, year, seed, b, days)


def platform_frame(hourly: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """Hourly frame → the columns of a national-platform release (real-time AQI, HJ 633 in force)."""
    from lantian.calc.aqi import aqi_frame
    from lantian.schema import NAMES_ZH, natural_day_expr

    h = hourly.sort(STATION, TIME)
    rolled = h.with_columns(
        *[
            pl.col(p).rolling_mean_by(TIME, window_size="24h").over(STATION).alias(f"{p}_24h")
            for p in ("so2", "no2", "co", "pm10", "pm25")
        ],
        pl.col("o3").rolling_max_by(TIME, window_size="24h").over(STATION).alias("o3_1h_max24"),
        pl.col("o3").rolling_mean_by(TIME, window_size="8h").over(STATION, natural_day_expr()).alias("o3_8h"),
    ).with_columns(pl.col("o3_8h").cum_max().over(STATION, natural_day_expr()).alias("o3_8h_max"))
    graded = aqi_frame(rolled, kind="hourly", regime="auto")
    names = {code: name for code, name in NAMES_ZH.items()}
    primary = (
        pl.col("primary_pollutants")
        .str.split(",")
        .list.eval(pl.element().replace_strict(names, default=None))
        .list.join(",")
    )
    reg = registry.select(
        STATION, "longitude", "latitude", pl.col("city").alias("area"), pl.col("name").alias("positionname")
    )

    def fmt(col: str, decimals: int) -> pl.Expr:
        return pl.col(col).round(decimals) if decimals else pl.col(col).round(0).cast(pl.Int64)

    return (
        graded.join(reg, on=STATION, how="left")
        .select(
            pl.col(TIME).dt.strftime("%Y-%m-%dT%H:%M:%S").alias("timepoint"),
            pl.col(STATION).alias("stationcode"),
            "longitude",
            "latitude",
            "area",
            "positionname",
            primary.alias("primarypollutant"),
            pl.col("aqi"),
            fmt("pm10", 0),
            fmt("pm10_24h", 0).alias("pm10_24h"),
            fmt("pm25", 0).alias("pm2_5"),
            fmt("pm25_24h", 0).alias("pm2_5_24h"),
            fmt("o3_1h_max24", 0).alias("o3"),
            fmt("o3", 0).alias("o3_24h"),
            fmt("o3_8h_max", 0).alias("o3_8h"),
            fmt("o3_8h", 0).alias("o3_8h_24h"),
            fmt("no2", 0),
            fmt("no2_24h", 0).alias("no2_24h"),
            fmt("so2", 0),
            fmt("so2_24h", 0).alias("so2_24h"),
            fmt("co", 1),
            fmt("co_24h", 1).alias("co_24h"),
        )
        .select(PLATFORM_CSV_COLUMNS)
    )


def write_platform_files(hourly: pl.DataFrame, registry: pl.DataFrame, directory: Path, hours: int) -> int:
    """Write the first ``hours`` hours as national-platform release files, one CSV per hour.

    Files are named ``cnemc_YYYYMMDDHH.csv`` (label of the hour that ends), columns as the 2022 layout.
    """
    directory.mkdir(parents=True, exist_ok=True)
    first = hourly[TIME].min()
    part = hourly.filter(pl.col(TIME) < first + dt.timedelta(hours=hours))
    frame = platform_frame(part, registry)
    n = 0
    for (label,), group in frame.group_by("timepoint", maintain_order=True):
        stamp = dt.datetime.fromisoformat(label).strftime("%Y%m%d%H")
        group.sort("stationcode").write_csv(directory / f"cnemc_{stamp}.csv")
        n += 1
    return n


def _write_hourly(store: Path, frame: pl.DataFrame, seed: int, stamp: dt.datetime) -> int:
    """Append station-hours to the store's hourly Delta table (:meth:`lantian.io.dataset.Dataset.load_rows`),
    one batch per label month, so that no more than a month is copied at a time.

    Columns follow the dataset's hourly table (:data:`lantian.io.dataset.TABLES`): the platform and
    meteorology columns are null, ``source`` names the generator and seed, ``ingested_at`` is ``stamp``.
    Returns the rows written.
    """
    from lantian.io.dataset import TABLES, Dataset

    schema = TABLES["hourly"].schema
    ds = Dataset(store)
    written = 0
    for _, part in frame.sort(STATION, TIME).group_by(
        pl.col(TIME).dt.year().alias("_y"), pl.col(TIME).dt.month().alias("_m"), maintain_order=True
    ):
        full = part.with_columns(
            [pl.lit(None, dtype).alias(col) for col, dtype in schema.items() if col not in part.columns]
        ).with_columns(
            source=pl.lit(f"lantian synth --seed {seed}"), ingested_at=pl.lit(stamp, pl.Datetime("us"))
        )
        written += ds.load_rows("hourly", full.select([pl.col(c).cast(t) for c, t in schema.items()]), stamp)
    return written


def generate(
    store: str | os.PathLike,
    stations: int = 1900,
    cities: int = 340,
    years: int = 1,
    start: int = 2025,
    seed: int = 1,
    cnemc_files: str | os.PathLike | None = None,
    cnemc_hours: int = 168,
    days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Write a synthetic national store: its ``stations/`` (the registry) and ``hourly/`` Delta tables
    (:mod:`lantian.io.dataset`: partitioned by label year and month), one year in memory at a time.

    ``store`` must not hold hourly data yet. ``days`` truncates each year to its first ``days`` days
    (small test stores). With ``cnemc_files``, the first ``cnemc_hours`` hours are also written as
    national-platform release files there. The report's ``files`` are the hourly table's data files.
    """
    if not 1 <= years <= 50:
        raise InputError(f"--years must be between 1 and 50, got {years}")
    if days is not None and not 1 <= days <= 366:
        raise InputError(f"--days must be between 1 and 366, got {days}")
    from lantian.io.dataset import Dataset

    store = Path(store)
    registry = station_registry(stations, cities, seed)
    ds = Dataset(store)
    if ds.table_files("hourly"):
        raise InputError(
            f"数据存储 {store} 已有小时数据：合成数据只写入新的存储；请换一个 --store 目录，或先删除该目录"
        )
    ds.replace_registry(registry)
    stamp = SYSTEM_CLOCK.now()
    year_list = list(range(start, start + years))
    report = SynthReport(
        store=store, stations=registry.height, cities=registry["city"].n_unique(), years=year_list
    )
    n_blocks = -(-report.cities // CITY_BLOCK)
    platform_parts: list[pl.DataFrame] = []
    done = 0
    carry = pl.DataFrame(schema=HOURLY_SCHEMA)  # labels of 1 January 00:00 belong to the next year's files
    for year in year_list:
        parts = [carry]
        for _, _, frame in hourly_blocks(registry, [year], seed, days):
            parts.append(frame)
            done += 1
            if progress:
                progress(done, n_blocks * len(year_list))
        frame = pl.concat(parts)
        carry = frame.filter(pl.col(TIME).dt.year() > year)
        frame = frame.filter(pl.col(TIME).dt.year() == year)
        report.rows += _write_hourly(store, frame, seed, stamp)
        if cnemc_files is not None and year == start:
            end = dt.datetime(year, 1, 1) + dt.timedelta(hours=cnemc_hours + 24)
            platform_parts.append(frame.filter(pl.col(TIME) < end))
        del frame, parts
    if carry.height:
        report.rows += _write_hourly(store, carry, seed, stamp)
    report.files = [Path(f) for f in ds.table_files("hourly")]
    if cnemc_files is not None:
        report.platform_files = write_platform_files(
            pl.concat(platform_parts), registry, Path(cnemc_files), cnemc_hours
        )
    return report
