"""Readers on the real shared files (../shared/data, see its README) and on the fixtures in tests/data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from lantian.errors import InputError
from lantian.io import formats
from lantian.io.aqistudy import read_aqistudy_daily, read_aqistudy_monthly
from lantian.io.cnemc import read_cnemc
from lantian.io.generic import read_generic
from lantian.io.mirror import read_mirror
from lantian.io.prsa import read_prsa
from lantian.io.stations import evaluation_stations, read_station_list

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
TESTDATA = ROOT / "tests" / "data"
CNEMC_2022 = SHARED / "cnemc" / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv"
CNEMC_2026 = SHARED / "cnemc" / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
CNEMC_CHUNKS = SHARED / "cnemc" / "2026-04-01T10_2026-04-02T15_two_chunks.csv"
DONGSI = SHARED / "prsa-beijing" / "PRSA_Data_Dongsi_20130301-20170228.csv.gz"


def row(frame: pl.DataFrame, code: str, time: dt.datetime) -> dict:
    return frame.filter((pl.col("station_code") == code) & (pl.col("time") == time)).to_dicts()[0]


def test_cnemc_2022_o3_quirk_and_values():
    frame, meta = read_cnemc(CNEMC_2022)
    assert frame.height == meta["rows_read"] == 637 and meta["rejects"].height == 0
    assert meta["layout"] == "2022" and meta["o3_layout"].startswith("o3_24h is the 1-hour value")
    # first data line: 2022-01-01T00:00:00,1508A,...,细颗粒物(PM2.5),127,102,94,96,88,44,2,28,12,81,56,9,9,0.7,0.9
    r = row(frame, "1508A", dt.datetime(2022, 1, 1, 0))
    assert (r["pm10"], r["pm10_24h"], r["pm25"], r["pm25_24h"]) == (102, 94, 96, 88)
    assert (r["o3"], r["o3_1h_max24"], r["o3_8h"], r["o3_8h_max"]) == (2, 44, 12, 28)
    assert (r["no2"], r["so2"], r["co"], r["co_24h"]) == (81, 9, 0.7, 0.9)
    assert (r["aqi_official"], r["primary_official"], r["unmonitored"]) == (127, "pm25", None)
    assert frame["time"].min() == dt.datetime(2022, 1, 1, 0) and frame["time"].max() == dt.datetime(
        2022, 1, 3, 0
    )
    assert set(frame["primary_official"].drop_nulls()) == {"pm25", "pm10", "pm10,pm25"}
    assert meta["cities"] == {"湘潭市": "湘潭", "株洲市": "株洲"}
    controls = meta["stations"].filter(pl.col("is_control"))["station_code"].to_list()
    assert sorted(controls) == ["1559A", "1564A"]  # 大京风景区(对照点), 韶山(对照点)


def test_cnemc_2026_missing_and_unmonitored():
    frame, meta = read_cnemc(CNEMC_2026)
    assert frame.height == meta["rows_read"] == 686 and meta["layout"] == "2026"
    assert meta["o3_layout"] == "o3 and o3_24h both hold the 1-hour value"
    assert frame["o3_1h_max24"].is_null().all() and "o3_1h_max24" not in meta["provided"]
    # 2026-04-01T0000,1848A,...,NA,NA,60,46,NA,38,4,4,100,65,67,23,6,5,0.7,0.4
    r = row(frame, "1848A", dt.datetime(2026, 4, 1, 0))
    assert r["pm25"] is None and r["aqi_official"] is None and r["primary_official"] is None
    assert (r["pm10"], r["o3"], r["o3_8h"], r["o3_8h_max"], r["co"]) == (60, 4, 65, 100, 0.7)
    assert (
        frame.filter(pl.col("unmonitored") == "so2,co").height == 49
    )  # one station without SO2/CO, 49 hours
    chunks, meta = read_cnemc(CNEMC_CHUNKS)
    assert chunks.height == 302 and chunks["unmonitored"].drop_nulls().len() == 17


def test_mirror_sites_equal_the_platform_release():
    """tests/data/mirror/china_sites_20220101.csv was written from the 2022 platform file (hours 0–23)."""
    mirror, meta = read_mirror(TESTDATA / "mirror" / "china_sites_20220101.csv")
    assert meta["kind"] == "sites" and meta["rows_read"] == mirror.height == 13 * 24
    assert mirror["time"].min() == dt.datetime(2022, 1, 1, 0) and mirror["time"].max() == dt.datetime(
        2022, 1, 1, 23
    )
    platform, _ = read_cnemc(CNEMC_2022)
    platform = platform.filter(pl.col("time").dt.date() == dt.date(2022, 1, 1))
    cols = [c for c in platform.columns if c not in ("source", "primary_official")]
    assert (
        mirror.select(cols)
        .sort("station_code", "time")
        .equals(platform.select(cols).sort("station_code", "time"))
    )


def test_mirror_cities_groups():
    frame, meta = read_mirror(TESTDATA / "mirror" / "china_cities_20220101.csv")
    # 3 cities × 2 hours, minus 长沙 at hour 1 whose cells are all empty
    assert meta["kind"] == "cities" and frame.height == meta["rows_read"] == 5 and "city" in frame.columns
    zz = frame.filter(pl.col("city") == "株洲").to_dicts()[0]
    assert zz["pm10"] is None and zz["pm25"] == 103 and zz["o3"] == 5 and zz["o3_1h_max24"] == 40


def test_prsa_hour_beginning_and_co_unit():
    frame, meta = read_prsa(DONGSI)
    assert frame.height == meta["rows_read"] == 35064
    # line 2: 1,2013,3,1,0,9,9,3,17,300,89,... → the hour 00–01 of 2013-03-01, labelled 01:00; CO 300 µg/m³
    first = frame.row(0, named=True)
    assert first["station_code"] == "PRSA-Dongsi" and first["time"] == dt.datetime(2013, 3, 1, 1)
    assert (first["pm25"], first["so2"], first["no2"], first["co"], first["o3"]) == (9, 3, 17, 0.3, 89)
    assert frame["time"].max() == dt.datetime(2017, 3, 1, 0)  # 2017-02-28 hour 23 closes the natural day
    # NA counts in the raw file: PM2.5 750, CO 3197, O3 664
    assert (frame["pm25"].null_count(), frame["co"].null_count(), frame["o3"].null_count()) == (
        750,
        3197,
        664,
    )
    days = frame.group_by((pl.col("time") - pl.duration(hours=1)).dt.date()).len()
    assert (days["len"] == 24).all() and days.height == 1461


def test_aqistudy_daily_zero_is_missing():
    frame, meta = read_aqistudy_daily(SHARED / "aqistudy-daily" / "daily" / "北京.csv.gz")
    assert frame.height == meta["rows_read"] == 1157  # coverage_by_city.csv: 北京,1157 rows
    # 北京,2013-12-02,119,106~130,轻度污染,108.8,138.4,60.9,2.578,88.3,16,43
    r = frame.row(0, named=True)
    assert (r["city"], r["date"], r["aqi_source"]) == ("北京", dt.date(2013, 12, 2), 119)
    assert (r["pm25"], r["pm10"], r["so2"], r["co"], r["no2"], r["o3_8h"]) == (
        108.8,
        138.4,
        60.9,
        2.578,
        88.3,
        16,
    )
    qth, _ = read_aqistudy_daily(SHARED / "aqistudy-daily" / "daily" / "七台河.csv.gz")
    values = qth.select("pm25", "pm10", "so2", "co", "no2", "o3_8h")
    assert sum(values.null_count().row(0)) == 9  # coverage_by_city.csv: 七台河 zero_pollutant_cells 9
    assert qth.filter(pl.col("date") == dt.date(2015, 7, 19))["co"].to_list() == [None]


def test_aqistudy_monthly_and_dos_eof():
    frame, meta = read_aqistudy_monthly(SHARED / "aqistudy-daily" / "all_city_monthly.csv.gz")
    assert meta["kind"] == "monthly" and meta["rejects"].height == 0  # the trailing ^Z is an end-of-file mark
    assert frame.height == 12384 and frame["month"].dtype == pl.Date
    r = frame.row(0, named=True)  # 七台河,2014-12,130,130~130,轻度污染,99,121,31,1.1,19,59,314
    assert (r["city"], r["month"], r["pm25"], r["o3_8h"], r["aqi_source"]) == (
        "七台河",
        dt.date(2014, 12, 1),
        99,
        59,
        130,
    )


def test_generic_wide_long_and_mapping(tmp_path):
    wide, meta = read_generic(TESTDATA / "broken" / "mixed" / "bureau_wide.csv")
    assert meta["layout"] == "wide" and wide.height == 2 and wide["pm10"].to_list() == [60, None]
    long = tmp_path / "long.csv"
    long.write_text(
        "监测时间,站点,pollutant,value\n2024-01-01 01:00,XT01,PM2.5,35\n2024-01-01 01:00,XT01,pm10,60\n"
        "2024-01-01 02:00,XT01,pm25,37\n2024-01-01 02:00,XT01,pm25,38\n2024-01-01 03:00,XT01,no2,abc\n",
        encoding="gb18030",
    )
    frame, meta = read_generic(long, {"监测时间": "time", "站点": "station"})
    assert meta["encoding"] == "gb18030" and meta["layout"] == "long"
    assert frame.select("station_code", "pm25", "pm10").rows() == [("XT01", 35.0, 60.0)]
    assert meta["rows_read"] == 3 and sorted(meta["rejects"]["reason"]) == [
        "conflicting values of one pollutant in the group",
        "non-numeric value",
    ]
    daily = tmp_path / "daily.parquet"
    pl.DataFrame({"date": ["2024-01-01"], "city": ["湘潭"], "pm25": [40.5], "o3_8h": [120]}).write_parquet(
        daily
    )
    frame, meta = read_generic(daily)
    assert meta["table"] == "daily" and frame.select("city", "date", "pm25", "o3_8h").row(0) == (
        "湘潭",
        dt.date(2024, 1, 1),
        40.5,
        120.0,
    )


def test_format_detection():
    assert formats.detect(CNEMC_2026) == "cnemc"
    assert formats.detect(TESTDATA / "mirror" / "china_sites_20220101.csv") == "mirror"
    assert formats.detect(DONGSI) == "prsa"
    assert formats.detect(SHARED / "aqistudy-daily" / "daily" / "湘潭.csv.gz") == "aqistudy"
    assert formats.detect(TESTDATA / "broken" / "gbk_copy.csv") == "cnemc"
    assert formats.detect(TESTDATA / "broken" / "empty.csv") is None
    with pytest.raises(InputError, match="not recognised"):
        formats.parse(SHARED / "aqistudy-daily" / "coverage_by_city.csv")


def test_gbk_copy_reads_like_utf8():
    gbk, meta = read_cnemc(TESTDATA / "broken" / "gbk_copy.csv")
    utf8, _ = read_cnemc(CNEMC_2022)
    assert meta["encoding"] == "gb18030" and gbk.height == 20
    assert gbk.drop("source").equals(utf8.head(20).drop("source"))
    assert meta["cities"] == {"湘潭市": "湘潭", "株洲市": "株洲"}


def test_station_list_and_evaluation_sets():
    reg, rejects = read_station_list(SHARED / "stations" / "hunan-stations-2022.csv", dt.date(2022, 2, 13))
    assert reg.height == 82 and not rejects and reg["city"].n_unique() == 14
    assert reg.filter(pl.col("is_control")).height == 17  # 14 control points + 常德 1853A/1855A/1856A
    day = dt.date(2022, 3, 1)
    assert evaluation_stations(reg, "湘潭市", day) == ["1508A", "1511A", "1512A", "1513A", "1514A", "1562A"]
    assert evaluation_stations(reg, "湘潭", dt.date(2022, 1, 1)) == []  # before the list took effect
    assert "1853A" not in evaluation_stations(reg, "常德", day)
