"""Words of the reports in Chinese and English (the air-quality parts have both)."""

from __future__ import annotations

import datetime as dt

from lantian.schema import CITY_SUFFIX, NAMES_EN, city_key

#: Pollutant names as the bulletins print them.
POLLUTANT_ZH: dict[str, str] = {
    "so2": "二氧化硫(SO₂)",
    "no2": "二氧化氮(NO₂)",
    "co": "一氧化碳(CO)",
    "o3": "臭氧1小时(O₃)",
    "o3_8h": "臭氧8小时(O₃-8h)",
    "pm10": "可吸入颗粒物(PM₁₀)",
    "pm25": "细颗粒物(PM₂.₅)",
}
POLLUTANT_EN: dict[str, str] = {**NAMES_EN}

#: Names of the period statistics (HJ 663 items).
STATISTIC_ZH: dict[str, str] = {
    "mean": "平均浓度",
    "p95": "第95百分位数",
    "p98": "第98百分位数",
    "p90": "第90百分位数",
    "mda8_p90": "日最大8小时平均第90百分位数",
    "co_p95": "日均值第95百分位数",
}
STATISTIC_EN: dict[str, str] = {
    "mean": "mean",
    "p95": "95th percentile",
    "p98": "98th percentile",
    "p90": "90th percentile",
    "mda8_p90": "MDA8 90th percentile",
    "co_p95": "daily-mean 95th percentile",
}

KIND_TITLE_ZH: dict[str, str] = {
    "daily": "环境空气质量日报",
    "weekly": "大气污染防治工作周调度",
    "monthly": "大气污染防治月考核通报",
    "quarterly": "环境空气质量季度评估",
    "annual": "环境空气质量年度报告",
}
KIND_TITLE_EN: dict[str, str] = {
    "daily": "Daily Air Quality Bulletin",
    "weekly": "Weekly Air Pollution Control Dispatch",
    "monthly": "Monthly Assessment Notice",
    "quarterly": "Quarterly Air Quality Review",
    "annual": "Annual Air Quality Report",
}

UNIT_UG = "μg/m³"
UNIT_MG = "mg/m³"


def pollutant(code: str, lang: str) -> str:
    code = code.strip()
    return (POLLUTANT_ZH if lang == "zh" else POLLUTANT_EN).get(code, code)


def pollutants(codes: str | list[str] | None, lang: str) -> str:
    """Comma-joined codes (``pm25,pm10``) → display names joined with 、 (zh) or ``, `` (en)."""
    if codes is None:
        return ""
    items = [c for c in (codes.split(",") if isinstance(codes, str) else codes) if c]
    return ("、" if lang == "zh" else ", ").join(pollutant(c, lang) for c in items)


def unit(code: str) -> str:
    return UNIT_MG if code == "co" else UNIT_UG


def t(lang: str, zh: str, en: str) -> str:
    """Pick the text of the report's language."""
    return zh if lang == "zh" else en


#: Endings of names that are already an administrative unit's full name (湘西州, 大兴安岭地区, 阿拉善盟).
_FULL_NAME_ENDINGS = ("市", "自治州", "地区", "盟")


def city_full_name(name: str) -> str:
    """The city's name as a document's title writes it: 株洲 → 株洲市; 株洲市, 湘西州 as given."""
    name = name.strip()
    if name.endswith(_FULL_NAME_ENDINGS) or (len(name) >= 3 and name.endswith("州")):
        return name
    return city_key(name) + CITY_SUFFIX


def office_name(city: str, office: str | None, lang: str) -> str:
    """The issuing office as both the masthead (发文机关标志) and the signature (发文机关署名) print it:
    ``office`` (else the setting ``office``, default 蓝天办), preceded by the city's full name unless it
    already names the city (株洲市蓝天办; 市蓝天办 → 株洲市蓝天办)."""
    from lantian import config
    from lantian.reports.spec import DEFAULT_OFFICE_EN, DEFAULT_OFFICE_ZH

    if office is None:
        configured = config.load().value("office")
        if lang == "zh":
            office = configured or DEFAULT_OFFICE_ZH
        else:
            office = configured if configured and configured.isascii() else DEFAULT_OFFICE_EN
    office = office.strip()
    full = city_full_name(city)
    if lang != "zh":
        return office if office.startswith(city_key(city)) else f"{full} {office}"
    if office.startswith(city_key(city)):
        return office
    if office.startswith(CITY_SUFFIX):
        return city_key(city) + office
    return full + office


def issue_date(end: dt.date, today: dt.date | None = None) -> dt.date:
    """成文日期 of a document on a period ending on ``end``: the period's end when it is over; today
    while it is not (a document is never dated in the future). ``today`` from the one clock
    (:data:`lantian.clock.SYSTEM_CLOCK`) unless given."""
    if today is None:
        from lantian.clock import SYSTEM_CLOCK

        today = SYSTEM_CLOCK.today()
    return end if end < today else today


#: What the printed source line says of the figures each command prints (the commands themselves stay in
#: the JSON form, ``data["commands"]``). Order: air quality, ranking, targets, supervision.
SOURCE_WORDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("lantian assess", "lantian daily", "lantian aqi"),
        "环境空气质量监测数据：国家城市空气质量实时发布平台及本市监测站点发布的监测数据，"
        "按《环境空气质量指数（AQI）技术规定》（HJ 633）和《环境空气质量评价技术规范》（HJ 663）统计",
        "Air-quality monitoring data: the national real-time urban air quality platform and the city's "
        "monitoring stations, graded per HJ 633 and assessed per HJ 663",
    ),
    (
        ("lantian rank",),
        "排名：同组各城市同期监测数据，按城市环境空气质量排名技术规定排名",
        "Rankings: the group's cities over the same period, ranked per the city ranking rules",
    ),
    (("lantian targets",), "年度目标：本办年度考核目标", "Targets: the office's annual targets"),
    (
        ("lantian cycle",),
        "问题交办、督办及考核得分：本系统督查数据库",
        "Cases, escalations and scores: the supervision database of this system",
    ),
)


def source_lines(commands: list[str], lang: str) -> list[str]:
    """The printed 数据来源 of a document whose figures the ``commands`` print: one line of words per
    kind of source, in the order of :data:`SOURCE_WORDS`; no command is printed."""
    out = []
    for prefixes, zh, en in SOURCE_WORDS:
        if any(c.startswith(prefixes) for c in commands):
            out.append(t(lang, zh, en) + t(lang, "。", "."))
    return out
