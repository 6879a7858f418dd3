"""Reader of the aggregator's city files (aqistudy-style; no header, UTF-8 with BOM).

Daily files ``<城市>.csv[.gz]`` and the monthly ``all_city_monthly.csv[.gz]`` share the layout
``city,date,AQI,AQI_range,level,PM2.5,PM10,SO2,CO,NO2,O3,rank``; ``date`` is ``YYYY-MM-DD`` (daily) or
``YYYY-MM`` (monthly; → table ``monthly`` with ``month`` = first day of the month).

Notes
-----
Time: ``date`` is the natural day (or month) of the values; no shift. ``0`` = missing (the source
writes missing values as 0). Units µg/m³, CO mg/m³. ``O3`` is mapped to ``o3_8h`` (daily maximum
8-hour average): the source does not say whether it is MDA8 or the maximum 1-hour value, and MDA8 is
what the platform's daily city report publishes; treat it with care. ``AQI`` is the aggregator's own
(→ ``aqi_source``), never an official AQI; ``AQI_range``, ``level`` and ``rank`` are not kept.

A *row* (accounting unit) is one line = one city-day (or city-month).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from lantian.io import _text

COLUMNS = ["city", "date", "AQI", "AQI_range", "level", "PM2.5", "PM10", "SO2", "CO", "NO2", "O3", "rank"]
VARIABLE_MAP: dict[str, str] = {
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "CO": "co",
    "NO2": "no2",
    "O3": "o3_8h",
    "AQI": "_aqi",
}
VALUES = ("so2", "no2", "co", "pm10", "pm25", "o3_8h")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
S = "src:"


def sniff(line: str) -> str | None:
    """``"daily"``, ``"monthly"`` or None for a first line of this layout."""
    fields = line.lstrip("\ufeff").split(",")
    if len(fields) != len(COLUMNS):
        return None
    if DAY.match(fields[1].strip()):
        return "daily"
    if MONTH.match(fields[1].strip()):
        return "monthly"
    return None


def parse_aqistudy(path: str | Path) -> _text.Parsed:
    path = Path(path)
    raw = _text.read_table(path, header=False, columns=COLUMNS)
    raw.header = COLUMNS
    frame = raw.frame([S + c for c in COLUMNS]).with_columns(_text.raw_text([S + c for c in COLUMNS]))
    first = frame[S + "date"].drop_nulls().head(1).to_list()
    monthly = bool(first) and bool(MONTH.match(first[0].strip()))
    frame, bad, bad_names = _text.numeric(
        frame, {S + k: v for k, v in VARIABLE_MAP.items()}, zero_missing=True
    )
    d = pl.col(S + "date").str.strip_chars()
    when = (
        (d + "-01").str.to_date("%Y-%m-%d", strict=False)
        if monthly
        else d.str.to_date("%Y-%m-%d", strict=False)
    )
    shape_ok = d.str.contains(MONTH.pattern if monthly else DAY.pattern)
    frame = frame.with_columns(
        _when=pl.when(shape_ok).then(when).otherwise(None),
        city=pl.col(S + "city").str.strip_chars(),
        _bad=bad,
        _bad_names=bad_names,
        _aqi_int=(pl.col("_aqi").round(0) == pl.col("_aqi")),
    )
    frame, rejects = _text.split_bad(
        frame,
        [
            (pl.col("city").fill_null("") == "", pl.lit("missing city")),
            (pl.col("_when").is_null(), pl.lit("unparseable date: ") + pl.col(S + "date").fill_null("")),
            (pl.col("_bad"), pl.lit("non-numeric value in ") + pl.col("_bad_names")),
            (pl.col("_aqi_int") == False, pl.lit("non-integer AQI")),  # noqa: E712
            _text.aqi_out_of_range("_aqi", S + "AQI"),
        ],
    )
    when_col = "month" if monthly else "date"
    frame = frame.with_columns(
        pl.col("_when").alias(when_col),
        station_code=pl.lit(None, pl.String),
        o3=pl.lit(None, pl.Float64),
        aqi_source=pl.col("_aqi").cast(pl.Int64),
        source=pl.lit(str(path)),
    )
    idcols = ["city", "month"] if monthly else ["station_code", "city", "date"]
    out = frame.select(
        "_line", "_raw", *idcols, *VALUES, *([] if monthly else ["o3"]), "aqi_source", "source"
    )
    meta = {
        "format": "aqistudy",
        "kind": "monthly" if monthly else "daily",
        "encoding": raw.encoding,
        "o3": "O3 → o3_8h (meaning not stated by the source)",
    }
    return _text.Parsed(
        "monthly" if monthly else "daily", out, raw.rejects + rejects, meta, [*VALUES, "aqi_source"], None
    )


def read_aqistudy_daily(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read a city daily file into the daily city frame (see the module Notes)."""
    return parse_aqistudy(path).public()


def read_aqistudy_monthly(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read ``all_city_monthly.csv.gz`` into the monthly city table (``city, month, …``)."""
    return parse_aqistudy(path).public()
