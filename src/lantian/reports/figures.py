"""The figures a period report prints, copied field by field from the assessment results.

Nothing here computes: the caller fills these views from the results that ``lantian assess``,
``rank``, ``targets`` and ``cycle`` serialise with ``--json``, and the builders lay them out. Field names follow those results; every number keeps the rounding the pipeline gave it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lantian.schema import city_key


@dataclass
class Statistic:
    """One evaluation item of a period (HJ 663): e.g. PM2.5 mean, CO P95, O3 MDA8 P90."""

    pollutant: str  # so2 no2 co o3 pm10 pm25
    statistic: str  # mean, p95, p98, mda8_p90 ...
    value: float | None
    limit: float | None = None
    index: float | None = None  # single-item index I_i (§5.4), when the item enters the composite index
    exceedance_multiple: float | None = None
    attains: bool | None = None
    n_valid: int | None = None
    previous: float | None = None
    change_pct: float | None = None
    #: False below the data-validity minimum (GB 3095 Table 4; switch coverage_min_pct): shown as 数据不足
    valid: bool = True


@dataclass
class DayAQI:
    date: dt.date
    aqi: int | None
    level: int | None
    primary: str | None = None


@dataclass
class PeriodFigures:
    """The air-quality results of one city over one period."""

    city: str
    period: str
    start: dt.date
    end: dt.date
    regime: str = "2012"
    statistics: list[Statistic] = field(default_factory=list)
    composite_index: float | None = None
    composite_primary: str | None = None  # pollutant with the largest single-item index
    valid_days: int | None = None
    good_days: int | None = None
    good_rate: float | None = None  # percent, 1 decimal
    heavy_days: int | None = None  # AQI > 200
    heavy_rate: float | None = None
    category_days: dict[int, int] = field(default_factory=dict)  # level → days
    primary_days: dict[str, int] = field(default_factory=dict)  # pollutant → days as primary
    attainment: bool | None = None
    daily: list[DayAQI] = field(default_factory=list)
    #: monthly series for the trend charts: month label → {"pm25": …, "composite_index": …, "good_rate": …}
    monthly: dict[str, dict] = field(default_factory=dict)
    previous: PeriodFigures | None = None
    composite_change_pct: float | None = None
    good_rate_change_pp: float | None = None
    good_days_change: int | None = None
    #: what the period lacks when its figures are 数据不足 ({"zh": …, "en": …}, from the assessment)
    insufficient: dict | None = None


@dataclass
class RankEntry:
    name: str
    rank: int | None
    value: float | None
    change_pct: float | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Ranking:
    """A ranking of a group (province cities or the city's counties) for the period."""

    group: str
    by: str  # index, change, pm25, good_rate
    entries: list[RankEntry] = field(default_factory=list)

    def position(self, name: str) -> RankEntry | None:
        for e in self.entries:
            if e.name == name or city_key(e.name) == city_key(name):
                return e
        return None


@dataclass
class TargetLine:
    """One annual target and its status (from ``lantian targets``)."""

    name: str
    target: str
    actual: str
    status: str  # on track / at risk / lost / met
    remaining: str = ""


@dataclass
class UnitScore:
    """A district's or department's monthly score and rank (from ``lantian cycle monthly``)."""

    unit: str
    kind: str  # district / department
    score: float | None
    rank: int | None
    parts: dict[str, float | None] = field(default_factory=dict)


@dataclass
class CaseSummary:
    """Case counts of the period, per unit and in total (from ``lantian cycle weekly|monthly``)."""

    rows: list[dict] = field(default_factory=list)  # unit, opened, closed, overdue, escalated
    total: dict = field(default_factory=dict)
    escalations: list[dict] = field(
        default_factory=list
    )  # unit, level (提醒/通报/约谈/移交), case, date, reason


@dataclass
class MissingAirQuality:
    """The air-quality part a weekly, monthly or quarterly report cannot give: the store does not exist
    (``reason="no_store"``) or holds no data of the city for the period (``"no_data"``)."""

    city: str  # the city's key as the reports name it (株洲)
    period: str  # the report's period label (2026-11, 2026-W45, 2026Q4)
    start: dt.date
    end: dt.date
    reason: str  # no_store / no_data

    def to_dict(self) -> dict:
        return {
            "reason": self.reason,
            "city": self.city,
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
