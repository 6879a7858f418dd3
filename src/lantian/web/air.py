"""Air-quality figures for the dashboard and the API, from the Parquet store through the pipeline.

The office's city is ``[web] city`` in ``lantian.toml`` or ``LANTIAN_CITY``; without either, the city
with the most stations reporting in the newest hour of the store. Hour labels end the hour (Beijing
time, :mod:`lantian.schema`); the city's hourly value is graded from the mean of its evaluation
stations (control points and stations out of their validity period excluded, standards §3.4).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from dataclasses import asdict
from pathlib import Path

import polars as pl

from lantian.calc import assessment as calc_assess
from lantian.calc import ranking as calc_rank
from lantian.calc import targets as calc_targets
from lantian.calc.aqi import aqi_frame
from lantian.calc.averaging import city_hourly
from lantian.calc.periods import Period, parse_period
from lantian.calc.rounding import round_pollutant
from lantian.config import Settings
from lantian.errors import InputError, NotFound
from lantian.io.dataset import Dataset
from lantian.io.stations import city_key, evaluation_stations
from lantian.pipeline import assessment as pa
from lantian.schema import (
    CATEGORIES_EN,
    CITY,
    DATE,
    NAMES_EN,
    NAMES_ZH,
    POLLUTANTS,
    STATION,
    TIME,
    natural_day,
    natural_day_expr,
)
from lantian.standards import get as get_regime
from lantian.standards import hj663
from lantian.web import charts

_HOURLY_INPUTS = (*POLLUTANTS, "o3_8h")


def primary_label(codes: str | None, lang: str) -> str:
    """Display names of comma-joined pollutant codes ('' when none)."""
    names = NAMES_EN if lang == "en" else NAMES_ZH
    return "、".join(names.get(c, c) for c in (codes or "").split(",") if c)


def _category(level: int | None, lang: str) -> str | None:
    if level is None:
        return None
    return CATEGORIES_EN[level - 1] if lang == "en" else get_regime("2012").aqi.levels[level - 1].category_zh


def _round(value, decimals: int = 0):
    if value is None:
        return None
    return round(float(value), decimals) if decimals else int(round(float(value)))


class AirData:
    """Reads the store named by the settings; every call sees the store as it is now."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        web = (settings.extra or {}).get("web", {}) or {}
        self.configured_city = os.environ.get("LANTIAN_CITY") or web.get("city") or None
        self._key = (
            str(Path(settings.store).resolve()),
            self.configured_city,
            tuple(sorted((k, str(v)) for k, v in web.items())),
        )

    def __eq__(self, other) -> bool:  # equal settings share the caches
        return isinstance(other, AirData) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    # -- plumbing -------------------------------------------------------------------------------

    def dataset(self) -> Dataset | None:
        path = Path(self.settings.store)
        return Dataset(path) if path.is_dir() else None

    def _registry(self, ds: Dataset) -> pl.DataFrame:
        return ds.stations()

    def city(self, ds: Dataset | None = None) -> str | None:
        """The office's city (see the module docstring)."""
        if self.configured_city:
            return self.configured_city
        ds = ds or self.dataset()
        if ds is None:
            return None
        reg = self._registry(ds)
        lf = ds.scan_hourly()
        last = lf.select(pl.col(TIME).max()).collect().item()
        if last is None or reg.is_empty():
            return None
        codes = lf.filter(pl.col(TIME) == last).select(STATION).unique().collect()
        counts = (
            reg.join(codes, on=STATION).group_by("city").len().sort(["len", "city"], descending=[True, False])
        )
        return counts["city"][0] if len(counts) else None

    def _city_codes(self, reg: pl.DataFrame, city: str) -> list[str]:
        key = city_key(city)
        return reg.filter(pl.col("city").str.strip_chars().str.strip_suffix("市") == key)[STATION].to_list()

    # -- graded hourly series (cached per state of the store) ------------------------------------

    def fingerprint(self) -> tuple:
        """Changes whenever an ingest or a registry edit changes the store."""
        root = Path(self.settings.store)
        out = []
        for name in ("ingest_log.parquet", "stations.parquet"):
            f = root / name
            out.append((f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else None)
        return (str(root), *out)

    def graded_city(self, city: str) -> pl.DataFrame:
        """Hourly AQI of the city (``entity`` = ``"city"``) and of each of its stations (``entity`` = code)."""
        return _graded_city(self, self.fingerprint(), city_key(city))

    def _grade_city(self, city: str) -> pl.DataFrame:
        ds = self.dataset()
        reg = self._registry(ds)
        codes = self._city_codes(reg, city)
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
        station_rows = frame.select(TIME, *present).with_columns(
            entity=frame[STATION], n_stations=pl.lit(1, pl.Int32)
        )
        city_rows = city_rows.with_columns(
            [pl.lit(None, pl.Float64).alias(c) for c in present if c not in city_rows.columns]
        )
        both = pl.concat([city_rows, station_rows.select(city_rows.columns)], how="vertical_relaxed")
        return aqi_frame(both, kind="hourly", time_col=TIME).sort("entity", TIME)

    # -- today ----------------------------------------------------------------------------------

    def today(self, lang: str) -> dict:
        """City AQI of the newest hour with its level colour and primary pollutant; stations; last 24 h."""
        ds = self.dataset()
        city = self.city(ds) if ds else self.configured_city
        empty = {"has_data": False, "city": city or "—", "stations": [], "last24": []}
        if ds is None or not city:
            return empty
        graded = self.graded_city(city)
        if graded.is_empty():
            return empty
        reg = self._registry(ds)
        city_rows = graded.filter(pl.col("entity") == "city")
        last = city_rows[TIME].max() if len(city_rows) else graded[TIME].max()
        window = city_rows.filter(pl.col(TIME) > last - dt.timedelta(hours=24))
        now_rows = window.filter(pl.col(TIME) == last)
        now = now_rows.row(0, named=True) if len(now_rows) else {}
        level = now.get("level")
        lv = get_regime("2012").aqi.levels[level - 1] if level else None
        evaluation = set(evaluation_stations(reg, city, natural_day(last)))
        info = reg.select(STATION, "name", "longitude", "latitude", "is_control", "district")
        at_last = graded.filter((pl.col("entity") != "city") & (pl.col(TIME) == last)).rename(
            {"entity": STATION}
        )
        stations = []
        for r in at_last.join(info, on=STATION, how="left").sort(STATION).iter_rows(named=True):
            stations.append(
                {
                    "code": r[STATION],
                    "name": r.get("name") or r[STATION],
                    "district": r.get("district"),
                    "aqi": r.get("aqi"),
                    "level": r.get("level"),
                    "category_label": _category(r.get("level"), lang),
                    "colour": r.get("colour"),
                    "text_colour": charts.text_colour(r.get("level")),
                    "primary": r.get("primary_pollutants"),
                    "primary_label": primary_label(r.get("primary_pollutants"), lang),
                    "pm25": _round(r.get("pm25")),
                    "pm10": _round(r.get("pm10")),
                    "o3": _round(r.get("o3")),
                    "no2": _round(r.get("no2")),
                    "so2": _round(r.get("so2")),
                    "co": _round(r.get("co"), 1),
                    "longitude": r.get("longitude"),
                    "latitude": r.get("latitude"),
                    "is_control": bool(r.get("is_control")),
                    "evaluation": r[STATION] in evaluation,
                }
            )
        last24 = [
            {
                "time": r[TIME].strftime("%Y-%m-%d %H:%M"),
                "label": r[TIME].strftime("%H:%M"),
                "aqi": r.get("aqi"),
                "level": r.get("level"),
                "pm25": _round(r.get("pm25")),
            }
            for r in window.iter_rows(named=True)
        ]
        return {
            "has_data": True,
            "city": city,
            "time": last.strftime("%Y-%m-%d %H:%M"),
            "aqi": now.get("aqi"),
            "level": level,
            "category": now.get("category"),
            "category_label": _category(level, lang) or "—",
            "colour": now.get("colour") or "#dddddd",
            "text_colour": charts.text_colour(level),
            "primary": now.get("primary_pollutants"),
            "primary_label": primary_label(now.get("primary_pollutants"), lang),
            "regime": now.get("regime"),
            "regime_label": f"HJ 633—{now.get('regime')}" if now.get("regime") else "",
            "health": (lv.health_effect_en if lang == "en" else lv.health_effect_zh) if lv else "",
            "advice": (lv.advice_en if lang == "en" else lv.advice_zh) if lv else "",
            "n_stations": int(now.get("n_stations") or 0),
            "stations": stations,
            "last24": last24,
            "chart_24h": charts.last_24h(last24, lang),
            "chart_map": charts.station_map(stations, lang),
        }

    # -- this year ------------------------------------------------------------------------------

    def option(self, key: str):
        """A ``[web]`` setting of lantian.toml (``city``, ``group``, ``groups_file``, ``targets_file``,
        ``forecast_file``, ``air_quality``)."""
        return ((self.settings.extra or {}).get("web", {}) or {}).get(key)

    def years(self, ds: Dataset, city: str) -> dict[int, int]:
        """Days with data per year for the city (city daily rows and station hours)."""
        out: dict[int, int] = {}
        daily = ds.scan_daily(cities=[city]).filter(pl.col(STATION).is_null())
        per_year = daily.group_by(pl.col(DATE).dt.year().alias("y")).agg(pl.col(DATE).n_unique().alias("n"))
        for y, n in per_year.collect().iter_rows():
            out[int(y)] = int(n)
        codes = self._city_codes(self._registry(ds), city)
        if codes:
            hours = (
                ds.scan_hourly(stations=codes).select(natural_day_expr(TIME).alias("d")).unique().collect()
            )
            for y, n in hours.group_by(pl.col("d").dt.year()).len().iter_rows():
                out[int(y)] = max(out.get(int(y), 0), int(n))
        return dict(sorted(out.items()))

    def year_data(self, city: str, year: int) -> dict:
        """Figures of the year panel (cached per state of the store and configuration)."""
        config = tuple(str(self.option(k)) for k in ("group", "groups_file", "targets_file", "forecast_file"))
        return _year_data(self, self.fingerprint(), config, city_key(city), year)

    def _compute_year(self, city: str, year: int) -> dict:
        ds = self.dataset()
        last = pa.last_day(ds, city)
        if last is None or last < dt.date(year, 1, 1):
            return {"has_data": False}
        as_of = min(last, dt.date(year, 12, 31))
        if as_of == dt.date(year, 12, 31):
            period = parse_period(str(year))
        else:
            period = Period("ytd", dt.date(year, 1, 1), as_of, f"{year}-01-01..{as_of.isoformat()}")
        prev = period.same_period_last_year()
        group = self.option("group")
        members = [city]
        if group:
            try:
                members = pa.group_members(ds, group, self.option("groups_file"))
            except NotFound:
                members = [city]
            if city_key(city) not in members:
                members = [city_key(city), *members]

        def frames(p: Period) -> dict[str, pl.DataFrame]:
            out = {}
            for m in members:
                try:
                    out[m] = pa.city_daily(ds, m, p.start, p.end)[0].collect()
                except NotFound:
                    continue
            return out

        current, previous = frames(period), frames(prev)
        if city_key(city) not in current:
            return {"has_data": False}
        cur = calc_assess.assess(pl.concat(list(current.values()), how="diagonal_relaxed"), period, CITY)
        if previous:
            prv = calc_assess.assess(pl.concat(list(previous.values()), how="diagonal_relaxed"), prev, CITY)
            cur = calc_assess.compare(cur, prv)
        ranked = calc_rank.rank(cur, "index")
        me = ranked.filter(pl.col(CITY) == city_key(city)).row(0, named=True)
        both = [current[city_key(city)].with_columns(_this=pl.lit(True))]
        if city_key(city) in previous:
            both.append(previous[city_key(city)].with_columns(_this=pl.lit(False)))
        days = calc_assess.daily_aqi(pl.concat(both, how="diagonal_relaxed")).collect().sort(DATE)
        this_days = days.filter(pl.col("_this"))
        return {
            "has_data": True,
            "city": city_key(city),
            "year": year,
            "period": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "previous_period": prev.label,
            "result": _clean(me),
            "ranking": [
                _clean(r)
                for r in ranked.select(
                    CITY, "rank", "composite_index", "pm25", "good_rate", "excluded"
                ).iter_rows(named=True)
            ],
            "group": group,
            "calendar": [(d.isoformat(), lv) for d, lv in this_days.select(DATE, "level").iter_rows()],
            "monthly_good": _monthly_good(days),
            "targets": self._targets(city, year, as_of, me, this_days, previous),
            "warnings": self._warnings(city),
        }

    def _targets(
        self, city: str, year: int, as_of: dt.date, me: dict, days: pl.DataFrame, previous
    ) -> dict | None:
        """Target status as :func:`lantian.pipeline.assessment.targets_status` computes it, from the
        figures already assessed above."""
        path = self.option("targets_file")
        if not path:
            return None
        try:
            t = pa.read_targets(path, city, year)
        except NotFound:
            return None
        pm = days["pm25"].drop_nulls()
        o3 = days.select(round_pollutant(pl.col("o3_8h"), "o3")).to_series().drop_nulls().to_list()
        last_year = me.get("composite_index_last_year") if t.composite_max == "last_year" else None
        statuses = calc_targets.evaluate(
            t,
            as_of,
            me["valid_days"] or 0,
            me["good_days"] or 0,
            me["heavy_days"] or 0,
            float(pm.sum()) if pm.len() else None,
            pm.len(),
            me["pm25"],
            o3,
            me["composite_index"],
            last_year,
        )
        zh, en = calc_targets.verdict(statuses)
        return {
            "as_of": as_of.isoformat(),
            "targets": [asdict(st) for st in statuses],
            "verdict_zh": zh,
            "verdict_en": en,
            "file": Path(path).name,
        }

    def _warnings(self, city: str) -> dict | None:
        path = self.option("forecast_file")
        if not path:
            return None
        frame = pa.warnings_from_file(path)
        mine = frame.filter(pl.col(CITY).str.strip_suffix("市") == city_key(city))
        return {"file": Path(path).name, "episodes": [_clean(r) for r in mine.iter_rows(named=True)]}

    def year(self, lang: str, year: int | None = None) -> dict:
        """The "this year" panel: calendar, year-to-date figures against targets, composite index
        composition, trend against last year, rank in the group (province), warnings."""
        ds = self.dataset()
        city = self.city(ds) if ds else self.configured_city
        if ds is None or not city:
            return {"has_data": False, "city": city or "—", "year": year, "years": []}
        years = self.years(ds, city)
        if not years:
            return {"has_data": False, "city": city, "year": year, "years": []}
        if year is None:
            full = [y for y, n in years.items() if n >= 300]
            year = max(full) if full else max(years)
        data = self.year_data(city, year)
        if not data.get("has_data"):
            return {"has_data": False, "city": city, "year": year, "years": list(years)}
        return _format_year(data, lang, city, list(years))

    # -- API figures (the pipeline's functions, as the CLI calls them; cached per store state) --------

    def _need(self) -> Dataset:
        ds = self.dataset()
        if ds is None:
            raise NotFound(
                f"the store {self.settings.store} does not exist yet; ingest data first (lantian ingest)"
            )
        return ds

    def daily(self, station: str | None, city: str | None, start, end) -> list[dict]:
        """Daily values, IAQIs and AQI (:func:`lantian.pipeline.assessment.daily_report`)."""
        ds = self._need()
        if station and city:
            raise InputError("give either station or city, not both")
        city = None if station else (city or self.city(ds))
        if not station and not city:
            raise NotFound("no city to report; give station or city")
        if start is None or end is None:
            last = pa.last_day(ds, city) if city else None
            if station:
                t = ds.scan_hourly(stations=[station]).select(pl.col(TIME).max()).collect().item()
                last = natural_day(t) if t else None
            if last is None:
                raise NotFound(f"no data for {station or city!r} in the store")
            end = end or last
            start = start or end - dt.timedelta(days=30)
        if start > end:
            raise InputError(f"start {start} is after end {end}")
        if (end - start).days > 3660:
            raise InputError("at most ten years of daily values per request; narrow start..end")
        return _cached(self, "daily", station, city, start, end)

    def assessment(self, city: str | None, period: str) -> dict:
        """Assessment of a city for a period, compared with the same period last year."""
        ds = self._need()
        city = city or self.city(ds)
        if not city:
            raise NotFound("no city in the store; give city")
        return _cached(self, "assess", city, period)

    def rankings(self, period: str, by: str) -> dict:
        """Ranking of the configured group (``[web] group``, ``groups_file``)."""
        self._need()
        group = self.option("group")
        if not group:
            raise NotFound("no ranking group configured; set [web] group (and groups_file) in lantian.toml")
        return _cached(self, "rank", group, period, by)

    def targets(self, year: int | None) -> dict:
        """Year-to-date status of the city's targets (``[web] targets_file``)."""
        ds = self._need()
        path = self.option("targets_file")
        if not path:
            raise NotFound("no targets configured; set [web] targets_file in lantian.toml")
        city = self.city(ds)
        if not city:
            raise NotFound("no city in the store")
        if year is None:
            last = pa.last_day(ds, city)
            if last is None:
                raise NotFound(f"no data for {city} in the store")
            year = last.year
        return _cached(self, "targets", city, year, path)

    def warnings(self) -> dict:
        """Warning episodes from the forecast file (``[web] forecast_file``)."""
        path = self.option("forecast_file")
        if not path:
            return {"file": None, "items": []}
        frame = pa.warnings_from_file(path)
        return {"file": Path(path).name, "items": [_clean(r) for r in frame.iter_rows(named=True)]}

    def _compute(self, kind: str, *args) -> dict | list:
        ds = self._need()
        if kind == "daily":
            station, city, start, end = args
            frame, source = pa.daily_report(ds, start, end, station=station, city=city)
            keep = [c for c in frame.columns if not c.startswith(("n_", "o3_8h_by"))]
            return [{**_clean(r), "source": source} for r in frame.select(keep).iter_rows(named=True)]
        if kind == "assess":
            city, period = args
            out = pa.assess_city(ds, city, period, compare=True)
            row = _clean(out["result"].row(0, named=True)) if len(out["result"]) else {}
            return {
                "city": city_key(city),
                "period": out["period"].label,
                "start": out["period"].start.isoformat(),
                "end": out["period"].end.isoformat(),
                "source": out["source"],
                "result": row,
            }
        if kind == "rank":
            group, period, by = args
            frame, p, problems = pa.rank_group(ds, group, period, by, self.option("groups_file"))
            cols = [
                c
                for c in (
                    CITY,
                    "rank",
                    "excluded",
                    "composite_index",
                    "pm25",
                    "good_rate",
                    "index_change_pct",
                    "deterioration_rank",
                    "valid_days",
                )
                if c in frame.columns
            ]
            return {
                "group": group,
                "period": p.label,
                "by": by,
                "problems": problems,
                "items": [_clean(r) for r in frame.select(cols).iter_rows(named=True)],
            }
        if kind == "targets":
            city, year, path = args
            return pa.targets_status(ds, city, year, path)
        raise ValueError(kind)

    # -- API lists ------------------------------------------------------------------------------

    def stations(self, city: str | None = None) -> list[dict]:
        ds = self.dataset()
        if ds is None:
            return []
        reg = self._registry(ds)
        if city:
            reg = reg.filter(pl.col("city").str.strip_chars().str.strip_suffix("市") == city_key(city))
        return _records(reg.sort(STATION))

    def hourly(self, station: str | None, city: str | None, start, end) -> list[dict]:
        """Hourly AQI of one station, or of the city (mean of its evaluation stations)."""
        ds = self.dataset()
        if ds is None:
            return []
        if station and city:
            raise InputError("give either station or city, not both")
        if start and end and start > end:
            raise InputError(f"start {start} is after end {end}")
        reg = self._registry(ds)
        if station:
            match = reg.filter(pl.col(STATION) == station)
            if match.is_empty():
                raise NotFound(f"no station {station!r}; list stations with GET /api/v1/stations")
            graded = self.graded_city(match["city"][0])
            graded = (
                graded.filter(pl.col("entity") == station).rename({"entity": STATION})
                if len(graded)
                else graded
            )
            keep = [STATION, TIME]
        else:
            city = city or self.city(ds)
            if not city or not self._city_codes(reg, city):
                raise NotFound(f"no stations for city {city!r}; list stations with GET /api/v1/stations")
            graded = self.graded_city(city)
            if len(graded):
                graded = graded.filter(pl.col("entity") == "city").with_columns(city=pl.lit(city))
            keep = ["city", TIME, "n_stations"]
        if graded.is_empty():
            return []
        if start is not None:
            graded = graded.filter(pl.col(TIME) >= start.replace(tzinfo=None))
        if end is not None:
            graded = graded.filter(pl.col(TIME) <= end.replace(tzinfo=None))
        cols = [
            *keep,
            *[c for c in POLLUTANTS if c in graded.columns],
            "aqi",
            "level",
            "category",
            "primary_pollutants",
            "regime",
        ]
        return _records(graded.select(cols).sort(TIME, descending=True))


_LOCK = threading.Lock()


@functools.lru_cache(maxsize=16)
def _graded_city_cached(air: AirData, fingerprint: tuple, city: str) -> pl.DataFrame:
    return air._grade_city(city)


def _graded_city(air: AirData, fingerprint: tuple, city: str) -> pl.DataFrame:
    with _LOCK:  # one heavy computation at a time; concurrent callers then share its result
        return _graded_city_cached(air, fingerprint, city)


@functools.lru_cache(maxsize=16)
def _year_data_cached(air: AirData, fingerprint: tuple, config: tuple, city: str, year: int) -> dict:
    return air._compute_year(city, year)


def _year_data(air: AirData, fingerprint: tuple, config: tuple, city: str, year: int) -> dict:
    with _LOCK:
        return _year_data_cached(air, fingerprint, config, city, year)


@functools.lru_cache(maxsize=64)
def _cached_value(air: AirData, fingerprint: tuple, kind: str, args: tuple):
    return air._compute(kind, *args)


def _cached(air: AirData, kind: str, *args):
    with _LOCK:
        return _cached_value(air, air.fingerprint(), kind, args)


def _clean(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if isinstance(v, dt.datetime):
            v = v.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, float) and v != v:
            v = None
        out[k] = v
    return out


def _monthly_good(days: pl.DataFrame) -> dict:
    """Cumulative good days (AQI ≤ 100 on valid days) at the end of each month, this year and last."""
    good = (pl.col("valid_day") & (pl.col("aqi") <= hj663.GOOD_DAY_MAX_AQI)).cast(pl.Int32)
    out = {}
    for flag, key in ((True, "this"), (False, "last")):
        part = days.filter(pl.col("_this") == flag)
        by_month = part.group_by(pl.col(DATE).dt.month().alias("m")).agg(good.sum().alias("g")).sort("m")
        counts = dict(by_month.iter_rows())
        months = sorted(counts)
        total, series = 0, []
        for m in range(1, 13):
            if months and m <= months[-1]:
                total += counts.get(m, 0)
                series.append(total)
            else:
                series.append(None)
        out[key] = series
    return out


_TARGET_NAMES = {
    "good_days": ("优良天数", "Good days"),
    "pm25": ("PM2.5 年均浓度", "PM2.5 annual mean"),
    "heavy_days": ("重污染天数", "Heavy-pollution days"),
    "o3": ("臭氧", "O3"),
    "composite_index": ("综合指数", "Composite index"),
}
_STATUS = {
    "met": ("已实现", "met"),
    "on_track": ("正常", "on track"),
    "at_risk": ("有风险", "at risk"),
    "lost": ("已失守", "lost"),
    "no_data": ("无数据", "no data"),
}


def _format_year(data: dict, lang: str, city: str, years: list[int]) -> dict:
    en = lang == "en"
    r = data["result"]
    year = data["year"]
    names = NAMES_EN if en else NAMES_ZH
    label = {"so2": "SO2", "no2": "NO2", "pm10": "PM10", "pm25": "PM2.5", "co": "CO P95", "o3": "O3-8h P90"}
    units = {"co": "mg/m³"}
    figures = [
        {"label": "有效天数" if not en else "Valid days", "value": r.get("valid_days")},
        {"label": "优良天数" if not en else "Good days", "value": r.get("good_days")},
        {"label": "优良天数比例" if not en else "Good-day rate", "value": f"{r.get('good_rate')}%"},
        {"label": "重污染及以上天数" if not en else "Heavy or worse days", "value": r.get("heavy_days")},
        {
            "label": "综合指数" if not en else "Composite index",
            "value": "—" if r.get("composite_index") is None else f"{float(r['composite_index']):.2f}",
        },
    ]
    for item in hj663.INDEX_ITEMS:
        v = r.get(item)
        digits = hj663.ITEM_DECIMALS.get(item, 0)
        figures.append(
            {
                "label": f"{label[item]} ({units.get(item, 'µg/m³')})",
                "value": "—" if v is None else f"{float(v):.{digits}f}",
            }
        )
    if r.get("index_change_pct") is not None:
        figures.append(
            {
                "label": ("综合指数同比变化" if not en else "Composite index vs last year"),
                "value": f"{r['index_change_pct']:+.1f}%",
            }
        )
    if r.get("pm25_change_pct") is not None:
        figures.append(
            {
                "label": ("PM2.5 同比变化" if not en else "PM2.5 vs last year"),
                "value": f"{r['pm25_change_pct']:+.1f}%",
            }
        )
    targets, verdict = [], ""
    if data.get("targets"):
        for st in data["targets"]["targets"]:
            zh_name, en_name = _TARGET_NAMES.get(st["target"], (st["target"], st["target"]))
            targets.append(
                {
                    "label": en_name if en else zh_name,
                    "target": st["limit"],
                    "actual": st["current"],
                    "remaining": st["verdict_en"] if en else st["verdict_zh"],
                    "status": _STATUS.get(st["status"], (st["status"],) * 2)[1 if en else 0],
                    "ok": st["status"] in ("met", "on_track"),
                    "code": st["status"],
                }
            )
        lost = [t["label"] for t in targets if t["code"] == "lost"]
        risk = [t["label"] for t in targets if t["code"] == "at_risk"]
        if lost:
            verdict = (
                ("Targets already lost: " + ", ".join(lost)) if en else ("已失守目标：" + "、".join(lost))
            )
        elif risk:
            verdict = ("Targets at risk: " + ", ".join(risk)) if en else ("有风险的目标：" + "、".join(risk))
        else:
            verdict = "All targets are on track." if en else "各项目标目前均在正常轨道上。"
    parts = [
        (label[p], round(float(r[f"index_{p}"]), 2))
        for p in hj663.INDEX_ITEMS
        if r.get(f"index_{p}") is not None
    ]
    months = [f"{m}月" if not en else calendar_month(m) for m in range(1, 13)]
    mg = data["monthly_good"]
    trend = charts.trend(
        months,
        mg["this"],
        mg["last"],
        (str(year), str(year - 1)),
        "优良天数（累计）" if not en else "good days (cumulative)",
    )
    rank = None
    ranking = data["ranking"]
    me = next((x for x in ranking if x[CITY] == data["city"]), None)
    if me is not None and me.get("rank") is not None and len(ranking) > 1:
        rank = {
            "rank": me["rank"],
            "of": sum(1 for x in ranking if x.get("rank") is not None),
            "basis": (
                f"{data.get('group') or ''} · 按综合指数排名（{data['period']}）"
                if not en
                else f"{data.get('group') or ''} · by composite index ({data['period']})"
            ),
            "rows": [
                {
                    "rank": x.get("rank") or "—",
                    "name": x[CITY],
                    "value": x.get("composite_index"),
                    "self": x[CITY] == data["city"],
                }
                for x in ranking
            ],
        }
    warnings = []
    for w in (data.get("warnings") or {}).get("episodes", []):
        if w.get("level"):
            colour = {"red": "#FF0000", "orange": "#FF7E00", "yellow": "#E6B800", "blue": "#1F6FB2"}.get(
                w["level"], "#999"
            )
            text = f"{w['start']} — {w['end']} · AQI max {w['max_aqi']} · {w.get('reason') or ''}"
            warnings.append(
                {"level": w["level_zh"] if not en else w["level"], "colour": colour, "text": text}
            )
    return {
        "has_data": True,
        "city": city,
        "year": year,
        "years": years,
        "start": data["start"],
        "end": data["end"],
        "period": data["period"],
        "verdict": verdict,
        "figures": figures,
        "targets": targets,
        "targets_file": (data.get("targets") or {}).get("file"),
        "composite": r.get("composite_index"),
        "rank": rank,
        "warnings": warnings,
        "warnings_file": (data.get("warnings") or {}).get("file"),
        "calendar_height": 230,
        "chart_calendar": charts.calendar(data["calendar"], year, lang),
        "chart_composition": charts.composition(parts, lang),
        "chart_trend": trend,
        "primary_index": r.get("index_primary"),
        "names": {k: names.get(k, k) for k in hj663.INDEX_ITEMS},
    }


def calendar_month(m: int) -> str:
    return ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[m - 1]


def _records(frame: pl.DataFrame) -> list[dict]:
    out = []
    for row in frame.iter_rows(named=True):
        clean = {}
        for k, v in row.items():
            if isinstance(v, dt.datetime):
                v = v.strftime("%Y-%m-%dT%H:%M")
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, float) and v != v:
                v = None
            clean[k] = v
        out.append(clean)
    return out
