"""GB 3095 环境空气质量标准: concentration limits and data-validity minimums.

GB 3095—2012 (with its 2018 amendment on reference state) until 2026-02-28; GB 3095—2026 from
2026-03-01, with transitional limits to 2030-12-31 and final limits from 2031-01-01 (§4.4).
"""

from __future__ import annotations

import datetime as dt

from lantian.standards._types import Limit, ValidityRule

U = "µg/m³"
MG = "mg/m³"


def _limits(source: str, rows: list[tuple[str, str, float, float, str]]) -> tuple[Limit, ...]:
    out: list[Limit] = []
    for pollutant, averaging, g1, g2, unit in rows:
        out.append(Limit(pollutant, averaging, 1, g1, unit, source))
        out.append(Limit(pollutant, averaging, 2, g2, unit, source))
    return tuple(out)


#: GB 3095—2012 Table 1 (basic items), Grade I / Grade II.
LIMITS_2012 = _limits(
    "GB 3095—2012 Table 1",
    [
        ("so2", "annual", 20, 60, U),
        ("so2", "24h", 50, 150, U),
        ("so2", "1h", 150, 500, U),
        ("no2", "annual", 40, 40, U),
        ("no2", "24h", 80, 80, U),
        ("no2", "1h", 200, 200, U),
        ("co", "24h", 4, 4, MG),
        ("co", "1h", 10, 10, MG),
        ("o3", "8h", 100, 160, U),
        ("o3", "1h", 160, 200, U),
        ("pm10", "annual", 40, 70, U),
        ("pm10", "24h", 50, 150, U),
        ("pm25", "annual", 15, 35, U),
        ("pm25", "24h", 35, 75, U),
    ],
)

#: GB 3095—2026 Table 1, transitional limits (过渡阶段浓度限值, 2026-03-01 … 2030-12-31).
LIMITS_2026_TRANSITIONAL = _limits(
    "GB 3095—2026 Table 1 (过渡阶段)",
    [
        ("so2", "annual", 20, 60, U),
        ("so2", "24h", 50, 150, U),
        ("so2", "1h", 150, 500, U),
        ("no2", "annual", 40, 40, U),
        ("no2", "24h", 80, 80, U),
        ("no2", "1h", 200, 200, U),
        ("co", "24h", 4, 4, MG),
        ("co", "1h", 10, 10, MG),
        ("o3", "8h", 100, 160, U),
        ("o3", "1h", 160, 200, U),
        ("pm10", "annual", 40, 60, U),
        ("pm10", "24h", 50, 120, U),
        ("pm25", "annual", 15, 30, U),
        ("pm25", "24h", 35, 60, U),
    ],
)

#: GB 3095—2026 Table 1, final limits (from 2031-01-01).
LIMITS_2026_FINAL = _limits(
    "GB 3095—2026 Table 1",
    [
        ("so2", "annual", 20, 20, U),
        ("so2", "24h", 50, 50, U),
        ("so2", "1h", 150, 150, U),
        ("no2", "annual", 30, 30, U),
        ("no2", "24h", 50, 50, U),
        ("no2", "1h", 200, 200, U),
        ("co", "24h", 4, 4, MG),
        ("co", "1h", 10, 10, MG),
        ("o3", "8h", 100, 160, U),
        ("o3", "1h", 160, 200, U),
        ("pm10", "annual", 20, 50, U),
        ("pm10", "24h", 50, 100, U),
        ("pm25", "annual", 10, 25, U),
        ("pm25", "24h", 25, 50, U),
    ],
)

FINAL_LIMITS_FROM = dt.date(2031, 1, 1)  # GB 3095—2026 §4.4


def _validity(source: str) -> tuple[ValidityRule, ...]:
    gases_pm = ("so2", "no2", "pm10", "pm25")
    return (
        ValidityRule("annual", gases_pm, 324, None, "days", source),
        ValidityRule("monthly", gases_pm, 27, None, "days", source),
        ValidityRule("monthly_feb", gases_pm, 25, None, "days", source),
        ValidityRule("24h", ("so2", "no2", "co", "pm10", "pm25"), 20, 24, "hours", source),
        ValidityRule("8h", ("o3",), 6, 8, "hours", source),
        ValidityRule("1h", ("so2", "no2", "co", "o3"), 45, 60, "minutes", source),
    )


#: GB 3095—2012 §6 Table 4 (数据统计的有效性规定).
VALIDITY_2012 = _validity("GB 3095—2012 Table 4")
#: GB 3095—2026 §6 Table 4 (污染物浓度数据有效性的最低要求); same content.
VALIDITY_2026 = _validity("GB 3095—2026 Table 4")


def limit(limits: tuple[Limit, ...], pollutant: str, averaging: str, grade: int = 2) -> float:
    """Look up one limit value; raises KeyError naming what is missing."""
    for row in limits:
        if row.pollutant == pollutant and row.averaging == averaging and row.grade == grade:
            return row.value
    raise KeyError(f"no grade {grade} {averaging} limit for {pollutant}")


def minimum(rules: tuple[ValidityRule, ...], statistic: str) -> int:
    for rule in rules:
        if rule.statistic == statistic:
            return rule.minimum
    raise KeyError(f"no validity rule for {statistic}")
