"""The store's tables on Delta Lake (lantian.io.delta, lantian.io.dataset module docstring): a new hour is
appended as a file of its own, a corrected value is an upsert whose old value stays readable by version
and by time, appends are compacted, and a commit another program made meanwhile is a clear conflict.

Data: generic CSV files written here (lantian.io.generic: time = hour-ending label, Beijing time)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake

from lantian.errors import StoreError
from lantian.io import dataset as dataset_module
from lantian.io.dataset import Dataset

HEADER = "station,time,so2,no2,co,o3,pm10,pm25\n"


def _hours(path, rows: list[tuple[str, float]]) -> str:
    path.write_text(HEADER + "".join(f"9001A,{t},5,20,0.5,60,40,{pm25}\n" for t, pm25 in rows))
    return str(path)


def _pm25(frame: pl.DataFrame) -> dict:
    return dict(frame.select(pl.col("time").dt.strftime("%d %H"), "pm25").iter_rows())


def test_a_new_hour_is_appended_and_a_correction_merged(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest(
        [_hours(tmp_path / "a.csv", [("2026-03-01 10:00", 35), ("2026-03-01 11:00", 30)])], fmt="generic"
    )
    ds.ingest([_hours(tmp_path / "b.csv", [("2026-03-01 12:00", 28)])], fmt="generic")
    history = ds.history("hourly")
    # the new hour: one more file, none rewritten
    assert history.row(0, named=True) | {"at": None} == {
        "version": 1,
        "at": None,
        "operation": "WRITE",
        "rows_added": 1,
        "files_removed": 0,
    }
    assert len(ds.table_files("hourly")) == 2
    ds.ingest([_hours(tmp_path / "c.csv", [("2026-03-01 10:00", 52)])], fmt="generic")  # the audit's value
    assert ds.history("hourly")["operation"][0] == "MERGE"
    assert _pm25(ds.scan_hourly().collect()) == {"01 10": 52.0, "01 11": 30.0, "01 12": 28.0}
    # the value as it was: by version, and by time (the stamp of the batch that wrote version 1)
    assert _pm25(ds.scan_hourly(version=1).collect())["01 10"] == 35.0
    at_v1 = ds.history("hourly").filter(pl.col("version") == 1)["at"].item()
    assert _pm25(ds.scan_hourly(as_of=at_v1).collect()) == {"01 10": 35.0, "01 11": 30.0, "01 12": 28.0}
    assert ds.revisions("hourly").select("pm25", "replaced_by").rows() == [(35.0, str(tmp_path / "c.csv"))]


def test_a_fragmented_partition_is_compacted(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset_module, "COMPACT_AT", 4)
    ds = Dataset(tmp_path / "store")
    for hour in range(1, 6):
        ds.ingest(
            [_hours(tmp_path / f"h{hour}.csv", [(f"2026-03-02 {hour:02d}:00", 10 + hour)])], fmt="generic"
        )
    assert "OPTIMIZE" in ds.history("hourly")["operation"].to_list()
    assert len(ds.table_files("hourly")) < 4
    assert _pm25(ds.scan_hourly().collect().sort("time")) == {f"02 {h:02d}": 10.0 + h for h in range(1, 6)}


def test_a_commit_by_another_program_meanwhile_is_a_clear_conflict(tmp_path, monkeypatch):
    ds = Dataset(tmp_path / "store")
    ds.ingest([_hours(tmp_path / "a.csv", [("2026-03-01 10:00", 35)])], fmt="generic")
    before = ds.scan_hourly().collect()
    commit = Dataset._commit_batch

    def another_writer_first(self, batch):  # e.g. a Spark job appends to the table after the batch read it
        foreign = before.with_columns(
            time=pl.col("time") + dt.timedelta(days=1),
            label_year=pl.lit(2026, pl.Int32),
            label_month=pl.lit(3, pl.Int8),
        )
        write_deltalake(str(self.root / "hourly"), foreign.to_arrow(), mode="append")
        return commit(self, batch)

    monkeypatch.setattr(Dataset, "_commit_batch", another_writer_first)
    with pytest.raises(StoreError, match="被其他程序修改"):
        ds.ingest([_hours(tmp_path / "b.csv", [("2026-03-01 10:00", 52)])], fmt="generic")
    monkeypatch.undo()
    after = Dataset(ds.root)
    assert not (after.root / "_batch").exists()
    # nothing of the refused batch is stored; the other program's row is intact
    assert _pm25(after.scan_hourly().collect()) == {"01 10": 35.0, "02 10": 35.0}
    assert after.ingest_log().height == 1 and after.revisions().height == 0
    assert DeltaTable(str(after.root / "hourly")).version() == 1
