"""What the commands that act on data read from the store: warnings, monitoring proposals, the daily
bulletin of a file.

- :func:`forecast_warnings` (``lantian warn``): a city's heavy-pollution episode is judged on the days
  observed and the days forecast together (spec §8: AQI > 200 for 48/72/96 hours). The stored daily AQI
  of the days just before the forecast (:func:`lantian.pipeline.figures.daily_table`, the same values as
  ``lantian daily --city``) continues an episode that is already under way: the run of consecutive
  observed days with AQI > 200 that ends the day before the city's first forecast day is put in front
  of the forecast. Episodes that end before the forecast begins are past, not warnings.
- :func:`scan_frames` (``lantian proposals scan``): the stored station hours of a period and the
  registry's districts and positions.
- :func:`file_store` (``lantian report daily --input FILE``): the file is ingested into a store of its
  own with the reader detection of ``lantian ingest`` (:meth:`lantian.io.dataset.Dataset.ingest`), so
  the bulletin takes every format that ``ingest`` takes and grades it as ``lantian daily`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lantian.calc import warnings as calc_warn
from lantian.errors import InputError, NotFound
from lantian.io.dataset import Dataset
from lantian.jsonable import to_jsonable
from lantian.pipeline import assessment as pa
from lantian.pipeline.figures import Warnings, daily_table
from lantian.schema import CITY, DATE, STATION, TIME, city_key, city_key_expr
from lantian.standards import DEFAULT, Options
from lantian.standards.warnings import HEAVY_ABOVE

#: Days before the forecast whose stored AQI is read (longer runs do not change the level reached
#: before the forecast's own days are counted: the highest level needs 4 days, spec §8).
OBSERVED_DAYS = 7


@dataclass(frozen=True)
class StoreWarnings(Warnings):
    """Warning episodes of a forecast continued from the stored daily AQI; ``observed`` lists the stored
    days put in front of the forecast (city, date, aqi), ``note`` says what the store gave."""

    store: str | None
    observed: list[dict]
    note: str


def observed_run(
    ds: Dataset, city: str, first_forecast_day: dt.date, days: int, options: Options
) -> pl.DataFrame:
    """The run of consecutive stored days with daily AQI > 200 that ends the day before
    ``first_forecast_day`` (``city, date, aqi``; empty when that day was not heavy or has no value)."""
    end = first_forecast_day - dt.timedelta(days=1)
    start = first_forecast_day - dt.timedelta(days=days)
    empty = pl.DataFrame(schema={CITY: pl.String, DATE: pl.Date, "aqi": pl.Int64})
    try:
        rows = daily_table(ds, start, end, city=city, options=options, columns=[DATE, "aqi"]).rows
    except NotFound:
        return empty
    aqi = {dt.date.fromisoformat(str(r[DATE])): r.get("aqi") for r in rows}
    run: list[tuple[dt.date, int]] = []
    day = end
    while day >= start and aqi.get(day) is not None and int(aqi[day]) > HEAVY_ABOVE:
        run.append((day, int(aqi[day])))
        day -= dt.timedelta(days=1)
    if not run:
        return empty
    run.reverse()
    return pl.DataFrame(
        {CITY: [city] * len(run), DATE: [d for d, _ in run], "aqi": [a for _, a in run]},
        schema={CITY: pl.String, DATE: pl.Date, "aqi": pl.Int64},
    )


def forecast_warnings(
    forecast_file: str | Path,
    ds: Dataset | None,
    city: str | None = None,
    options: Options = DEFAULT,
    observed_days: int = OBSERVED_DAYS,
) -> StoreWarnings:
    """Warning episodes per city of a forecast file, continued from the stored daily AQI of ``ds``
    (module docstring); ``ds=None`` judges the forecast alone."""
    if observed_days < 1:
        raise InputError(f"--observed-days {observed_days}: give at least 1 day")
    forecast = pa.read_forecast(forecast_file)
    if city:
        forecast = forecast.filter(city_key_expr(CITY) == city_key(city))
        if forecast.is_empty():
            raise InputError(
                f"预报文件 {forecast_file} 中没有 {city} 的预报；请核对 --city 或预报文件的 city 列"
            )
    observed = []
    if ds is not None:
        firsts = forecast.group_by(CITY).agg(pl.col(DATE).min()).sort(CITY)
        for name, first in firsts.iter_rows():
            run = observed_run(ds, name, first, observed_days, options)
            if run.height:
                observed.append(run)
    seen = pl.concat(observed) if observed else pl.DataFrame(schema=forecast.schema)
    combined = pl.concat([seen, forecast.join(seen.select(CITY, DATE), on=[CITY, DATE], how="anti")])
    episodes = calc_warn.episodes(combined, options)
    firsts = forecast.group_by(CITY).agg(pl.col(DATE).min().alias("_first"))
    counts = (
        episodes.join(seen, on=CITY, how="left", suffix="_obs")
        .filter(pl.col(f"{DATE}").is_between(pl.col("start"), pl.col("end")))
        .group_by(CITY, "start")
        .agg(observed_days=pl.len().cast(pl.Int32))
        if seen.height
        else pl.DataFrame(schema={CITY: pl.String, "start": pl.Date, "observed_days": pl.Int32})
    )
    episodes = (
        episodes.join(firsts, on=CITY, how="left")
        .filter(pl.col("end").is_null() | (pl.col("end") >= pl.col("_first")))
        .drop("_first")
        .join(counts, on=[CITY, "start"], how="left", nulls_equal=True)
        .with_columns(pl.col("observed_days").fill_null(0))
        .sort(CITY, "start", nulls_last=True)
    )
    if ds is None:
        note = "仅按预报判断（未读取数据存储）"
    elif seen.height:
        note = (
            f"数据存储 {ds.root} 中预报首日之前连续 AQI > {HEAVY_ABOVE} 的 {seen.height} 天已计入过程"
            f"（{', '.join(sorted(set(seen[CITY].to_list())))}）"
        )
    else:
        note = f"数据存储 {ds.root} 中预报首日前一天没有 AQI > {HEAVY_ABOVE} 的城市日值：按预报判断"
    return StoreWarnings(
        file=Path(forecast_file).name,
        rows=to_jsonable(episodes.to_dicts()),
        store=None if ds is None else str(ds.root),
        observed=to_jsonable(seen.sort(CITY, DATE).to_dicts()),
        note=note,
    )


def scan_frames(
    ds: Dataset,
    start: dt.date,
    end: dt.date,
    city: str | None = None,
    stations: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The stored station hours ``station_code, time, pm25, pm10`` of the natural days ``start``…``end``,
    the ``station_code, district, longitude, latitude`` of the stations that have hours (from
    ``stations`` when given, else the registry), and the codes left out because they have no district
    or no position there."""
    reg = ds.stations()
    if stations is not None:
        missing = {STATION, "district", "longitude", "latitude"} - set(stations.columns)
        if missing:
            raise InputError(
                f"--stations：缺少列 {', '.join(sorted(missing))}；须有 station_code,district,longitude,latitude"
            )
        given = stations.select(
            pl.col(STATION).cast(pl.String),
            pl.col("district").cast(pl.String),
            pl.col("longitude").cast(pl.Float64, strict=False),
            pl.col("latitude").cast(pl.Float64, strict=False),
        )
        reg = given.join(reg.select(STATION, CITY), on=STATION, how="left")
    if city:
        reg = reg.filter(city_key_expr(CITY) == city_key(city))
        if reg.is_empty():
            raise NotFound(
                f"站点名录中没有 {city} 的站点：请先导入站点名录（lantian stations import）或发布文件（lantian ingest）"
            )
    codes = reg[STATION].to_list() if city else None
    hourly = (
        ds.scan_hourly(stations=codes, start=start, end=end)
        .select(STATION, TIME, "pm25", "pm10")
        .unique([STATION, TIME], keep="last")
        .sort(STATION, TIME)
        .collect()
    )
    if hourly.is_empty():
        where = f" {city} " if city else ""
        raise NotFound(
            f"数据存储 {ds.root} 中没有{where}{start} 至 {end} 的站点小时值：请先用 lantian ingest 导入，"
            "或核对 --period / --from --to"
        )
    have = hourly.select(STATION).unique()
    stations = reg.join(have, on=STATION, how="inner").select(STATION, "district", "longitude", "latitude")
    complete = stations.filter(
        pl.col("district").is_not_null()
        & pl.col("longitude").is_not_null()
        & pl.col("latitude").is_not_null()
    )
    left_out = sorted(set(have[STATION].to_list()) - set(complete[STATION].to_list()))
    if complete.is_empty():
        raise InputError(
            f"{start} 至 {end} 有小时值的站点在站点名录中都没有所属区县或坐标，无法比较相邻站点："
            "请用 lantian stations edit CODE --district 区县名 补上区县，或用 --stations FILE 给出"
            "（station_code,district,longitude,latitude）"
        )
    hourly = hourly.join(complete.select(STATION), on=STATION, how="semi")
    return hourly, complete, left_out


def file_store(path: str | Path, store: str | Path, city: str | None = None) -> Dataset:
    """``path`` ingested into a new store at ``store`` with the reader detection of ``lantian ingest``;
    a file whose rows could not be stored is an :class:`~lantian.errors.InputError` naming why.

    Station daily rows that name no city and whose stations no registry knows (a table ``date, station,
    pollutants…`` of one city) are taken as stations of ``city``: they are registered as its
    evaluation stations in the new store."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}：文件不存在；请核对 --input")
    ds = Dataset(Path(store))
    report = ds.ingest(path)
    stored = sum(f.rows_stored for f in report.files)
    if not stored:
        why = "; ".join(f"{Path(f.path).name}: {f.status}: {f.message}" for f in report.files if f.message)
        raise InputError(
            f"{path}：没有可用于日报的数据行（{why or '文件为空'}）；"
            "--input 接受 lantian ingest 能读取的格式（全国城市空气质量实时发布文件、镜像文件、PRSA、城市日值、通用 CSV）"
        )
    if city:
        unnamed = (
            ds.scan_daily()
            .filter(pl.col(STATION).is_not_null() & pl.col(CITY).is_null())
            .select(STATION)
            .unique()
            .collect()
            .join(ds.stations().select(STATION), on=STATION, how="anti")
            .sort(STATION)
        )
        if unnamed.height:
            listing = Path(store) / "stations-of-the-file.csv"
            lines = ["监测点编码,监测点名称,城市,经度,纬度,对照点"]
            lines += [f"{code},{code},{city_key(city)},,,N" for code in unnamed[STATION].to_list()]
            listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
            ds.import_stations(listing)
    return ds


def cities_in(ds: Dataset, day: dt.date) -> list[str]:
    """Cities the store holds data of on ``day`` (city daily rows, registered stations with hours)."""
    names = set(
        ds.scan_daily(start=day, end=day)
        .filter(pl.col(CITY).is_not_null())
        .select(CITY)
        .unique()
        .collect()[CITY]
    )
    codes = pl.concat(
        [
            ds.scan_hourly(start=day, end=day).select(STATION).unique().collect(),
            ds.scan_daily(start=day, end=day).filter(pl.col(STATION).is_not_null()).select(STATION).collect(),
        ]
    ).unique()
    reg = ds.stations().join(codes, on=STATION, how="semi")
    names |= {c for c in reg[CITY].to_list() if c}
    return sorted(names)


__all__ = [
    "OBSERVED_DAYS",
    "StoreWarnings",
    "cities_in",
    "file_store",
    "forecast_warnings",
    "observed_run",
    "scan_frames",
]
