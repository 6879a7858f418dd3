"""Reader of the UCI "Beijing Multi-Site Air-Quality" files (``PRSA_Data_<Station>_*.csv[.gz]``).

Columns: ``No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station``;
``NA`` = missing; CO in µg/m³ (divided by 1000 → mg/m³). The weather columns are kept as the
station-hour's meteorology (:data:`lantian.schema.METEOROLOGY`): ``TEMP`` temperature °C, ``PRES``
pressure hPa, ``DEWP`` dew point °C, ``RAIN`` rain mm, ``wd`` wind direction (16-point compass, also
stored as the degrees of its centre) and ``WSPM`` wind speed m/s; a file without them stores none.
A wind direction that is not one of the 16 points quarantines its row, as a non-numeric value does.

Notes
-----
Time: ``hour`` h (0–23) of a date is taken as the hour *beginning* at h:00, so the canonical
hour-ending label is ``date + (h + 1) hours``: hours 0–23 of a date form exactly its natural day
(labels D 01:00 … D+1 00:00). Reasons: the dataset documents ``hour`` as the hour of the day 0–23 and
each file runs from 2013-03-01 hour 0 to 2017-02-28 hour 23, i.e. 1,461 whole days × 24 = 35,064 rows;
under an hour-ending reading hour 0 would belong to the previous day and every file would start and
end with a split day. The dataset does not state it; this choice is documented, not verified.

Stations: stable ids ``PRSA-<Station>`` (no national code is guessed); the registry table
:data:`lantian.io.stations.PRSA_STATIONS` gives names, city 北京 and Dingling as the control point.

A *row* (accounting unit) is one line = one station-hour.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lantian.io import _text
from lantian.schema import COMPASS_16, POLLUTANTS

HEADER = ("no", "year", "month", "day", "hour", "pm2.5", "pm10", "so2", "no2", "co", "o3", "station")
VARIABLE_MAP: dict[str, str] = {
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "NO2": "no2",
    "CO": "co",
    "O3": "o3",
}
#: Weather columns → canonical meteorology (wind direction ``wd`` is text, handled apart).
WEATHER_MAP: dict[str, str] = {
    "TEMP": "temperature",
    "PRES": "pressure",
    "DEWP": "dew_point",
    "RAIN": "rain",
    "WSPM": "wind_speed",
}
S = "src:"


def is_prsa(header: list[str]) -> bool:
    names = [h.strip().strip('"').lower() for h in header]
    return all(h in names for h in HEADER)


def parse_prsa(path: str | Path) -> _text.Parsed:
    path = Path(path)
    raw = _text.read_table(path)
    header = [h.strip().strip('"') for h in raw.header]
    frame = raw.frame([S + h for h in header]).with_columns(_text.raw_text([S + h for h in header]))
    weather = {k: v for k, v in WEATHER_MAP.items() if k in header}
    frame, bad, bad_names = _text.numeric(frame, {S + k: v for k, v in {**VARIABLE_MAP, **weather}.items()})
    met = list(weather.values())
    if "wd" in header:
        frame = _wind(frame, S + "wd")
        met += ["wind_dir", "wind_deg"]
    else:
        frame = frame.with_columns(_bad_wd=pl.lit(False))
    parts = [
        pl.col(S + c).str.strip_chars().cast(pl.Int64, strict=False) for c in ("year", "month", "day", "hour")
    ]
    frame = frame.with_columns(
        _y=parts[0],
        _m=parts[1],
        _d=parts[2],
        _h=parts[3],
        _bad=bad,
        _bad_names=bad_names,
        station_code=pl.lit("PRSA-") + pl.col(S + "station").str.strip_chars(),
    )
    frame = frame.with_columns(
        time=pl.datetime(pl.col("_y"), pl.col("_m"), pl.col("_d"), time_unit="us")
        + pl.duration(hours=pl.col("_h") + 1)
    )
    valid_date = (
        pl.col("_y").is_between(1900, 2999)
        & pl.col("_m").is_between(1, 12)
        & pl.col("_d").is_between(1, 31)
        & pl.col("_h").is_between(0, 23)
        & (pl.datetime(pl.col("_y"), pl.col("_m"), pl.col("_d")).dt.day() == pl.col("_d"))
    ).fill_null(False)
    frame, rejects = _text.split_bad(
        frame,
        [
            (pl.col(S + "station").str.strip_chars().fill_null("") == "", pl.lit("missing station")),
            (~valid_date, pl.lit("unparseable date/hour")),
            (pl.col("_bad"), pl.lit("non-numeric value in ") + pl.col("_bad_names")),
            (
                pl.col("_bad_wd"),
                pl.format("wind direction not one of the 16 compass points in wd: {}", pl.col(S + "wd")),
            ),
        ],
    )
    frame = frame.with_columns(
        co=pl.col("co") / 1000, unmonitored=pl.lit(None, pl.String), source=pl.lit(str(path))
    )
    out = frame.select("_line", "_raw", "station_code", "time", *POLLUTANTS, *met, "unmonitored", "source")
    period = _text.period_of(path)
    if period:
        try:
            start = dt.datetime.strptime(period[0], "%Y%m%d") + dt.timedelta(hours=1)
            end = dt.datetime.strptime(period[1], "%Y%m%d") + dt.timedelta(days=1)
            period = (start, end)
        except ValueError:
            period = None
    stations = (
        out.select("station_code")
        .unique()
        .with_columns(name=pl.col("station_code").str.strip_prefix("PRSA-"), city=pl.lit("北京"))
    )
    meta = {"format": "prsa", "encoding": raw.encoding, "co_unit_in": "µg/m³"}
    return _text.Parsed("hourly", out, raw.rejects + rejects, meta, [*POLLUTANTS, *met], period, stations)


def _wind(frame: pl.DataFrame, col: str) -> pl.DataFrame:
    """``wind_dir`` (16-point name) and ``wind_deg`` (degrees of its centre) from the ``wd`` text, and
    ``_bad_wd``, the flag of a value that is neither a compass point nor a missing marker."""
    s = pl.col(col).str.strip_chars().str.to_uppercase()
    missing = (s.is_null() | s.is_in([m.upper() for m in _text.MISSING])).fill_null(True)
    known = s.is_in(list(COMPASS_16)).fill_null(False)
    degrees = {p: i * 22.5 for i, p in enumerate(COMPASS_16)}
    frame = frame.with_columns(
        wind_dir=pl.when(known).then(s).otherwise(None),
        wind_deg=pl.when(known).then(s.replace_strict(degrees, default=None, return_dtype=pl.Float64)),
        _bad_wd=~missing & ~known,
    )
    return frame


def read_prsa(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read a PRSA Beijing file into the canonical hourly station frame (see the module Notes)."""
    return parse_prsa(path).public()
