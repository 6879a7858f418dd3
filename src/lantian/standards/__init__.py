"""The rules as cited data, and the registry that picks an edition from the data's own date.

=========  ===============  ============  ================================
Regime     AQI              Limits        Applies to
=========  ===============  ============  ================================
``2012``   HJ 633—2012      GB 3095—2012  data before 2026-03-01 (Beijing)
``2026``   HJ 633—2026      GB 3095—2026  data from 2026-03-01 00:00
=========  ===============  ============  ================================

An hourly value labelled ``t`` covers the hour ending at ``t``; it belongs to the regime of its
natural day (the label 2026-03-01 00:00 closes 2026-02-28 and is graded under the 2012 rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lantian.errors import UnknownRegimeError
from lantian.standards import gb3095, hj633_2012, hj633_2026
from lantian.standards._types import AQIRules, BreakpointTable, Level, Limit, ValidityRule
from lantian.standards.switches import DEFAULT, Options

#: First natural day under the 2026 editions (GB 3095—2026 and HJ 633—2026, in force 2026-03-01).
SWITCH_DAY = dt.date(2026, 3, 1)
REGIMES = ("2012", "2026")


@dataclass(frozen=True)
class Regime:
    name: str
    aqi: AQIRules
    limits: tuple[Limit, ...]
    validity: tuple[ValidityRule, ...]
    evaluation: str  # the evaluation standard (HJ 663 edition)
    limits_source: str


_REGIMES = {
    "2012": Regime("2012", hj633_2012.RULES, gb3095.LIMITS_2012, gb3095.VALIDITY_2012,
                   "HJ 663—2013", "GB 3095—2012"),
    "2026": Regime("2026", hj633_2026.RULES, gb3095.LIMITS_2026_TRANSITIONAL, gb3095.VALIDITY_2026,
                   "HJ 663—2026", "GB 3095—2026 (过渡阶段)"),
}


def get(name: str) -> Regime:
    """The rule set of a regime, ``"2012"`` or ``"2026"``."""
    key = str(name).strip()
    if key not in _REGIMES:
        raise UnknownRegimeError(f"unknown regime {name!r}; choose one of {', '.join(REGIMES)} or 'auto'")
    return _REGIMES[key]


def regime_for_day(day: dt.date) -> str:
    """Regime of a natural day."""
    return "2026" if day >= SWITCH_DAY else "2012"


def regime_for_hour(label: dt.datetime) -> str:
    """Regime of an hour-ending label (its natural day decides)."""
    return regime_for_day((label - dt.timedelta(hours=1)).date())


def regime_for(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return regime_for_hour(value)
    return regime_for_day(value)


def aqi_level(level: int | None, regime: str) -> Level | None:
    """AQI level ``level`` (1–6) of an edition (HJ 633—2012 Table 2 / HJ 633—2026 Table 1), or
    ``None`` when there is no level (AQI withheld)."""
    if not level:
        return None
    return get(regime).aqi.level(int(level))


def level_info(level: int | None, regime: str, lang: str = "zh") -> dict:
    """What every surface shows of an AQI level, from the edition in force, in Chinese (``zh``) or
    English (``en``): ``level``, ``name`` (一级 / Level 1), ``category``, ``colour`` (hex, Appendix A
    Table A.1), ``colour_name``, ``health_effect``, ``advice``, ``source``. Empty for no level."""
    lv = aqi_level(level, regime)
    if lv is None:
        return {}
    en = lang == "en"
    return {
        "level": lv.level,
        "name": f"Level {lv.level}" if en else lv.name_zh,
        "category": lv.category_en if en else lv.category_zh,
        "colour": lv.hex,
        "colour_name": lv.colour_en if en else lv.colour_zh,
        "health_effect": lv.health_effect_en if en else lv.health_effect_zh,
        "advice": lv.advice_en if en else lv.advice_zh,
        "source": lv.source,
    }


def level_colours(regime: str) -> dict[int, str]:
    """Colour (hex) of each AQI level of an edition (HJ 633 Appendix A Table A.1)."""
    return {lv.level: lv.hex for lv in get(regime).aqi.levels}


def limits_for_day(day: dt.date) -> tuple[Limit, ...]:
    """Grade limits in force on a day: 2012, 2026 transitional, or 2026 final from 2031."""
    if day < SWITCH_DAY:
        return gb3095.LIMITS_2012
    if day < gb3095.FINAL_LIMITS_FROM:
        return gb3095.LIMITS_2026_TRANSITIONAL
    return gb3095.LIMITS_2026_FINAL


__all__ = [
    "DEFAULT",
    "REGIMES",
    "SWITCH_DAY",
    "AQIRules",
    "BreakpointTable",
    "Level",
    "Limit",
    "Options",
    "Regime",
    "ValidityRule",
    "aqi_level",
    "get",
    "level_colours",
    "level_info",
    "limits_for_day",
    "regime_for",
    "regime_for_day",
    "regime_for_hour",
]
