"""HJ 663 assessment, composite index, periods, rankings, dust, targets, warnings — spec §11.4 (D1–D9),
§11.5 (W1–W5), §5–§8, §10."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lantian.calc import targets as tg
from lantian.calc.assessment import assess, attainment, compare, day_counts, period_statistics
from lantian.calc.indices import change_rate, composite
from lantian.calc.ranking import rank
from lantian.calc.warnings import level_of
from lantian.errors import InputError
from lantian.periods import parse_period
from lantian.standards import DEFAULT, Options
from lantian.standards.switches import WEIGHTS_3_2_2

# D1: month statistics from the explainer (spec §5.4 [C2], http://tianqi.022net.com/ld/2023/0126/236307.html)
D1 = {"pm25": 21.0, "pm10": 39.0, "so2": 9.0, "no2": 15.0, "o3": 192.0, "co": 0.7}


def _index(stats, end=dt.date(2022, 1, 31), options=DEFAULT):
    return (
        composite(pl.DataFrame({k: [v] for k, v in stats.items()}), end, options).collect().row(0, named=True)
    )


def test_d1_composite_index():
    r = _index(D1)
    assert r["composite_index_exact"] == pytest.approx(3.0571, abs=1e-4)
    assert r["composite_index"] == pytest.approx(3.06) and r["index_primary"] == "o3"


def test_d2_weighted_index():
    assert _index(D1, options=Options(composite_weights=WEIGHTS_3_2_2))["composite_index"] == pytest.approx(
        5.83
    )


def test_d3_2026_transitional_denominators():
    r = _index(D1, end=dt.date(2026, 4, 30))
    assert r["composite_index"] == pytest.approx(3.25)
    assert _index(D1, end=dt.date(2026, 4, 30), options=Options(composite_denominators_2026="2012"))[
        "composite_index"
    ] == pytest.approx(3.06)


def _daily(values, pollutant="o3_8h", start=dt.date(2022, 1, 1)):
    return pl.DataFrame(
        {
            "city": "c",
            "date": [start + dt.timedelta(days=i) for i in range(len(values))],
            pollutant: [float(v) for v in values],
        }
    )


def test_d4_d5_d6_percentiles():
    month = parse_period("2022-01")
    stats = period_statistics(_daily([3, 4, 8, 2, 5, 4]), month).collect()
    assert stats["o3_exact"][0] == pytest.approx(6.5)  # D4
    stats = period_statistics(_daily(range(1, 31)), month).collect()
    assert stats["o3_exact"][0] == pytest.approx(27.1)  # D5
    values = [(i * 37) % 365 for i in range(365)]  # D6: k = 1 + 364·0.9 = 328.6
    xs = sorted(values)
    stats = period_statistics(_daily(values), parse_period("2022")).collect()
    assert stats["o3_exact"][0] == pytest.approx(xs[327] + 0.6 * (xs[328] - xs[327]))


def test_d7_change_rate():
    assert pl.select(change_rate(pl.lit(3.49), pl.lit(3.94))).item() == pytest.approx(-11.4)


def test_d8_good_day_rate():
    graded = pl.DataFrame(
        {"city": "c", "aqi": [50] * 27 + [120, 130], "level": [1] * 27 + [3, 3], "valid_day": [True] * 29}
    )
    r = day_counts(graded.lazy()).collect().row(0, named=True)
    assert (r["good_days"], r["valid_days"], r["good_rate"]) == (27, 29, pytest.approx(93.1))


def test_d9_exceedance_multiple():
    for end, expect in ((dt.date(2022, 12, 31), 0.20), (dt.date(2026, 12, 31), 0.40)):
        p = parse_period(str(end.year))
        stats = pl.LazyFrame(
            {"pm25": [42.0], "so2": [5.0], "no2": [20.0], "pm10": [50.0], "co": [1.0], "o3": [100.0]}
        )
        r = attainment(stats, p).collect().row(0, named=True)
        assert r["multiple_pm25"] == pytest.approx(expect) and not r["attains_pm25"]
        assert r["multiple_so2"] is None and r["attains_so2"] and r["exceeding"] == "pm25"


def test_rounded_comparison_with_limit():
    # PM2.5 annual 35.4 → 35 → attains under GB 3095—2012 (spec §5.3, 修约值比较法)
    days = _daily([35.4] * 365, "pm25")
    stats = period_statistics(days, parse_period("2022")).collect()
    assert stats["pm25"][0] == 35.0 and stats["valid_pm25"][0]


def test_periods():
    assert parse_period("2022Q3").start == dt.date(2022, 7, 1) and parse_period("2022Q3").end == dt.date(
        2022, 9, 30
    )
    assert parse_period("2022H1").end == dt.date(2022, 6, 30)
    assert parse_period("2024-02").days == 29
    assert parse_period("2022-01-01..2022-03-31").days == 90
    ytd = parse_period("ytd", as_of=dt.date(2023, 5, 10))
    assert (ytd.start, ytd.end) == (dt.date(2023, 1, 1), dt.date(2023, 5, 10))
    assert ytd.same_period_last_year().end == dt.date(2022, 5, 10)
    assert parse_period("2024-02").same_period_last_year().end == dt.date(2023, 2, 28)
    with pytest.raises(InputError):
        parse_period("2022Q5")
    with pytest.raises(InputError):
        parse_period("ytd")


def test_monthly_and_annual_validity():
    # February needs 25 days, other months 27; a year also 324 days (GB 3095 Table 4)
    feb = _daily([10] * 25, "pm25", dt.date(2022, 2, 1))
    assert period_statistics(feb, parse_period("2022-02")).collect()["valid_pm25"][0]
    jan = _daily([10] * 26, "pm25")
    assert not period_statistics(jan, parse_period("2022-01")).collect()["valid_pm25"][0]
    year = _daily([10] * 323, "pm25")
    r = period_statistics(year, parse_period("2022")).collect().row(0, named=True)
    assert not r["valid_pm25"] and r["n_pm25"] == 323 and r["capture_pm25"] == pytest.approx(88.5)


def _city_year(city, pm25, year=2022, o3=100.0):
    n = 365
    return pl.DataFrame(
        {
            "city": city,
            "date": [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(n)],
            "so2": 10.0,
            "no2": 30.0,
            "co": 0.8,
            "pm10": 60.0,
            "pm25": float(pm25),
            "o3_8h": o3,
            "o3": o3,
        }
    )


def test_assess_and_compare():
    now = pl.concat([_city_year("a", 30), _city_year("b", 40)])
    last = pl.concat([_city_year("a", 35, 2021), _city_year("b", 40, 2021)])
    cur = assess(now, parse_period("2022"))
    prev = assess(last, parse_period("2021"))
    out = compare(cur, prev).sort("city")
    assert out["good_days"].to_list() == [365, 365] and out["good_rate"].to_list() == [100.0, 100.0]
    assert out["trend"].to_list() == ["improved", "unchanged"]
    a = out.row(0, named=True)
    assert a["attains_all"] and a["composite_index"] == pytest.approx(
        10 / 60 + 30 / 40 + 60 / 70 + 30 / 35 + 0.2 + 100 / 160, abs=0.005
    )


def test_ranking_ties_and_exclusion():
    frame = pl.DataFrame(
        {
            "city": list("abcde"),
            "composite_index": [3.1, 3.2, 3.2, 3.5, None],
            "index_valid": [True, True, True, True, False],
        }
    )
    r = rank(frame, "index")
    assert r["rank"].to_list() == [1, 2, 2, 4, None]
    assert r.filter(pl.col("city") == "e")["excluded"][0] is not None
    ch = pl.DataFrame(
        {
            "city": list("abcd"),
            "index_change_pct": [-5.0, 2.0, 2.0, 3.0],
            "index_valid": True,
            "attains_all": [False, True, False, False],
        }
    )
    r = rank(ch, "change").sort("city")
    assert r["rank"].to_list() == [1, 2, 2, 4]
    assert r["deterioration_rank"].to_list() == [None, None, 2, 1]  # b attains Grade II: not listed
    assert r["deterioration_excluded"][1] is not None
    good = rank(pl.DataFrame({"city": list("ab"), "good_rate": [80.0, 90.0]}), "good_rate")
    assert good["city"].to_list() == ["b", "a"]


def test_dust_days_deducted_from_pm_only():
    daily = _city_year("a", 30).with_columns(
        pm10=pl.when(pl.col("date") == dt.date(2022, 3, 1)).then(900.0).otherwise(pl.col("pm10"))
    )
    dust = pl.DataFrame({"city": ["a"], "date": [dt.date(2022, 3, 1)]})
    plain = assess(daily, parse_period("2022")).row(0, named=True)
    deducted = assess(daily, parse_period("2022"), dust_days=dust).row(0, named=True)
    assert plain["pm10"] > deducted["pm10"] == 60.0 and deducted["dust_days"] == 1
    assert plain["good_days"] == deducted["good_days"] == 364  # the dust day stays in the good-day rate
    alt = assess(
        daily, parse_period("2022"), dust_days=dust, options=Options(good_rate_keeps_dust_days=False)
    )
    assert alt["valid_days"][0] == 364 and alt["good_rate"][0] == 100.0


@pytest.mark.parametrize(
    ("aqis", "level_2018", "level_2017"),
    [
        ([210, 230, 180], "yellow", "yellow"),  # W1
        ([250, 320, 260], "orange", "orange"),  # W2
        ([220, 310, 350, 280], "red", "red"),  # W3
        ([500], "red", "red"),  # W4
        ([205], None, "blue"),  # W5
    ],
)
def test_warnings_w1_w5(aqis, level_2018, level_2017):
    assert level_of(aqis) == level_2018
    assert level_of(aqis, Options(warning_scheme="2017")) == level_2017


def test_targets_budgets():
    t = tg.Targets(
        city="c",
        year=2023,
        good_rate_min=85.0,
        good_days_min=310,
        pm25_max=37,
        heavy_days_max=3,
        o3_max=160,
        composite_max="last_year",
    )
    as_of = dt.date(2023, 6, 30)  # 181 days, 184 remaining
    res = {
        s.target: s
        for s in tg.evaluate(
            t, as_of, 181, 150, 2, 181 * 36.0, 181, 36.0, [100.0] * 170 + [170.0] * 11, 4.0, 4.2
        )
    }
    g = res["good_days"]
    assert g.remaining["good_days_needed"] == 310 and g.remaining["good_days_still_needed"] == 160
    assert g.remaining["non_good_days_affordable"] == 24 and g.status == "on_track"
    # PM2.5: published mean ≤ 37 ⇔ exact < 37.5 (37.5 → 38); (37.5·365 − 181·36)/184 = 38.97…
    assert res["pm25"].remaining["rest_of_year_mean_below"] == pytest.approx(38.9)
    assert res["heavy_days"].remaining["heavy_days_affordable"] == 1
    # O3: n = 365, s = 328; at most 36 days above 160 keeps P90 ≤ 160; 11 so far → 25 left
    assert res["o3"].remaining["days_above_affordable"] == 25
    assert res["composite_index"].status == "on_track"
    lost = tg.evaluate(t, as_of, 181, 100, 5, None, 0, None, [], None, None)
    assert {s.target: s.status for s in lost}["good_days"] == "lost"
    assert {s.target: s.status for s in lost}["heavy_days"] == "lost"
    zh, en = tg.verdict(lost)
    assert "Good-day ratio" in en and "已失守目标：优良天数比例" in zh  # targets named as offices name them
