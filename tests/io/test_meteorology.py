"""Ingest keeps the PRSA Beijing weather columns (src/lantian/io/prsa.py module docstring): TEMP °C, PRES
hPa, DEWP °C, RAIN mm, wd (16-point compass; also its degrees), WSPM m/s, as nullable columns of the hourly
table (lantian.schema.METEOROLOGY); a store written before they were kept reads them as null."""

from __future__ import annotations

import csv
import datetime as dt
import gzip

import polars as pl
import pytest

from lantian.io.dataset import Dataset
from lantian.schema import COMPASS_16

FILE = "PRSA_Data_Huairou_20130301-20170228.csv.gz"
COLUMNS = {
    "TEMP": "temperature",
    "PRES": "pressure",
    "DEWP": "dew_point",
    "RAIN": "rain",
    "WSPM": "wind_speed",
}


def _num(text: str) -> float | None:
    return None if text == "NA" else float(text)


@pytest.fixture(scope="module")
def huairou(shared_data, tmp_path_factory):
    path = shared_data / "prsa-beijing" / FILE
    ds = Dataset(tmp_path_factory.mktemp("met"))
    report = ds.ingest([path])
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return ds, report, rows


def test_every_row_of_the_file_is_stored_with_its_weather(huairou):
    ds, report, rows = huairou
    f = report.files[0]
    assert (f.rows_read, f.rows_stored, f.rows_quarantined) == (len(rows), len(rows), 0)
    stored = ds.scan_hourly(stations=["PRSA-Huairou"]).collect().sort("time")
    assert stored.height == len(rows)
    # the file's hour h of a date is the hour ending at h + 1 (prsa.py Notes); its rows are in time order
    for r, s in zip(rows, stored.iter_rows(named=True), strict=True):
        start = dt.datetime(int(r["year"]), int(r["month"]), int(r["day"]), int(r["hour"]))
        assert s["time"] == start + dt.timedelta(hours=1)
        for src, col in COLUMNS.items():
            assert s[col] == _num(r[src]), (r["No"], col)
        if r["wd"] == "NA":
            assert s["wind_dir"] is None and s["wind_deg"] is None
        else:
            assert s["wind_dir"] == r["wd"]
            assert s["wind_deg"] == COMPASS_16.index(r["wd"]) * 22.5


def test_below_zero_weather_is_not_a_negative_concentration(huairou):
    ds, _, rows = huairou
    cold = [r for r in rows if r["TEMP"] != "NA" and float(r["TEMP"]) < 0]
    assert cold, "Beijing winters are below zero"
    stored = ds.scan_hourly(stations=["PRSA-Huairou"]).filter(pl.col("temperature") < 0).collect()
    assert stored.height == len(cold)


def test_a_store_written_before_reads_the_weather_as_null(tmp_path, shared_data):
    path = shared_data / "prsa-beijing" / FILE
    ds = Dataset(tmp_path / "old")
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines()[:25]
    small = tmp_path / "PRSA_Data_Huairou_20130301-20130301.csv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds.ingest([small])
    for part in (tmp_path / "old" / "hourly").rglob("*.parquet"):  # as the store was written before
        old = pl.read_parquet(part)
        old.drop(
            "temperature", "pressure", "dew_point", "rain", "wind_dir", "wind_deg", "wind_speed"
        ).write_parquet(part)
    got = Dataset(tmp_path / "old").scan_hourly().collect()
    assert got.height == 24
    assert got["wind_speed"].null_count() == 24 and got["wind_dir"].null_count() == 24
    assert got["pm25"].null_count() < 24


def test_an_unknown_wind_direction_quarantines_its_row(tmp_path, shared_data):
    path = shared_data / "prsa-beijing" / FILE
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines()[:4]
    fields = lines[2].split(",")
    fields[15] = '"XYZ"'  # wd (header: No,year,…,RAIN,wd,WSPM,station)
    lines[2] = ",".join(fields)
    small = tmp_path / "PRSA_Data_Huairou_20130301-20130301.csv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = Dataset(tmp_path / "s")
    f = ds.ingest([small]).files[0]
    assert (f.rows_read, f.rows_stored, f.rows_quarantined) == (3, 2, 1)
    reasons = ds.quarantine()["reason"].to_list()
    assert reasons == ["wind direction not one of the 16 compass points in wd: XYZ"]
