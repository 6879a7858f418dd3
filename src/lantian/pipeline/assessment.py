"""Orchestration of the official figures: store → daily values → assessment, ranking, targets, warnings.

City daily values are combined from three sources, day by day, in this order (:func:`city_daily`):

1. **station hours** — the city's evaluation stations' hours (order of aggregation: switch
   ``city_aggregation_order``), for every day on which they give all six daily statistics;
2. **station daily** — the stored station daily values (日均值 per station, e.g. a bureau's audited
   export or the previous day of the platform's T00 files): the mean of the valid values of the city's
   evaluation stations (standards §3.4, :func:`lantian.calc.averaging.city_daily`, the same calc code as
   for hours; published with GB/T 8170 at the assessment), for the days the hours leave incomplete;
3. **city daily** — the store's city daily rows (e.g. city daily data from the platform), for the days
   still without a value; a day that only incomplete hours cover keeps its incomplete value.

Each day carries the source it came from (column ``source``), and the assessment says which sources
it used and for how many days. Station daily values for ``lantian daily --station`` always come from
the station's hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import polars as pl

from lantian.calc import assessment as calc_assess
from lantian.calc import dust as dust_calc
from lantian.calc import ranking as calc_rank
from lantian.calc import targets as calc_targets
from lantian.calc import warnings as calc_warn
from lantian.calc.averaging import city_daily as calc_city_daily
from lantian.calc.averaging import city_values, daily_values
from lantian.calc.rounding import round_decimal, round_pollutant
from lantian.config import read_toml
from lantian.errors import ConfigError, InputError, NotFound
from lantian.io.dataset import Dataset
from lantian.periods import Period, parse_period
from lantian.pipeline import station_days
from lantian.schema import CITY, DATE, STATION, TIME, city_key, city_key_expr
from lantian.standards import DEFAULT, Options

DAILY_COLUMNS = ("so2", "no2", "co", "pm10", "pm25", "o3", "o3_8h")

#: The sources of city daily values, in the order they are combined (module docstring).
SOURCES = ("station hours", "station daily", "city daily")
SOURCE_NAMES_ZH = {"station hours": "站点小时值", "station daily": "站点日均值", "city daily": "城市日均值"}
_SIX = ("so2", "no2", "co", "pm10", "pm25", "o3_8h")


def open_store(store: str | Path | None) -> Dataset:
    from lantian import config

    path = config.load(store=store).store
    if not Path(path).is_dir():
        raise InputError(
            f"store {path} does not exist; ingest data first (lantian ingest --store {path} FILES)"
        )
    return Dataset(path)


def _pad(start: dt.date, end: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return start - dt.timedelta(days=days), end + dt.timedelta(days=days)


def city_stations(ds: Dataset, city: str) -> pl.DataFrame:
    reg = ds.stations()
    return reg.filter(city_key_expr(CITY) == city_key(city))


def station_daily(
    ds: Dataset, station: str, start: dt.date, end: dt.date, options: Options = DEFAULT
) -> pl.LazyFrame:
    hourly = ds.scan_hourly(stations=[station], start=start, end=end)
    if hourly.select(pl.len()).collect().item() == 0:
        raise NotFound(f"no hourly data for station {station!r} between {start} and {end}")
    return daily_values(hourly, by=STATION, options=options).filter(pl.col(DATE).is_between(start, end))


ENGINES = ("local", "spark")


def _spark_city_daily(ds: Dataset, city: str, start: dt.date, end: dt.date, options: Options) -> pl.LazyFrame:
    """The same city daily values computed by the Spark engine (docs/spark.md)."""
    if (options.mda8_min_windows, options.city_aggregation_order) != (
        DEFAULT.mda8_min_windows,
        DEFAULT.city_aggregation_order,
    ):
        raise InputError("the Spark engine runs the default averaging switches; use --engine local to change them")
    from lantian.pipeline import spark

    frame = spark.city_daily(str(ds.root), start.isoformat(), end.isoformat())
    return frame.lazy().filter(pl.col(CITY) == city_key(city)).filter(pl.col(DATE).is_between(start, end))


def station_daily_rows(ds: Dataset, city: str, start=None, end=None) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """The stored station daily rows of the city and the registry they are judged with: the city's
    registered stations, and stations the registry lacks whose rows name the city (a bureau's export
    ``date, station, city, …``; counted as evaluation stations, since nothing marks them otherwise)."""
    reg = city_stations(ds, city)
    known = ds.stations()[STATION].to_list()
    rows = ds.scan_daily(start=start, end=end).filter(pl.col(STATION).is_not_null())
    named = pl.col(CITY).is_not_null() & (city_key_expr(CITY) == city_key(city)) & ~pl.col(STATION).is_in(known)
    mine = rows.filter(pl.col(STATION).is_in(reg[STATION].to_list()) | named)
    extra = mine.filter(~pl.col(STATION).is_in(known)).select(STATION).unique().collect()
    if extra.height:
        added = extra.with_columns(pl.lit(city_key(city)).alias(CITY), pl.lit(False).alias("is_control"))
        reg = pl.concat([reg, added], how="diagonal_relaxed")
    return mine, reg


def _station_daily_city(ds: Dataset, city: str, start: dt.date, end: dt.date) -> pl.DataFrame | None:
    """City daily values from the stored station daily values (mean of the valid values of the
    evaluation stations, :func:`lantian.calc.averaging.city_daily`); ``None`` without such rows."""
    rows, reg = station_daily_rows(ds, city, start, end)
    if rows.select(pl.len()).collect().item() == 0:
        return None
    keep = [c for c in DAILY_COLUMNS if c in rows.collect_schema().names()]
    per_station = rows.select(STATION, DATE, *keep).unique([STATION, DATE], keep="last")
    return calc_city_daily(per_station, reg).with_columns(pl.lit(city_key(city)).alias(CITY)).collect()


def _complete(frame: pl.DataFrame) -> pl.Expr:
    """A day whose six daily statistics are all there (a missing column counts as missing)."""
    return pl.all_horizontal(*[pl.col(p).is_not_null() if p in frame.columns else pl.lit(False) for p in _SIX])


def describe_sources(daily: pl.DataFrame | pl.LazyFrame) -> str:
    """``station hours`` (one source) or ``station hours 300 d + station daily 66 d`` (several, in the
    order of :data:`SOURCES`), from the per-day ``source`` column."""
    counts = dict(daily.lazy().group_by("source").len().collect().iter_rows())
    used = [s for s in SOURCES if counts.get(s)] + sorted(s for s in counts if s not in SOURCES and counts[s])
    if len(used) == 1:
        return used[0]
    return " + ".join(f"{s} {counts[s]} d" for s in used)


def city_daily(
    ds: Dataset, city: str, start: dt.date, end: dt.date, options: Options = DEFAULT, engine: str = "local"
) -> tuple[pl.LazyFrame, str]:
    """City daily frame for ``start``…``end`` and where it came from: the sources combined day by day in
    the order of the module docstring (hours where complete, else station daily, else city daily); each
    day's ``source`` column names its source, the text returned names them all (:func:`describe_sources`).

    ``engine="spark"`` computes the city values from station hours on Spark (same calc code).
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    reg = city_stations(ds, city)
    codes = reg[STATION].to_list()
    if codes and engine == "spark":
        frame = _spark_city_daily(ds, city, start, end, options).sort(DATE)
        return frame.with_columns(pl.lit("station hours").alias("source")), "station hours (spark)"
    parts: list[tuple[pl.LazyFrame, str]] = []
    if codes:
        hourly = ds.scan_hourly(stations=codes, start=start, end=end)
        if hourly.select(pl.len()).collect().item():
            daily = station_days.city_values(ds, reg, start, end, options)
            parts.append((daily.with_columns(pl.lit(city_key(city)).alias(CITY)), "station hours"))
    from_stations = _station_daily_city(ds, city, start, end)
    if from_stations is not None:
        parts.append((from_stations.lazy(), "station daily"))
    rows = ds.scan_daily(cities=[city], start=start, end=end).filter(pl.col(STATION).is_null())
    if rows.select(pl.len()).collect().item():
        keep = [c for c in DAILY_COLUMNS if c in rows.collect_schema().names()]
        parts.append((rows.select(city_key_expr(CITY), DATE, *keep).unique([CITY, DATE], keep="last"), "city daily"))
    if not parts:
        raise NotFound(
            f"no data for city {city!r} between {start} and {end} in the store "
            "(neither station hours of registered stations, nor station daily values, nor city daily rows)"
            f"（数据存储中没有 {city} 在 {start} 至 {end} 的数据：请先用 lantian ingest 导入站点小时值、"
            "站点日均值或城市日均值）"
        )
    if len(parts) == 1:
        frame, source = parts[0]
        return frame.with_columns(pl.lit(source).alias("source")).sort(DATE), source
    both = pl.concat(
        [frame.with_columns(pl.lit(source).alias("source")).collect() for frame, source in parts],
        how="diagonal_relaxed",
    )
    # per day: the first complete source in SOURCES order, else the first source there is
    rank = pl.col("source").replace_strict({s: i for i, s in enumerate(SOURCES)}, return_dtype=pl.Int8)
    chosen = (
        both.with_columns(_rank=rank, _complete=_complete(both))
        .sort(DATE, ~pl.col("_complete"), "_rank")
        .unique(DATE, keep="first", maintain_order=True)
        .drop("_rank", "_complete")
    )
    return chosen.lazy().sort(DATE), describe_sources(chosen)


def last_day(ds: Dataset, city: str) -> dt.date | None:
    """Last natural day with data for a city (``ytd`` ends there)."""
    codes = city_stations(ds, city)[STATION].to_list()
    last = None
    if codes:
        t = ds.scan_hourly(stations=codes).select(pl.col(TIME).max()).collect().item()
        last = (t - dt.timedelta(hours=1)).date() if t else None
    rows, _ = station_daily_rows(ds, city)
    days = [
        last,
        ds.scan_daily(cities=[city]).filter(pl.col(STATION).is_null()).select(pl.col(DATE).max()).collect().item(),
        rows.select(pl.col(DATE).max()).collect().item(),
    ]
    return max((d for d in days if d is not None), default=None)


def _read_small_csv(p: Path, what: str, form: str) -> pl.DataFrame:
    """A small CSV given on the command line (dust days, a forecast), all columns as text; an empty,
    binary or non-UTF-8 file is an InputError that says which file and what it must hold."""
    try:
        return pl.read_csv(p, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise InputError(f"{what} {p} 是空文件：须为 UTF-8 编码的 CSV，表头为 {form}") from None
    except (pl.exceptions.ComputeError, UnicodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"{what} {p} 不是可读的 CSV（{first}）：须为 UTF-8 编码的文本文件，表头为 {form}"
        ) from None


def _first_bad(frame: pl.DataFrame, raw: str, parsed: pl.Series) -> str | None:
    """The first non-blank value of column ``raw`` that did not parse (``parsed`` is null there)."""
    text = frame[raw].str.strip_chars()
    bad = frame.filter(parsed.is_null() & text.is_not_null() & (text != ""))
    return None if bad.is_empty() else str(bad[raw][0])


def read_dust_days(path: str | Path | None) -> pl.DataFrame | None:
    """Dust-affected days and hours (spec §7): CSV with ``city,date`` and an optional ``hour`` column,
    one row per city and day, or per city, day and hour (``hour`` 1…24: the hour ending then on that
    date, schema time convention; blank: the whole day). Columns ``city date hour`` (hour null = day)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise InputError(f"沙尘文件 {p} 不存在：请给出 city,date[,hour] 格式的 CSV 文件")
    frame = _read_small_csv(p, "沙尘文件", "city,date[,hour]")
    missing = {CITY, DATE} - set(frame.columns)
    if missing:
        raise InputError(
            f"沙尘文件 {p} 缺少列 {', '.join(sorted(missing))}：须有 city,date 两列（可选 hour 列）"
        )
    hour = pl.col(dust_calc.HOUR) if dust_calc.HOUR in frame.columns else pl.lit(None, pl.String)
    out = frame.select(
        city_key_expr(CITY),
        pl.col(DATE).str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        hour.str.strip_chars().replace("", None).cast(pl.Int8, strict=False).alias(dust_calc.HOUR),
    )
    bad_date = _first_bad(frame, DATE, out[DATE])
    if bad_date is not None or out[DATE].is_null().any():
        shown = "空值" if bad_date is None else repr(bad_date)
        raise InputError(
            f"沙尘文件 {p}：date {shown} 不是日期；date 须为 YYYY-MM-DD 格式的存在日期（如 2016-03-05）"
        )
    if dust_calc.HOUR in frame.columns and (bad_hour := _first_bad(frame, dust_calc.HOUR, out[dust_calc.HOUR])):
        raise InputError(f"沙尘文件 {p}：hour {bad_hour!r} 无法识别；hour 须为 1–24 的整数，整日请留空")
    wrong = out.filter(~pl.col(dust_calc.HOUR).is_between(1, 24) & pl.col(dust_calc.HOUR).is_not_null())
    if len(wrong):
        row = wrong.row(0, named=True)
        raise InputError(
            f"沙尘文件 {p}：{row[CITY]} {row[DATE]} 的 hour {row[dust_calc.HOUR]} 不在 1–24 之间"
            "（1 表示 0–1 时，24 表示 23–24 时；整日请留空）"
        )
    return out


def dust_pm_daily(
    ds: Dataset, cities: list[str], period: Period, dust: pl.DataFrame | None, options: Options = DEFAULT
) -> pl.DataFrame | None:
    """Hour-level dust deduction (switch ``dust_deduction="hour"``, spec §7): each city's PM10/PM2.5
    daily values recomputed from its stations' hours outside the dust hours (:mod:`lantian.calc.dust`).

    None with ``dust_deduction="day"``, or when no city has a partial dust day (whole dust days lose
    their PM values at both levels).
    """
    if dust is None or options.dust_deduction != "hour":
        return None
    frames = []
    for c in cities:
        key = city_key(c)
        mine = dust.filter(pl.col(CITY) == key, pl.col(DATE).is_between(period.start, period.end))
        if mine.filter(pl.col(dust_calc.HOUR).is_not_null()).is_empty():
            continue
        reg = city_stations(ds, c)
        codes = reg[STATION].to_list()
        hourly = ds.scan_hourly(stations=codes, start=period.start, end=period.end) if codes else None
        if hourly is None or hourly.select(pl.len()).collect().item() == 0:
            raise InputError(
                f"按小时扣除沙尘（dust_deduction=hour）需要 {key} 的站点小时数据，而数据存储中没有："
                "请导入站点小时数据，或在沙尘文件中只列整日（hour 留空），或改用 --switch dust_deduction=day"
            )
        pm = [p for p in dust_calc.DUST_POLLUTANTS if p in hourly.collect_schema().names()]
        hours = hourly.select(STATION, TIME, *pm).with_columns(pl.lit(key).alias(CITY))
        kept = dust_calc.deduct_hours(hours, dust_calc.dust_hours(mine), by=CITY)
        daily = city_values(kept, reg, options).filter(pl.col(DATE).is_between(period.start, period.end))
        frames.append(daily.select(pl.lit(key).alias(CITY), DATE, *pm).collect())
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


def assess_city(
    ds: Dataset,
    city: str,
    period_text: str,
    compare: bool = False,
    dust_file: str | Path | None = None,
    options: Options = DEFAULT,
    engine: str = "local",
) -> dict:
    """Assessment of one city for one period (and the same period last year with ``compare``)."""
    period = parse_period(
        period_text, as_of=last_day(ds, city) if period_text.strip().lower() == "ytd" else None
    )
    dust = read_dust_days(dust_file)
    daily, source = city_daily(ds, city, period.start, period.end, options, engine)
    result = calc_assess.assess(
        daily, period, CITY, options, dust, dust_pm_daily(ds, [city], period, dust, options)
    )
    previous = prev_daily = None
    if compare:
        prev_period = period.same_period_last_year()
        try:
            prev_daily, _ = city_daily(ds, city, prev_period.start, prev_period.end, options, engine)
        except NotFound:
            prev_daily = None
        if prev_daily is not None:
            prev_dust = dust_pm_daily(ds, [city], prev_period, dust, options)
            previous = calc_assess.assess(prev_daily, prev_period, CITY, options, dust, prev_dust)
            result = calc_assess.compare(result, previous)
    return {
        "period": period,
        "source": source,
        "result": result,
        "previous": previous,
        "daily": daily,
        "previous_daily": prev_daily,
    }


def insufficiency(row: dict, options: Options = DEFAULT) -> tuple[str, str] | None:
    """Why an assessment row is 数据不足 — its valid days against the minimum it lacks, in Chinese and
    English — or ``None`` when every figure rests on enough data (``data_sufficient``)."""
    if row.get("data_sufficient", True):
        return None
    valid, days, need = row.get("valid_days") or 0, row.get("period_days"), row.get("coverage_min_days")
    coverage = round_decimal(Decimal(valid * 100) / Decimal(days), 1) if days else Decimal("0.0")
    if need is not None:
        zh = f"有效 {valid} 天 / 共 {days} 天，覆盖率 {coverage}%，应至少 {need} 天（{options.coverage_min_pct}%）"
        en = f"{valid} valid of {days} days, {coverage}% coverage; at least {need} ({options.coverage_min_pct}%) needed"
    elif row.get("period") and len(str(row["period"])) == 4:
        zh = f"有效 {valid} 天 / 共 {days} 天，覆盖率 {coverage}%，全年应至少 324 天且每月至少 27 天（2 月 25 天）"
        en = f"{valid} valid of {days} days, {coverage}% coverage; a year needs 324 days and 27 a month (February 25)"
    else:
        zh = f"有效 {valid} 天 / 共 {days} 天，覆盖率 {coverage}%，每月应至少 27 天（2 月 25 天）"
        en = f"{valid} valid of {days} days, {coverage}% coverage; each month needs 27 days (February 25)"
    return zh, en


def explain_daily(daily: pl.LazyFrame | pl.DataFrame, options: Options = DEFAULT) -> pl.DataFrame:
    """Per day: which statistics were valid, and why the others were not (counts vs minimums)."""
    from lantian.calc.averaging import MIN_HOURS_DAILY

    graded = calc_assess.daily_aqi(daily, options).collect()
    reasons = []
    for p in ("so2", "no2", "co", "pm10", "pm25"):
        n = f"n_{p}"
        if n in graded.columns:
            reasons.append(
                pl.when(pl.col(p).is_null()).then(
                    pl.format(f"{p}: {{}} of 24 hours (< {MIN_HOURS_DAILY})", pl.col(n))
                )
            )
        elif f"n_stations_{p}" in graded.columns:
            reasons.append(pl.when(pl.col(p).is_null()).then(pl.lit(f"{p}: no valid station value")))
        else:
            reasons.append(pl.when(pl.col(p).is_null()).then(pl.lit(f"{p}: missing")))
    if "n_o3_8h" in graded.columns:
        reasons.append(
            pl.when(pl.col("o3_8h").is_null()).then(
                pl.format(
                    f"o3_8h: {{}} of 17 valid 8-hour windows (< {options.mda8_min_windows})",
                    pl.col("n_o3_8h"),
                )
            )
        )
    else:
        reasons.append(pl.when(pl.col("o3_8h").is_null()).then(pl.lit("o3_8h: missing")))
    return graded.with_columns(invalid_because=pl.concat_str(reasons, separator="; ", ignore_nulls=True))


def daily_report(
    ds: Dataset,
    start: dt.date,
    end: dt.date,
    station: str | None = None,
    city: str | None = None,
    options: Options = DEFAULT,
    engine: str = "local",
) -> tuple[pl.DataFrame, str]:
    """Daily values (published precision), IAQIs, AQI, category, primary pollutant and valid counts."""
    if (station is None) == (city is None):
        raise InputError("give exactly one of --station or --city")
    if station is not None:
        daily, source = station_daily(ds, station, start, end, options), "station hours"
    else:
        daily, source = city_daily(ds, city, start, end, options, engine)
    graded = explain_daily(daily, options)
    published = [
        round_pollutant(pl.col(p), p if p != "o3_8h" else "o3").alias(p)
        for p in DAILY_COLUMNS
        if p in graded.columns
    ]
    return graded.with_columns(published).sort(DATE), source


# -- groups and ranking ---------------------------------------------------------------------------------


def group_members(ds: Dataset, group: str, groups_file: str | Path | None = None) -> list[str]:
    """Cities of a group: from a TOML file (``[groups] 湖南 = ["长沙", …]``) or a province (built-in groups:
    :mod:`lantian.pipeline.groups`)."""
    if groups_file is not None:
        p = Path(groups_file)
        data = read_toml(p, "城市组文件")
        groups = data.get("groups", data)
        if group not in groups:
            raise NotFound(f"group {group!r} is not in {p}; groups there: {', '.join(groups) or 'none'}")
        return [city_key(c) for c in groups[group]]
    from lantian.pipeline.groups import province_members

    return province_members(ds, group)


def rank_group(
    ds: Dataset,
    group: str,
    period_text: str,
    by: str = "index",
    groups_file: str | Path | None = None,
    dust_file: str | Path | None = None,
    options: Options = DEFAULT,
) -> tuple[pl.DataFrame, Period, dict[str, str]]:
    """Assess every member of a group for the period and rank (``change`` also assesses last year)."""
    cities = group_members(ds, group, groups_file)
    if by not in calc_rank.BY:
        raise InputError(f"--by must be one of {', '.join(calc_rank.BY)}, got {by!r}")
    as_of = None
    if period_text.strip().lower() == "ytd":
        days = [d for d in (last_day(ds, c) for c in cities) if d is not None]
        if not days:
            raise NotFound(
                f"no member of {group!r} has data, so 'ytd' has no last day; ingest data first or give a "
                "period such as 2026 or 2026-01-01..2026-03-31（该组城市均无数据，无法确定年初至今的截止日）"
            )
        as_of = max(days)
    period = parse_period(period_text, as_of=as_of)
    dust = read_dust_days(dust_file)
    problems: dict[str, str] = {}

    def gather(p: Period, prefix: str = "") -> pl.DataFrame | None:
        frames, present = [], []
        for c in cities:
            try:
                daily, _ = city_daily(ds, c, p.start, p.end, options)
                frames.append(daily.collect())
                present.append(c)
            except NotFound as exc:
                problems.setdefault(c, f"{prefix}{exc}")
        if not frames:
            return None
        # one assessment over all members: the AQI engine runs once per period
        pm_without_dust = dust_pm_daily(ds, present, p, dust, options)
        members = pl.concat(frames, how="diagonal_relaxed")
        return calc_assess.assess(members, p, CITY, options, dust, pm_without_dust)

    frame = gather(period)
    if frame is None:
        raise NotFound(f"no member of {group!r} has data for {period.label}")
    if by in ("change", "pm25_change"):
        prev = gather(period.same_period_last_year(), "last year: ")
        frame = calc_assess.compare(frame, prev if prev is not None else frame.clear())
    return calc_rank.rank(frame, by), period, problems


# -- targets ----------------------------------------------------------------------------------------------


def _target_year(p: Path, row: dict) -> int | None:
    """The ``year`` of a ``[[targets]]`` entry (a whole number; digits in quotes are accepted)."""
    value = row.get("year")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ConfigError(
        f"{p}: target year {value!r} of city {row.get('city', '?')!r} is not a whole number; "
        "write it as year = 2026（year 须为整数年份）"
    )


def read_targets(path: str | Path, city: str, year: int) -> calc_targets.Targets:
    """Targets from a TOML file: ``[[targets]]`` tables with ``city``, ``year`` and any of
    ``good_rate_min good_days_min pm25_max pm10_max composite_max heavy_days_max o3_max``."""
    p = Path(path)
    data = read_toml(p, "年度目标文件")
    fields = set(calc_targets.Targets.__dataclass_fields__) - {"city", "year"}
    rows = data.get("targets", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConfigError(f"{p}: targets must be [[targets]] tables（年度目标须写成 [[targets]] 表）")
    for row in rows:
        if city_key(str(row.get("city", ""))) == city_key(city) and _target_year(p, row) == year:
            unknown = set(row) - fields - {"city", "year"}
            if unknown:
                raise ConfigError(
                    f"{p}: unknown target field(s) {', '.join(sorted(unknown))}; "
                    f"known: {', '.join(sorted(fields))}"
                )
            return calc_targets.Targets(
                city=city_key(city), year=year, **{k: v for k, v in row.items() if k in fields}
            )
    raise NotFound(f"{p}: no [[targets]] entry for city {city!r} and year {year}")


def targets_status(
    ds: Dataset, city: str, year: int, targets_file: str | Path, options: Options = DEFAULT
) -> dict:
    """Year-to-date status of a city's targets (as of the last day with data in ``year``)."""
    t = read_targets(targets_file, city, year)
    last = last_day(ds, city)
    if last is None or last < dt.date(year, 1, 1):
        raise NotFound(f"no data for {city} in {year}")
    as_of = min(last, dt.date(year, 12, 31))
    period = Period.ytd(as_of)
    daily, _ = city_daily(ds, city, period.start, period.end, options)
    res = calc_assess.assess(daily, period, CITY, options).row(0, named=True)
    short = insufficiency(res, options)
    day = daily.collect()
    pm = day["pm25"].drop_nulls()
    o3 = round_pollutant(pl.col("o3_8h"), "o3")
    o3_values = day.select(o3).to_series().drop_nulls().to_list()
    last_year = None
    if t.composite_max == "last_year":
        prev = parse_period(str(year - 1))
        try:
            pdaily, _ = city_daily(ds, city, prev.start, prev.end, options)
            last_year = calc_assess.assess(pdaily, prev, CITY, options)["composite_index"][0]
        except NotFound:
            last_year = None
    statuses = calc_targets.evaluate(
        t,
        as_of,
        res["valid_days"] or 0,
        res["good_days"] or 0,
        res["heavy_days"] or 0,
        float(pm.sum()) if pm.len() else None,
        pm.len(),
        res["pm25"],
        o3_values,
        res["composite_index"],
        last_year,
        short,
    )
    zh, en = calc_targets.verdict(statuses)
    return {
        "city": t.city,
        "year": year,
        "as_of": as_of.isoformat(),
        "targets": [asdict(s) for s in statuses],
        "verdict_zh": zh,
        "verdict_en": en,
        "data_sufficient": short is None,
    }


# -- warnings ---------------------------------------------------------------------------------------------


def warnings_from_file(path: str | Path, options: Options = DEFAULT) -> pl.DataFrame:
    """Warning levels from a forecast CSV ``city,date,aqi`` (spec §8)."""
    return calc_warn.episodes(read_forecast(path), options)


def read_forecast(path: str | Path) -> pl.DataFrame:
    """A daily AQI forecast CSV ``city,date,aqi``, checked: every row a date and an integer AQI."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such forecast file")
    frame = _read_small_csv(p, "预报文件", "city,date,aqi")
    missing = {CITY, DATE, "aqi"} - set(frame.columns)
    if missing:
        raise InputError(
            f"{p}: a forecast needs the columns city,date,aqi (missing {', '.join(sorted(missing))})"
        )
    parsed = frame.select(
        pl.col(CITY).str.strip_chars(),
        pl.col(DATE).str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("aqi").str.strip_chars().cast(pl.Int64, strict=False),
    )
    for column, form in ((DATE, "YYYY-MM-DD（如 2026-03-05）"), ("aqi", "整数（如 160）")):
        if parsed[column].is_null().any():
            bad = _first_bad(frame, column, parsed[column])
            shown = "空值" if bad is None else repr(bad)
            raise InputError(f"预报文件 {p}：{column} {shown} 无法识别；{column} 须为 {form}，每行都要填写")
    return parsed
