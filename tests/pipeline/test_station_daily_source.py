"""Assessment from station daily values (日均值 per station), and the order in which sources combine.

Data: the UCI PRSA Beijing hours (../shared/data/prsa-beijing, see its README: 12 national stations,
Dingling the control point, full year 2016). The station daily values are derived from those hours with
the project's own daily statistics (GB 3095 Table 4: ≥ 20 hours, MDA8 windows 08–24) and written as a
bureau writes its export — a generic CSV ``date, station, city`` and the six pollutants — so the city's
annual assessment from that CSV must equal the assessment from the hours themselves: the city daily
value is the mean of the valid station values of the evaluation stations either way (standards §3.4,
switch ``city_aggregation_order=station_stats``). No expected figure is typed here.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lantian.calc.averaging import daily_values
from lantian.io.dataset import Dataset
from lantian.io.stations import prsa_registry
from lantian.pipeline.figures import assessment, item_decimals, published
from lantian.schema import DATE, STATION
from lantian.standards import hj663
from shared_paths import SHARED_DATA

YEAR = dt.date(2016, 1, 1), dt.date(2016, 12, 31)
COLUMNS = ("so2", "no2", "co", "pm10", "pm25", "o3", "o3_8h")
CONTROL = "PRSA-Dingling"  # 定陵, the control point of the PRSA network (data README)


@pytest.fixture(scope="module")
def hours_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("prsa-hours")
    Dataset(path).ingest([SHARED_DATA / "prsa-beijing"])
    return Dataset(path)


@pytest.fixture(scope="module")
def station_daily(hours_store) -> pl.DataFrame:
    """2016 station daily values of all 12 PRSA stations, from their hours."""
    hourly = hours_store.scan_hourly(start=YEAR[0], end=YEAR[1])
    daily = daily_values(hourly, by=STATION).filter(pl.col(DATE).is_between(*YEAR)).collect()
    return daily.select(DATE, pl.col(STATION).alias("station"), pl.lit("北京").alias("city"), *COLUMNS)


def _store(tmp_path, frames: list[pl.DataFrame], registry: bool = False, hours: bool = False) -> Dataset:
    tmp_path.mkdir(parents=True, exist_ok=True)
    ds = Dataset(tmp_path / "store")
    files = []
    for i, frame in enumerate(frames):
        f = tmp_path / f"station-daily-{i}.csv"
        frame.write_csv(f)
        files.append(f)
    if registry:
        reg = tmp_path / "prsa-stations.csv"
        prsa_registry().select(
            pl.col(STATION).alias("监测点编码"),
            pl.col("name").alias("监测点名称"),
            pl.col("city").alias("城市"),
            pl.col("longitude").alias("经度"),
            pl.col("latitude").alias("纬度"),
            pl.when(pl.col("is_control")).then(pl.lit("Y")).otherwise(pl.lit("N")).alias("对照点"),
        ).write_csv(reg)
        ds.import_stations(reg)
    if hours:
        files.append(SHARED_DATA / "prsa-beijing")
    report = ds.ingest(files)
    ours = [f for f in report.files if "station-daily-" in str(f.path)]
    assert len(ours) == len(frames) and all(f.rows_quarantined == 0 and f.rows_stored for f in ours), ours
    return ds


def _published(row: dict) -> dict:
    """The figures as published (GB/T 8170), with their validity, attainment and day counts."""
    out = {}
    for it in hj663.ITEMS:
        out[it.name] = published(row[it.name], item_decimals(it.name))
        for k in ("valid", "attains", "n"):
            out[f"{k}_{it.name}"] = row[f"{k}_{it.name}"]
    for k in ("valid_days", "good_days", "heavy_days", "good_rate", "attains_all", "index_valid",
              "data_sufficient", "index_primary"):
        out[k] = row[k]
    out["composite_index"] = published(row["composite_index"], hj663.INDEX_DECIMALS)
    return out


def test_station_daily_csv_gives_the_annual_assessment_of_the_hours(hours_store, station_daily, tmp_path):
    """A bureau's export of its evaluation stations (the 11 without the control point), in a store with
    no station registry: the 2016 assessment equals the one from the hours, figure by figure."""
    from_hours = assessment(hours_store, "北京", "2016")
    ds = _store(tmp_path, [station_daily.filter(pl.col("station") != CONTROL)])
    from_daily = assessment(ds, "北京", "2016")
    assert from_hours.source == "station hours"
    assert from_daily.source == "station daily" and from_daily.sources == {"station daily": 366}
    assert _published(from_daily.result) == _published(from_hours.result)
    for it in hj663.ITEMS:  # the exact values too, to 10⁻⁹ (the order of summation may differ)
        assert from_daily.result[f"{it.name}_exact"] == pytest.approx(from_hours.result[f"{it.name}_exact"], abs=1e-9)


def test_registry_keeps_the_control_point_out(hours_store, station_daily, tmp_path):
    """All 12 stations in the export, the registry imported: Dingling (对照点) does not count (standards
    §3.4), so the figures still equal the hours'; without the registry nothing marks it a control point
    and the PM2.5 mean is the 12 stations' (it differs)."""
    from_hours = assessment(hours_store, "北京", "2016")
    with_registry = assessment(_store(tmp_path / "a", [station_daily], registry=True), "北京", "2016")
    assert _published(with_registry.result) == _published(from_hours.result)
    unregistered = assessment(_store(tmp_path / "b", [station_daily]), "北京", "2016")
    assert unregistered.result["pm25_exact"] != pytest.approx(from_hours.result["pm25_exact"], abs=1e-9)


def test_hours_win_where_complete_station_daily_fills_the_rest(hours_store, station_daily, tmp_path):
    """Sources combine day by day: hours where they give all six statistics, else station daily. The
    station daily values here are the hours' with PM2.5 raised by 10 μg/m³ and every gap filled with
    20, so they are complete on every day and a day taken from them shows it."""
    six = ("so2", "no2", "co", "pm10", "pm25", "o3_8h")
    export = station_daily.with_columns(pl.col("pm25") + 10).with_columns(pl.col(c).fill_null(20.0) for c in COLUMNS)
    res = assessment(_store(tmp_path, [export], registry=True, hours=True), "北京", "2016")
    hours = assessment(hours_store, "北京", "2016").daily.collect()
    complete_hours = hours.filter(pl.all_horizontal(*[pl.col(p).is_not_null() for p in six]))[DATE]
    gaps = hours.height - complete_hours.len()
    assert 0 < gaps < 30, "the 2016 hours leave a few days incomplete (a pollutant missing at every station)"
    days = res.daily.collect()
    assert days.height == 366
    from_hours = days.filter(pl.col(DATE).is_in(complete_hours.to_list()))
    assert set(from_hours["source"]) == {"station hours"}
    expected = hours.filter(pl.col(DATE).is_in(complete_hours.to_list()))
    assert from_hours[DATE].to_list() == expected[DATE].to_list()
    assert from_hours["pm25"].to_list() == pytest.approx(expected["pm25"].to_list(), abs=1e-9)
    filled = days.filter(~pl.col(DATE).is_in(complete_hours.to_list()))
    assert set(filled["source"]) == {"station daily"} and filled.height == gaps
    assert filled.select(pl.all_horizontal(*[pl.col(p).is_not_null() for p in six]).all()).item()
    # every figure says where it came from
    assert res.sources == {"station daily": gaps, "station hours": 366 - gaps}
    assert res.source == f"station hours {366 - gaps} d + station daily {gaps} d"
