"""HJ 633—2012 环境空气质量指数（AQI）技术规定（试行）. In force until 2026-02-28.

Tables transcribed from the standard: Table 1 (IAQI breakpoints and notes 1–3), Table 2
(levels, categories, health effects and advice), Appendix A Table A.1 (colours).
"""

from __future__ import annotations

from lantian.standards._types import AQIRules, BreakpointTable, Level

T1 = "HJ 633—2012 Table 1"

TABLES: dict[str, BreakpointTable] = {
    t.indicator: t
    for t in (
        BreakpointTable("so2_24h", (0, 50, 150, 475, 800, 1600, 2100, 2620), f"{T1}, SO2 24小时平均"),
        # Note 2: above 800 no IAQI from the 1-hour value; the 24-hour IAQI is reported.
        BreakpointTable("so2_1h", (0, 150, 500, 650, 800), f"{T1}, SO2 1小时平均, note (1)(2)"),
        BreakpointTable("no2_24h", (0, 40, 80, 180, 280, 565, 750, 940), f"{T1}, NO2 24小时平均"),
        BreakpointTable("no2_1h", (0, 100, 200, 700, 1200, 2340, 3090, 3840), f"{T1}, NO2 1小时平均, note (1)"),
        BreakpointTable("pm10_24h", (0, 50, 150, 250, 350, 420, 500, 600), f"{T1}, PM10 24小时平均"),
        BreakpointTable("co_24h", (0, 2, 4, 14, 24, 36, 48, 60), f"{T1}, CO 24小时平均 (mg/m³)"),
        BreakpointTable("co_1h", (0, 5, 10, 35, 60, 90, 120, 150), f"{T1}, CO 1小时平均 (mg/m³), note (1)"),
        BreakpointTable("o3_1h", (0, 160, 200, 300, 400, 800, 1000, 1200), f"{T1}, O3 1小时平均"),
        # Note 3: above 800 no IAQI from the 8-hour value; the 1-hour IAQI is reported.
        BreakpointTable("o3_8h", (0, 100, 160, 215, 265, 800), f"{T1}, O3 8小时滑动平均, note (3)"),
        BreakpointTable("pm25_24h", (0, 35, 75, 115, 150, 250, 350, 500), f"{T1}, PM2.5 24小时平均"),
    )
}

T2 = "HJ 633—2012 Table 2; colours Appendix A Table A.1"

LEVELS: tuple[Level, ...] = (
    Level(1, 0, 50, "一级", "优", "Excellent", "绿色", "green", (0, 228, 0), "#00E400", (40, 0, 100, 0),
          "空气质量令人满意，基本无空气污染", "各类人群可正常活动",
          "Air quality is satisfactory; essentially no air pollution.",
          "Everyone can continue normal activities.", T2),
    Level(2, 51, 100, "二级", "良", "Good", "黄色", "yellow", (255, 255, 0), "#FFFF00", (0, 0, 100, 0),
          "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
          "极少数异常敏感人群应减少户外活动",
          "Air quality is acceptable; some pollutants may slightly affect a very small number of "
          "unusually sensitive people.",
          "The very few unusually sensitive people should reduce outdoor activity.", T2),
    Level(3, 101, 150, "三级", "轻度污染", "Lightly polluted", "橙色", "orange", (255, 126, 0), "#FF7E00",
          (0, 52, 100, 0),
          "易感人群症状有轻度加剧，健康人群出现刺激症状",
          "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
          "Symptoms of susceptible people worsen slightly; healthy people show irritation.",
          "Children, the elderly and people with heart or respiratory disease should reduce prolonged, "
          "intense outdoor exercise.", T2),
    Level(4, 151, 200, "四级", "中度污染", "Moderately polluted", "红色", "red", (255, 0, 0), "#FF0000",
          (0, 100, 100, 0),
          "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
          "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
          "Symptoms of susceptible people worsen further; the heart and respiratory systems of healthy "
          "people may be affected.",
          "Children, the elderly and people with heart or respiratory disease should avoid prolonged, "
          "intense outdoor exercise; everyone else should moderately reduce outdoor exercise.", T2),
    Level(5, 201, 300, "五级", "重度污染", "Heavily polluted", "紫色", "purple", (153, 0, 76), "#99004C",
          (10, 100, 40, 30),
          "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
          "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
          "Symptoms of people with heart or lung disease worsen markedly and exercise tolerance drops; "
          "healthy people commonly show symptoms.",
          "Children, the elderly and people with heart or lung disease should stay indoors and stop "
          "outdoor exercise; everyone else should reduce outdoor exercise.", T2),
    Level(6, 301, None, "六级", "严重污染", "Severely polluted", "褐红色", "maroon", (126, 0, 35), "#7E0023",
          (30, 100, 100, 30),
          "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
          "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
          "Healthy people's exercise tolerance drops, with strong symptoms; some illnesses appear early.",
          "Children, the elderly and the sick should stay indoors and avoid exertion; everyone else should "
          "avoid outdoor activity.", T2),
)

RULES = AQIRules(
    edition="HJ 633—2012",
    tables=TABLES,
    levels=LEVELS,
    # §5.1.2: SO2, NO2, PM10, PM2.5, CO 24-hour averages, O3 daily max 1-hour, O3 daily max 8-hour.
    # Whether the O3 max 1-hour enters the AQI is a switch (daily_o3_1h_in_aqi).
    daily_indicators=("so2", "no2", "co", "o3_8h", "pm10", "pm25"),
    # §5.1.3 lists nine real-time indicators; the platform's hourly AQI uses the six 1-hour values
    # (O3 8-hour: switch hourly_o3_8h_in_aqi; PM 24-hour moving: switch hourly_pm_source).
    hourly_indicators=("so2", "no2", "co", "o3", "pm10", "pm25"),
    table_for={
        ("daily", "so2"): "so2_24h",
        ("daily", "no2"): "no2_24h",
        ("daily", "co"): "co_24h",
        ("daily", "o3"): "o3_1h",
        ("daily", "o3_8h"): "o3_8h",
        ("daily", "pm10"): "pm10_24h",
        ("daily", "pm25"): "pm25_24h",
        ("hourly", "so2"): "so2_1h",
        ("hourly", "so2_24h"): "so2_24h",
        ("hourly", "no2"): "no2_1h",
        ("hourly", "co"): "co_1h",
        ("hourly", "o3"): "o3_1h",
        ("hourly", "o3_8h"): "o3_8h",
        # Platform practice since 2014-01-01: the 1-hour PM value graded on the 24-hour column.
        ("hourly", "pm10"): "pm10_24h",
        ("hourly", "pm25"): "pm25_24h",
        ("hourly", "pm10_24h"): "pm10_24h",
        ("hourly", "pm25_24h"): "pm25_24h",
    },
    so2_1h_special_above=800,
    so2_1h_special_iaqi=None,  # note (2): report the SO2 24-hour IAQI instead
    o3_8h_special_above=800,
    o3_8h_special_iaqi=None,  # note (3): report the O3 1-hour IAQI instead
    exceedance_pollutants=True,  # §3.4, §4.4.2
    rounds_inputs=False,  # not stated in the text; see switch round_inputs_2012
    primary_above_aqi=50,  # §4.4.2: AQI大于50时，IAQI最大的污染物为首要污染物
    exceedance_above_iaqi=100,  # §3.4: IAQI大于100的污染物为超标污染物
    missing_publish_above_aqi=100,  # platform practice (switch missing_pollutant_rule)
    good_day_max_aqi=100,  # levels 1–2 (优、良), Table 2
    heavy_above_aqi=200,  # levels 5–6 (重度、严重污染), Table 2
    severe_above_aqi=300,  # level 6 (严重污染), Table 2
    source="HJ 633—2012",
)
