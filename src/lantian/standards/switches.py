"""Switches for rules the texts reached so far do not settle (spec §14).

Each switch has a documented default; ``docs/switches.md`` lists the evidence behind each one,
and the tests that settle a switch with official data cite it. Pass an :class:`Options` to any
computation to change one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal


@dataclass(frozen=True)
class Options:
    #: IAQI/AQI rounding. HJ 633—2012 §6.2 and HJ 633—2026 §4.2.6: always up (ceil).
    #: Settled by the national-platform data (every published AQI matches ceil).
    iaqi_rounding: Literal["ceil", "half_even"] = "ceil"
    #: Round concentrations per GB/T 8170 before the IAQI in the 2012 regime too
    #: (the 2026 edition requires it, §4.2.2–4.2.3).
    round_inputs_2012: bool = True
    #: 2012 daily AQI: include the IAQI of the O3 daily maximum 1-hour value (literal reading of
    #: §4.4.1 式2 with §5.1.2) or use it only as the fallback of Table 1 note (3).
    daily_o3_1h_in_aqi: bool = False
    #: 2012 hourly AQI: include the O3 8-hour moving average (one of the nine real-time indicators).
    #: Settled False by the 2022 national-platform data.
    hourly_o3_8h_in_aqi: bool = False
    #: 2012 hourly PM: the 1-hour value (platform since 2014-01-01) or the 24-hour moving mean.
    hourly_pm_source: Literal["1h", "24h_moving"] = "1h"
    #: Concentration above the top breakpoint: IAQI 500 (cap) or no IAQI (null).
    above_top_breakpoint: Literal["cap_500", "null"] = "cap_500"
    #: Pollutant missing: "publish_above_100" (HJ 633—2026 §5.3 first paragraph, also the
    #: platform's 2012 practice, settled by the 2022 data) or "available" (AQI from whatever is there).
    missing_pollutant_rule: Literal["publish_above_100", "available", "require_all"] = "publish_above_100"
    #: Pollutants whose absence does not withhold the 2026 AQI (HJ 633—2026 §5.3, second paragraph:
    #: never the primary pollutant of a polluted day in three years). The national platform's 2026
    #: releases publish AQIs ≤ 100 with PM10 missing (102 of 107 such rows in the shared data, 26
    #: stations in 14 cities) and never with another pollutant missing; per-station lists can be
    #: given in a ``nonblocking`` column instead.
    nonblocking_2026: tuple[str, ...] = ("pm10",)
    #: MDA8 validity: minimum valid 8-hour windows among the 17 of the day, with the exceedance
    #: exception (valid anyway when the maximum of the valid windows exceeds the 8-hour limit).
    mda8_min_windows: int = 14
    #: Order of aggregation for city values.
    city_aggregation_order: Literal["station_stats", "city_hourly"] = "station_stats"
    #: Annual attainment of SO2/NO2/PM also requires their percentile statistics.
    annual_attainment_percentiles: bool = False
    #: Composite index weights (None: unweighted evaluation index).
    composite_weights: tuple[tuple[str, float], ...] | None = None
    #: Composite-index denominators in the 2026 regime.
    composite_denominators_2026: Literal["transitional", "2012", "final"] = "transitional"
    #: Round single-item indexes before summing (None: no, as GB/T 8170 forbids successive rounding).
    composite_round_single_index: int | None = None
    #: Percentiles from the rounded published daily values (True) or the unrounded ones.
    percentile_rounded_inputs: bool = True
    #: Dust deduction (spec §7): PM10/PM2.5 of every dust-affected day ("day"), or only of the listed
    #: dust hours, the day recomputed from its other hours ("hour"; needs station hours).
    dust_deduction: Literal["day", "hour"] = "day"
    #: Good-day rate keeps dust days (national reports) or removes dust exceedance days.
    good_rate_keeps_dust_days: bool = True
    #: 2012 valid day: all six daily statistics valid, or an AQI determinable from what is there.
    valid_day_2012: Literal["all_six", "aqi_determinable"] = "all_six"
    #: Heavy-pollution warning scheme.
    warning_scheme: Literal["2018", "2017"] = "2018"
    #: Coverage minimum of a period that is not made of whole months (date ranges, year to date, weeks):
    #: a statistic, and the good-day rate, is valid with at least this percentage of the period's days
    #: ("days so far" for a year to date) valid. GB 3095 Table 4 sets minimums for whole months and years
    #: only; the whole months inside such a period keep their monthly minimum too.
    coverage_min_pct: int = 90

    def with_(self, **changes) -> Options:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown switch(es) {unknown}; known switches: {sorted(known)}")
        return replace(self, **changes)


DEFAULT = Options()

WEIGHTS_3_2_2: tuple[tuple[str, float], ...] = (("pm25", 3.0), ("no2", 2.0), ("o3", 2.0))
