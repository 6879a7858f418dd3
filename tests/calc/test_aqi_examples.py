"""IAQI and AQI worked examples of the rules specification (../shared/spec/standards.md §11.1–11.2).

Each expected value was computed by hand from HJ 633—2012 Table 1 and HJ 633—2026 Table 3 with
exact rational arithmetic (spec §11), IAQI rounded up (HJ 633—2012 §6.2, HJ 633—2026 §4.2.6).
"""

import polars as pl
import pytest

from lantian import aqi, iaqi
from lantian.calc.aqi import aqi_frame
from lantian.standards import Options

# (id, pollutant, value, kind, 2012 IAQI, 2026 IAQI, extra context)
IAQI_CASES = [
    ("A1", "pm25", 35, "daily", 50, 50, {}),
    ("A2", "pm25", 36, "daily", 52, 52, {}),
    ("A3", "pm25", 60, "daily", 82, 100, {}),
    ("A4", "pm25", 61, "daily", 83, 101, {}),
    ("A5", "pm25", 75, "daily", 100, 114, {}),
    ("A6", "pm25", 115, "daily", 150, 150, {}),
    ("A7", "pm10", 120, "daily", 85, 100, {}),
    ("A8", "pm10", 150, "daily", 100, 112, {}),
    ("A9", "so2", 100, "daily", 75, 75, {}),  # aqi_hub 0.3.3 returns 34 (wrong SO2 24h table)
    ("A10", "so2", 300, "daily", 124, 124, {}),
    ("A11", "no2", 41, "daily", 52, 52, {}),
    ("A12", "co", 2.5, "daily", 63, 63, {}),
    ("A13", "no2", 250, "hourly", 105, 105, {}),
    ("A14", "co", 7.3, "hourly", 73, 73, {}),
    ("A15", "o3_8h", 161, "daily", 101, 101, {}),
    ("A16", "o3_8h", 265, "daily", 200, 200, {}),
    # platform practice: 1-hour PM graded on the 24-hour columns (2026: 式1 note)
    ("A17", "pm25", 80, "hourly", 107, 119, {}),
    ("A21", "so2", 900, "hourly", 124, 200, {"so2_24h": 300}),  # Table 1 note (2) / Table 3 note b
    ("A22", "o3_8h", 900, "daily", 400, 300, {"o3": 1000}),  # Table 1 note (3) / Table 3 note c
    ("A23", "pm25", 1, "daily", 2, 2, {}),
]


@pytest.mark.parametrize(("case", "pollutant", "value", "kind", "i2012", "i2026", "ctx"), IAQI_CASES,
                         ids=[c[0] for c in IAQI_CASES])
def test_iaqi_worked_examples(case, pollutant, value, kind, i2012, i2026, ctx):
    assert iaqi(pollutant, value, kind=kind, regime="2012", **ctx) == i2012
    assert iaqi(pollutant, value, kind=kind, regime="2026", **ctx) == i2026


@pytest.mark.parametrize(("case", "value", "expected"), [
    ("A18", 60.5, 100),  # GB/T 8170 → 60 → 100
    ("A19", 60.6, 101),  # → 61 → 101
])
def test_2026_rounds_inputs_first(case, value, expected):
    assert iaqi("pm25", value, kind="daily", regime="2026") == expected


def test_a20_co_half_even_then_ceil():
    # CO daily mean 2.45 → GB/T 8170 → 2.4 → IAQI 60 (HJ 633—2026 §4.2.2)
    assert iaqi("co", 2.45, kind="daily", regime="2026") == 60


def test_regime_from_date():
    assert iaqi("pm25", 60, date="2026-02-28") == 82
    assert iaqi("pm25", 60, date="2026-03-01") == 100
    # hour-ending label 2026-03-01 00:00 closes 2026-02-28: still the 2012 rules
    assert iaqi("pm25", 60, kind="hourly", date="2026-03-01T00:00") == 82
    assert iaqi("pm25", 60, kind="hourly", date="2026-03-01T01:00") == 100


B1 = dict(so2=10, no2=40, pm10=250, co=1.0, o3_8h=100, pm25=115)
B2 = dict(so2=8, no2=30, pm10=45, co=0.6, o3_8h=90, pm25=30)


@pytest.mark.parametrize("regime", ["2012", "2026"])
def test_b1_tie_of_primary_pollutants(regime):
    r = aqi(regime=regime, **B1)
    assert r["iaqi"] == {"so2": 10, "no2": 50, "co": 25, "o3_8h": 50, "pm10": 150, "pm25": 150}
    assert (r["aqi"], r["level"], r["category"], r["colour"]) == (150, 3, "轻度污染", "橙色")
    assert r["primary_pollutants"] == ["pm10", "pm25"]
    assert r["exceedance_pollutants"] == (["pm10", "pm25"] if regime == "2012" else None)


def test_b2_no_primary_pollutant_when_aqi_at_most_50():
    r = aqi(regime="2012", **B2)
    assert r["iaqi"] == {"so2": 8, "no2": 38, "co": 15, "o3_8h": 45, "pm10": 45, "pm25": 43}
    assert (r["aqi"], r["category"], r["primary_pollutants"], r["exceedance_pollutants"]) == (45, "优", [], [])


def test_b3_same_day_under_both_editions():
    r12 = aqi(regime="2012", **{**B2, "pm25": 70})
    r26 = aqi(regime="2026", **{**B2, "pm25": 70})
    assert (r12["aqi"], r12["category"], r12["primary_pollutants"]) == (94, "良", ["pm25"])
    assert (r26["aqi"], r26["category"], r26["primary_pollutants"]) == (110, "轻度污染", ["pm25"])


def test_missing_pollutant_rule_2026_section_5_3():
    # HJ 633—2026 §5.3: a missing pollutant withholds the AQI unless the rest gives AQI > 100.
    frame = pl.DataFrame({"date": ["2026-05-01"] * 2, "so2": [8.0, 8.0], "no2": [30.0, 30.0],
                          "co": [None, None], "o3_8h": [90.0, 90.0], "pm10": [45.0, 45.0],
                          "pm25": [30.0, 90.0]}).with_columns(pl.col("date").str.to_date())
    out = aqi_frame(frame, kind="daily")
    assert out["aqi"].to_list() == [None, 128]
    assert out["iaqi_pm25"].to_list() == [43, 128]
    # "/" (not in the monitoring plan) does not block (§5.3 second paragraph; Tables 4–5 notes).
    out = aqi_frame(frame.with_columns(unmonitored=pl.lit("co")), kind="daily")
    assert out["aqi"].to_list() == [45, 128]
    # the alternative switch takes whatever is available
    out = aqi_frame(frame, kind="daily", options=Options(missing_pollutant_rule="available"))
    assert out["aqi"].to_list() == [45, 128]


def test_above_top_breakpoint_switch():
    assert iaqi("pm25", 501, regime="2012") == 500
    assert iaqi("pm25", 501, regime="2012", options=Options(above_top_breakpoint="null")) is None


def test_negative_concentration_rejected():
    from lantian.errors import InputError

    with pytest.raises(InputError, match="negative"):
        iaqi("pm25", -1, regime="2012")


def test_lazy_in_lazy_out():
    import datetime as dt

    lf = pl.LazyFrame({"date": [dt.date(2022, 1, 1)], **{k: [float(v)] for k, v in B1.items()}})
    assert isinstance(aqi_frame(lf, kind="daily"), pl.LazyFrame)
