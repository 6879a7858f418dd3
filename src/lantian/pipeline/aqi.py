"""AQI of a file: read it (national-platform release or generic table), grade it, return a table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lantian.calc.aqi import aqi, aqi_frame  # noqa: F401  (aqi: one set of concentrations, re-exported)
from lantian.errors import InputError
from lantian.io.aqi_input import decode, read_aqi_table
from lantian.schema import city_key
from lantian.standards import Options

#: Header fields that identify a national-platform hourly release.
PLATFORM_HEADER = ("timepoint", "stationcode", "aqi", "pm2_5")


def is_platform_release(path: Path) -> bool:
    first = decode(path).lstrip("\ufeff").splitlines()[:1]
    fields = {f.strip().strip('"') for f in first[0].split(",")} if first else set()
    return all(f in fields for f in PLATFORM_HEADER)


def compute_file(
    path: str | Path, kind: str | None = None, regime: str = "auto", options: Options | None = None
) -> tuple[pl.DataFrame, dict]:
    """Grade every row of a file. Returns the output table and what was recognised.

    Platform releases give hourly AQI from each row's 1-hour values, with the official ``aqi`` and
    primary pollutant kept beside lantian's as ``aqi_official`` / ``primary_official``.
    """
    path = Path(path)
    options = options or Options()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if is_platform_release(path):
        from lantian.io.cnemc import read_cnemc

        if kind not in (None, "hourly"):
            raise InputError(f"{path} is an hourly national-platform release; use --kind hourly")
        frame, _meta = read_cnemc(path)
        frame = frame.lazy().collect() if isinstance(frame, pl.LazyFrame) else frame
        graded = aqi_frame(frame, kind="hourly", regime=regime, options=options, time_col="time")
        keep = ["station_code", "time"]
        official = [c for c in ("aqi_official", "primary_official") if c in frame.columns]
        info = {"format": "national-platform hourly release", "kind": "hourly", "rows": len(frame)}
    else:
        frame, meta = read_aqi_table(path)
        use_kind = kind or meta["kind"]
        if use_kind not in ("hourly", "daily"):
            raise InputError(f"--kind must be hourly or daily, got {use_kind!r}")
        graded = aqi_frame(frame, kind=use_kind, regime=regime, options=options, time_col="_when")
        keep = [c for c in (meta["id_column"], meta["time_column"]) if c]
        official = []
        info = {"format": "generic table", "kind": use_kind, "rows": len(frame)}
    iaqi_cols = [c for c in graded.columns if c.startswith("iaqi_")]
    out = graded.select(
        *keep, *iaqi_cols, "aqi", "primary_pollutants", "level", "category", "regime", *official
    )
    return out, info


def daily_rows(path: Path, city: str, day: dt.date) -> tuple[dict | None, list[dict]]:
    """City and station rows of one day from a daily concentration table, graded as
    ``lantian aqi compute FILE --kind daily`` grades them (HJ 633 daily AQI, edition by date)."""
    frame, meta = read_aqi_table(path)
    if meta["kind"] != "daily":
        raise InputError(f"{path}: the daily bulletin needs daily rows (a 'date' column), not hourly ones")
    graded = aqi_frame(frame, kind="daily", regime="auto", time_col="_when")
    graded = graded.filter(pl.col("_when") == day)
    id_col = meta["id_column"]
    if id_col is None:
        raise InputError(f"{path}: add a 'city' or 'station' column to tell the rows apart")
    rows = graded.drop("date", strict=False).rename({"_when": "date"}).to_dicts()
    city_rows = [r for r in rows if id_col == "city" and city_key(str(r.get("city"))) == city_key(city)]
    if id_col == "city" and not city_rows:
        known = sorted({str(r.get("city")) for r in graded.to_dicts()})
        raise InputError(f"{path}: no row for city {city!r} on {day}; cities on that day: {known[:20]}")
    station_rows = [
        {**r, "station_code": r.get("station"), "name": r.get("station")} for r in rows if id_col == "station"
    ]
    if id_col == "station" and not station_rows:
        raise InputError(f"{path}: no station rows on {day}")
    return (city_rows[0] if city_rows else None), station_rows
