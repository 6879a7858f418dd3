"""Reader of the daily mirror files ``china_sites_YYYYMMDD.csv`` and ``china_cities_YYYYMMDD.csv``.

Wide layout: ``date,hour,type,<station codes or city names…>``; one line per (hour, type), ``type`` in
AQI, PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, SO2_24h, NO2, NO2_24h, O3, O3_24h, O3_8h, O3_8h_24h, CO,
CO_24h. Empty cell = missing. A sites file gives the hourly station frame; a cities file the same
columns with ``city`` instead of ``station_code`` (table ``city_hourly``).

Notes
-----
Time: these mirrors copy the platform's hourly releases, one per ``hour``: ``hour`` h of ``date`` d
is the release labelled d h:00, which is already an hour-ending label. So ``time = date + h hours``;
hour 0 is 00:00 of ``date`` and closes the previous natural day (natural day d = hours 1…23 of d and
hour 0 of d+1).

O3 and 8-hour columns carry the platform's names (``O3``/``O3_24h``, ``O3_8h``/``O3_8h_24h``); which
one is the 1-hour value and which the moving 8-hour mean is decided from the values exactly as for the
platform release: from the rows that pass validation, robust to a few damaged cells
(:func:`lantian.io.cnemc.o3_layout_of`), recorded in ``metadata["o3_layout"]``.

A *row* (accounting unit) is one station-hour (or city-hour) *cell group*: the cells of one column in
the type lines of one hour block. A block is a run of lines with the same ``date,hour`` in which no
``type`` repeats (a repeated type opens a new block, so a re-downloaded hour is a second group and
counts as a duplicate or a conflict). Groups with no value in any cell are not rows. A line that
cannot be read (wrong column count, bad date/hour, unknown type, undecodable bytes) is one row, rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from lantian.io import _text, cnemc
from lantian.schema import PLATFORM_COLUMNS, POLLUTANTS

#: ``type`` value → canonical column (O3 columns decided from content, see Notes).
VARIABLE_MAP: dict[str, str] = {
    "AQI": "_aqi",
    "PM2.5": "pm25",
    "PM2.5_24h": "pm25_24h",
    "PM10": "pm10",
    "PM10_24h": "pm10_24h",
    "SO2": "so2",
    "SO2_24h": "so2_24h",
    "NO2": "no2",
    "NO2_24h": "no2_24h",
    "O3": "_o3_a",
    "O3_24h": "_o3_b",
    "O3_8h": "_o3_8h_max",
    "O3_8h_24h": "_o3_8h_moving",
    "CO": "co",
    "CO_24h": "co_24h",
}
STATION_CODE = re.compile(r"^\d{3,4}[A-Z]$")
FILE_DATE = re.compile(r"(\d{8})")


def is_mirror(header: list[str]) -> bool:
    return [h.strip().lower() for h in header[:3]] == ["date", "hour", "type"]


def parse_mirror(path: str | Path) -> _text.Parsed:
    path = Path(path)
    raw = _text.read_table(path)
    ids = [h.strip() for h in raw.header[3:]]
    codes = sum(1 for c in ids if STATION_CODE.match(c))
    sites = "cities" not in path.name and (codes * 2 > len(ids) or "sites" in path.name)
    key = "station_code" if sites else "city"
    rejects = list(raw.rejects)
    # lines → blocks (pure bookkeeping over a few hundred lines)
    block_of: list[int] = []
    good_rows: list[list[str]] = []
    good_lines: list[int] = []
    block, last, seen = -1, None, set()
    for fields, number in zip(raw.rows, raw.lines, strict=True):
        d, h, t = (f.strip() for f in fields[:3])
        if not (len(d) == 8 and d.isdigit() and h.isdigit() and 0 <= int(h) <= 23):
            rejects.append((number, ",".join(fields), f"unparseable date/hour: {d!r}, {h!r}"))
            continue
        if t not in VARIABLE_MAP:
            rejects.append((number, ",".join(fields), f"unknown type row {t!r}"))
            continue
        try:
            dt.datetime.strptime(d, "%Y%m%d")
        except ValueError:
            rejects.append((number, ",".join(fields), f"unparseable date {d!r}"))
            continue
        if (d, h) != last or t in seen:
            block += 1
            last, seen = (d, h), set()
        seen.add(t)
        block_of.append(block)
        good_rows.append(fields)
        good_lines.append(number)
    names = ["date", "hour", "type", *[f"c{i}" for i in range(len(ids))]]
    cols = list(zip(*good_rows, strict=True)) if good_rows else [() for _ in names]
    wide = pl.DataFrame(
        {
            "_block": pl.Series(block_of, dtype=pl.Int64),
            "_line": pl.Series(good_lines, dtype=pl.Int64),
            **{n: pl.Series(list(c), dtype=pl.String) for n, c in zip(names, cols, strict=True)},
        }
    )
    long = wide.unpivot(
        index=["_block", "_line", "date", "hour", "type"], variable_name="col", value_name="v"
    )
    long = long.with_columns(v=pl.col("v").str.strip_chars())
    long = long.filter(pl.col("v").is_not_null() & ~pl.col("v").is_in(list(_text.MISSING)))
    long = long.with_columns(
        f=pl.col("v").cast(pl.Float64, strict=False),
        type=pl.col("type").str.strip_chars().replace_strict(VARIABLE_MAP),
    )
    long = long.with_columns(bad=pl.col("f").is_null() | ~pl.col("f").is_finite().fill_null(False))
    groups = long.group_by("_block", "col", maintain_order=True).agg(
        pl.col("_line").min(),
        pl.col("date").first(),
        pl.col("hour").first(),
        pl.col("bad").any().alias("_bad"),
        pl.when(pl.col("bad"))
        .then(pl.col("type"))
        .otherwise(None)
        .drop_nulls()
        .str.join(", ")
        .alias("_bad_names"),
        pl.concat_str(pl.col("type"), pl.lit("="), pl.col("v")).str.join(";").alias("_cells"),
    )
    values = (
        long.filter(~pl.col("bad")).pivot(
            on="type", index=["_block", "col"], values="f", aggregate_function="first"
        )
        if long.height
        else pl.DataFrame(schema={"_block": pl.Int64, "col": pl.String})
    )
    for c in VARIABLE_MAP.values():
        if c not in values.columns:
            values = values.with_columns(pl.lit(None, pl.Float64).alias(c))
    frame = groups.join(values, on=["_block", "col"], how="left")
    id_map = pl.DataFrame({"col": [f"c{i}" for i in range(len(ids))], key: ids})
    frame = frame.join(id_map, on="col", how="left").with_columns(
        time=pl.col("date").str.to_datetime("%Y%m%d", time_unit="us")
        + pl.duration(hours=pl.col("hour").cast(pl.Int64)),
        _raw=pl.format("{},{},{}: {}", pl.col("date"), pl.col("hour"), pl.col(key), pl.col("_cells")),
    )
    frame, bad = _text.split_bad(
        frame,
        [
            (pl.col("_bad"), pl.lit("non-numeric value in ") + pl.col("_bad_names")),
            _text.aqi_out_of_range("_aqi"),
        ],
    )
    rejects += bad
    value_cols = [v for v in VARIABLE_MAP.values() if v != "_aqi"]
    checked = cnemc.plausible_rows(frame, value_cols, key=(key, "time"))
    o3_layout, has_max24 = cnemc.o3_layout_of(checked, "_o3_a", "_o3_b", legacy=True)
    if has_max24:
        frame = frame.with_columns(o3=pl.col("_o3_b"), o3_1h_max24=pl.col("_o3_a"))
    else:
        frame = frame.with_columns(o3=pl.col("_o3_a"), o3_1h_max24=pl.lit(None, pl.Float64))
    frame, o3_8h_layout = _text.o3_8h_columns(frame, "_o3_8h_moving", "_o3_8h_max")
    frame = frame.with_columns(
        aqi_official=pl.col("_aqi").round(0).cast(pl.Int64),
        primary_official=pl.lit(None, pl.String),
        unmonitored=pl.lit(None, pl.String),
        source=pl.lit(str(path)),
    )
    out = frame.select("_line", "_raw", key, "time", *POLLUTANTS, *PLATFORM_COLUMNS, "unmonitored", "source")
    provided = [*POLLUTANTS, *(c for c in PLATFORM_COLUMNS if c != "primary_official")]
    if not has_max24:
        provided.remove("o3_1h_max24")
    period = None
    m = FILE_DATE.search(path.name)
    if m:
        try:
            day = dt.datetime.strptime(m.group(1), "%Y%m%d")
            period = (day, day + dt.timedelta(hours=23))
        except ValueError:
            period = None
    meta = {
        "format": "mirror",
        "kind": "sites" if sites else "cities",
        "encoding": raw.encoding,
        "o3_layout": o3_layout,
        "o3_8h_layout": o3_8h_layout,
    }
    return _text.Parsed("hourly" if sites else "city_hourly", out, rejects, meta, provided, period)


def read_mirror(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read a ``china_sites_*`` / ``china_cities_*`` mirror file (see the module Notes).

    Returns ``(frame, metadata)``: the hourly station frame (sites) or city frame (cities) and
    ``rows_read``, ``rejects``, ``kind``, ``o3_layout``.
    """
    return parse_mirror(path).public()
