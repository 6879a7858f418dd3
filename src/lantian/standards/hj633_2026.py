"""HJ 633—2026 环境空气质量指数（AQI）技术规定. In force from 2026-03-01, replaces HJ 633—2012.

Table 3 (IAQI breakpoints, notes a–c), Table 1 (levels, categories, health effects, advice),
Table 2 (sensitive groups per pollutant), Appendix A Table A.1 (colours, unchanged).

The level texts apply the wording changes of the 2026 edition (易感人群 → 敏感人群; 儿童 → 青少年儿童;
心脏病、肺病 → 心血管系统疾病、呼吸系统疾病) to the 2012 sentences; the English texts carry the same
changes (sensitive people; adolescents and children; cardiovascular and respiratory disease).
"""

from __future__ import annotations

from dataclasses import replace

from lantian.standards import hj633_2012
from lantian.standards._types import AQIRules, BreakpointTable, Level

T3 = "HJ 633—2026 Table 3"

_CHANGED = {
    "pm10_24h": BreakpointTable("pm10_24h", (0, 50, 120, 250, 350, 420, 500, 600), f"{T3}, PM10 日平均"),
    "pm25_24h": BreakpointTable("pm25_24h", (0, 35, 60, 115, 150, 250, 350, 500), f"{T3}, PM2.5 日平均"),
}

TABLES: dict[str, BreakpointTable] = {
    name: _CHANGED.get(name, replace(table, source=table.source.replace("HJ 633—2012 Table 1", T3)))
    for name, table in hj633_2012.TABLES.items()
}

T1 = "HJ 633—2026 Table 1; colours Appendix A Table A.1"

_TEXTS_2026 = {
    1: ("空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
    2: ("空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响", "极少数异常敏感人群应减少户外活动"),
    3: ("敏感人群症状有轻度加剧，健康人群出现刺激症状",
        "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"),
    4: ("进一步加剧敏感人群症状，可能对健康人群心血管系统、呼吸系统有影响",
        "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动"),
    5: ("心血管系统疾病和呼吸系统疾病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "青少年儿童、老年人和心血管系统疾病、呼吸系统疾病患者应停留在室内，停止户外运动，一般人群减少户外运动"),
    6: ("健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
        "青少年儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"),
}

_GROUPS_EN = "adolescents and children, the elderly and people with cardiovascular or respiratory disease"

#: English of the changed 2026 texts (health effect, advice); None and levels 1–2: as in 2012.
_TEXTS_2026_EN: dict[int, tuple[str | None, str]] = {
    3: ("Symptoms of sensitive people worsen slightly; healthy people show irritation.",
        f"{_GROUPS_EN.capitalize()} should reduce prolonged, intense outdoor exercise."),
    4: ("Symptoms of sensitive people worsen further; the cardiovascular and respiratory systems of healthy "
        "people may be affected.",
        f"{_GROUPS_EN.capitalize()} should avoid prolonged, intense outdoor exercise; everyone else should "
        "moderately reduce outdoor exercise."),
    5: ("Symptoms of people with cardiovascular or respiratory disease worsen markedly and exercise tolerance "
        "drops; healthy people commonly show symptoms.",
        f"{_GROUPS_EN.capitalize()} should stay indoors and stop outdoor exercise; everyone else should reduce "
        "outdoor exercise."),
    6: (None,  # unchanged from 2012
        "Adolescents and children, the elderly and the sick should stay indoors and avoid exertion; everyone "
        "else should avoid outdoor activity."),
}

LEVELS: tuple[Level, ...] = tuple(
    replace(
        lv,
        # §4.1.1: the AQI range is 1–500; Table 1's first class is 1～50.
        aqi_low=1 if lv.level == 1 else lv.aqi_low,
        health_effect_zh=_TEXTS_2026[lv.level][0],
        advice_zh=_TEXTS_2026[lv.level][1],
        health_effect_en=_TEXTS_2026_EN.get(lv.level, (None,))[0] or lv.health_effect_en,
        advice_en=_TEXTS_2026_EN[lv.level][1] if lv.level in _TEXTS_2026_EN else lv.advice_en,
        source=T1,
    )
    for lv in hj633_2012.LEVELS
)

SENSITIVE_GROUPS_ZH = {
    # HJ 633—2026 Table 2 (pollutants whose IAQI exceeds 100).
    "so2": "哮喘患者、青少年儿童、老年人",
    "no2": "呼吸系统疾病（如哮喘）患者、青少年儿童、老年人",
    "co": "心血管系统疾病患者",
    "o3": "呼吸系统疾病（如哮喘）患者、青少年儿童、户外活动频繁者、老年人",
    "pm10": "心血管系统疾病或呼吸系统疾病（如哮喘）患者、青少年儿童、户外活动频繁者、老年人",
    "pm25": "心血管系统疾病或呼吸系统疾病（如哮喘）患者、青少年儿童、户外活动频繁者、老年人",
}

RULES = AQIRules(
    edition="HJ 633—2026",
    tables=TABLES,
    levels=LEVELS,
    # §4.2.2: SO2, NO2, CO, PM10, PM2.5 daily averages and O3 daily maximum 8-hour average.
    daily_indicators=("so2", "no2", "co", "o3_8h", "pm10", "pm25"),
    # §4.2.3: the six 1-hour values; PM 1-hour values graded on the daily columns (式1 note).
    hourly_indicators=("so2", "no2", "co", "o3", "pm10", "pm25"),
    table_for={
        ("daily", "so2"): "so2_24h",
        ("daily", "no2"): "no2_24h",
        ("daily", "co"): "co_24h",
        ("daily", "o3_8h"): "o3_8h",
        ("daily", "o3"): "o3_1h",
        ("daily", "pm10"): "pm10_24h",
        ("daily", "pm25"): "pm25_24h",
        ("hourly", "so2"): "so2_1h",
        ("hourly", "no2"): "no2_1h",
        ("hourly", "co"): "co_1h",
        ("hourly", "o3"): "o3_1h",
        ("hourly", "o3_8h"): "o3_8h",
        ("hourly", "pm10"): "pm10_24h",
        ("hourly", "pm25"): "pm25_24h",
    },
    so2_1h_special_above=800,
    so2_1h_special_iaqi=200,  # Table 3 note b
    o3_8h_special_above=800,
    o3_8h_special_iaqi=300,  # Table 3 note c
    exceedance_pollutants=False,  # foreword: definition and method deleted
    rounds_inputs=True,  # §4.2.2, §4.2.3: GB/T 8170, integers (CO 1 decimal)
    primary_above_aqi=50,  # §4.3.1: AQI大于50时，IAQI最大的污染物为首要污染物
    exceedance_above_iaqi=100,  # Table 2: sensitive groups of the pollutants whose IAQI exceeds 100
    missing_publish_above_aqi=100,  # §5.3 ¶1: with a pollutant missing, published only when AQI > 100
    good_day_max_aqi=100,  # levels 1–2 (优、良), Table 1
    heavy_above_aqi=200,  # levels 5–6 (重度、严重污染), Table 1
    severe_above_aqi=300,  # level 6 (严重污染), Table 1
    sensitive_groups_zh=SENSITIVE_GROUPS_ZH,
    source="HJ 633—2026",
)
