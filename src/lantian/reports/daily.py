"""空气质量日报 (daily bulletin): city and station AQI, category, primary pollutant, health advice,
and tomorrow's heavy-pollution warning when a forecast is given.

Rows are those of the daily AQI (the output of :func:`lantian.calc.aqi.aqi_frame` with
``kind="daily"``, as ``lantian daily --json`` prints them); texts of levels and sensitive groups come
from :mod:`lantian.standards` (HJ 633—2012 Table 2; HJ 633—2026 Tables 1 and 2).
"""

from __future__ import annotations

import datetime as dt

from lantian.reports import charts
from lantian.reports.labels import (
    KIND_TITLE_EN,
    KIND_TITLE_ZH,
    city_full_name,
    issue_date,
    office_name,
    pollutant,
    pollutants,
    source_lines,
    t,
    unit,
)
from lantian.reports.spec import (
    Column,
    Document,
    Paragraph,
    Section,
    Table,
)
from lantian.standards import aqi_level, get, regime_for_day

#: Symbols of the pollutants as column headings of the station table.
SYMBOLS: dict[str, str] = {
    "pm25": "PM₂.₅",
    "pm10": "PM₁₀",
    "o3_8h": "O₃-8h",
    "no2": "NO₂",
    "so2": "SO₂",
    "co": "CO",
}

#: Daily report items in display order (HJ 633—2026 §4.2.2; HJ 633—2012 §5.1.2 adds O3 1-hour).
DAILY_ITEMS: tuple[str, ...] = ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25")


#: Above this many stations the bulletin leaves out the station chart (the table gives the same AQI) so that
#: it stays on one A4 page for a city of up to 12 stations.
CHART_MAX_STATIONS = 8


def _level(row: dict):
    return aqi_level(row.get("level"), row.get("regime") or "2012")


def _category(row: dict, lang: str) -> str | None:
    lv = _level(row)
    if lv is None:
        return None
    return lv.category_zh if lang == "zh" else lv.category_en


def _level_name(row: dict, lang: str) -> str | None:
    lv = _level(row)
    if lv is None:
        return None
    return lv.name_zh if lang == "zh" else f"Level {lv.level}"


def _primary(row: dict, lang: str) -> str:
    text = pollutants(row.get("primary_pollutants"), lang)
    return text or t(lang, "无", "none")


def city_sentence(city: str, day: dt.date, row: dict | None, lang: str) -> str:
    """The bulletin's first sentence, e.g. 2016年1月5日，长沙市环境空气质量指数（AQI）为178，…"""
    date_zh = f"{day.year}年{day.month}月{day.day}日"
    if row is None or row.get("aqi") is None:
        return t(
            lang,
            f"{date_zh}，{city}有效监测数据不足，空气质量指数（AQI）不予发布。",
            f"On {day.isoformat()}, {city} had too few valid data for an AQI to be published.",
        )
    lv = _level(row)
    primary = row.get("primary_pollutants")
    if lang == "zh":
        tail = f"，首要污染物为{pollutants(primary, 'zh')}" if primary else "，无首要污染物"
        return (
            f"{date_zh}，{city}环境空气质量指数（AQI）为{row['aqi']}，空气质量级别为{lv.name_zh}，"
            f"类别为{lv.category_zh}{tail}。"
        )
    tail = f"; primary pollutant: {pollutants(primary, 'en')}" if primary else "; no primary pollutant"
    return (
        f"On {day.isoformat()}, the Air Quality Index (AQI) of {city} was {row['aqi']}, "
        f"level {lv.level}, {lv.category_en.lower()}{tail}."
    )


def _items(row: dict) -> list[str]:
    return [p for p in DAILY_ITEMS if p in row and (row.get(p) is not None or f"iaqi_{p}" in row)]


def build_daily(
    city: str,
    day: dt.date,
    city_row: dict | None,
    station_rows: list[dict],
    lang: str = "zh",
    office: str | None = None,
    number: str = "",
    warning: dict | None = None,
    sources: list[str] | None = None,
    issued: dt.date | None = None,
) -> Document:
    """The daily bulletin of ``city`` for ``day``.

    ``city_row`` and ``station_rows`` are daily AQI rows (concentrations, ``iaqi_*``, ``aqi``,
    ``primary_pollutants``, ``level``, ``category``, ``regime``); station rows also carry
    ``station_code`` and ``name``. ``warning`` is the result of the warning check for the forecast
    (``level``, ``level_name``, ``forecast``: list of ``{date, aqi}``), or ``None``.
    """
    city = city_full_name(city)
    commands = list(sources or [])
    doc = Document(
        kind="daily",
        title=t(lang, f"{city}{KIND_TITLE_ZH['daily']}", f"{city} {KIND_TITLE_EN['daily']}"),
        subtitle=t(lang, f"{day.year}年{day.month}月{day.day}日", day.isoformat()),
        city=city,
        period=day.isoformat(),
        # the day itself once it is over, else today: never a date still to come
        date=issued or issue_date(day),
        lang=lang,
        office=office_name(city, office, lang),
        number=number,
        sources=source_lines(commands, lang),
        data={"city": city_row, "stations": station_rows, "warning": warning, "commands": commands},
    )

    # 一、全市空气质量状况
    overview = Section(t(lang, "全市空气质量状况", "City air quality"))
    overview.add(Paragraph(city_sentence(city, day, city_row, lang)))
    if city_row is not None:
        rows = []
        for p in _items(city_row):
            rows.append(
                {
                    "pollutant": p,
                    "name": pollutant(p, lang),
                    "value": city_row.get(p),
                    "unit": unit(p),
                    "iaqi": city_row.get(f"iaqi_{p}"),
                }
            )
        overview.add(
            Table(
                "city_pollutants",
                t(
                    lang,
                    f"{city}各项污染物日均浓度及空气质量分指数",
                    f"Daily concentrations and sub-indices, {city}",
                ),
                [
                    Column("name", t(lang, "污染物", "Pollutant")),
                    Column("value", t(lang, "浓度", "Concentration"), "conc"),
                    Column("unit", t(lang, "单位", "Unit")),
                    Column("iaqi", t(lang, "空气质量分指数（IAQI）", "Sub-index (IAQI)"), "int"),
                ],
                rows,
            )
        )
    doc.add(overview)

    # 二、各监测点位空气质量
    if station_rows:
        stations = Section(t(lang, "各监测点位空气质量", "Monitoring stations"))
        table_rows = []
        for r in station_rows:
            table_rows.append(
                {
                    "station_code": r.get("station_code"),
                    "name": r.get("name") or r.get("station_code"),
                    "aqi": r.get("aqi"),
                    "level": r.get("level"),
                    "level_name": _level_name(r, lang),
                    "category": _category(r, lang),
                    "primary": _primary(r, lang) if r.get("aqi") is not None else None,
                    "pm25": r.get("pm25"),
                    "pm10": r.get("pm10"),
                    "o3_8h": r.get("o3_8h"),
                    "no2": r.get("no2"),
                    "so2": r.get("so2"),
                    "co": r.get("co"),
                }
            )
        conc = [
            # the station table names the pollutants by their symbols (the city table above spells them out)
            Column(p, t(lang, SYMBOLS[p], pollutant(p, lang)), "conc", pollutant=p)
            for p in ("pm25", "pm10", "o3_8h", "no2", "so2", "co")
        ]
        stations.add(
            Table(
                "stations",
                t(lang, "各监测点位空气质量指数及污染物浓度", "AQI and concentrations by station"),
                [
                    Column("station_code", t(lang, "点位编码", "Code")),
                    Column("name", t(lang, "点位名称", "Station")),
                    Column("aqi", "AQI", "int"),
                    Column("level_name", t(lang, "级别", "Level")),
                    Column("category", t(lang, "类别", "Category")),
                    Column("primary", t(lang, "首要污染物", "Primary pollutant")),
                    *conc,
                ],
                table_rows,
                note=t(
                    lang,
                    "浓度单位：μg/m³（一氧化碳为mg/m³）；“—”表示无有效数据或不予发布。",
                    "Units: μg/m³ (CO: mg/m³); “—”: no valid value or not published.",
                ),
            )
        )
        if len(table_rows) <= CHART_MAX_STATIONS:
            stations.add(
                charts.bar_chart(
                    [r["name"] for r in table_rows],
                    [r["aqi"] for r in table_rows],
                    name="station_aqi",
                    levels=[r["level"] for r in table_rows],
                    title=t(lang, "各点位空气质量指数", "AQI by station"),
                    ylabel="AQI",
                    regime=regime_for_day(day),
                )
            )
        doc.add(stations)

    # 三、健康指引
    health = Section(t(lang, "健康指引", "Health advice"))
    lv = _level(city_row) if city_row else None
    if lv is None:
        health.add(
            Paragraph(
                t(
                    lang,
                    "当日空气质量指数不予发布，无相应健康指引。",
                    "No AQI was published; no health advice applies.",
                )
            )
        )
    else:
        health.add(
            Paragraph(
                t(lang, f"对健康影响情况：{lv.health_effect_zh}。", f"Health effects: {lv.health_effect_en}")
            )
        )
        health.add(Paragraph(t(lang, f"建议采取的措施：{lv.advice_zh}。", f"Advice: {lv.advice_en}")))
        rules = get(city_row.get("regime") or "2012").aqi
        if rules.sensitive_groups_zh and lang == "zh":
            above = rules.exceedance_above_iaqi
            over = [p for p in _items(city_row) if (city_row.get(f"iaqi_{p}") or 0) > above]
            for p in over:
                key = "o3" if p == "o3_8h" else p
                if key in rules.sensitive_groups_zh:
                    health.add(
                        Paragraph(
                            f"{pollutant(p, 'zh')}分指数超过{above}，敏感人群为："
                            f"{rules.sensitive_groups_zh[key]}（HJ 633—2026 表2）。"
                        )
                    )
    doc.add(health)

    # 四、明日预警
    if warning is not None:
        warn = Section(t(lang, "重污染天气预警提示", "Heavy-pollution warning"))
        level_name = warning.get("level_name") or warning.get("level")
        if warning.get("level"):
            warn.add(
                Paragraph(
                    t(
                        lang,
                        f"根据空气质量预报，建议发布{level_name}预警。",
                        f"From the forecast, a {level_name} warning is advised.",
                    )
                )
            )
        else:
            warn.add(
                Paragraph(
                    t(
                        lang,
                        "根据空气质量预报，未来无需发布重污染天气预警。",
                        "The forecast does not call for a heavy-pollution warning.",
                    )
                )
            )
        fc = warning.get("forecast") or []
        if fc:
            warn.add(
                Table(
                    "forecast",
                    t(lang, "空气质量预报", "Forecast"),
                    [
                        Column("date", t(lang, "日期", "Date"), "date"),
                        Column("aqi", t(lang, "预报AQI", "Forecast AQI"), "int"),
                    ],
                    [{"date": f["date"], "aqi": f["aqi"]} for f in fc],
                )
            )
        doc.add(warn)
    edition = get(city_row.get("regime") or "2012").aqi.edition if city_row else "HJ 633"
    doc.footnotes.append(t(lang, f"依据：{edition}。", f"Rules: {edition}."))
    return doc
