"""The dashboard renders the pipeline's results: published decimals by GB/T 8170 and the level texts of
the edition in force for the data's date."""

from __future__ import annotations

import datetime as dt

from lantian.pipeline import figures as F
from lantian.standards import get
from lantian.web import air


def _panel(result: dict) -> F.YearPanel:
    a = F.Assessment(city="株洲", period="2016", start=dt.date(2016, 1, 1), end=dt.date(2016, 12, 31),
                     source="city daily", result=result)
    return F.YearPanel(city="株洲", year=2016, assessment=a, ranking=[], group=None, calendar=[],
                       monthly_good={"this": [None] * 12, "last": [None] * 12}, targets=None, warnings=None)


def test_co_p95_shown_by_gbt_8170():
    """GB/T 8170—2008 §3.3 (round half to even on the decimal value): CO P95 2.45 → 2.4 and 0.35 → 0.4,
    where Python's float formatting gives 2.5 and round() gives 0.3 (binary 2.4500000000000002 and
    0.34999999999999998)."""
    files = {"targets_file": None, "forecast_file": None}
    for value, shown in ((2.45, "2.4"), (0.35, "0.4"), (1.25, "1.2"), (1.35, "1.4")):
        page = air._format_year(_panel({"co": value, "composite_index": 4.125, "good_rate": 72.65}), "zh",
                                "株洲", [2016], files)
        figures = {f["key"]: f["value"] for f in page["figures"]}
        assert figures["co"] == shown, value
        assert figures["composite_index"] == "4.12"  # HJ 663 §5.4: 2 decimals, GB/T 8170
        assert figures["good_rate"] == "72.6%"


def test_hour_concentrations_published_by_gbt_8170():
    """HJ 633—2026 §4.2.2: CO to one decimal, the others to integers, GB/T 8170 on the decimal value."""
    out = F._concentrations({"co": 2.45, "pm25": 36.5, "pm10": 37.5, "so2": None, "no2": 8.0, "o3": 0.5})
    assert out == {"co": 2.4, "pm25": 36, "pm10": 38, "so2": None, "no2": 8, "o3": 0}
    assert isinstance(out["pm25"], int) and isinstance(out["co"], float)


def test_level_texts_follow_the_edition():
    """HJ 633—2026 Table 1 changes the health-effect texts of levels 3–6 from HJ 633—2012 Table 2
    (lantian.standards.hj633_2026)."""
    changed = [lv for lv in range(3, 7)
               if F.level_texts(lv, "2026")["zh"]["health_effect"] != F.level_texts(lv, "2012")["zh"]["health_effect"]]
    assert changed, "the 2026 edition's texts for levels 3–6 differ from 2012 in the standards data"
    for lv in range(1, 7):
        assert F.level_texts(lv, "2026")["zh"]["health_effect"] == get("2026").aqi.levels[lv - 1].health_effect_zh
        assert F.level_texts(lv, "2026")["en"]["advice"] == get("2026").aqi.levels[lv - 1].advice_en


def test_today_page_uses_the_2026_texts_on_a_2026_hour(monkeypatch, tmp_path):
    """A 2026 hour (HJ 633—2026 in force from 2026-03-01) at level 4 shows the 2026 texts."""
    from lantian.config import Settings

    (tmp_path / "store").mkdir()
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store", database_url="sqlite://", extra={})
    data = air.AirData(settings)
    t = dt.datetime(2026, 4, 2, 10)
    value = {"time": t, "aqi": 160, "level": 4, "category": "中度污染", "colour": "#FF0000",
             "primary_pollutants": "pm25", "regime": "2026", "n_stations": 3,
             "pm25": 121.0, "pm10": 130.0, "o3": 40.0, "no2": 30.0, "so2": 6.0, "co": 0.8}
    hour = F.CityHour(city="株洲", time=t, value=value, texts=F.level_texts(4, "2026"), stations=[],
                      last24=[value])
    monkeypatch.setattr(air.AirData, "city", lambda self, ds=None: "株洲")
    monkeypatch.setattr(air.AirData, "city_hour", lambda self, city: hour)
    page = data.today("zh")
    level = get("2026").aqi.levels[3]
    assert page["health"] == level.health_effect_zh and page["advice"] == level.advice_zh
    assert page["category_label"] == level.category_zh
    assert page["regime_label"] == "HJ 633—2026"
