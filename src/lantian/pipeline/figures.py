"""The figures every surface shows, computed once.

Each function returns a typed result with one JSON form (``to_dict()``, through
:func:`lantian.jsonable.to_jsonable`): ``lantian … --json``, the REST API, the dashboard's JSON twins
and the reports' embedded data print exactly that form, so a number shown in two places is the same
number by construction. The interfaces only render these results.

==================  ===============================  ==================================================
Result              Function                         Shown by
==================  ===============================  ==================================================
:class:`CityHour`   :func:`city_hour`                dashboard "today", ``lantian aqi now``, API hourly
:class:`DailyTable` :func:`daily_table`              ``lantian daily``, API daily, daily bulletin
:class:`Assessment` :func:`assessment`               ``lantian assess``, API assessment, reports
:class:`Ranking`    :func:`ranking`                  ``lantian rank``, API rankings, reports, dashboard
:class:`TargetsNow` :func:`targets_now`              ``lantian targets``, API targets, dashboard, reports
:class:`Warnings`   :func:`warnings`                 ``lantian warn``, API warnings, dashboard
:class:`YearPanel`  :func:`year_panel`               dashboard "this year"
==================  ===============================  ==================================================

:class:`DistrictAssessment` (:func:`district_assessment`): the districts of a city, shown in the district
scores of the monthly assessment notice (``lantian report monthly``, ``quarterly``).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from lantian.calc import assessment as calc_assess
from lantian.calc.aqi import aqi_frame
from lantian.calc.averaging import city_hourly
from lantian.calc.rounding import round_decimal, round_pollutant
from lantian.calc.targets import STATUS_NAMES, TARGET_NAMES, target_name  # noqa: F401  (names for the interfaces)
from lantian.errors import NotFound
from lantian.io.dataset import Dataset
from lantian.io.stations import evaluation_stations
from lantian.jsonable import to_jsonable
from lantian.periods import Period, parse_period
from lantian.pipeline import assessment as pa
from lantian.pipeline import station_days
from lantian.pipeline.store import existing_store, store_state  # noqa: F401  (re-exported)
from lantian.schema import (
    CITY,
    DATE,
    DECIMALS,
    POLLUTANTS,
    STATION,
    TIME,
    city_key,
    city_key_expr,
    natural_day,
)
from lantian.standards import DEFAULT, Options, hj663, level_info

_HOURLY_INPUTS = (*POLLUTANTS, "o3_8h")


# -- published numbers ------------------------------------------------------------------------------------


def _exact(value):
    """A float as the decimal it stands for: results are exact to 10⁻⁹ (:mod:`lantian.calc.rounding`), the
    last binary digits of a float mean vary with the order of summation."""
    return round(value, 9) if isinstance(value, float) else value


def published(value, decimals: int) -> Decimal | None:
    """A value at its published precision by GB/T 8170 (a float is taken as the decimal it stands for)."""
    return None if value is None else round_decimal(_exact(value), decimals)


def published_text(value, decimals: int, sign: bool = False, percent: bool = False, dash: str = "—") -> str:
    """Display text of a value at its published precision, e.g. CO P95 2.45 → ``2.4`` (GB/T 8170)."""
    if value is None:
        return dash
    text = f"{published(value, decimals):.{decimals}f}"
    if sign and Decimal(text) > 0:
        text = "+" + text
    return text + ("%" if percent else "")


def item_decimals(item: str) -> int:
    """Published decimals of an assessment item or pollutant (HJ 663 §5; HJ 633—2026 §4.2.2)."""
    if item in hj663.ITEM_DECIMALS:
        return hj663.ITEM_DECIMALS[item]
    return DECIMALS.get(item, 0)


def level_texts(level: int | None, regime: str | None) -> dict[str, dict]:
    """What is shown of an AQI level, in Chinese and English, from the edition in force for the value
    (:func:`lantian.standards.level_info`); empty without a level."""
    if not level or not regime:
        return {}
    return {lang: level_info(level, regime, lang) for lang in ("zh", "en")}


class _Result:
    def to_dict(self) -> dict:
        return to_jsonable({k: getattr(self, k) for k in self.__dataclass_fields__ if not k.startswith("_")})


# -- the store ------------------------------------------------------------------------------------------


def city_codes(ds: Dataset, city: str) -> list[str]:
    return pa.city_stations(ds, city)[STATION].to_list()


def busiest_city(ds: Dataset) -> str | None:
    """The city with the most stations reporting in the newest hour of the store."""
    reg = ds.stations()
    lf = ds.scan_hourly()
    last = lf.select(pl.col(TIME).max()).collect().item()
    if last is None or reg.is_empty():
        return None
    codes = lf.filter(pl.col(TIME) == last).select(STATION).unique().collect()
    counts = reg.join(codes, on=STATION).group_by(CITY).len().sort(["len", CITY], descending=[True, False])
    return counts[CITY][0] if len(counts) else None


def days_per_year(ds: Dataset, city: str) -> dict[int, int]:
    """Days with data per year for the city (city daily rows, station daily values and station hours)."""
    out: dict[int, int] = {}
    daily = ds.scan_daily(cities=[city]).filter(pl.col(STATION).is_null())
    per_year = daily.group_by(pl.col(DATE).dt.year().alias("y")).agg(pl.col(DATE).n_unique().alias("n"))
    for y, n in per_year.collect().iter_rows():
        out[int(y)] = int(n)
    rows, _ = pa.station_daily_rows(ds, city)
    per_year = rows.group_by(pl.col(DATE).dt.year().alias("y")).agg(pl.col(DATE).n_unique().alias("n"))
    for y, n in per_year.collect().iter_rows():
        out[int(y)] = max(out.get(int(y), 0), int(n))
    codes = city_codes(ds, city)
    if codes:
        days = ds.scan_hourly(stations=codes).select((pl.col(TIME) - pl.duration(hours=1)).dt.date().alias("d"))
        for y, n in days.unique().collect().group_by(pl.col("d").dt.year()).len().iter_rows():
            out[int(y)] = max(out.get(int(y), 0), int(n))
    return dict(sorted(out.items()))


def last_day(ds: Dataset, station: str | None = None, city: str | None = None) -> dt.date | None:
    """Last natural day with data of a station or a city (a ``ytd`` ends there)."""
    if station:
        t = ds.scan_hourly(stations=[station]).select(pl.col(TIME).max()).collect().item()
        return natural_day(t) if t else None
    return pa.last_day(ds, city) if city else None


def station_registry(ds: Dataset, city: str | None = None) -> pl.DataFrame:
    reg = ds.stations()
    if city:
        reg = reg.filter(city_key_expr(CITY) == city_key(city))
    return reg.sort(STATION)


# -- the hour ---------------------------------------------------------------------------------------------


def graded_hours(ds: Dataset, city: str) -> pl.DataFrame:
    """Hourly AQI of the city (``entity`` = ``"city"``: mean of its evaluation stations, standards §3.4)
    and of each of its stations (``entity`` = station code), concentrations as measured."""
    reg = ds.stations()
    codes = city_codes(ds, city)
    frame = ds.scan_hourly(stations=codes).collect() if codes else pl.DataFrame()
    if frame.is_empty():
        return pl.DataFrame()
    present = [c for c in _HOURLY_INPUTS if c in frame.columns]
    city_rows = (
        city_hourly(frame, reg)
        .collect()
        .drop(CITY)
        .with_columns(entity=pl.lit("city"), n_stations=pl.max_horizontal(pl.col("^n_stations_.*$")))
        .select(pl.exclude("^n_stations_.*$"))
    )
    station_rows = frame.select(TIME, *present).with_columns(entity=frame[STATION], n_stations=pl.lit(1, pl.Int32))
    city_rows = city_rows.with_columns(
        [pl.lit(None, pl.Float64).alias(c) for c in present if c not in city_rows.columns]
    )
    both = pl.concat([city_rows, station_rows.select(city_rows.columns)], how="vertical_relaxed")
    return aqi_frame(both, kind="hourly", time_col=TIME).sort("entity", TIME)


def _number(value: Decimal | None) -> int | float | None:
    """A published decimal as a JSON number: a whole number without decimals, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)


def _concentrations(row: dict) -> dict:
    """Concentrations at their published precision (integers, CO 1 decimal; GB/T 8170)."""
    return {p: _number(published(row.get(p), DECIMALS[p])) for p in POLLUTANTS}


def _hour_value(row: dict) -> dict:
    return {
        "time": row[TIME],
        "aqi": row.get("aqi"),
        "level": row.get("level"),
        "category": row.get("category"),
        "colour": row.get("colour"),
        "primary_pollutants": row.get("primary_pollutants"),
        "regime": row.get("regime"),
        "n_stations": int(row.get("n_stations") or 0),
        **_concentrations(row),
    }


@dataclass(frozen=True)
class CityHour(_Result):
    """The newest hour of a city: its AQI (mean of the evaluation stations), each station, the last 24 h."""

    city: str
    time: dt.datetime
    value: dict  # the city's hour: aqi, level, category, colour, primary, regime, concentrations
    texts: dict  # {"zh": …, "en": …}: the level of the edition in force (HJ 633—2012 Table 2 / —2026 Table 1)
    stations: list[dict]
    last24: list[dict]


def city_hour(ds: Dataset, city: str, graded: pl.DataFrame | None = None) -> CityHour | None:
    """The city's newest hour (``None`` without hourly data). ``graded``: :func:`graded_hours`, if at hand."""
    graded = graded_hours(ds, city) if graded is None else graded
    if graded.is_empty():
        return None
    reg = ds.stations()
    city_rows = graded.filter(pl.col("entity") == "city")
    last = city_rows[TIME].max() if len(city_rows) else graded[TIME].max()
    window = city_rows.filter(pl.col(TIME) > last - dt.timedelta(hours=24))
    now_rows = window.filter(pl.col(TIME) == last)
    now = _hour_value(now_rows.row(0, named=True)) if len(now_rows) else {"time": last}
    evaluation = set(evaluation_stations(reg, city, natural_day(last)))
    info = reg.select(STATION, "name", "longitude", "latitude", "is_control", "district")
    at_last = graded.filter((pl.col("entity") != "city") & (pl.col(TIME) == last)).rename({"entity": STATION})
    stations = []
    for r in at_last.join(info, on=STATION, how="left").sort(STATION).iter_rows(named=True):
        stations.append(
            {
                "code": r[STATION],
                "name": r.get("name") or r[STATION],
                "district": r.get("district"),
                "longitude": r.get("longitude"),
                "latitude": r.get("latitude"),
                "is_control": bool(r.get("is_control")),
                "evaluation": r[STATION] in evaluation,
                **_hour_value(r),
            }
        )
    return CityHour(
        city=city_key(city),
        time=last,
        value=now,
        texts=level_texts(now.get("level"), now.get("regime")),
        stations=stations,
        last24=[_hour_value(r) for r in window.iter_rows(named=True)],
    )


def hourly_rows(
    ds: Dataset, station: str | None, city: str | None, start: dt.datetime | None, end: dt.datetime | None
) -> list[dict]:
    """Hourly AQI of one station, or of the city (mean of its evaluation stations), newest first."""
    if station:
        match = ds.stations().filter(pl.col(STATION) == station)
        if match.is_empty():
            raise NotFound(f"没有编码为 {station!r} 的站点；站点列表见 GET /api/v1/stations")
        graded = graded_hours(ds, match[CITY][0])
        if len(graded):
            graded = graded.filter(pl.col("entity") == station).rename({"entity": STATION})
        keep = [STATION, TIME]
    else:
        if not city or not city_codes(ds, city):
            raise NotFound(f"城市 {city!r} 没有登记的站点；站点列表见 GET /api/v1/stations")
        graded = graded_hours(ds, city)
        if len(graded):
            graded = graded.filter(pl.col("entity") == "city").with_columns(pl.lit(city_key(city)).alias(CITY))
        keep = [CITY, TIME, "n_stations"]
    if graded.is_empty():
        return []
    if start is not None:
        graded = graded.filter(pl.col(TIME) >= start.replace(tzinfo=None))
    if end is not None:
        graded = graded.filter(pl.col(TIME) <= end.replace(tzinfo=None))
    published_cols = [round_pollutant(pl.col(p), p).alias(p) for p in POLLUTANTS if p in graded.columns]
    cols = [*keep, *[c for c in POLLUTANTS if c in graded.columns], "aqi", "level", "category",
            "primary_pollutants", "regime"]
    return to_jsonable(graded.with_columns(published_cols).select(cols).sort(TIME, descending=True).to_dicts())


# -- days and periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyTable(_Result):
    """Daily values at published precision, IAQIs, AQI, category, primary pollutant, valid counts."""

    subject: str
    source: str
    rule: str
    rows: list[dict]
    _frame: pl.DataFrame = field(repr=False, compare=False)

    def frame(self) -> pl.DataFrame:
        return self._frame


def daily_table(
    ds: Dataset,
    start: dt.date,
    end: dt.date,
    station: str | None = None,
    city: str | None = None,
    options: Options = DEFAULT,
    engine: str = "local",
    columns: list[str] | None = None,
) -> DailyTable:
    frame, source = pa.daily_report(ds, start, end, station, city, options, engine)
    rule = (
        "GB 3095 Table 4 (≥20 h; 8-h ≥6 of 8; MDA8 windows 08–24, "
        f"≥{options.mda8_min_windows} of 17 or exceedance); HJ 633 edition per day"
    )
    cols = columns or frame.columns
    return DailyTable(
        subject=station or city_key(city),
        source=source,
        rule=rule,
        rows=to_jsonable(frame.select([c for c in cols if c in frame.columns]).to_dicts()),
        _frame=frame,
    )


#: What an invalid statistic shows instead of a verdict (GB 3095 Table 4; switch ``coverage_min_pct``).
INSUFFICIENT_ZH, INSUFFICIENT_EN = "数据不足", "insufficient data"


@dataclass(frozen=True)
class Assessment(_Result):
    """HJ 663 assessment of one city for one period (compared with the same period last year).

    ``source``: where the city daily values came from (:func:`lantian.pipeline.assessment.city_daily`;
    several sources are named with their days), ``sources``: days per source. ``insufficient``: when a
    figure lacks the data-validity minimum, ``{"zh": …, "en": …}`` saying what is missing (the period is
    数据不足: its ``valid_<item>`` flags are false and it gives no attainment); ``None`` otherwise."""

    city: str
    period: str
    start: dt.date
    end: dt.date
    source: str
    result: dict
    previous: dict | None = None
    sources: dict[str, int] = field(default_factory=dict)
    insufficient: dict[str, str] | None = None
    _period: Period | None = field(default=None, repr=False, compare=False)
    _daily: pl.LazyFrame | None = field(default=None, repr=False, compare=False)
    _previous_daily: pl.LazyFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        out = super().to_dict()
        if out["previous"] is None:
            out.pop("previous")
        return out

    @property
    def period_obj(self) -> Period:
        return self._period

    @property
    def daily(self) -> pl.LazyFrame | None:
        return self._daily


def assessment(
    ds: Dataset,
    city: str,
    period: str,
    compare: bool = False,
    dust_file: str | Path | None = None,
    options: Options = DEFAULT,
    engine: str = "local",
) -> Assessment:
    res = pa.assess_city(ds, city, period, compare, dust_file, options, engine)
    p = res["period"]
    row = to_jsonable(res["result"].row(0, named=True)) if len(res["result"]) else {}
    prev = res["previous"]
    previous = to_jsonable(prev.row(0, named=True)) if prev is not None and len(prev) else None
    daily = res["daily"]
    sources = (
        dict(daily.group_by("source").len().sort("source").collect().iter_rows())
        if "source" in daily.collect_schema().names()
        else {}
    )
    short = pa.insufficiency(row, options) if row else None
    return Assessment(
        city=row.get(CITY) or city_key(city),
        period=p.label,
        start=p.start,
        end=p.end,
        source=res["source"],
        result=row,
        previous=previous,
        sources=sources,
        insufficient={"zh": short[0], "en": short[1]} if short else None,
        _period=p,
        _daily=res["daily"],
        _previous_daily=res["previous_daily"],
    )


RANK_COLUMNS = (
    "rank",
    CITY,
    "composite_index",
    "composite_index_last_year",
    "index_change_pct",
    "pm25",
    "pm25_last_year",
    "pm25_change_pct",
    "good_rate",
    "index_primary",
    "deterioration_rank",
    "excluded",
    "insufficient",
    "valid_days",
)


@dataclass(frozen=True)
class Ranking(_Result):
    """A group's cities ranked for a period (competition ranking with ties, spec §6.2)."""

    group: str
    period: str
    by: str
    rows: list[dict]
    not_assessed: dict[str, str]


def ranking(
    ds: Dataset,
    group: str,
    period: str,
    by: str = "index",
    groups_file: str | Path | None = None,
    dust_file: str | Path | None = None,
    options: Options = DEFAULT,
) -> Ranking:
    table, p, problems = pa.rank_group(ds, group, period, by, groups_file, dust_file, options)
    cols = [c for c in RANK_COLUMNS if c in table.columns]
    return Ranking(group=group, period=p.label, by=by, rows=to_jsonable(table.select(cols).to_dicts()),
                   not_assessed=problems)


@dataclass(frozen=True)
class TargetsNow(_Result):
    """Year-to-date status of a city's targets (as of the last day with data in the year)."""

    city: str
    year: int
    as_of: dt.date
    targets: list[dict]
    verdict_zh: str
    verdict_en: str
    #: False when the year to date lacks the data-validity minimum: every target is 数据不足
    data_sufficient: bool = True


def targets_now(
    ds: Dataset, city: str, year: int, targets_file: str | Path, options: Options = DEFAULT
) -> TargetsNow:
    res = pa.targets_status(ds, city, year, targets_file, options)
    return TargetsNow(
        city=res["city"],
        year=res["year"],
        as_of=dt.date.fromisoformat(res["as_of"]),
        targets=to_jsonable(res["targets"]),
        verdict_zh=res["verdict_zh"],
        verdict_en=res["verdict_en"],
        data_sufficient=res["data_sufficient"],
    )


@dataclass(frozen=True)
class Warnings(_Result):
    """Heavy-pollution warning episodes of a forecast file (spec §8): level per city and episode."""

    file: str
    rows: list[dict]


def warnings(forecast_file: str | Path, city: str | None = None, options: Options = DEFAULT) -> Warnings:
    """Warning episodes from a forecast file, of one city when ``city`` is given."""
    frame = pa.warnings_from_file(forecast_file, options)
    if city:
        frame = frame.filter(city_key_expr(CITY) == city_key(city))
    return Warnings(file=Path(forecast_file).name, rows=to_jsonable(frame.to_dicts()))


# -- the year panel ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearPanel(_Result):
    """A city's year: its assessment (the year, or year to date), rank in its group, calendar of daily
    levels, cumulative good days against last year, targets and warnings."""

    city: str
    year: int
    assessment: Assessment
    ranking: list[dict]
    group: str | None
    calendar: list[tuple[dt.date, int | None]]
    monthly_good: dict[str, list[int | None]]
    targets: TargetsNow | None
    warnings: Warnings | None


def year_period(ds: Dataset, city: str, year: int) -> Period | None:
    """The whole year when its data are complete to 31 December, else the year to date."""
    last = pa.last_day(ds, city)
    if last is None or last < dt.date(year, 1, 1):
        return None
    as_of = min(last, dt.date(year, 12, 31))
    return parse_period(str(year)) if as_of == dt.date(year, 12, 31) else Period.ytd(as_of)


def year_panel(
    ds: Dataset,
    city: str,
    year: int,
    group: str | None = None,
    groups_file: str | Path | None = None,
    targets_file: str | Path | None = None,
    forecast_file: str | Path | None = None,
    options: Options = DEFAULT,
) -> YearPanel | None:
    period = year_period(ds, city, year)
    if period is None:
        return None
    me_key = city_key(city)
    try:
        mine = assessment(ds, city, period.label if period.kind != "ytd" else "ytd", True, None, options)
    except NotFound:
        return None
    rows: list[dict] = []
    if group:
        try:
            members = pa.group_members(ds, group, groups_file)
        except NotFound:
            members = []
        if members:
            try:
                # the members over the city's own days (a ytd ends on the city's last day)
                span = str(year) if period.kind == "year" else f"{period.start}..{period.end}"
                rows = ranking(ds, group, span, "index", groups_file, None, options).rows
            except NotFound:
                rows = []
    # this year's days and, when the store has them, the same days last year (assessed with compare)
    both = [mine.daily.collect().with_columns(_this=pl.lit(True))]
    if mine._previous_daily is not None:
        both.append(mine._previous_daily.collect().with_columns(_this=pl.lit(False)))
    days = calc_assess.daily_aqi(pl.concat(both, how="diagonal_relaxed"), options).collect().sort(DATE)
    this_days = days.filter(pl.col("_this"))
    targets = None
    if targets_file:
        try:
            targets = targets_now(ds, city, year, targets_file, options)
        except NotFound:
            targets = None
    return YearPanel(
        city=me_key,
        year=year,
        assessment=mine,
        ranking=rows,
        group=group,
        calendar=list(this_days.select(DATE, "level").iter_rows()),
        monthly_good=_monthly_good(days),
        targets=targets,
        warnings=warnings(forecast_file, city, options) if forecast_file else None,
    )


def _monthly_good(days: pl.DataFrame) -> dict[str, list[int | None]]:
    """Cumulative good days (valid days with AQI ≤ 100, HJ 663 §10) at the end of each month, this year
    and the same period last year."""
    good = (pl.col("valid_day") & (pl.col("aqi") <= hj663.GOOD_DAY_MAX_AQI)).cast(pl.Int32)
    out = {}
    for flag, key in ((True, "this"), (False, "last")):
        part = days.filter(pl.col("_this") == flag)
        counts = dict(part.group_by(pl.col(DATE).dt.month().alias("m")).agg(good.sum().alias("g")).iter_rows())
        last_month = max(counts) if counts else 0
        total, series = 0, []
        for m in range(1, 13):
            if m <= last_month:
                total += counts.get(m, 0)
                series.append(total)
            else:
                series.append(None)
        out[key] = series
    return out


# -- a period report's figures ----------------------------------------------------------------------------

_TREND_ITEMS = ("pm25", "composite_index", "good_rate")


@dataclass(frozen=True)
class PeriodReport(_Result):
    """Everything a period report (weekly … annual) shows of the air: the assessment compared with last
    year, the daily levels, the monthly trend (quarter, year), the group ranking and the targets."""

    assessment: Assessment
    daily: list[dict]
    primary_days: dict[str, int]
    monthly: dict[str, dict[str, dict]] | None
    ranking: Ranking | None
    targets: TargetsNow | None


def primary_days(days: list[dict]) -> dict[str, int]:
    """Days on which each pollutant was (one of) the primary pollutant(s) (HJ 633 §5.3)."""
    out: dict[str, int] = {}
    for d in days:
        for code in (d.get("primary_pollutants") or "").split(","):
            if code:
                out[code] = out.get(code, 0) + 1
    return out


def _city_daily_or_none(ds: Dataset, city: str, period: Period, options: Options) -> pl.DataFrame | None:
    try:
        daily, _ = pa.city_daily(ds, city, period.start, period.end, options)
    except NotFound:
        return None
    return daily.collect()


def monthly_trend(ds: Dataset, city: str, period: Period, options: Options = DEFAULT) -> dict[str, dict]:
    """PM2.5, composite index and good-day rate of each month of the period and of the same month last
    year (``{"this_year": {"2016-01": {...}}, "last_year": {"2015-01": {...}}}``); months without data are
    left out.

    Each month's figures are those of ``lantian assess --period YYYY-MM --compare``: the city daily
    values (one per natural day, whatever the range read) are read once for the period and once for the
    same period last year, and each month is assessed on its days."""
    this_year: dict[str, dict] = {}
    last_year: dict[str, dict] = {}
    current = _city_daily_or_none(ds, city, period, options)
    if current is None:
        return {"this_year": this_year, "last_year": last_year}
    previous = _city_daily_or_none(ds, city, period.same_period_last_year(), options)

    def figures(daily: pl.DataFrame | None, month: Period) -> dict | None:
        days = None if daily is None else daily.filter(pl.col(DATE).is_between(month.start, month.end))
        if days is None or days.is_empty():  # a month without data has no point on the trend
            return None
        result = calc_assess.assess(days, month, CITY, options)
        row = to_jsonable(result.row(0, named=True)) if len(result) else {}
        return {k: row.get(k) for k in _TREND_ITEMS}

    # the months are independent: two at a time (Polars runs each query outside the GIL)
    with ThreadPoolExecutor(max_workers=2) as pool:
        months = period.months()
        for month, this in zip(months, pool.map(lambda m: figures(current, m), months), strict=True):
            if this is not None:
                this_year[month.label] = this
        befores = [m.same_period_last_year() for m in months if m.label in this_year]
        for before, that in zip(befores, pool.map(lambda m: figures(previous, m), befores), strict=True):
            if that is not None:
                last_year[before.label] = that
    return {"this_year": this_year, "last_year": last_year}


def period_report(
    ds: Dataset,
    city: str,
    period: str,
    monthly: bool = False,
    group: str | None = None,
    groups_file: str | Path | None = None,
    targets_file: str | Path | None = None,
    targets_year: int | None = None,
    options: Options = DEFAULT,
) -> PeriodReport:
    mine = assessment(ds, city, period, True, None, options)
    p = mine.period_obj
    table = daily_table(ds, p.start, p.end, city=city, options=options,
                        columns=[DATE, "aqi", "level", "category", "primary_pollutants"])
    return PeriodReport(
        assessment=mine,
        daily=table.rows,
        primary_days=primary_days(table.rows),
        monthly=monthly_trend(ds, city, p, options) if monthly else None,
        ranking=ranking(ds, group, period, "index", groups_file, None, options) if group else None,
        targets=targets_now(ds, city, targets_year, targets_file, options) if targets_file and targets_year else None,
    )


def city_stations_daily(ds: Dataset, city: str, day: dt.date, options: Options = DEFAULT) -> list[dict]:
    """The day's rows of each of the city's stations (as ``lantian daily --station``), with their names;
    a station without hours that day is left out."""
    reg = pa.city_stations(ds, city)
    names = dict(zip(reg[STATION].to_list(), reg["name"].to_list(), strict=True)) if "name" in reg.columns else {}
    out = []
    for code in reg[STATION].to_list():
        try:
            table = daily_table(ds, day, day, station=code, options=options)
        except NotFound:
            continue
        out += [{**r, STATION: code, "name": names.get(code) or code} for r in table.rows]
    return out


# -- the districts of a city ------------------------------------------------------------------------------

DISTRICT_COLUMNS = (
    "composite_index",
    "composite_index_last_year",
    "index_change_pct",
    "index_primary",
    "index_valid",
    "pm25",
    "good_rate",
    "valid_days",
)


@dataclass(frozen=True)
class DistrictAssessment(_Result):
    """HJ 663 assessment of each district/county (区县) of a city for one period, compared with the same
    period last year: the district's daily values are the mean of its evaluation stations' daily values
    (the city rule of standards §3.4 applied to the stations of the district), then the same calc code
    as for a city. ``districts``: one row per district of the registry with a station of the city (the
    figures are ``None`` when its stations have no data in the period); ``stations``: the evaluation
    stations of each district."""

    city: str
    period: str
    start: dt.date
    end: dt.date
    districts: list[dict]
    stations: dict[str, list[str]]

    def row(self, district: str) -> dict | None:
        """The row of ``district`` (``None``: the registry has no station of the city there)."""
        return next((r for r in self.districts if r["district"] == district), None)


def _district_rows(ds: Dataset, reg: pl.DataFrame, period: Period, options: Options) -> pl.DataFrame | None:
    hourly = ds.scan_hourly(stations=reg[STATION].to_list(), start=period.start, end=period.end)
    if hourly.select(pl.len()).collect().item() == 0:
        return None
    # each district stands in for a city: its stations' daily values are averaged as a city's are
    as_cities = reg.with_columns(pl.col("district").alias(CITY))
    daily = station_days.city_values(ds, as_cities, period.start, period.end, options)
    return calc_assess.assess(daily, period, CITY, options)


def district_assessment(ds: Dataset, city: str, period: str, options: Options = DEFAULT) -> DistrictAssessment:
    """Composite index, its change against the same period last year and the main figures of every
    district of ``city`` whose stations carry a district (区县) in the station registry."""
    p = parse_period(period)
    reg = pa.city_stations(ds, city).filter(pl.col("district").is_not_null() & (pl.col("district") != ""))
    # the stations that count: not control points, valid on some day of the period (standards §3.4)
    counted = reg.filter(
        ~pl.col("is_control").fill_null(False)
        & (pl.col("valid_from").is_null() | (pl.col("valid_from") <= p.end))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= p.start))
    )
    stations = {
        d: sorted(codes)
        for d, codes in counted.group_by("district").agg(pl.col(STATION)).sort("district").iter_rows()
    }
    rows: dict[str, dict] = {d: {"district": d, "stations": len(c)} for d, c in stations.items()}
    for d in rows:
        rows[d].update({k: None for k in DISTRICT_COLUMNS})
    if stations:
        current = _district_rows(ds, counted, p, options)
        if current is not None:
            previous = _district_rows(ds, counted, p.same_period_last_year(), options)
            if previous is not None:
                current = calc_assess.compare(current, previous)
            for r in to_jsonable(current.to_dicts()):
                if r[CITY] in rows:
                    rows[r[CITY]].update({k: r.get(k) for k in DISTRICT_COLUMNS})
    return DistrictAssessment(
        city=city_key(city),
        period=p.label,
        start=p.start,
        end=p.end,
        districts=[rows[d] for d in sorted(rows)],
        stations=stations,
    )
