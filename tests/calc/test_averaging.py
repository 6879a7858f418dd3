"""Daily means and MDA8 (GB 3095 Table 4; spec §1.2, §3.3, §11.3) — worked examples and the national
platform's official columns (../shared/data/cnemc, README "What the columns hold")."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lantian.calc.averaging import city_daily, city_hourly, daily_values, moving_mean
from lantian.calc.rounding import round_pollutant
from lantian.io.cnemc import read_cnemc
from lantian.standards import Options
from shared_paths import CNEMC_2022, CNEMC_2026

# spec §11.3: hourly O3 labelled 01…24
O3_DAY = [
    40,
    35,
    30,
    28,
    25,
    30,
    45,
    60,
    80,
    100,
    130,
    160,
    180,
    200,
    210,
    205,
    190,
    160,
    120,
    90,
    70,
    60,
    50,
    45,
]


def _o3_frame(values, day=dt.date(2022, 6, 1)) -> pl.DataFrame:
    t0 = dt.datetime.combine(day, dt.time())
    return pl.DataFrame(
        {
            "station_code": "X",
            "time": [t0 + dt.timedelta(hours=h + 1) for h in range(24)],
            "o3": [None if v is None else float(v) for v in values],
        }
    )


def test_c1_complete_day_mda8():
    out = daily_values(_o3_frame(O3_DAY)).collect().row(0, named=True)
    assert out["o3_8h"] == pytest.approx(179.375)  # window ending 18 (hours 11–18)
    assert out["n_o3_8h"] == 17 and out["o3"] == 210.0
    assert pl.select(round_pollutant(pl.lit(out["o3_8h"]), "o3")).item() == 179


def test_c2_missing_hours_make_mda8_invalid():
    values = [None if h in (14, 15, 16) else v for h, v in enumerate(O3_DAY, start=1)]
    out = daily_values(_o3_frame(values)).collect().row(0, named=True)
    assert out["n_o3_8h"] == 11 and out["o3_8h"] is None  # 11 < 14 and max 118.33 < 160


def test_c2_exceedance_exception_keeps_the_value():
    values = [v * 2 if v else v for v in O3_DAY]
    values = [None if h in (14, 15, 16) else v for h, v in enumerate(values, start=1)]
    out = daily_values(_o3_frame(values)).collect().row(0, named=True)
    assert out["n_o3_8h"] == 11 and out["o3_8h"] > 160 and out["o3_8h_by_exception"]
    strict = daily_values(_o3_frame(values), exceedance_exception=False).collect()
    assert strict["o3_8h"][0] is None


def test_c3_first_window_and_no_window_before_08():
    mm = moving_mean(_o3_frame(O3_DAY), "o3", 8, 6, within_day=True).collect()["o3_8h"].to_list()
    assert mm[:7] == [None] * 7
    assert mm[7] == pytest.approx(36.625)


def test_daily_mean_needs_20_hours():
    t0 = dt.datetime(2022, 1, 1)
    times = [t0 + dt.timedelta(hours=h + 1) for h in range(24)]
    frame = pl.DataFrame({"station_code": "X", "time": times, "pm25": [10.0] * 19 + [None] * 5})
    out = daily_values(frame).collect().row(0, named=True)
    assert out["pm25"] is None and out["n_pm25"] == 19
    frame = frame.with_columns(pl.col("pm25").fill_null(20.0).head(20).append(pl.Series([None] * 4)))
    assert daily_values(frame).collect()["n_pm25"][0] == 20


def _official(path, **kw):
    frame, _ = read_cnemc(path)
    mine = daily_values(frame.drop("o3_8h"), **kw).collect()
    off = frame.filter(pl.col("time").dt.hour() == 0).select(
        "station_code",
        (pl.col("time").dt.date() - pl.duration(days=1)).alias("date"),
        *[pl.col(f"{p}_24h").alias(f"off_{p}") for p in ("so2", "no2", "co", "pm10", "pm25")],
        pl.col("o3_8h_max").alias("off_o3_8h"),
    )
    joined = mine.join(off, on=["station_code", "date"], how="inner")
    first = joined["date"].min()
    return frame, joined.filter(pl.col("date") > first)  # whole natural days only


def _compare(joined, p):
    r = joined.with_columns(mine=round_pollutant(pl.col(p), "o3" if p == "o3_8h" else p))
    r = r.filter(pl.col(f"off_{p}").is_not_null() | pl.col("mine").is_not_null())
    same = ((r["mine"] - r[f"off_{p}"]).abs() < 1e-6).fill_null(False)
    return r.with_columns(same=same)


PLATFORM = dict(min_hours=1, min_hours_8h=1, min_windows=1)  # the platform skips the minimums (README)


def test_official_2022_daily_means_and_mda8():
    """2022-01-01 and 01-02, 13 stations of 湘潭/株洲 (HJ 633—2012 platform)."""
    _, joined = _official(CNEMC_2022, **PLATFORM)
    for p in ("so2", "no2", "pm10", "pm25", "o3_8h"):
        r = _compare(joined, p)
        assert r.height == 26 and r["same"].all(), p  # 100 %
    co = _compare(joined, "co")
    assert co["same"].sum() == 25
    # The one exception: 1564A on 2022-01-02, the mean of the published hourly CO values is exactly
    # 0.75 (a GB/T 8170 tie → 0.8); the platform averages its unrounded hourly values and got 0.7.
    bad = co.filter(~pl.col("same")).row(0, named=True)
    assert (bad["station_code"], bad["date"], bad["off_co"]) == ("1564A", dt.date(2022, 1, 2), 0.7)
    assert bad["co"] == pytest.approx(0.75)


def test_official_2026_daily_means_and_mda8():
    """2026-04-01 and 04-02, 14 stations of 岳阳/张家界/株洲 (HJ 633—2026 platform)."""
    frame, joined = _official(CNEMC_2026, **PLATFORM)
    for p, n in (("so2", 26), ("no2", 28), ("o3_8h", 28)):
        r = _compare(joined, p)
        assert r.height == n and r["same"].all(), p
    co = _compare(joined, "co")
    assert (co["same"].sum(), co.height) == (26, 26)
    # PM: every mismatch is on a day whose release lacks hours (the platform's mean used hours the
    # release withholds as NA) or is the documented PM2.5 placeholder of 1860A on 04-01 (README).
    for p, matches, total in (("pm10", 16, 28), ("pm25", 26, 28)):
        r = _compare(joined, p)
        assert (r["same"].sum(), r.height) == (matches, total), p
        bad = r.filter(~pl.col("same"))
        placeholder = (
            (pl.col("station_code") == "1860A") & (pl.col("date") == dt.date(2026, 4, 1)) & (p == "pm25")
        )
        assert bad.filter(~placeholder)[f"n_{p}"].max() < 24
        for row in bad.filter(pl.col(f"n_{p}") == 24).iter_rows(named=True):
            assert row["station_code"] == "1860A" and p == "pm25"
        # complete days match 100 % apart from the placeholder
        full = r.filter(pl.col(f"n_{p}") == 24)
        assert full["same"].sum() == full.height - (1 if p == "pm25" else 0)


def test_mda8_window_set_settled_by_platform():
    """The platform's hourly 8-hour series (``o3_8h``) is empty for the labels 01…07 and restarts each
    natural day (2026 file), so the day's windows are those ending 08…24; ours reproduce it."""
    frame, _ = read_cnemc(CNEMC_2026)
    hour = pl.col("time").dt.hour()
    early = frame.filter(hour.is_between(1, 7))
    assert early.height > 0 and early["o3_8h"].null_count() == early.height
    mm = moving_mean(frame.select("station_code", "time", "o3"), "o3", 8, 1, within_day=True).collect()
    j = mm.join(
        frame.select("station_code", "time", pl.col("o3_8h").alias("off")), on=["station_code", "time"]
    )
    # the file's first label (00:00) closes a day whose earlier hours are not in the file: skipped
    j = j.filter(pl.col("off").is_not_null() & (pl.col("time") > pl.col("time").min()))
    j = j.with_columns(m=round_pollutant(pl.col("o3_8h"), "o3"))
    same = ((j["m"] - j["off"]).abs() < 1e-6).fill_null(False)
    assert j.height == 475 and same.all()  # 100 % of the 8-hour values


def test_validity_minimums_differ_from_platform():
    """With GB 3095 minimums some platform values are invalid (e.g. 1518A O3 on 2022-01-02, README)."""
    _, strict = _official(CNEMC_2022)
    _, loose = _official(CNEMC_2022, **PLATFORM)
    assert strict["o3_8h"].null_count() > loose["o3_8h"].null_count() or strict["no2"].null_count() > 0


def test_city_values_exclude_control_points():
    frame, meta = read_cnemc(CNEMC_2022)
    reg = meta["stations"].with_columns(valid_from=pl.lit(None, pl.Date), valid_to=pl.lit(None, pl.Date))
    daily = daily_values(frame.drop("o3_8h")).collect()
    city = city_daily(daily, reg).collect()
    xt = city.filter((pl.col("city") == "湘潭") & (pl.col("date") == dt.date(2022, 1, 1))).row(0, named=True)
    xt_codes = reg.filter((pl.col("city") == "湘潭市") & ~pl.col("is_control"))["station_code"].to_list()
    assert "1564A" not in xt_codes  # 韶山 (对照点)
    expect = daily.filter(pl.col("station_code").is_in(xt_codes) & (pl.col("date") == dt.date(2022, 1, 1)))[
        "pm25"
    ]
    assert xt["pm25"] == pytest.approx(expect.mean())
    assert xt["n_stations_pm25"] == len(xt_codes)
    hourly = city_hourly(frame, reg).collect()
    assert set(hourly["city"].unique()) == {"湘潭", "株洲"}
    other = Options(city_aggregation_order="city_hourly")
    assert other.city_aggregation_order == "city_hourly"
