"""HJ 663 环境空气质量评价技术规范 and the city-ranking rules, as cited data.

Evidence levels follow the specification (``[C1]`` text read, ``[C2]`` secondary, ``[U]`` unconfirmed);
every unconfirmed rule has a switch in :class:`lantian.standards.switches.Options`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lantian.standards import hj633_2012


@dataclass(frozen=True)
class Item:
    """One evaluation item of a period (HJ 663—2013 Table 1 as reproduced in spec §5.1)."""

    name: str  # output name, e.g. "pm25", "co_p95", "pm25_p95"
    pollutant: str  # daily column the statistic is computed from ("o3_8h" = MDA8)
    statistic: str  # "mean" or "percentile"
    percentile: float | None
    limit_pollutant: str  # pollutant of the GB 3095 limit compared against
    limit_averaging: str  # "annual", "24h", "8h"
    in_index: bool  # enters the composite index (spec §5.4)
    annual_only: bool  # evaluated in annual (and longer) periods only
    source: str


#: Evaluation items. Means and the CO/O3 percentiles: [C2] CNEMC monthly reports (spec §5.1);
#: annual SO2/NO2 98th and PM 95th percentiles of daily means: [U] believed HJ 663—2013 Table 1.
ITEMS: tuple[Item, ...] = (
    Item("so2", "so2", "mean", None, "so2", "annual", True, False, "HJ 663—2013 §5; spec §5.1 [C2]"),
    Item("no2", "no2", "mean", None, "no2", "annual", True, False, "HJ 663—2013 §5; spec §5.1 [C2]"),
    Item("pm10", "pm10", "mean", None, "pm10", "annual", True, False, "HJ 663—2013 §5; spec §5.1 [C2]"),
    Item("pm25", "pm25", "mean", None, "pm25", "annual", True, False, "HJ 663—2013 §5; spec §5.1 [C2]"),
    Item("co", "co", "percentile", 95.0, "co", "24h", True, False, "CO 日均值第95百分位; spec §5.1 [C2]"),
    Item(
        "o3", "o3_8h", "percentile", 90.0, "o3", "8h", True, False, "O3 日最大8小时第90百分位; spec §5.1 [C2]"
    ),
    Item("so2_p98", "so2", "percentile", 98.0, "so2", "24h", False, True, "spec §5.1 annual [U]"),
    Item("no2_p98", "no2", "percentile", 98.0, "no2", "24h", False, True, "spec §5.1 annual [U]"),
    Item("pm10_p95", "pm10", "percentile", 95.0, "pm10", "24h", False, True, "spec §5.1 annual [U]"),
    Item("pm25_p95", "pm25", "percentile", 95.0, "pm25", "24h", False, True, "spec §5.1 annual [U]"),
)

#: Items of the composite index and their published precision (spec §5.4 [C2]: rounded statistics).
INDEX_ITEMS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3")
ITEM_DECIMALS: dict[str, int] = {"co": 1}  # every other item: integer (spec §1.3)

#: Composite index denominators S_i: annual Grade II limits for SO2, NO2, PM10, PM2.5; CO 24-hour and
#: O3 8-hour Grade II limits, "also for monthly indices" (spec §5.4 [C2]; ranking rules §6.2 [C2]).
DENOMINATOR_AVERAGING: dict[str, str] = {
    "so2": "annual",
    "no2": "annual",
    "pm10": "annual",
    "pm25": "annual",
    "co": "24h",
    "o3": "8h",
}

#: Published precisions (spec §10 good-day rate 1 dp [C2]; §5.4 index 2 dp [C2]; §6.2 change rate
#: 1 dp [C2]; §5.3 exceedance multiple 2 dp [U]).
RATE_DECIMALS = 1
INDEX_DECIMALS = 2
CHANGE_DECIMALS = 1
MULTIPLE_DECIMALS = 2

#: Good day: daily AQI ≤ 100 (优 and 良); heavy-or-worse day: AQI > 200 (spec §10 [C1 via classes]).
#: The day classes are the AQI levels, read from the AQI rules; a period may span both editions, whose
#: classes are the same (HJ 633—2012 Table 2, HJ 633—2026 Table 1; checked by the tests).
GOOD_DAY_MAX_AQI = hj633_2012.RULES.good_day_max_aqi
HEAVY_DAY_ABOVE_AQI = hj633_2012.RULES.heavy_above_aqi

#: Validity minimums of O3 daily statistics outside GB 3095 Table 4: the day's 8-hour windows are the
#: 17 ending 08…24 (spec §1.2 [C2/U]; settled by the national-platform ``o3_8h`` column, which is
#: empty for hours 01–07 and restarts each natural day). Hour-of-day labels of the first and last window.
MDA8_FIRST_WINDOW_HOUR = 8
MDA8_WINDOWS = 17

#: Percentile method (spec §5.2 [C2]): k = 1 + (n − 1)·p, linear interpolation = NumPy "linear".
PERCENTILE_METHOD = "linear"

#: Ranking (spec §6.2): ascending composite index / PM2.5 / change rate; descending good-day rate.
RANK_ORDER: dict[str, bool] = {
    "index": False,
    "pm25": False,
    "change": False,
    "pm25_change": False,
    "good_rate": True,
}
RANK_COLUMN: dict[str, str] = {
    "index": "composite_index",
    "pm25": "pm25",
    "change": "index_change_pct",
    "pm25_change": "pm25_change_pct",
    "good_rate": "good_rate",
}
