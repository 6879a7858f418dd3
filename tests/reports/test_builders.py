"""Layout of each report kind from given figures (the figures here are inputs, not checked values)."""

from __future__ import annotations

import datetime as dt

from lantian.reports.builders import build_cycle_report, build_period_report, period_label
from lantian.reports.daily import build_daily, city_sentence
from lantian.reports.figures import (
    CaseSummary,
    DayAQI,
    PeriodFigures,
    RankEntry,
    Ranking,
    Statistic,
    TargetLine,
    UnitScore,
)
from lantian.reports.render import render

# standards.md §11.2 B1: SO2 10, NO2 40, PM10 250, CO 1.0, O3-8h 100, PM2.5 115 → AQI 150, 三级 轻度污染,
# primary PM2.5 and PM10 (tie).
B1 = {
    "date": dt.date(2016, 1, 5),
    "so2": 10.0,
    "no2": 40.0,
    "pm10": 250.0,
    "co": 1.0,
    "o3_8h": 100.0,
    "pm25": 115.0,
    "iaqi_so2": 10,
    "iaqi_no2": 50,
    "iaqi_pm10": 150,
    "iaqi_co": 25,
    "iaqi_o3_8h": 50,
    "iaqi_pm25": 150,
    "aqi": 150,
    "primary_pollutants": "pm10,pm25",
    "level": 3,
    "category": "轻度污染",
    "regime": "2012",
}


def test_daily_sentence_names_level_category_and_tied_primaries():
    text = city_sentence("长沙市", dt.date(2016, 1, 5), B1, "zh")
    assert text == (
        "2016年1月5日，长沙市环境空气质量指数（AQI）为150，空气质量级别为三级，类别为轻度污染，"
        "首要污染物为可吸入颗粒物(PM₁₀)、细颗粒物(PM₂.₅)。"
    )
    en = city_sentence("Changsha", dt.date(2016, 1, 5), B1, "en")
    assert "was 150, level 3, lightly polluted; primary pollutant: PM10, PM2.5" in en
    withheld = city_sentence("长沙市", dt.date(2016, 1, 5), {**B1, "aqi": None}, "zh")
    assert "不予发布" in withheld


def test_daily_bulletin_sections_and_advice():
    stations = [
        {**B1, "station_code": "1001A", "name": "甲站"},
        {**B1, "station_code": "1002A", "name": "乙站", "aqi": None, "level": None},
    ]
    doc = build_daily(
        "长沙市",
        dt.date(2016, 1, 5),
        B1,
        stations,
        warning={
            "level": "yellow",
            "level_name": "黄色",
            "forecast": [
                {"date": dt.date(2016, 1, 6), "aqi": 210},
                {"date": dt.date(2016, 1, 7), "aqi": 230},
            ],
        },
    )
    assert [s.heading for s in doc.sections] == [
        "全市空气质量状况",
        "各监测点位空气质量",
        "健康指引",
        "重污染天气预警提示",
    ]
    html = render(doc, "html").decode()
    # HJ 633—2012 Table 2, level 三级
    assert "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼" in html
    assert "建议发布黄色预警" in html
    assert doc.table("stations").column("aqi") == [150, None]


def test_daily_bulletin_2026_lists_sensitive_groups():
    row = {**B1, "regime": "2026", "date": dt.date(2026, 4, 1)}
    doc = build_daily("株洲市", dt.date(2026, 4, 1), row, [])
    html = render(doc, "html").decode()
    assert "HJ 633—2026 表2" in html and "青少年儿童" in html


def _figures(previous: bool = True) -> PeriodFigures:
    prev = PeriodFigures(
        city="长沙市",
        period="2015",
        start=dt.date(2015, 1, 1),
        end=dt.date(2015, 12, 31),
        composite_index=6.5,
        valid_days=365,
        good_days=240,
        good_rate=65.8,
        heavy_days=10,
        category_days={1: 40, 2: 200, 3: 90, 4: 25, 5: 10},
        monthly={f"2015-{m:02d}": {"pm25": 60 - m, "composite_index": 6.0} for m in range(1, 13)},
    )
    return PeriodFigures(
        city="长沙市",
        period="2016",
        start=dt.date(2016, 1, 1),
        end=dt.date(2016, 12, 31),
        statistics=[
            Statistic("pm25", "mean", 53, 35, 1.51, 0.51, False, 366, 61, -13.1),
            Statistic("co", "p95", 1.4, 4, 0.35, None, True, 366, 1.6, -12.5),
        ],
        composite_index=5.9,
        composite_primary="pm25",
        valid_days=366,
        good_days=264,
        good_rate=72.1,
        heavy_days=6,
        category_days={1: 50, 2: 214, 3: 80, 4: 16, 5: 6},
        primary_days={"pm25": 90, "o3_8h": 12},
        attainment=False,
        daily=[DayAQI(dt.date(2016, 1, 1) + dt.timedelta(d), 80, 2) for d in range(366)],
        monthly={f"2016-{m:02d}": {"pm25": 55 - m, "composite_index": 5.5} for m in range(1, 13)},
        previous=prev if previous else None,
        composite_change_pct=-9.2,
        good_rate_change_pp=6.3,
        good_days_change=24,
    )


def test_annual_report_tables_charts_and_english():
    rank = Ranking("湖南省", "index", [RankEntry("株洲市", 1, 5.5), RankEntry("长沙市", 2, 5.9, -9.2)])
    targets = [TargetLine("PM2.5", "≤ 55", "53", "达成")]
    doc = build_period_report(
        "annual", _figures(), province_rank=rank, targets=targets, number="蓝天办〔2017〕1号"
    )
    assert doc.title == "长沙市2016年环境空气质量年度报告"
    assert [t.name for t in doc.tables()] == [
        "indicators",
        "pollutants",
        "categories",
        "province_rank",
        "targets",
    ]
    assert [c.name for c in doc.charts()] == ["calendar", "trend_pm25", "trend_composite_index"]
    text = render(doc, "md").decode()
    assert "综合指数为5.90，同比下降9.2%" in text and "排名第2位" in text
    assert "| 细颗粒物(PM₂.₅) | 平均浓度 | 53 | μg/m³ | 35 | 1.51 | 0.51 | 超标 | 61 | -13.1% |" in text
    en = build_period_report("annual", _figures(previous=False), lang="en")
    assert en.title == "长沙市 Annual Air Quality Report, 2016"
    assert (
        "composite air quality index of 长沙市 was 5.90, down 9.2% on the same period last year"
        in render(en, "md").decode()
    )


def test_period_labels():
    assert period_label("quarterly", "2016Q3", "zh") == "2016年第三季度"
    assert period_label("monthly", "2016-07", "zh") == "2016年7月"
    assert period_label("monthly", "2016-07", "en") == "July 2016"


def test_monthly_notice_names_units_by_escalation_step():
    cases = CaseSummary(
        rows=[{"unit": "芙蓉区", "opened": 3, "closed": 1, "overdue": 2, "escalated": 1}],
        total={"opened": 3, "closed": 1, "overdue": 2, "escalated": 1},
        escalations=[
            {
                "unit": "芙蓉区",
                "level": "约谈",
                "case": "C-1",
                "date": dt.date(2016, 7, 20),
                "reason": "超期15天",
            },
            {
                "unit": "住建局",
                "level": "提醒",
                "case": "C-2",
                "date": dt.date(2016, 7, 2),
                "reason": "超期1天",
            },
        ],
    )
    scores = [
        UnitScore("芙蓉区", "district", 88.5, 1, {"空气质量": 50.0}),
        UnitScore("住建局", "department", 90.0, 1, {"工作": 90.0}),
    ]
    doc = build_cycle_report(
        "monthly",
        "长沙市",
        "2016-07",
        dt.date(2016, 7, 1),
        dt.date(2016, 7, 31),
        _figures(previous=False),
        scores=scores,
        cases=cases,
    )
    md = render(doc, "md").decode()
    assert "约谈：芙蓉区。" in md and "提醒：住建局。" in md
    assert md.index("约谈：芙蓉区") < md.index("提醒：住建局")
    assert {"district_scores", "department_scores", "cases", "escalations"} <= {t.name for t in doc.tables()}
