"""Frozen data types for the transcribed rules. Data only: no computation over frames."""

from __future__ import annotations

from dataclasses import dataclass, field

#: IAQI values at the breakpoints of every HJ 633 table (HJ 633—2012 Table 1; HJ 633—2026 Table 3).
IAQI_STEPS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)


@dataclass(frozen=True)
class BreakpointTable:
    """One column of the IAQI table: concentrations at IAQI 0, 50, 100, 150, 200, 300, 400, 500.

    A shorter column ends where the standard's column ends (a special rule applies above it).
    Concentrations are in the pollutant's unit (µg/m³; CO mg/m³).
    """

    indicator: str  # e.g. "so2_1h", "pm25_24h", "o3_8h"
    concentrations: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        c = self.concentrations
        if c[0] != 0 or any(b <= a for a, b in zip(c, c[1:], strict=False)):
            raise ValueError(f"{self.indicator}: breakpoints must start at 0 and increase: {c}")
        if len(c) > len(IAQI_STEPS):
            raise ValueError(f"{self.indicator}: more breakpoints than IAQI steps")

    @property
    def segments(self) -> list[tuple[float, float, int, int]]:
        """(BP_lo, BP_hi, IAQI_lo, IAQI_hi) of each contiguous segment (HJ 633 式1)."""
        c = self.concentrations
        return [(c[i], c[i + 1], IAQI_STEPS[i], IAQI_STEPS[i + 1]) for i in range(len(c) - 1)]

    @property
    def top(self) -> float:
        return self.concentrations[-1]


@dataclass(frozen=True)
class Level:
    """One AQI level with its category, colour and health texts."""

    level: int  # 1..6
    aqi_low: int
    aqi_high: int | None  # None: open-ended (> 300)
    name_zh: str  # 一级 … 六级
    category_zh: str  # 优 … 严重污染
    category_en: str
    colour_zh: str
    colour_en: str
    rgb: tuple[int, int, int]
    hex: str
    cmyk: tuple[int, int, int, int]
    health_effect_zh: str
    advice_zh: str
    health_effect_en: str
    advice_en: str
    source: str


@dataclass(frozen=True)
class Limit:
    """A concentration limit (GB 3095): pollutant, averaging period, grade, value."""

    pollutant: str
    averaging: str  # "annual", "24h", "1h", "8h", "quarterly"
    grade: int  # 1 or 2
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class ValidityRule:
    """Minimum number of valid inputs for a statistic (GB 3095 Table 4)."""

    statistic: str  # "1h", "8h", "24h", "annual", "monthly", "monthly_feb", ...
    pollutants: tuple[str, ...]
    minimum: int
    out_of: int | None
    unit: str  # "minutes", "hours", "8h values", "days"
    source: str


@dataclass(frozen=True)
class AQIRules:
    """Everything HJ 633 fixes for computing IAQI/AQI in one edition."""

    edition: str  # "HJ 633—2012" / "HJ 633—2026"
    tables: dict[str, BreakpointTable]
    levels: tuple[Level, ...]
    #: indicators of the daily report that enter the AQI (§5.1.2 / §4.2.2)
    daily_indicators: tuple[str, ...]
    #: indicators of the real-time report that enter the AQI (§5.1.3 / §4.2.3)
    hourly_indicators: tuple[str, ...]
    #: which table grades each (kind, indicator)
    table_for: dict[tuple[str, str], str]
    #: SO2 1-hour above this → special rule (note 2 / note b)
    so2_1h_special_above: float
    #: 2026: IAQI counted when SO2 1h exceeds the cap; 2012: None (use the 24-hour IAQI)
    so2_1h_special_iaqi: int | None
    o3_8h_special_above: float
    #: 2026: IAQI counted when O3 8h exceeds the cap; 2012: None (use the 1-hour IAQI)
    o3_8h_special_iaqi: int | None
    exceedance_pollutants: bool  # 2012 only (§3.4); deleted in 2026
    rounds_inputs: bool  # 2026 §4.2.2-4.2.3: GB/T 8170 before IAQI
    #: AQI above which the pollutant(s) with the largest IAQI are primary (2012 §4.4.2; 2026 §4.3.1)
    primary_above_aqi: int
    #: IAQI above which a pollutant exceeds its standard (2012 §3.4 超标污染物; 2026 Table 2 names the
    #: sensitive groups of the pollutants above it)
    exceedance_above_iaqi: int
    #: With a pollutant missing the AQI is published only above this (2026 §5.3 ¶1; 2012 platform practice)
    missing_publish_above_aqi: int
    #: Good day (优良天: levels 1–2): daily AQI ≤ this (HJ 663 day classes, spec §10)
    good_day_max_aqi: int
    #: Heavy pollution or worse (重度污染及以上: levels 5–6): AQI > this (spec §8, §10)
    heavy_above_aqi: int
    #: Severe pollution (严重污染: level 6): AQI > this (spec §8)
    severe_above_aqi: int
    sensitive_groups_zh: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        # Every AQI threshold is the upper bound of one level of the level table (Table 2 / Table 1).
        bounds = {lv.aqi_high for lv in self.levels}
        for name in ("primary_above_aqi", "missing_publish_above_aqi", "good_day_max_aqi",
                     "heavy_above_aqi", "severe_above_aqi"):
            if getattr(self, name) not in bounds:
                raise ValueError(f"{self.edition}: {name}={getattr(self, name)} is not a level bound {bounds}")

    def level(self, level: int) -> Level:
        """The level ``level`` (1–6) of this edition."""
        if not 1 <= int(level) <= len(self.levels):
            raise ValueError(f"AQI level {level!r} is not one of 1–{len(self.levels)}")
        return self.levels[int(level) - 1]
