"""Air-quality pages and API answers of the dashboard: the pipeline's results, rendered.

The office's city is the setting ``city`` (``[web] city`` in ``lantian.toml`` or ``LANTIAN_CITY``);
without it, the city with the most stations reporting in the newest hour of the store. Every figure
comes from :mod:`lantian.pipeline.figures`; this module only caches results per state of the store and
turns them into display text, in Chinese or English, and chart options.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from pathlib import Path

from lantian.config import Settings
from lantian.errors import InputError, NotFound
from lantian.jsonable import to_jsonable
from lantian.pipeline import figures as F
from lantian.schema import CITY, NAMES_EN, NAMES_ZH, city_key
from lantian.standards import hj663, level_info
from lantian.standards.warnings import COLOURS as WARNING_COLOURS
from lantian.standards.warnings import NO_WARNING_COLOUR
from lantian.web import charts

#: The settings behind the air pages (a change of any of them is a new cache key).
_OPTIONS = ("city", "group", "groups_file", "targets_file", "forecast_file")


def primary_label(codes: str | None, lang: str) -> str:
    """Display names of comma-joined pollutant codes ('' when none)."""
    names = NAMES_EN if lang == "en" else NAMES_ZH
    return "、".join(names.get(c, c) for c in (codes or "").split(",") if c)


def _category(level: int | None, regime: str | None, lang: str) -> str | None:
    """Category name of a level, from the edition in force for the value (HJ 633—2012 / —2026)."""
    if not level or not regime:
        return None
    return level_info(level, regime, lang)["category"]


def _display_hour(v: dict, lang: str) -> dict:
    """An hour's values for a page: the result's numbers plus labels and the chip's text colour."""
    return {
        **v,
        "category_label": _category(v.get("level"), v.get("regime"), lang),
        "text_colour": charts.text_colour(v.get("level")),
        "primary": v.get("primary_pollutants"),
        "primary_label": primary_label(v.get("primary_pollutants"), lang),
    }


class AirData:
    """Reads the store named by the settings; every call sees the store as it is now."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.configured_city = settings.value("city") or None
        self._key = (str(Path(settings.store).resolve()), *(str(self.option(k)) for k in _OPTIONS))

    def __eq__(self, other) -> bool:  # equal settings share the caches
        return isinstance(other, AirData) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def option(self, key: str):
        """A setting of the registry (:mod:`lantian.config`): ``city``, ``group``, ``groups_file``,
        ``targets_file``, ``forecast_file``."""
        return self.settings.value(key)

    def dataset(self):
        return F.existing_store(self.settings.store)

    def fingerprint(self) -> tuple:
        """Changes whenever an ingest or a registry edit changes the store."""
        return F.store_state(self.settings.store)

    def city(self, ds=None) -> str | None:
        """The office's city (see the module docstring)."""
        if self.configured_city:
            return self.configured_city
        ds = ds or self.dataset()
        return F.busiest_city(ds) if ds is not None else None

    def _need(self):
        ds = self.dataset()
        if ds is None:
            raise NotFound(f"数据存储 {self.settings.store} 尚不存在：请先导入数据（lantian ingest）")
        return ds

    # -- today ----------------------------------------------------------------------------------

    def city_hour(self, city: str) -> F.CityHour | None:
        return _cached(self, "hour", city_key(city))

    def today(self, lang: str) -> dict:
        """City AQI of the newest hour with its level colour and primary pollutant; stations; last 24 h."""
        ds = self.dataset()
        city = self.city(ds) if ds else self.configured_city
        empty = {"has_data": False, "city": city or "—", "stations": [], "last24": []}
        if ds is None or not city:
            return empty
        hour = self.city_hour(city)
        if hour is None:
            return empty
        now = _display_hour(hour.value, lang)
        texts = hour.texts.get(lang, {})
        stations = [_display_hour(s, lang) for s in hour.stations]
        last24 = [{**_display_hour(r, lang), "label": r["time"].strftime("%H:%M")} for r in hour.last24]
        regime = now.get("regime")
        return {
            "has_data": True,
            "city": city,
            "time": hour.time.strftime("%Y-%m-%d %H:%M"),
            "aqi": now.get("aqi"),
            "level": now.get("level"),
            "category": now.get("category"),
            "category_label": now.get("category_label") or "—",
            "colour": now.get("colour") or "#dddddd",
            "text_colour": now["text_colour"],
            "primary": now.get("primary"),
            "primary_label": now.get("primary_label"),
            "regime": regime,
            "regime_label": f"HJ 633—{regime}" if regime else "",
            "health": texts.get("health_effect", ""),
            "advice": texts.get("advice", ""),
            "n_stations": now.get("n_stations", 0),
            "stations": stations,
            "last24": last24,
            "chart_24h": charts.last_24h(last24, lang),
            "chart_map": charts.station_map(stations, lang),
            "tables": {"stations": _station_table(stations, lang), "last24": _last24_table(last24, lang)},
            "result": hour.to_dict(),
        }

    # -- this year ------------------------------------------------------------------------------

    def year_panel(self, city: str, year: int) -> F.YearPanel | None:
        config = tuple(str(self.option(k)) for k in _OPTIONS)
        return _cached(self, "year", city_key(city), year, config)

    def year(self, lang: str, year: int | None = None) -> dict:
        """The "this year" panel: calendar, year-to-date figures against targets, composite index
        composition, trend against last year, rank in the group (province), warnings."""
        ds = self.dataset()
        city = self.city(ds) if ds else self.configured_city
        if ds is None or not city:
            return {"has_data": False, "city": city or "—", "year": year, "years": []}
        years = _cached(self, "years", city_key(city))
        if not years:
            return {"has_data": False, "city": city, "year": year, "years": []}
        if year is None:
            full = [y for y, n in years.items() if n >= 300]
            year = max(full) if full else max(years)
        panel = self.year_panel(city, year)
        if panel is None:
            return {"has_data": False, "city": city, "year": year, "years": list(years)}
        files = {k: self.option(k) for k in ("targets_file", "forecast_file")}
        ctx = _format_year(panel, lang, city, list(years), files)
        start, end = panel.assessment.start, panel.assessment.end
        ctx["outlook"] = self._outlook_rows(city, year, end, lang)
        ctx["explain"] = self._explain_rows(city, f"{start.isoformat()}..{end.isoformat()}", lang)
        return ctx

    def _outlook_rows(self, city: str, year: int, as_of: dt.date, lang: str) -> dict | None:
        """The year-end outlook of the year page (None once the year is over or without history)."""
        if as_of >= dt.date(year, 12, 31):
            return None
        try:
            res = _cached(self, "outlook", city, year, as_of, self.option("targets_file"))
        except (NotFound, InputError):
            return None
        from lantian.pipeline.outlook import TARGET_NAMES, condition_text
        from lantian.pipeline.outlook import decimals as decimals_of

        rows = []
        for s in res.targets:
            decimals, shown = decimals_of(s["target"])
            rows.append(
                {
                    "label": TARGET_NAMES[s["target"]][1 if lang == "en" else 0],
                    "threshold": F.published_text(s["threshold"], decimals),
                    "ytd": F.published_text(s["ytd"], decimals),
                    "expected": F.published_text(s["expected"], shown),
                    "interval": "—"
                    if s["low"] is None
                    else f"{F.published_text(s['low'], shown)}–{F.published_text(s['high'], shown)}",
                    "probability": (
                        ("Insufficient data" if lang == "en" else F.INSUFFICIENT_ZH)
                        if s["probability"] is None
                        else f"{s['probability'] * 100:.0f}%"
                    ),
                    "likely": (s["probability"] or 0) >= 0.5,
                    "insufficient": s["probability"] is None,
                    "condition": condition_text(s["target"], s.get("condition"), lang),
                }
            )
        return {"as_of": res.as_of.isoformat(), "rows": rows, "n_sims": rows and res.targets[0]["n_sims"]}

    def _explain_rows(self, city: str, period: str, lang: str) -> dict | None:
        """The composite index by pollutant and the parts of its change (the explain-index figures)."""
        try:
            res = _cached(self, "explain", city, period)
        except (NotFound, InputError):
            return None
        rows = [
            {
                "pollutant": NAMES_EN[p["pollutant"]],
                "part": f"{p['part']:.2f}",
                "share": f"{p['share_pct']:.1f}%",
                "change": "—" if p.get("change_part") is None else f"{p['change_part']:+.2f}",
            }
            for p in res["by_pollutant"]
        ]
        if not rows or not res["index_valid"]:
            return None  # 数据不足: no index to explain (the page says so above)
        return {
            "index": res["composite_index"],
            "last_year": res["composite_index_last_year"],
            "rows": rows,
            "days": [
                {"date": d["date"], "aqi": d["aqi"], "cost": d["index_cost"], "category": d["category"]}
                for d in res["costly_days"][:5]
            ],
        }

    # -- API figures (the pipeline's results, as the CLI prints them; cached per store state) ----------

    def daily(self, station: str | None, city: str | None, start, end) -> list[dict]:
        """Daily values, IAQIs and AQI (:func:`lantian.pipeline.figures.daily_table`)."""
        ds = self._need()
        if station and city:
            raise InputError("只能给出 station 或 city 之一，不能同时给出")
        city = None if station else (city or self.city(ds))
        if not station and not city:
            raise NotFound("没有可报告的城市：请给出 station 或 city")
        if start is None or end is None:
            last = F.last_day(ds, station=station, city=city)
            if last is None:
                raise NotFound(f"数据存储中没有 {station or city!r} 的数据")
            end = end or last
            start = start or end - dt.timedelta(days=min(30, (end - dt.date.min).days))
        if start > end:
            raise InputError(
                f"开始日期 from={start} 晚于结束日期 to={end}（未给出的一端取数据的最后一天或其前 30 天）；请改为 from ≤ to",
                en=f"the first day from={start} is after the last day to={end} (a day not given is the last day "
                "with data, or 30 days before it); use from ≤ to",
            )
        if (end - start).days > 3660:
            raise InputError(
                "每次最多查询十年的日数据；请缩小 from..to 的范围",
                en="at most ten years of daily data per request; narrow the range from..to",
            )
        return _cached(self, "daily", station, city, start, end)

    def assessment(self, city: str | None, period: str) -> dict:
        """Assessment of a city for a period, compared with the same period last year."""
        ds = self._need()
        city = city or self.city(ds)
        if not city:
            raise NotFound("数据存储中没有城市：请给出 city")
        return _cached(self, "assess", city, period).to_dict()

    def rankings(self, period: str, by: str) -> dict:
        """Ranking of the configured group (``[web] group``, ``groups_file``)."""
        self._need()
        group = self.option("group")
        if not group:
            raise NotFound("未配置排名城市组：请在 lantian.toml 的 [web] 中设置 group（和 groups_file）")
        return _cached(self, "rank", group, period, by).to_dict()

    def board(self, day: dt.date | None) -> dict:
        """The provincial board of the configured group (``[web] group``) for ``day`` (default: newest)."""
        self._need()
        group = self.option("group")
        if not group:
            raise NotFound(
                "未配置排名城市组：请在 lantian.toml 的 [web] 中设置 group（如 湖南）",
                en="no ranking group configured: set group (e.g. 湖南) in [web] of lantian.toml",
            )
        return _cached(self, "board", group, day).to_dict()

    def outlook(self, city: str | None, year: int | None, as_of: dt.date | None) -> dict:
        """The year-end outlook of a city (``lantian outlook --json``): as of the last day with data."""
        ds = self._need()
        city = city or self.city(ds)
        if not city:
            raise NotFound("数据存储中没有城市：请给出 city", en="no city in the store: give city")
        if year is None:
            last = F.last_day(ds, city=city)
            if last is None:
                raise NotFound(f"数据存储中没有 {city} 的数据", en=f"no data of {city} in the store")
            year = last.year
        return _cached(self, "outlook", city, year, as_of, self.option("targets_file")).to_dict()

    def explain(self, city: str | None, period: str) -> dict:
        """What moves the composite index (``lantian explain-index --json``)."""
        ds = self._need()
        city = city or self.city(ds)
        if not city:
            raise NotFound("数据存储中没有城市：请给出 city", en="no city in the store: give city")
        return _cached(self, "explain", city, period)

    def board_page(self, lang: str, day: dt.date | None) -> dict:
        """The provincial board page: the rankings of :meth:`board` as tables, the office's city marked."""
        en = lang == "en"
        ds = self.dataset()
        group = self.option("group")
        if ds is None or not group:
            return {"has_data": False, "group": group}
        try:
            b = self.board(day)
        except NotFound:
            return {"has_data": False, "group": group}
        me = city_key(self.city(ds) or "")

        def rank_text(r: dict) -> str:
            if r.get("insufficient"):
                return "Insufficient data" if en else F.INSUFFICIENT_ZH
            return "—" if r.get("rank") is None else str(r["rank"])

        def section(key, label, label_en, ranking, columns):
            if not ranking or not ranking["rows"]:
                return None
            heads = [h_en if en else h for h, h_en, _, _ in columns]
            rows = [
                {
                    "cells": [
                        rank_text(r),
                        r["city"],
                        *[F.published_text(r.get(c), d) for _, _, c, d in columns[2:]],
                    ],
                    "self": city_key(r["city"]) == me,
                }
                for r in ranking["rows"]
            ]
            return {"id": key, "label": label_en if en else label, "headers": heads, "rows": rows}

        base = [("排名", "Rank", "rank", 0), ("城市", "City", "city", 0)]
        ci = ("综合指数", "Composite index", "composite_index", 2)
        pm = ("PM2.5", "PM2.5", "pm25", 0)
        sections = [
            section(
                "board-day", "当日综合指数排名", "The day, by composite index", b["day"], [*base, ci, pm]
            ),
            section(
                "board-ytd",
                "年初至今综合指数排名",
                "Year to date, by composite index",
                b["ytd_index"],
                [*base, ci, pm, ("优良天数比例（%）", "Good-day ratio (%)", "good_rate", 1)],
            ),
            section(
                "board-change",
                "年初至今综合指数改善排名",
                "Year to date, by change of the composite index",
                b["ytd_change"],
                [
                    *base,
                    ci,
                    ("上年同期", "Last year", "composite_index_last_year", 2),
                    ("变化率（%）", "Change (%)", "index_change_pct", 1),
                ],
            ),
        ]
        if b["hour"]:
            rows = [
                {
                    "cells": [
                        str(r["rank"]),
                        r["city"],
                        str(r["time"])[:16].replace("T", " "),
                        str(r["aqi"]),
                    ],
                    "self": city_key(r["city"]) == me,
                }
                for r in b["hour"]
            ]
            heads = ["Rank", "City", "Hour", "AQI"] if en else ["排名", "城市", "时间", "AQI"]
            sections.append(
                {
                    "id": "board-hour",
                    "label": "Newest hour, by AQI" if en else "最新小时 AQI 排名",
                    "headers": heads,
                    "rows": rows,
                }
            )
        return {"has_data": True, "group": group, "as_of": b["as_of"], "sections": [x for x in sections if x]}

    def targets(self, year: int | None) -> dict:
        """Year-to-date status of the city's targets (``[web] targets_file``)."""
        ds = self._need()
        path = self.option("targets_file")
        if not path:
            raise NotFound("未配置年度目标：请在 lantian.toml 的 [web] 中设置 targets_file")
        city = self.city(ds)
        if not city:
            raise NotFound("数据存储中没有城市")
        if year is None:
            last = F.last_day(ds, city=city)
            if last is None:
                raise NotFound(f"数据存储中没有 {city} 的数据")
            year = last.year
        return _cached(self, "targets", city, year, path).to_dict()

    def warnings(self) -> dict:
        """Warning episodes from the forecast file (``[web] forecast_file``)."""
        path = self.option("forecast_file")
        if not path:
            return {"file": None, "rows": []}
        return F.warnings(path).to_dict()

    def stations(self, city: str | None = None) -> list[dict]:
        ds = self.dataset()
        return [] if ds is None else to_jsonable(F.station_registry(ds, city).to_dicts())

    def hourly(self, station: str | None, city: str | None, start, end) -> list[dict]:
        """Hourly AQI of one station, or of the city (mean of its evaluation stations)."""
        ds = self.dataset()
        if ds is None:
            return []
        if station and city:
            raise InputError("只能给出 station 或 city 之一，不能同时给出")
        if start and end and start > end:
            raise InputError(f"起始时间 {start} 晚于结束时间 {end}")
        return F.hourly_rows(ds, station, None if station else (city or self.city(ds)), start, end)

    # -- analysis (profiles) ----------------------------------------------------------------------

    def profiles(self, city: str | None, station: str | None, period: str, pollutant: str) -> dict:
        """A pollutant by hour of day, weekday and month, and by wind (:mod:`lantian.pipeline.profiles`)."""
        ds = self._need()
        if station and city:
            raise InputError(
                "只能给出 station 或 city 之一，不能同时给出", en="give station or city, not both"
            )
        if not station:
            city = city or self.city(ds)
            if not city:
                raise NotFound("数据存储中没有城市：请给出 city", en="no city in the store: give city")
        return _cached(
            self, "profiles", None if station else city_key(city), station or None, period, pollutant
        )

    def analysis_page(
        self, lang: str, city: str | None, station: str | None, period: str | None, pollutant: str
    ) -> dict:
        """The 数据分析 page: the profiles of :meth:`profiles` as charts, and the choices of city or station."""
        en = lang == "en"
        ds = self.dataset()
        ctx: dict = {"has_data": False, "pollutant": pollutant, "period": period or "", "error": None}
        ctx["pollutants"] = [
            {"code": p, "label": NAMES_EN[p]} for p in ("pm25", "pm10", "o3", "no2", "so2", "co")
        ]
        if ds is None:
            return ctx
        scopes = _cached(self, "scopes")
        ctx["cities"], ctx["wind_stations"] = scopes["cities"], scopes["wind_stations"]
        if not station:
            city = city or self.city(ds)
        ctx["city"], ctx["station"] = (None if station else city), station
        if not period:
            known = (
                [s for s in scopes["wind_stations"] if station in (s["station_code"], s["name"])]
                if station
                else []
            )
            known += [c for c in scopes["cities"] if city and city_key(c["city"]) == city_key(city)]
            period = str(known[0]["last"])[:4] if known else "ytd"
        ctx["period"] = period
        try:
            res = self.profiles(None if station else city, station, period, pollutant)
        except (NotFound, InputError) as exc:
            ctx["error"] = exc.text(lang)
            return ctx
        ctx["result"] = res
        ctx["has_data"] = res["n_values"] > 0
        unit = res["unit"]
        label = "label_en" if en else "label_zh"
        name = res["pollutant_name"]
        ctx["chart_hour"] = charts.profile(
            [r[label] for r in res["by_hour"]], [r["mean"] for r in res["by_hour"]], name, unit, "line"
        )
        ctx["chart_weekday"] = charts.profile(
            [r[label] for r in res["by_weekday"]], [r["mean"] for r in res["by_weekday"]], name, unit, "bar"
        )
        ctx["chart_month"] = charts.profile(
            [r[label] for r in res["by_month"]], [r["mean"] for r in res["by_month"]], name, unit, "bar"
        )
        polar = res["polar"]
        if polar["has_wind"]:
            sectors = polar["sectors"] if en else polar["sectors_zh"]
            ctx["chart_polar"] = charts.wind_polar(polar["cells"], sectors, polar["speed_bins"], unit, lang)
            ctx["polar_range"] = charts.wind_scale(polar["cells"])
        return ctx

    def _compute(self, kind: str, *args):
        ds = self._need()
        if kind in ("profiles", "scopes"):
            from lantian.pipeline import profiles as P

            if kind == "scopes":
                return P.analysis_scopes(ds)
            city, station, period, pollutant = args
            return P.profiles(ds, period, pollutant, city=city, station=station)
        if kind == "hour":
            return F.city_hour(ds, args[0])
        if kind == "years":
            return F.days_per_year(ds, args[0])
        if kind == "year":
            city, year, _config = args
            return F.year_panel(
                ds,
                city,
                year,
                self.option("group"),
                self.option("groups_file"),
                self.option("targets_file"),
                self.option("forecast_file"),
            )
        if kind == "daily":
            station, city, start, end = args
            table = F.daily_table(ds, start, end, station=station, city=city)
            keep = [c for c in table.frame().columns if not c.startswith(("n_", "o3_8h_by"))]
            return [{**r, "source": table.source} for r in to_jsonable(table.frame().select(keep).to_dicts())]
        if kind == "assess":
            city, period = args
            return F.assessment(ds, city, period, compare=True)
        if kind == "rank":
            group, period, by = args
            return F.ranking(ds, group, period, by, self.option("groups_file"))
        if kind == "outlook":
            from lantian.pipeline.outlook import outlook

            city, year, as_of, targets = args
            return outlook(ds, [city], year, as_of, targets)[0]
        if kind == "explain":
            from lantian.pipeline.explain import explain_index

            city, period = args
            return explain_index(ds, city, period)  # the CLI's default: the 10 costliest days
        if kind == "board":
            from lantian.pipeline.board import board

            group, day = args
            return board(ds, group, day, self.option("groups_file"))
        if kind == "targets":
            city, year, path = args
            return F.targets_now(ds, city, year, path)
        raise ValueError(kind)


_LOCK = threading.Lock()


@functools.lru_cache(maxsize=64)
def _cached_value(air: AirData, fingerprint: tuple, kind: str, args: tuple):
    return air._compute(kind, *args)


def _cached(air: AirData, kind: str, *args):
    with _LOCK:  # one heavy computation at a time; concurrent callers then share its result
        return _cached_value(air, air.fingerprint(), kind, args)


def _station_table(stations: list[dict], lang: str) -> list[dict]:
    """The stations table of the today page, as its CSV download gives it."""
    en = lang == "en"
    keys = (
        "name",
        "code",
        "aqi",
        "category_label",
        "primary_label",
        "pm25",
        "pm10",
        "o3",
        "no2",
        "so2",
        "co",
    )
    heads = (
        ("Station", "Code", "AQI", "Category", "Primary pollutant", "PM2.5", "PM10", "O3", "NO2", "SO2", "CO")
        if en
        else ("站点", "编码", "AQI", "类别", "首要污染物", "PM2.5", "PM10", "O3", "NO2", "SO2", "CO")
    )
    return [dict(zip(heads, (s.get(k) for k in keys), strict=True)) for s in stations]


def _last24_table(rows: list[dict], lang: str) -> list[dict]:
    time_head = "Time" if lang == "en" else "时间"
    return [{time_head: r["time"], "AQI": r["aqi"], "PM2.5": r.get("pm25")} for r in rows]


def _format_year(panel: F.YearPanel, lang: str, city: str, years: list[int], files: dict) -> dict:
    en = lang == "en"
    a = panel.assessment
    r = a.result
    year = panel.year
    names = NAMES_EN if en else NAMES_ZH
    label = {"so2": "SO2", "no2": "NO2", "pm10": "PM10", "pm25": "PM2.5", "co": "CO P95", "o3": "O3-8h P90"}
    units = {"co": "mg/m³"}
    short = F.INSUFFICIENT_EN if en else F.INSUFFICIENT_ZH

    def shown(text: str, valid) -> str:
        """A figure below the data-validity minimum reads 数据不足 (its value is no verdict)."""
        return text if valid or text == "—" else short

    figures = [
        {"key": "valid_days", "label": "有效天数" if not en else "Valid days", "value": r.get("valid_days")},
        {"key": "good_days", "label": "优良天数" if not en else "Good days", "value": r.get("good_days")},
        {
            "key": "good_rate",
            "label": "优良天数比例" if not en else "Good-day rate",
            "value": shown(
                F.published_text(r.get("good_rate"), hj663.RATE_DECIMALS, percent=True),
                r.get("valid_good_rate", True),
            ),
        },
        {
            "key": "heavy_days",
            "label": "重污染及以上天数" if not en else "Heavy or worse days",
            "value": r.get("heavy_days"),
        },
        {
            "key": "composite_index",
            "label": "综合指数" if not en else "Composite index",
            "value": shown(
                F.published_text(r.get("composite_index"), hj663.INDEX_DECIMALS), r.get("index_valid", True)
            ),
        },
    ]
    for item in hj663.INDEX_ITEMS:
        figures.append(
            {
                "key": item,
                "label": f"{label[item]} ({units.get(item, 'µg/m³')})",
                "value": shown(
                    F.published_text(r.get(item), F.item_decimals(item)), r.get(f"valid_{item}", True)
                ),
            }
        )
    if r.get("index_change_pct") is not None:
        figures.append(
            {
                "key": "index_change_pct",
                "label": ("综合指数同比变化" if not en else "Composite index vs last year"),
                "value": F.published_text(r["index_change_pct"], 1, sign=True, percent=True),
            }
        )
    if r.get("pm25_change_pct") is not None:
        figures.append(
            {
                "key": "pm25_change_pct",
                "label": ("PM2.5 同比变化" if not en else "PM2.5 vs last year"),
                "value": F.published_text(r["pm25_change_pct"], 1, sign=True, percent=True),
            }
        )
    targets, verdict = [], ""
    if panel.targets is not None:
        for st in panel.targets.targets:
            targets.append(
                {
                    "label": F.target_name(st["target"], lang),
                    "target": st["limit"] if en else st.get("limit_zh") or st["limit"],
                    "actual": st["current"] if en else st.get("current_zh") or st["current"],
                    "remaining": st["verdict_en"] if en else st["verdict_zh"],
                    "status": F.STATUS_NAMES.get(st["status"], (st["status"],) * 2)[1 if en else 0],
                    "ok": st["status"] in ("met", "on_track"),
                    "insufficient": st["status"] == "insufficient",
                    "code": st["status"],
                }
            )
        verdict = panel.targets.verdict_en if en else panel.targets.verdict_zh
    insufficient = None
    if a.insufficient:
        # too little data is said in words, never as a verdict on the year
        insufficient = (
            f"Insufficient data ({a.insufficient['en']}): no attainment and no target verdict yet."
            if en
            else f"数据不足（{a.insufficient['zh']}），暂不作达标和目标判断。"
        )
        verdict = insufficient
    from lantian.pipeline.explain import index_parts

    # the parts as the index is explained everywhere: rounded so that they add up to the published index
    shown = {p["pollutant"]: p["part"] for p in index_parts(r)}
    parts = [
        (
            label[p],
            float(shown[p]) if p in shown else float(F.published(r[f"index_{p}"], hj663.INDEX_DECIMALS)),
            f"{shown[p]:.2f}" if p in shown else F.published_text(r[f"index_{p}"], hj663.INDEX_DECIMALS),
        )
        for p in hj663.INDEX_ITEMS
        if r.get(f"index_{p}") is not None
    ]
    months = [f"{m}月" if not en else calendar_month(m) for m in range(1, 13)]
    mg = panel.monthly_good
    trend = charts.trend(
        months,
        mg["this"],
        mg["last"],
        (str(year), str(year - 1)),
        "优良天数（累计）" if not en else "good days (cumulative)",
    )
    rank = None
    ranking = panel.ranking
    me = next((x for x in ranking if x[CITY] == panel.city), None)
    if me is not None and me.get("rank") is not None and len(ranking) > 1:
        rank = {
            "rank": me["rank"],
            "of": sum(1 for x in ranking if x.get("rank") is not None),
            "basis": (
                f"{panel.group or ''} · 按综合指数排名（{a.period}）"
                if not en
                else f"{panel.group or ''} · by composite index ({a.period})"
            ),
            "rows": [
                {
                    "rank": x.get("rank") or (short if x.get("insufficient") else "—"),
                    "name": x[CITY],
                    "value": F.published_text(x.get("composite_index"), hj663.INDEX_DECIMALS),
                    "self": x[CITY] == panel.city,
                }
                for x in ranking
            ],
        }
    warnings = []
    for w in panel.warnings.rows if panel.warnings is not None else []:
        if w.get("level"):
            peak = f"AQI max {w['max_aqi']}" if en else f"AQI 最高 {w['max_aqi']}"
            why = w.get("reason") if en else w.get("reason_zh") or w.get("reason")
            text = f"{w['start']} — {w['end']} · {peak} · {why or ''}"
            warnings.append(
                {
                    "level": w["level_zh"] if not en else w["level"],
                    "colour": _warning_colour(w["level"]),
                    "text": text,
                }
            )
    return {
        "has_data": True,
        "city": city,
        "year": year,
        "years": years,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "period": a.period,
        "verdict": verdict,
        "insufficient": insufficient,
        "figures": figures,
        "targets": targets,
        "targets_file": Path(files["targets_file"]).name if panel.targets is not None else None,
        "composite": r.get("composite_index") if r.get("index_valid", True) else None,
        "rank": rank,
        "warnings": warnings,
        "warnings_file": panel.warnings.file if panel.warnings is not None else None,
        "calendar_height": 230,
        "chart_calendar": charts.calendar([(d.isoformat(), lv) for d, lv in panel.calendar], year, lang),
        "chart_composition": charts.composition(parts, lang),
        "chart_trend": trend,
        "primary_index": r.get("index_primary"),
        "names": {k: names.get(k, k) for k in hj663.INDEX_ITEMS},
        "tables": {
            "figures": [{"figure": f["label"], "value": f["value"]} for f in figures],
            "targets": targets,
            "ranking": (rank or {}).get("rows", []),
        },
        "result": panel.to_dict(),
    }


def _warning_colour(level: str) -> str:
    return WARNING_COLOURS.get(level, NO_WARNING_COLOUR)


def calendar_month(m: int) -> str:
    return ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[m - 1]
