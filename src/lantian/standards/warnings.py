"""Heavy-pollution weather warning levels (重污染天气预警分级), spec §8, as cited data.

A level is reached when the forecast episode has at least ``days_above_200`` days with daily AQI > 200
and at least ``days_above_300`` of them with AQI > 300, or when any day reaches ``or_aqi_reaches``.
The highest level reached is issued ("not reaching a higher level", spec §8 [C2]).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Heavy pollution: daily AQI > 200 (HJ 633—2012 levels 5–6; spec §8 [C2]).
HEAVY_ABOVE = 200
SEVERE_ABOVE = 300


@dataclass(frozen=True)
class WarningLevel:
    rank: int  # 1 blue … 4 red
    code: str
    name_zh: str
    days_above_200: int
    days_above_300: int
    or_aqi_reaches: int | None
    source: str


_S2017 = "环大气〔2017〕86号 (MEP slides 2017-09-20), spec §8 [C2]"
_S2018 = "环办大气函〔2018〕875号 three-level form (Xinzhou 2021 reply), spec §8 [C2]; orange without the AQI > 300 day [U]"

SCHEMES: dict[str, tuple[WarningLevel, ...]] = {
    "2017": (
        WarningLevel(1, "blue", "蓝色预警", 1, 0, None, _S2017),
        WarningLevel(2, "yellow", "黄色预警", 2, 0, None, _S2017),
        WarningLevel(3, "orange", "橙色预警", 3, 1, None, _S2017),
        WarningLevel(4, "red", "红色预警", 4, 2, 500, _S2017),
    ),
    "2018": (
        WarningLevel(2, "yellow", "黄色预警", 2, 0, None, _S2018),
        WarningLevel(3, "orange", "橙色预警", 3, 0, None, _S2018),
        WarningLevel(4, "red", "红色预警", 4, 2, 500, _S2018),
    ),
}
