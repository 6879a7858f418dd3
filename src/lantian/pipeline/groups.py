"""Provinces as built-in city groups (``lantian rank --group 湖南``; no groups file needed).

The members of a province are the cities of the store that belong to it:

1. the registry's ``province`` column (``省份`` of an imported national station list), where it is
   filled for a station of the city;
2. otherwise the built-in table ``lantian/data/city-provinces.csv`` (``城市,省份``: China's
   prefecture-level cities, leagues and autonomous prefectures by province, from the national
   administrative divisions, with the short names the platform's city data use — ``湘西州`` — beside the
   full ones — ``湘西土家族苗族自治州`` — and the county-level cities the platform publishes on their own,
   e.g. 义乌 in 浙江); it covers every city of the shared CNEMC releases, station list and daily city data.

A city belongs to the store when the registry has a station of it or the store holds its city daily
values. Custom groups (other than provinces) are given with ``--groups FILE`` (settings: ``groups_file``).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import polars as pl

from lantian.errors import NotFound
from lantian.io.dataset import Dataset
from lantian.schema import CITY, city_key, city_key_expr

TABLE = "data/city-provinces.csv"


def province_key(name: str | None) -> str:
    """A province's name as compared: trimmed, without 省/市/自治区 suffixes (``湖南省`` = ``湖南``)."""
    key = (name or "").strip()
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


@cache
def city_provinces() -> dict[str, str]:
    """The built-in table: city (:func:`lantian.schema.city_key`) → province (:func:`province_key`)."""
    text = resources.files("lantian").joinpath(TABLE).read_text(encoding="utf-8")
    return {city_key(r["城市"]): province_key(r["省份"]) for r in csv.DictReader(io.StringIO(text))}


def store_cities(ds: Dataset) -> set[str]:
    """Cities the store knows: a registry station of the city, or city daily values of it."""
    reg = ds.stations()
    cities = {city_key(c) for c in reg[CITY].drop_nulls().to_list()}
    daily = ds.scan_daily().filter(pl.col("station_code").is_null()).select(city_key_expr(CITY)).unique()
    cities |= {c for c in daily.collect()[CITY].drop_nulls().to_list() if c}
    return cities


def province_of(ds: Dataset, city: str, registry: pl.DataFrame | None = None) -> str | None:
    """Province of ``city``: the registry's province column first, else the built-in table."""
    reg = ds.stations() if registry is None else registry
    key = city_key(city)
    given = reg.filter((city_key_expr(CITY) == key) & (pl.col("province").fill_null("") != ""))["province"]
    if given.len():
        return province_key(given[0])
    return city_provinces().get(key)


def province_members(ds: Dataset, group: str) -> list[str]:
    """The store's cities of province ``group`` (``湖南`` or ``湖南省``), sorted; ``NotFound`` if none."""
    key = province_key(group)
    reg = ds.stations()
    members = sorted(c for c in store_cities(ds) if province_of(ds, c, reg) == key)
    if members:
        return members
    known = sorted(set(city_provinces().values()))
    if key in known:
        raise NotFound(
            f"the store holds no city of {group!r}: ingest its data first "
            f"（库中没有 {group} 的城市数据，请先导入该省城市的数据）"
        )
    raise NotFound(
        f"no group {group!r}: give a province ({'、'.join(known)}) or --groups FILE (TOML [groups]) "
        f"（没有名为 {group} 的城市组：请给出省份名称，或用 --groups 指定城市组文件）"
    )
