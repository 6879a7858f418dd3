"""Year-end outlook from the store: the daily values of each city (the sources of :func:`city_daily`), up
to the as-of date only, through :func:`lantian.calc.outlook.outlook` (method in docs/outlook.md).

Each target carries the read of the outlook (:func:`lantian.calc.outlook.condition`) as ``condition``:
``{"probability": 0.7, "max_heavy_days": N, "achieved": …, "n_sims": …}`` — for the good-day ratio
``max_non_good_days``, for PM2.5 ``max_rest_pm25`` (μg/m³, the mean of the remaining days); ``None`` for the
composite index and O3, and once the year is over. The probability is the setting
``outlook_probability_pct`` (70 by default)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lantian.calc import outlook as calc
from lantian.errors import ConfigError, InputError, NotFound
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


def probability_level(level: float | None = None) -> float:
    """The probability of the outlook's read: ``level`` if given, else the setting
    ``outlook_probability_pct`` / 100; refused unless strictly between 0 and 1."""
    if level is None:
        from lantian import config

        pct = config.load().value("outlook_probability_pct")
        if not 1 <= pct <= 99:
            raise ConfigError(
                f"设置 outlook_probability_pct 应在 1–99 之间（百分数），实际为 {pct}；请改正该值（默认 70）。",
                en=f"the setting outlook_probability_pct must lie in 1–99 (a percentage), not {pct}; "
                "correct it (default 70).",
            )
        return pct / 100
    if not 0 < level < 1:
        raise InputError(
            f"达标条件的概率应在 0 和 1 之间，实际为 {level}。",
            en=f"the probability must lie in (0, 1), not {level}.",
        )
    return level


def condition_of(row: dict, level: float) -> dict | None:
    """The read of one target of the calc's outlook table as the JSON names it (None without one)."""
    keys = calc.CONDITIONS.get(row["target"])
    n_sims = row.pop("condition_n_sims", 0)
    bound = row.pop("condition_max", None)
    achieved = row.pop("condition_achieved", None)
    if keys is None or row.get("probability") is None:  # no read for the target, or 数据不足
        return None
    return {"probability": level, keys[1]: bound, "achieved": achieved, "n_sims": n_sims}


#: How the read of each target says what the rest of the year may bring: (Chinese, English) with ``{n}``.
CONDITION_WORDS = {
    "heavy_days": ("此后重污染天数不超过 {n} 天", "no more than {n} further heavy-pollution days"),
    "good_rate": ("此后非优良天数不超过 {n} 天", "no more than {n} further days that are not good"),
    "pm25": (
        "此后 PM2.5 平均浓度不超过 {n} μg/m³",
        "the remaining days' PM2.5 averaging no more than {n} μg/m³",
    ),
}


def condition_text(target: str, condition: dict | None, lang: str = "zh") -> str:
    """The read as a sentence: 若此后重污染天数不超过 N 天，达标概率不低于 70%; "" without a read."""
    if not condition:
        return ""
    keys = calc.CONDITIONS[target]
    pct = f"{condition['probability'] * 100:.0f}%"
    bound = condition.get(keys[1])
    if bound is None:
        return (
            f"模拟的各种情形下，达标概率都达不到 {pct}"
            if lang == "zh"
            else f"in no simulated case does the probability reach {pct}"
        )
    zh, en = CONDITION_WORDS[target]
    if lang == "zh":
        return f"若{zh.format(n=bound)}，达标概率不低于 {pct}"
    return f"with {en.format(n=bound)}, the probability is at least {pct}"


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
    level: float | None = None,
) -> list[CityOutlook]:
    """The outlook of each city for ``year``: as of ``as_of`` (default: the city's last day with data in
    the year), against the targets file or, without one, 只降不升 (last year's published values); the read
    of each target at ``level`` (default: the setting ``outlook_probability_pct``)."""
    method = method or calc.Method()
    if method.trend not in calc.TRENDS:
        raise InputError(
            f"不认识的趋势选项“{method.trend}”：可选 {'、'.join(calc.TRENDS)}（见 docs/outlook.md）。",
            en=f"unknown trend {method.trend!r}: choose one of {', '.join(calc.TRENDS)} (docs/outlook.md).",
        )
    level = probability_level(level)
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
        table = calc.outlook(daily, year, end, thresholds, method, CITY, options, level)
        for city in group:
            rows = table.filter(pl.col(CITY) == city).drop(CITY).to_dicts()
            for r in rows:
                r["name_zh"], r["name_en"] = TARGET_NAMES[r["target"]]
                r["condition"] = None if end >= dt.date(year, 12, 31) else condition_of(r, level)
                for k in ("condition_max", "condition_achieved", "condition_n_sims"):
                    r.pop(k, None)
            out.append(CityOutlook(city=city, year=year, as_of=end, targets=rows))
    return sorted(out, key=lambda o: cities.index(o.city))
