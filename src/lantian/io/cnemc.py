"""Reader of the national platform's hourly release (CNEMC real-time data, one row per station-hour).

Columns: ``timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,
pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h``.

Notes
-----
Time: ``timepoint`` is already an hour-ending label in Beijing time (``16:00`` = mean over
15:00–16:00), the canonical convention; it is not shifted. Layouts: 2022 ``2022-01-01T00:00:00`` with
empty = missing; 2026 ``2026-04-01T1000`` with ``NA`` = missing and ``/`` = not in the station's
monitoring plan (listed in ``unmonitored``).

O3: canonical ``o3`` is the 1-hour value in every layout. In 2022 releases ``o3_24h`` holds it and
``o3`` the maximum 1-hour value of the last 24 h (→ ``o3_1h_max24``); in 2026 releases both hold the
1-hour value (or ``o3_24h`` is empty). The layout is decided from the values
(:func:`lantian.io._text.o3_columns`), recorded in ``metadata["o3_layout"]``. ``o3_8h_24h`` → ``o3_8h``
(8-hour moving average), ``o3_8h`` → ``o3_8h_max`` (day's maximum so far).

A *row* (accounting unit) is one line = one station-hour.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lantian.io import _text
from lantian.schema import PLATFORM_COLUMNS, POLLUTANTS, PRIMARY_NAME_TO_CODE, city_key

HEADER = (
    "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,"
    "pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h"
).split(",")
REQUIRED = ("timepoint", "stationcode")

#: Source column → canonical column (O3 columns are decided from the content, see Notes).
VARIABLE_MAP: dict[str, str] = {
    "pm10": "pm10",
    "pm10_24h": "pm10_24h",
    "pm2_5": "pm25",
    "pm2_5_24h": "pm25_24h",
    "no2": "no2",
    "no2_24h": "no2_24h",
    "so2": "so2",
    "so2_24h": "so2_24h",
    "co": "co",
    "co_24h": "co_24h",
    "o3": "_o3_a",
    "o3_24h": "_o3_b",
    "o3_8h_24h": "_o3_8h_moving",
    "o3_8h": "_o3_8h_max",
    "aqi": "_aqi",
    "stationcode": "station_code",
    "timepoint": "time",
    "primarypollutant": "primary_official",
}
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")
CONTROL_SUFFIX = "(对照点)"
S = "src:"
UNMONITORED_SOURCE = {
    "so2": ("so2",),
    "no2": ("no2",),
    "co": ("co",),
    "o3": ("o3", "o3_24h"),
    "pm10": ("pm10",),
    "pm25": ("pm2_5",),
}


def is_cnemc(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return all(r in names for r in REQUIRED) and "pm2_5" in names


def parse_cnemc(path: str | Path) -> _text.Parsed:
    path = Path(path)
    raw = _text.read_table(path)
    header = [h.strip().lower() for h in raw.header]
    frame = raw.frame([S + h for h in header])
    missing_cols = [S + c for c in HEADER if c not in header]
    frame = frame.with_columns([pl.lit(None, pl.String).alias(c) for c in missing_cols])
    frame = frame.with_columns(_text.raw_text([S + h for h in header]))
    values = {
        S + k: v for k, v in VARIABLE_MAP.items() if v not in ("station_code", "time", "primary_official")
    }
    frame, bad, bad_names = _text.numeric(frame, values)
    t = _text.parse_times(S + "timepoint", TIME_FORMATS)
    frame = frame.with_columns(
        time=t,
        station_code=pl.col(S + "stationcode").str.strip_chars(),
        _bad=bad,
        _bad_names=bad_names,
        _aqi_int=pl.col("_aqi").round(0) == pl.col("_aqi"),
    )
    frame, rejects = _text.split_bad(
        frame,
        [
            (
                pl.col("station_code").is_null() | (pl.col("station_code") == ""),
                pl.lit("missing station code"),
            ),
            (
                pl.col("time").is_null(),
                pl.lit("unparseable timestamp: ") + pl.col(S + "timepoint").fill_null(""),
            ),
            (pl.col("_bad"), pl.lit("non-numeric value in ") + pl.col("_bad_names")),
            (pl.col("_aqi_int") == False, pl.lit("non-integer aqi")),  # noqa: E712
        ],
    )
    rejects = raw.rejects + rejects
    legacy = bool(frame[S + "timepoint"].str.contains(":").any()) if frame.height else False
    unmonitored = pl.concat_list(
        [
            pl.when(pl.any_horizontal([pl.col(S + c).str.strip_chars() == _text.NOT_MONITORED for c in srcs]))
            .then(pl.lit(code))
            .otherwise(None)
            for code, srcs in UNMONITORED_SOURCE.items()
        ]
    ).list.drop_nulls()
    frame = frame.with_columns(
        unmonitored=pl.when(unmonitored.list.len() > 0).then(unmonitored.list.join(",")).otherwise(None)
    )
    frame, o3_layout, has_max24 = _text.o3_columns(frame, "_o3_a", "_o3_b", legacy)
    frame, o3_8h_layout = _text.o3_8h_columns(frame, "_o3_8h_moving", "_o3_8h_max")
    primary = pl.col(S + "primarypollutant").str.strip_chars()
    primary = pl.when(primary.is_in(list(_text.MISSING))).then(None).otherwise(primary)
    frame = frame.with_columns(
        aqi_official=pl.col("_aqi").cast(pl.Int64),
        primary_official=primary.str.split(",")
        .list.eval(pl.element().str.strip_chars().replace_strict(PRIMARY_NAME_TO_CODE, default=pl.element()))
        .list.join(","),
        source=pl.lit(str(path)),
    )
    columns = ["station_code", "time", *POLLUTANTS, *PLATFORM_COLUMNS, "unmonitored", "source"]
    stations = _stations(frame)
    out = frame.select("_line", "_raw", *columns)
    period = _text.period_of(path)
    if period:
        fmt = "%Y-%m-%dT%H"
        import datetime as dt

        period = (dt.datetime.strptime(period[0], fmt), dt.datetime.strptime(period[1], fmt))
    provided = [*POLLUTANTS, *PLATFORM_COLUMNS, "unmonitored"]
    if not has_max24:
        provided.remove("o3_1h_max24")
    meta = {
        "format": "cnemc",
        "encoding": raw.encoding,
        "o3_layout": o3_layout,
        "o3_8h_layout": o3_8h_layout,
        "layout": "2022" if legacy else "2026",
        "cities": {c: city_key(c) for c in stations["city"].drop_nulls().unique().to_list()},
    }
    return _text.Parsed("hourly", out, rejects, meta, provided, period, stations)


def _stations(frame: pl.DataFrame) -> pl.DataFrame:
    """Station attributes the release carries (code, name, city, coordinates, control flag)."""
    name = pl.col(S + "positionname").str.strip_chars()
    control = name.str.ends_with(CONTROL_SUFFIX) | name.str.ends_with("（对照点）")
    f = frame.select(
        "station_code",
        name=name.str.replace(r"[（(]对照点[)）]$", ""),
        city=pl.col(S + "area").str.strip_chars(),
        longitude=pl.col(S + "longitude").str.strip_chars().cast(pl.Float64, strict=False),
        latitude=pl.col(S + "latitude").str.strip_chars().cast(pl.Float64, strict=False),
        is_control=control.fill_null(False),
    )
    return f.unique(subset="station_code", keep="last", maintain_order=True)


def read_cnemc(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read a national-platform hourly release into the canonical hourly station frame.

    Returns ``(frame, metadata)``. ``metadata`` holds ``rows_read``, ``rejects`` (line, raw, reason of
    the rows that could not be read), ``o3_layout``, ``stations`` (attributes seen in the file) and
    ``cities`` (``"湘潭市" → "湘潭"``). See the module Notes for the time convention and the O3 columns.
    """
    return parse_cnemc(path).public()
