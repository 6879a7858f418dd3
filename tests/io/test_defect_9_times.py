"""Real timestamps are read, not quarantined: Parquet Datetime columns (naive or time-zone aware) and ISO
8601 times with a UTC offset (``+08:00``, ``Z``) in CSV. Every time is stored as a naive Beijing time
(lantian.schema: hour-ending labels in Beijing time, UTC+8)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lantian.io.dataset import Dataset

HOURS = [dt.datetime(2022, 1, 1, h) for h in (1, 2, 3)]


def _stored(tmp_path, path) -> tuple[list, int]:
    ds = Dataset(tmp_path / "store")
    report = ds.ingest(path)
    f = report.files[0]
    rows = ds.scan_hourly().select("time", "pm25").sort("time").collect()
    return list(rows.iter_rows()), f.rows_quarantined


def test_defect_9_parquet_naive_datetime(tmp_path):
    frame = pl.DataFrame({"time": HOURS, "station": ["1001A"] * 3, "pm25": [30.0, 31.0, 32.0]})
    frame.write_parquet(tmp_path / "naive.parquet")
    rows, quarantined = _stored(tmp_path, tmp_path / "naive.parquet")
    assert quarantined == 0
    assert rows == list(zip(HOURS, [30.0, 31.0, 32.0], strict=True))


def test_defect_9_parquet_aware_datetime_converted_to_beijing(tmp_path):
    utc = [t - dt.timedelta(hours=8) for t in HOURS]  # the same instants in UTC
    frame = pl.DataFrame({"time": utc, "station": ["1001A"] * 3, "pm25": [30.0, 31.0, 32.0]}).with_columns(
        pl.col("time").dt.replace_time_zone("UTC")
    )
    frame.write_parquet(tmp_path / "aware.parquet")
    rows, quarantined = _stored(tmp_path, tmp_path / "aware.parquet")
    assert quarantined == 0
    assert [r[0] for r in rows] == HOURS


def test_defect_9_csv_iso_offsets(tmp_path):
    path = tmp_path / "offsets.csv"
    path.write_text(
        "time,station,pm25\n"
        "2022-01-01T01:00:00+08:00,1001A,30\n"
        "2021-12-31T18:00:00Z,1001A,31\n"
        "2022-01-01T03:00:00+0800,1001A,32\n",
        encoding="utf-8",
    )
    rows, quarantined = _stored(tmp_path, path)
    assert quarantined == 0
    assert rows == list(zip(HOURS, [30.0, 31.0, 32.0], strict=True))
