"""Year-end outlook from the store: the daily values of each city (the sources of :func:`city_daily`), up
to the as-of date only, through :func:`lantian.calc.outlook.outlook` (method in docs/outlook.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lantian.calc import outlook as calc
from lantian.errors import InputError, NotFound
from lantian.io.dataset import Dataset
from lantian.pipeline.assessment import city_daily, group_members, last_day, read_targets
from lantian.pipeline.groups import store_cities
from lantian.schema import CITY, DATE, city_key
from lantian.standards import DEFAULT, Options

Method = calc.Method
TARGETS = calc.TARGETS


def decimals(target: str) -> tuple[int, int]:
    """Decimals of a target's published value and of its expected value (an expected day count has one)."""
    published = TARGETS[target][2]
    return published, published + (1 if target == "heavy_days" else 0)


#: Years of history read before the outlook's year (the bootstrap draws from them).
HISTORY_YEARS = 5
#: Target names as offices write them.
TARGET_NAMES = {
    "good_rate": ("优良天数比例", "Good-day ratio"),
    "pm25": ("PM2.5年均浓度", "PM2.5 annual mean"),
    "composite_index": ("综合指数", "Composite index"),
    "heavy_days": ("重污染天数", "Heavy-pollution days"),
    "o3": ("臭氧", "Ozone"),
}
#: Fields of a ``[[targets]]`` entry (lantian.calc.targets.Targets) and the outlook target they set.
FROM_TARGETS_FILE = {
    "good_rate_min": "good_rate",
    "pm25_max": "pm25",
    "composite_max": "composite_index",
    "heavy_days_max": "heavy_days",
    "o3_max": "o3",
}


@dataclass(frozen=True)
class CityOutlook:
    city: str
    year: int
    as_of: dt.date
    targets: list[dict]

    def to_dict(self) -> dict:
        return {
            "city": self.city,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "targets": self.targets,
        }


def _thresholds(daily: pl.DataFrame, cities: list[str], year: int, targets_file, options) -> pl.DataFrame:
    last_year = calc.not_worse_than_last_year(daily, year, CITY, options)
    if targets_file is None:
        return last_year
    rows = []
    for city in cities:
        t = read_targets(targets_file, city, year)
        for field, target in FROM_TARGETS_FILE.items():
            value = getattr(t, field)
            if value == "last_year":
                hit = last_year.filter((pl.col(CITY) == city) & (pl.col("target") == target))
                value = hit["threshold"].item() if len(hit) else None
            if value is not None:
                rows.append({CITY: city, "target": target, "threshold": float(value)})
    return pl.DataFrame(rows, schema={CITY: pl.Utf8, "target": pl.Utf8, "threshold": pl.Float64})


def cities_of(
    ds: Dataset, city: str | None, group: str | None, everyone: bool, groups_file=None
) -> list[str]:
    if sum(x is not None and x is not False for x in (city, group, everyone or None)) != 1:
        raise InputError(
            "请给出 --city、--group 或 --all 中的一个。", en="give one of --city, --group or --all."
        )
    if city is not None:
        return [city]
    if group is not None:
        return group_members(ds, group, groups_file)
    return sorted(store_cities(ds))


def outlook(
    ds: Dataset,
    cities: list[str],
    year: int,
    as_of: dt.date | None = None,
    targets_file: str | Path | None = None,
    method: calc.Method | None = None,
    options: Options = DEFAULT,
) -> list[CityOutlook]:
    """The outlook of each city for ``year``: as of ``as_of`` (default: the city's last day with data in
    the year), against the targets file or, without one, 只降不升 (last year's published values)."""
    method = method or calc.Method()
    cities = [city_key(c) for c in cities]
    frames, dates = [], {}
    for city in cities:
        end = as_of or last_day(ds, city)
        if end is None or end.year < year:
            raise NotFound(
                f"数据存储中没有 {city} {year} 年的数据；请先用 lantian ingest 导入。",
                en=f"no data of {city} in {year} in the store; ingest it first (lantian ingest).",
            )
        end = min(end, dt.date(year, 12, 31))
        frame, _ = city_daily(ds, city, dt.date(year - HISTORY_YEARS, 1, 1), end, options)
        frames.append(frame.select(pl.lit(city).alias(CITY), DATE, *calc.POLLUTANTS).collect())
        dates[city] = end
    out = []
    for end in sorted(set(dates.values())):
        group = [c for c in cities if dates[c] == end]
        daily = pl.concat([f for f in frames if f[CITY][0] in group]) if group else pl.DataFrame()
        daily = daily.filter(pl.col(DATE) <= end)  # nothing after the as-of date is read
        thresholds = _thresholds(daily, group, year, targets_file, options)
        table = calc.outlook(daily, year, end, thresholds, method, CITY, options)
        for city in group:
            rows = table.filter(pl.col(CITY) == city).drop(CITY).to_dicts()
            for r in rows:
                r["name_zh"], r["name_en"] = TARGET_NAMES[r["target"]]
            out.append(CityOutlook(city=city, year=year, as_of=end, targets=rows))
    return sorted(out, key=lambda o: cities.index(o.city))
