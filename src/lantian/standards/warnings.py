"""Heavy-pollution weather warning levels (重污染天气预警分级), spec §8, as cited data.

A level is reached when the forecast episode has at least ``days_above_200`` days with daily AQI > 200
and at least ``days_above_300`` of them with AQI > 300, or when any day reaches ``or_aqi_reaches``.
The highest level reached is issued ("not reaching a higher level", spec §8 [C2]).
"""

from __future__ import annotations

from dataclasses import dataclass

from lantian.standards import hj633_2012

#: Heavy pollution: daily AQI > 200 (HJ 633—2012 levels 5–6; spec §8 [C2]); severe: AQI > 300 (level 6).
HEAVY_ABOVE = hj633_2012.RULES.heavy_above_aqi
SEVERE_ABOVE = hj633_2012.RULES.severe_above_aqi

#: Display colours of the warning levels, named by colour (环大气〔2017〕86号): red and orange are the
#: AQI level colours (HJ 633 Appendix A Table A.1, levels 4 and 3); yellow is darkened and blue is a
#: mid blue so that white text on them stays readable.
COLOURS: dict[str, str] = {
    "blue": "#1F6FB2",
    "yellow": "#E6B800",
    "orange": hj633_2012.RULES.level(3).hex,
    "red": hj633_2012.RULES.level(4).hex,
}
#: Colour of an unknown or absent warning level.
NO_WARNING_COLOUR = "#999"


@dataclass(frozen=True)
class WarningLevel:
    rank: int  # 1 blue … 4 red
    code: str
    name_zh: str
    days_above_200: int
    days_above_300: int
    or_aqi_reaches: int | None
    source: str

    @property
    def colour(self) -> str:
        """Display colour of the level (:data:`COLOURS`)."""
        return COLOURS[self.code]


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
