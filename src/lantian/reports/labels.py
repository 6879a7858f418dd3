"""Words of the reports in Chinese and English (the air-quality parts have both)."""

from __future__ import annotations

from lantian.schema import NAMES_EN

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
