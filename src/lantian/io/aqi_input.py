"""Reader of the generic concentration table taken by ``lantian aqi compute``.

Format: CSV (UTF-8, UTF-8 with BOM or GBK/GB18030) with

- a time column ``time`` (hourly rows; ``YYYY-MM-DD HH:MM[:SS]`` or ISO ``T``) or ``date`` (daily rows,
  ``YYYY-MM-DD``);
- an identifier column ``station`` or ``city`` (optional);
- concentration columns among ``so2 no2 co o3 o3_8h pm10 pm25`` (µg/m³, CO mg/m³) and the optional
  ``so2_24h pm10_24h pm25_24h``. In daily rows ``o3_8h`` is the day's maximum 8-hour average and
  ``o3`` the day's maximum 1-hour value.

Missing values are those of every text reader (:data:`lantian.io._text.MISSING`: empty, ``NA``, ``—``,
``-``…); ``/`` marks a pollutant outside the monitoring plan (:data:`lantian.io._text.NOT_MONITORED`).
A value that is neither a number nor a missing marker (including ``inf``) is an error.

Notes
-----
Hourly times are taken as hour-ending labels in Beijing time (the canonical convention of
:mod:`lantian.schema`); they are not shifted.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lantian.errors import InputError
from lantian.io import _text

CONCENTRATIONS = ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25", "so2_24h", "pm10_24h", "pm25_24h")
IDENTIFIERS = ("station", "city")
TIMES = ("time", "date")
ENCODINGS = ("utf-8-sig", "gb18030")


def decode(path: Path) -> str:
    """File text, trying UTF-8 (with or without BOM), then GB18030 (a superset of GBK)."""
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV")


def read_aqi_table(path: str | Path) -> tuple[pl.DataFrame, dict]:
    """Read and validate a generic concentration CSV.

    Returns ``(frame, metadata)``: the frame keeps the original identifier and time columns and adds
    canonical Float64 concentration columns and ``unmonitored``; metadata names the time column,
    the identifier column and the kind it implies (``date`` → daily, ``time`` → hourly).
    Raises :class:`~lantian.errors.InputError` naming the line and column of the first bad value.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    text = decode(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line such as 'time,station,pm25'")
    try:
        raw = pl.read_csv(text.encode(), infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({str(exc).splitlines()[0]})") from exc
    header = [c.strip() for c in raw.columns]
    raw.columns = header
    known = set(CONCENTRATIONS) | set(IDENTIFIERS) | set(TIMES)
    unknown = [c for c in header if c.lower() not in known]
    if unknown:
        raise InputError(
            f"{path}, line 1: unknown column(s) {', '.join(map(repr, unknown))}; columns are "
            f"time|date, station|city and {' '.join(CONCENTRATIONS[:7])}"
        )
    raw.columns = [c.lower() for c in header]
    raw = raw.with_columns(pl.all().fill_null(""))
    time_cols = [c for c in TIMES if c in raw.columns]
    if len(time_cols) != 1:
        raise InputError(f"{path}, line 1: need exactly one time column, 'time' (hourly) or 'date' (daily)")
    time_col = time_cols[0]
    id_col = next((c for c in IDENTIFIERS if c in raw.columns), None)
    conc_cols = [c for c in CONCENTRATIONS if c in raw.columns]
    if not conc_cols:
        raise InputError(f"{path}, line 1: no concentration column; add some of {' '.join(CONCENTRATIONS[:7])}")

    parsed, _, _ = _text.numeric(raw, {c: c for c in conc_cols})
    for c in conc_cols:
        bad_mask = parsed[f"_bad_{c}"]
        if bad_mask.any():
            i = bad_mask.arg_true()[0]
            raise InputError(f"{path}, line {i + 2}, column {c!r}: {raw[c][i]!r} is not a number")
        negative = parsed[c] < 0
        if negative.any():
            i = negative.arg_true()[0]
            raise InputError(f"{path}, line {i + 2}, column {c!r}: negative concentration {raw[c][i]}")

    stripped_time = raw[time_col].str.strip_chars()
    if time_col == "date":
        when = stripped_time.str.to_date("%Y-%m-%d", strict=False)
    else:
        normalised = stripped_time.str.replace("T", " ")
        when = normalised.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).fill_null(
            normalised.str.to_datetime("%Y-%m-%d %H:%M", strict=False)
        )
    bad_time = when.is_null()
    if bad_time.any():
        i = bad_time.arg_true()[0]
        expected = "YYYY-MM-DD" if time_col == "date" else "YYYY-MM-DD HH:MM"
        raise InputError(f"{path}, line {i + 2}, column {time_col!r}: unparseable {time_col} "
                         f"{raw[time_col][i]!r}; use {expected}")

    unmonitored = pl.concat_str(
        [pl.when(pl.col(c).str.strip_chars() == _text.NOT_MONITORED).then(pl.lit(c)) for c in conc_cols
         if c in ("so2", "no2", "co", "o3", "pm10", "pm25")] or [pl.lit(None, pl.String)],
        separator=",",
        ignore_nulls=True,
    )
    frame = parsed.drop([f"_bad_{c}" for c in conc_cols]).with_columns(
        raw.select(unmonitored.alias("unmonitored")).to_series(),
        when.alias("_when"),
    )
    kind = "daily" if time_col == "date" else "hourly"
    return frame, {"time_column": time_col, "id_column": id_col, "kind": kind, "columns": conc_cols}
