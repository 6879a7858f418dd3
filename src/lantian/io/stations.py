"""The station registry: import of the national station list, validity periods, evaluation sets.

National station-list format (e.g. the list in force from 2022-02-13): ``监测点编码,监测点名称,城市,经度,
纬度,对照点`` with ``对照点`` Y/N; optional ``区县`` (district) and ``省份`` (province) columns. In these lists
``Y`` marks control points *and* some replaced or stopped stations (e.g. 常德 1853A/1855A/1856A,
replaced by 3138A–3140A): both are imported with ``is_control=True`` (neither counts toward the city
value); a later edit can add ``valid_to`` and ``replaced_by``.

Validity: a station counts for its city on day D when ``valid_from`` ≤ D (or null) and D ≤
``valid_to`` (or null). City names compare without the ``市`` suffix (``湘潭市`` = ``湘潭``).

Where an entry comes from (column ``source``): ``list`` (an imported national station list), ``release``
(registered on ingest from an official release: the release names each station's city ``area``, name
``positionname`` — ``(对照点)`` marks a control point — and position; valid from the natural day of the
first hour seen), ``register`` (``lantian stations register``). An imported list takes precedence: a
listed station replaces its ``release`` entry entirely (its own validity, control flag, …).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lantian.errors import InputError, NotFound
from lantian.io import _text
from lantian.schema import STATION_SCHEMA, city_key, city_key_expr

COLUMN_MAP: dict[str, str] = {
    "监测点编码": "station_code",
    "监测点名称": "name",
    "城市": "city",
    "经度": "longitude",
    "纬度": "latitude",
    "对照点": "is_control",
    "区县": "district",
    "省份": "province",
}
CONTROL_MARK = r"[（(]对照点[)）]$"

#: Values of the registry's ``source`` column.
LIST, RELEASE, REGISTER = "list", "release", "register"

#: UCI PRSA Beijing stations: stable ids (no national code is assumed), city 北京; Dingling is the
#: control point (UCI dataset description; ../shared/data/README.md).
PRSA_STATIONS: dict[str, dict] = {
    name: {"name": name, "city": "北京", "is_control": name == "Dingling"}
    for name in (
        "Aotizhongxin",
        "Changping",
        "Dingling",
        "Dongsi",
        "Guanyuan",
        "Gucheng",
        "Huairou",
        "Nongzhanguan",
        "Shunyi",
        "Tiantan",
        "Wanliu",
        "Wanshouxigong",
    )
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=STATION_SCHEMA)


def is_station_list(header: list[str]) -> bool:
    return "监测点编码" in [h.strip() for h in header]


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing registry columns (null) and order/cast them as :data:`STATION_SCHEMA`."""
    return frame.with_columns(
        [pl.lit(None, t).alias(c) for c, t in STATION_SCHEMA.items() if c not in frame.columns]
    ).select([pl.col(c).cast(t) for c, t in STATION_SCHEMA.items()])


def read_station_list(path: str | Path, valid_from: dt.date | None = None) -> tuple[pl.DataFrame, list]:
    """Read a national station list. Returns the registry rows and the rejected lines."""
    path = Path(path)
    raw = _text.read_table(path)
    header = [h.strip() for h in raw.header]
    if not is_station_list(header):
        raise InputError(f"{path}: not a station list (expected a header with 监测点编码,监测点名称,城市,…)")
    frame = raw.frame([COLUMN_MAP.get(h, f"_{h}") for h in header]).with_columns(
        _text.raw_text([COLUMN_MAP.get(h, f"_{h}") for h in header])
    )
    for c in ("name", "city", "district", "province", "longitude", "latitude", "is_control"):
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(c))
    flag = pl.col("is_control").str.strip_chars().str.to_uppercase()
    frame = frame.with_columns(
        station_code=pl.col("station_code").str.strip_chars(),
        name=pl.col("name").str.strip_chars().str.replace(CONTROL_MARK, ""),
        city=pl.col("city").str.strip_chars(),
        longitude=pl.col("longitude").str.strip_chars().cast(pl.Float64, strict=False),
        latitude=pl.col("latitude").str.strip_chars().cast(pl.Float64, strict=False),
        is_control=pl.when(flag == "Y").then(True).when(flag == "N").then(False).otherwise(None),
        valid_from=pl.lit(valid_from, pl.Date),
        source=pl.lit(LIST),
    )
    first_line = pl.col("_line").min().over("station_code")
    good, rejects = _text.split_bad(
        frame,
        [
            (pl.col("station_code").fill_null("") == "", pl.lit("missing station code")),
            (pl.col("is_control").is_null(), pl.lit("对照点 is neither Y nor N")),
            # a code listed twice: the first line stands, a later one is refused, never silently merged
            (
                pl.col("_line") != first_line,
                pl.format("重复的监测点编码 {}（首次出现在第 {} 行）", pl.col("station_code"), first_line),
            ),
        ],
    )
    # every line is accounted for: the reader's unreadable lines are rejects too
    return conform(good), sorted([*raw.rejects, *rejects])


def prsa_registry(codes: list[str] | None = None) -> pl.DataFrame:
    """Registry rows of the PRSA Beijing stations (all, or those of ``codes`` = ``PRSA-<Name>``)."""
    rows = [{"station_code": f"PRSA-{k}", **v} for k, v in PRSA_STATIONS.items()]
    frame = conform(pl.DataFrame(rows))
    return frame if codes is None else frame.filter(pl.col("station_code").is_in(codes))


def merge(existing: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Upsert ``new`` into ``existing`` by station code; a null in ``new`` keeps the stored value."""
    existing, new = conform(existing), conform(new)
    # an imported list takes precedence over what a release registered: the release entry gives way
    listed = new.filter(pl.col("source") == LIST)["station_code"].to_list()
    existing = existing.filter(~((pl.col("source") == RELEASE) & pl.col("station_code").is_in(listed)))
    joined = new.join(existing, on="station_code", how="left", suffix="_old")
    updated = joined.select(
        "station_code",
        *[pl.coalesce(pl.col(c), pl.col(f"{c}_old")).alias(c) for c in STATION_SCHEMA if c != "station_code"],
    )
    rest = existing.join(new.select("station_code"), on="station_code", how="anti")
    return conform(pl.concat([rest, updated])).sort("station_code")


def register_release(registry: pl.DataFrame, seen: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Register the stations of a release that the registry lacks (``source=release``).

    ``seen``: ``station_code, name, city, longitude, latitude, is_control, valid_from`` (the natural day
    of the first hour seen); the city is stored as the lists write it, without ``市``. A station already registered from a release keeps its entry, with
    ``valid_from`` moved back when an earlier hour is seen. Returns the registry and the number of
    stations added.
    """
    registry = conform(registry)
    seen = conform(
        seen.filter(pl.col("city").fill_null("").str.strip_chars() != "").with_columns(
            city=city_key_expr("city"), source=pl.lit(RELEASE)
        )
    )
    added = seen.join(registry.select("station_code"), on="station_code", how="anti")
    earlier = seen.select("station_code", _first="valid_from")
    moved = (
        registry.join(earlier, on="station_code", how="left")
        .with_columns(
            valid_from=pl.when(pl.col("source") == RELEASE)
            .then(pl.min_horizontal("valid_from", "_first"))
            .otherwise(pl.col("valid_from"))
        )
        .drop("_first")
    )
    if not added.height:
        return conform(moved), 0
    return conform(pl.concat([moved, added])).sort("station_code"), added.height


def excluded(stations: pl.DataFrame, seen: pl.DataFrame, city: str | None = None) -> list[dict]:
    """The stations seen in the data that do not count toward their city's value on some day they have
    data, each with why (zh). ``seen``: ``station_code, first, last`` (first and last natural day with
    data); ``city``: only that city's stations. Reasons: a control point (对照点, or replaced/stopped: the
    list's ``Y``), data before ``valid_from``, data after ``valid_to``, not in the registry."""
    joined = seen.join(conform(stations), on="station_code", how="left")
    if city is not None:
        joined = joined.filter(city_key_expr("city") == city_key(city))
    out = []
    for r in joined.sort("station_code").iter_rows(named=True):
        why = []
        if r["source"] is None and r["city"] is None:
            why.append(
                "不在站点登记表中：请用 lantian stations import 导入站点名单或 lantian stations register 登记"
            )
        if r["is_control"]:
            why.append("对照点（或名单中标为 Y 的已替换、停用站点），不参与城市均值")
        if r["valid_from"] is not None and r["first"] < r["valid_from"]:
            why.append(f"{r['valid_from']} 起才参与城市均值，{r['first']} 起的此前数据不计")
        if r["valid_to"] is not None and r["last"] > r["valid_to"]:
            tail = f"（由 {r['replaced_by']} 替代）" if r["replaced_by"] else ""
            why.append(f"{r['valid_to']} 之后不再参与城市均值{tail}，此后的数据不计")
        if why:
            out.append(
                {
                    "station_code": r["station_code"],
                    "name": r["name"],
                    "city": r["city"],
                    "source": r["source"],
                    "first": r["first"],
                    "last": r["last"],
                    "why": "；".join(why),
                }
            )
    return out


def edit(stations: pl.DataFrame, code: str, **fields) -> pl.DataFrame:
    """Change fields of one station (e.g. ``valid_to=date(2022, 6, 1), replaced_by="3138A"``)."""
    if code not in set(stations["station_code"].to_list()):
        raise NotFound(f"station {code!r} is not in the registry; import or register it first")
    unknown = set(fields) - set(STATION_SCHEMA)
    if unknown:
        raise InputError(f"unknown station field(s) {', '.join(sorted(unknown))}")
    is_it = pl.col("station_code") == code
    return stations.with_columns(
        [
            pl.when(is_it).then(pl.lit(v, STATION_SCHEMA[k])).otherwise(pl.col(k)).alias(k)
            for k, v in fields.items()
        ]
    )


def valid_on(day: dt.date) -> pl.Expr:
    return (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day)) & (
        pl.col("valid_to").is_null() | (pl.col("valid_to") >= day)
    )


def evaluation_stations(stations: pl.DataFrame, city: str, day: dt.date) -> list[str]:
    """Codes of the stations that count for ``city`` on ``day``: not control points, valid on the day."""
    key = city_key(city)
    chosen = stations.filter(
        (city_key_expr("city") == key) & ~pl.col("is_control").fill_null(False) & valid_on(day)
    )
    return sorted(chosen["station_code"].to_list())
