"""Reader of the national platform's hourly release (CNEMC real-time data, one row per station-hour).

Columns: ``timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,
pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h``.

Notes
-----
Time: ``timepoint`` is already an hour-ending label in Beijing time (``16:00`` = mean over
15:00–16:00), the canonical convention; it is not shifted. Layouts: 2022 ``2022-01-01T00:00:00`` with
empty = missing; 2026 ``2026-04-01T1000`` with ``NA`` = missing and ``/`` = not in the station's
monitoring plan (listed in ``unmonitored``). A release may lack columns: only the columns it carries
are ``provided`` (a stored hour keeps the values of the others).

Primary pollutant: each name in ``primarypollutant`` must be a known spelling
(:data:`lantian.schema.PRIMARY_NAME_TO_CODE`); a row with an unknown name (a mis-encoded file, a typo)
is rejected whole, like a row with a non-numeric value, so it never replaces a stored value.

O3: canonical ``o3`` is the 1-hour value in every layout. In 2022 releases ``o3_24h`` holds it and
``o3`` the maximum 1-hour value of the last 24 h (→ ``o3_1h_max24``); in 2026 releases both hold the
1-hour value (or ``o3_24h`` is empty). The layout is decided from the values of the rows that pass
validation, robust to a few damaged cells (:func:`o3_layout_of`), recorded in
``metadata["o3_layout"]``. ``o3_8h_24h`` → ``o3_8h`` (8-hour moving average), ``o3_8h`` →
``o3_8h_max`` (day's maximum so far).

A *row* (accounting unit) is one line = one station-hour.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lantian.io import _text
from lantian.io.limits import value_conditions, value_screen
from lantian.schema import PLATFORM_COLUMNS, POLLUTANTS, PRIMARY_NAME_TO_CODE, city_key

HEADER = (
    "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,"
    "pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h"
).split(",")
REQUIRED = ("timepoint", "stationcode")
HOURLY_VALUE_NAMES = (*POLLUTANTS, *PLATFORM_COLUMNS, "unmonitored")

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
    # the row as text (a repeated column name leaves one column of the frame for both: as raw_text reads it)
    joined = raw.joined() if len(set(header)) == len(header) else _text.raw_text([S + h for h in header])
    frame = frame.with_columns(*[pl.lit(None, pl.String).alias(c) for c in missing_cols], joined)
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
    ).join(
        _primary_names(frame), on=S + "primarypollutant", how="left", nulls_equal=True, maintain_order="left"
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
            _text.aqi_out_of_range("_aqi", S + "aqi"),
            (
                pl.col("_unknown_primary").fill_null("") != "",
                pl.lit("unknown primary pollutant name: ") + pl.col("_unknown_primary"),
            ),
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
    checked = plausible_rows(frame, [v for v in values.values() if v != "_aqi"])
    o3_layout, swap = o3_layout_of(checked, "_o3_a", "_o3_b", legacy)
    if swap:
        frame = frame.with_columns(o3=pl.col("_o3_b"), o3_1h_max24=pl.col("_o3_a"))
    else:
        frame = frame.with_columns(o3=pl.col("_o3_a"), o3_1h_max24=pl.lit(None, pl.Float64))
    has_max24 = swap
    frame, o3_8h_layout = _text.o3_8h_columns(frame, "_o3_8h_moving", "_o3_8h_max")
    frame = frame.with_columns(
        aqi_official=pl.col("_aqi").cast(pl.Int64),
        primary_official=pl.col("_primary_official"),
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
    provided = _provided(set(header), swap, o3_8h_layout != "as named")
    if not has_max24 and "o3_1h_max24" in provided:
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


def _primary_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Each distinct ``primarypollutant`` text of the file with its unknown names (``_unknown_primary``,
    empty when every name is known) and its pollutant codes (``_primary_official``, for the rows whose
    names are all known: the others are rejected)."""
    col = S + "primarypollutant"
    primary = pl.col(col).str.strip_chars()
    primary = pl.when(primary.is_in(list(_text.MISSING))).then(None).otherwise(primary)
    names = primary.str.split(",").list.eval(pl.element().str.strip_chars())
    unknown = names.list.eval(pl.element().filter(~pl.element().is_in(list(PRIMARY_NAME_TO_CODE))))
    codes = names.list.eval(pl.element().replace(PRIMARY_NAME_TO_CODE)).list.join(",")
    return frame.select(pl.col(col).unique()).with_columns(
        _unknown_primary=unknown.list.join(","), _primary_official=codes
    )


def plausible_rows(
    frame: pl.DataFrame, columns: list[str], key: tuple[str, ...] = ("station_code", "time")
) -> pl.DataFrame:
    """The rows the store's validation keeps: plausible values, keys not repeated with other values."""
    good, _ = _text.split_bad(frame, value_conditions(columns), value_screen(columns))
    if not good.height:
        return good
    good = good.with_columns(_h=pl.struct(columns).hash())
    return good.filter(pl.col("_h").n_unique().over(*key) == 1)


#: Share of rows allowed to contradict a layout (damaged cells) before the evidence counts as mixed.
LAYOUT_TOLERANCE = 0.02


def o3_layout_of(frame: pl.DataFrame, a: str, b: str, legacy: bool) -> tuple[str, bool]:
    """Decide from validated rows which of the two O3 columns holds the 1-hour value.

    ``a`` is the platform's ``o3`` column and ``b`` its ``o3_24h`` column (both parsed). In 2026
    releases both hold the 1-hour value (``a`` = ``b``); in 2022 releases ``a`` is the maximum 1-hour
    value of the last 24 hours, so ``a`` ≥ ``b`` everywhere and ``a`` > ``b`` on most rows. A few damaged
    cells (up to :data:`LAYOUT_TOLERANCE` of the rows with both values) do not decide: ``a`` > ``b`` on
    so few rows is still the 2026 layout, and ``a`` < ``b`` on so few rows does not refute the 2022
    layout. Other evidence is mixed and the timestamp layout decides (``legacy`` = 2022 style).
    Returns the description recorded in ``metadata["o3_layout"]`` and whether the columns are swapped.
    """
    x, y = pl.col(a), pl.col(b)  # a comparison is null, and not counted, unless both values are there
    n, greater, less, b_empty = frame.select(
        n=(x.is_not_null() & y.is_not_null()).sum(),
        greater=(x > y).sum(),
        less=(x < y).sum(),
        b_empty=y.is_null().all(),
    ).row(0)
    tolerance = int(n * LAYOUT_TOLERANCE)
    if frame.height == 0 or b_empty:
        return "o3 is the 1-hour value (o3_24h empty)", False
    if n and less <= tolerance and greater <= tolerance:
        return "o3 and o3_24h both hold the 1-hour value", False
    if n and less <= tolerance and greater * 2 >= n:
        return "o3_24h is the 1-hour value, o3 the maximum 1-hour value of the last 24 h", True
    return "mixed evidence; timestamp layout decides: " + (
        "2022 (o3_24h = 1-hour)" if legacy else "o3 = 1-hour"
    ), legacy


def _provided(header: set[str], o3_swapped: bool, o3_8h_swapped: bool) -> list[str]:
    """The canonical value columns the file carries: those whose source columns are all in the header."""
    sources: dict[str, tuple[str, ...]] = {
        v: (k,) for k, v in VARIABLE_MAP.items() if not v.startswith("_") and v in HOURLY_VALUE_NAMES
    }
    sources["o3"] = ("o3_24h",) if o3_swapped else ("o3",)
    sources["o3_1h_max24"] = ("o3",)
    sources["o3_8h"] = ("o3_8h",) if o3_8h_swapped else ("o3_8h_24h",)
    sources["o3_8h_max"] = ("o3_8h_24h",) if o3_8h_swapped else ("o3_8h",)
    sources["aqi_official"] = ("aqi",)
    sources["unmonitored"] = tuple(c for srcs in UNMONITORED_SOURCE.values() for c in srcs)
    return [c for c in HOURLY_VALUE_NAMES if c in sources and all(s in header for s in sources[c])]


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
