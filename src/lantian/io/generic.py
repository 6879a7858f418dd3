"""Reader of a bureau's own exports: CSV or Parquet, long or wide.

Wide: ``time|date, station|city, so2 no2 co o3 o3_8h pm10 pm25`` (any subset of the pollutants).
Long: ``time|date, station|city, pollutant, value``. A column mapping ``{"src": "dst"}``
(CLI ``--map 监测时间=time,站点=station``) renames source columns first; common spellings
(``station_code``, ``pm2_5``, ``PM2.5``, ``datetime``…) are recognised without a mapping.

Notes
-----
Time: ``time`` values are taken as hour-ending labels in Beijing time (the canonical convention), not
shifted; ``date`` values are natural days. Units: µg/m³, CO mg/m³. Missing: empty, ``NA``, ``—``…;
``/`` = not monitored. ``time`` rows go to ``hourly`` (with ``station``) or ``city_hourly`` (with
``city``); ``date`` rows to ``daily`` (``o3`` = daily max 1-hour, ``o3_8h`` = MDA8; a ``city`` column
beside ``station`` is kept as the station's city).

A *row* (accounting unit): one line in the wide layout; in the long layout one (id, time) group of
lines (a group holding two different values of one pollutant is rejected as a conflict; a line that
cannot be read is one row).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from lantian.errors import InputError
from lantian.io import _text
from lantian.schema import POLLUTANTS

VALUES = ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25")
ALIASES: dict[str, str] = {
    "station_code": "station",
    "stationcode": "station",
    "site": "station",
    "code": "station",
    "datetime": "time",
    "timepoint": "time",
    "day": "date",
    "pm2.5": "pm25",
    "pm2_5": "pm25",
    "o3_8": "o3_8h",
    "o3-8h": "o3_8h",
    "o3_8h_max": "o3_8h",
    "variable": "pollutant",
    "concentration": "value",
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H%M",
)
#: Times with a UTC offset (ISO 8601: ``+08:00``, ``+0800``, ``Z``), converted to Beijing time.
OFFSET_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
BEIJING_ZONE = "Asia/Shanghai"
S = "src:"


def canonical_name(name: str, mapping: dict[str, str] | None = None) -> str:
    if mapping and name in mapping:
        return mapping[name]
    low = name.strip().lower()
    return ALIASES.get(low, low)


def _as_text(col: str, dtype: pl.DataType) -> pl.Expr:
    """A Parquet column as the text a CSV would hold: times as ``YYYY-MM-DD HH:MM:SS`` in Beijing time (an
    aware time is converted, a naive one taken as Beijing time, :mod:`lantian.schema`), dates as ISO."""
    c = pl.col(col)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            c = c.dt.convert_time_zone(BEIJING_ZONE).dt.replace_time_zone(None)
        return c.dt.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(dtype, pl.Date):
        return c.dt.strftime("%Y-%m-%d")
    return c.cast(pl.String)


def _parse_times(col: str) -> pl.Expr:
    """Naive times (Beijing time) in :data:`TIME_FORMATS`, or times with a UTC offset converted to Beijing."""
    text = pl.col(col).str.strip_chars().str.replace(r"[Zz]$", "+00:00")
    aware = [
        text.str.to_datetime(f, strict=False, time_unit="us")
        .dt.convert_time_zone(BEIJING_ZONE)
        .dt.replace_time_zone(None)
        for f in OFFSET_FORMATS
    ]
    return pl.coalesce([_text.parse_times(col, TIME_FORMATS), *aware])


def is_generic(header: list[str], mapping: dict[str, str] | None = None) -> bool:
    names = {canonical_name(h, mapping) for h in header}
    return bool(names & {"time", "date"}) and bool(names & ({"pollutant"} | set(VALUES)))


def parse_generic(path: str | Path, mapping: dict[str, str] | None = None) -> _text.Parsed:
    path = Path(path)
    data = _text.file_bytes(path)
    if data[:4] == b"PAR1":
        try:
            table = pl.read_parquet(io.BytesIO(data))
        except Exception as exc:
            raise InputError(f"{path}: unreadable Parquet file ({exc})") from exc
        header = table.columns
        frame = table.select([_as_text(c, table.schema[c]).alias(S + c) for c in header])
        frame = frame.with_row_index("_line", offset=1).with_columns(pl.col("_line").cast(pl.Int64))
        rejects: list = []
        encoding = "parquet"
    else:
        raw = _text.read_table(path)
        header = raw.header
        frame = raw.frame([S + h for h in header])
        rejects = list(raw.rejects)
        encoding = raw.encoding
    names = {S + h: canonical_name(h, mapping) for h in header}
    frame = frame.with_columns(_text.raw_text(list(names)))
    targets = list(names.values())
    when = "time" if "time" in targets else "date" if "date" in targets else None
    ident = "station" if "station" in targets else "city" if "city" in targets else None
    if when is None:
        raise InputError(f"{path}: no time or date column (columns: {', '.join(header)}); use --map src=time")
    src_of = {v: k for k, v in names.items()}
    long = "pollutant" in targets and "value" in targets
    if long:
        frame = frame.with_columns(
            _p=pl.col(src_of["pollutant"]).str.strip_chars().str.to_lowercase().replace(ALIASES),
        )
        frame, bad, _ = _text.numeric(frame, {src_of["value"]: "_v"})
        frame = frame.with_columns(_bad=bad)
    else:
        present = {src_of[v]: v for v in VALUES if v in src_of}
        if not present:
            raise InputError(f"{path}: no pollutant column among {' '.join(VALUES)}; use --map src=pm25,...")
        frame, bad, bad_names = _text.numeric(frame, present)
        frame = frame.with_columns(_bad=bad, _bad_names=bad_names)
    ts = (
        _parse_times(src_of[when])
        if when == "time"
        else pl.coalesce(
            [pl.col(src_of[when]).str.strip_chars().str.to_date(f, strict=False) for f in DATE_FORMATS]
        )
    )
    key = {"station": "station_code", "city": "city"}.get(ident or "", None)
    frame = frame.with_columns(
        _when=ts,
        _id=pl.col(src_of[ident]).str.strip_chars() if ident else pl.lit(None, pl.String),
    )
    conditions = [
        (pl.col("_when").is_null(), pl.lit(f"unparseable {when}: ") + pl.col(src_of[when]).fill_null("")),
        (pl.col("_id").fill_null("") == "", pl.lit(f"missing {ident or 'station or city'}")),
    ]
    if long:
        conditions += [
            (~pl.col("_p").is_in(list(VALUES)), pl.lit("unknown pollutant ") + pl.col("_p").fill_null("")),
            (pl.col("_bad"), pl.lit("non-numeric value")),
        ]
    else:
        conditions.append((pl.col("_bad"), pl.lit("non-numeric value in ") + pl.col("_bad_names")))
    frame, bad_rows = _text.split_bad(frame, conditions)
    rejects += bad_rows
    if long:
        frame, more = _group_long(frame)
        rejects += more
    table = "daily" if when == "date" else "city_hourly" if ident == "city" else "hourly"
    wanted = [v for v in VALUES if v in frame.columns]
    if table != "daily" and "o3_8h" in wanted:
        wanted.remove("o3_8h")
    frame = frame.with_columns(
        [pl.lit(None, pl.Float64).alias(v) for v in VALUES if v not in frame.columns]
    ).with_columns(
        pl.col("_when").alias(when), pl.col("_id").alias(key or "station_code"), source=pl.lit(str(path))
    )
    if table == "daily":
        if key == "city":
            frame = frame.with_columns(station_code=pl.lit(None, pl.String))
        elif "city" in src_of:
            # station daily values with the station's city (a bureau's export): the city is kept, so that
            # stations the registry lacks still count for their city (lantian.pipeline.assessment)
            frame = frame.with_columns(city=pl.col(src_of["city"]).str.strip_chars().replace("", None))
        else:
            frame = frame.with_columns(city=pl.lit(None, pl.String))
        out = frame.select("_line", "_raw", "station_code", "city", "date", *VALUES, "source")
    else:
        out = frame.select("_line", "_raw", key or "station_code", "time", *POLLUTANTS, "source")
        out = out.with_columns(unmonitored=pl.lit(None, pl.String))
    meta = {"format": "generic", "layout": "long" if long else "wide", "encoding": encoding}
    return _text.Parsed(table, out, rejects, meta, wanted)


def _group_long(frame: pl.DataFrame) -> tuple[pl.DataFrame, list]:
    """Long rows → one row per (id, time) group; a pollutant with two values rejects its group."""
    per = frame.group_by("_id", "_when", "_p", maintain_order=True).agg(
        pl.col("_v").n_unique().alias("_n"),
        pl.col("_v").first(),
        pl.col("_line").min(),
        pl.col("_raw").str.join(" | "),
    )
    groups = per.group_by("_id", "_when", maintain_order=True).agg(
        (pl.col("_n") > 1).any().alias("_conflict"), pl.col("_line").min(), pl.col("_raw").str.join(" | ")
    )
    bad = groups.filter(pl.col("_conflict"))
    rejects = list(
        zip(
            bad["_line"].to_list(),
            bad["_raw"].to_list(),
            ["conflicting values of one pollutant in the group"] * bad.height,
            strict=True,
        )
    )
    ok = per.join(
        groups.filter(~pl.col("_conflict")).select("_id", "_when"), on=["_id", "_when"], nulls_equal=True
    )
    if ok.height == 0:
        return groups.head(0).drop("_conflict"), rejects
    wide = ok.pivot(on="_p", index=["_id", "_when"], values="_v", aggregate_function="first")
    meta = ok.group_by("_id", "_when", maintain_order=True).agg(
        pl.col("_line").min(), pl.col("_raw").str.join(" | ")
    )
    return meta.join(wide, on=["_id", "_when"], nulls_equal=True), rejects


def read_generic(path: str | Path, mapping: dict[str, str] | None = None) -> tuple[pl.DataFrame, dict]:
    """Read a generic CSV/Parquet export (see the module docstring)."""
    return parse_generic(path, mapping).public()
