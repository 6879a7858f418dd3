"""Station daily values kept in the store (lantian.pipeline.station_days) equal the values computed from
the hours (lantian.calc.averaging.daily_values, GB 3095 Table 4 validity), after a first ingest, after
new and revised hours arrive, after a part goes stale, and through the assessment.

Data: PRSA Beijing (../shared/data/prsa-beijing, two stations, hourly 2013-03 … 2017-02) and the
national-platform release of 2026-04-01…02 (../shared/data/cnemc)."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from lantian.calc.averaging import daily_values
from lantian.io.dataset import Dataset
from lantian.pipeline import assessment as pa
from lantian.pipeline import station_days
from lantian.standards import DEFAULT
from shared_paths import CNEMC_2026, SHARED_DATA

PRSA = sorted((SHARED_DATA / "prsa-beijing").glob("*.csv.gz"))[:2]


def _from_hours(ds: Dataset) -> pl.DataFrame:
    return station_days._conform(daily_values(ds.scan_hourly(), options=DEFAULT).collect())


def _kept(ds: Dataset) -> pl.DataFrame:
    months = [m for m in station_days._day_months(ds.hourly_months())]
    return station_days._conform(ds.scan_derived(station_days.TABLE, months, station_days.SCHEMA).collect())


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    # equal values (means compared at 1e-9: the group sums meet rows in varying order, module
    # lantian.calc.rounding: published figures go through exact 9-decimal integers)
    assert a.height == b.height
    j = a.join(b, on=["station_code", "date"], how="full", suffix="_b", coalesce=True)
    assert j.height == a.height
    for c in station_days.VALUES:
        diff = j.filter(
            (pl.col(c).is_null() != pl.col(f"{c}_b").is_null())
            | ((pl.col(c) - pl.col(f"{c}_b")).abs() > 1e-9)
        )
        assert diff.is_empty(), (c, diff.head())
        assert (j[f"n_{c}"] == j[f"n_{c}_b"]).all()


@pytest.fixture(scope="module")
def prsa_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("kept") / "store"
    Dataset(root).ingest(PRSA)
    return root


def test_first_refresh_equals_the_hours(prsa_store):
    ds = Dataset(prsa_store)
    done = station_days.refresh(ds)
    assert done["computed"] == done["months"] > 40 and done["updated"] == 0
    _same(_kept(ds), _from_hours(ds))
    again = station_days.refresh(ds)
    assert again["kept"] == again["months"] and again["station_days"] == 0


def test_new_and_revised_hours_update_exactly_the_days_they_touch(prsa_store, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(prsa_store, root)
    ds = Dataset(root)
    station_days.refresh(ds)
    before = _kept(ds)
    # a corrected file: one station's PM2.5 of 2016-03-05 13:00 and 14:00 revised, the rest unchanged
    station = ds.scan_hourly().select(pl.col("station_code").min()).collect().item()
    hours = ds.scan_hourly(stations=[station], start=dt.date(2016, 3, 5), end=dt.date(2016, 3, 5)).collect()
    assert hours.height == 24
    revised = hours.with_columns(
        pl.when(pl.col("time").dt.hour().is_in([13, 14]))
        .then(pl.col("pm25") + 100)
        .otherwise(pl.col("pm25"))
        .alias("pm25")
    )
    path = tmp_path / "revised.csv"
    revised.select(
        "station_code", pl.col("time").dt.strftime("%Y-%m-%d %H:%M"), "so2", "no2", "co", "o3", "pm10", "pm25"
    ).write_csv(path)
    report = ds.ingest([path], fmt="generic")
    assert sum(f.rows_revised for f in report.files) == 2
    done = station_days.refresh(ds)
    assert done["updated"] == 1 and done["computed"] == 0 and done["station_days"] == 1
    after = _kept(ds)
    _same(after, _from_hours(ds))
    changed = before.join(after, on=["station_code", "date"], suffix="_new").filter(
        pl.col("pm25") != pl.col("pm25_new")
    )
    assert changed.select("station_code", "date").rows() == [(station, dt.date(2016, 3, 5))]
    # an old value stays reachable in the store's revisions
    assert ds.revisions("hourly").height == 2


def test_a_stale_or_missing_part_is_recomputed_before_it_is_read(prsa_store, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(prsa_store, root)
    ds = Dataset(root)
    station_days.refresh(ds)
    # as after a kill between an ingest's commit and the refresh: a part's state names old partitions
    state_file = root / station_days.TABLE / "year=2016" / "part-03.json"
    state_file.write_text(state_file.read_text().replace('"sources": [[', '"sources": [[1, '))
    (root / station_days.TABLE / "year=2016" / "part-04.json").unlink()
    kept = station_days.station_daily(ds, dt.date(2016, 3, 1), dt.date(2016, 4, 30)).collect()
    assert station_days.refresh(ds)["kept"] == station_days.refresh(ds)["months"]
    want = _from_hours(ds).filter(pl.col("date").is_between(dt.date(2016, 3, 1), dt.date(2016, 4, 30)))
    _same(station_days._conform(kept), want)


def test_assessment_from_kept_values_equals_assessment_from_hours(tmp_path):
    root = tmp_path / "store"
    ds = Dataset(root)
    ds.ingest([CNEMC_2026])
    reg = pa.city_stations(ds, "株洲")
    start, end = dt.date(2026, 4, 1), dt.date(2026, 4, 2)
    kept = station_days.city_values(ds, reg, start, end).collect()
    hours = ds.scan_hourly(stations=reg["station_code"].to_list(), start=start, end=end)
    from lantian.calc.averaging import city_values

    direct = city_values(hours, reg).filter(pl.col("date").is_between(start, end)).collect()
    assert kept.height == direct.height == 2
    for c in ("so2", "no2", "co", "pm10", "pm25", "o3_8h"):
        assert (kept[c] - direct[c]).abs().max() < 1e-9, c
    # other averaging switches are computed from the hours
    assert not station_days.kept_for(DEFAULT.with_(mda8_min_windows=12))
