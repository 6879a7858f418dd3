"""What the store held at a past moment (a value revised after audit stays readable as it was), and two
ingests run at the same time into one store (serialised by the store's lock: both succeed, nothing lost).

Data: generic CSV files written here (lantian.io.generic: time = hour-ending label, Beijing time) and the
PRSA Beijing files of ../shared/data/prsa-beijing."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl

from lantian.io.dataset import Dataset
from shared_paths import SHARED_DATA

HEADER = "station,time,so2,no2,co,o3,pm10,pm25\n"


def _file(path, pm25: float) -> str:
    path.write_text(
        HEADER + f"9001A,2026-03-01 10:00,5,20,0.5,60,40,{pm25}\n9001A,2026-03-01 11:00,5,20,0.5,60,40,30\n"
    )
    return str(path)


def test_a_revised_value_reads_as_it_was_before_the_revision(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest([_file(tmp_path / "first.csv", 35)], fmt="generic")
    ds.ingest([_file(tmp_path / "audited.csv", 52)], fmt="generic")  # the audit corrects 10:00
    log = ds.ingest_log().sort("ingested_at")
    first, audited = log["ingested_at"].to_list()
    assert first < audited  # every ingest's rows are stamped after all rows before them

    def pm25(as_of):
        rows = ds.scan_hourly(as_of=as_of).filter(pl.col("time") == dt.datetime(2026, 3, 1, 10)).collect()
        return rows["pm25"].to_list()

    assert pm25(None) == [52.0]  # now
    assert pm25(first) == [35.0]  # what was published before the audit
    assert pm25(audited) == [52.0]
    assert pm25(first - dt.timedelta(seconds=1)) == []  # before anything was stored
    # the unrevised hour reads the same at both moments
    both = [
        ds.scan_hourly(as_of=t).filter(pl.col("time") == dt.datetime(2026, 3, 1, 11)).collect()["pm25"].item()
        for t in (first, audited)
    ]
    assert both == [30.0, 30.0]


def test_two_ingests_at_the_same_time_both_succeed_serialised(tmp_path):
    files = sorted((SHARED_DATA / "prsa-beijing").glob("*.csv.gz"))[:2]
    store = tmp_path / "store"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from lantian.cli import main; main()",
                "ingest",
                "--store",
                str(store),
                "--json",
                str(f),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    ds = Dataset(store)
    log = ds.ingest_log()
    assert (
        log.height == 2 and log["rows_stored"].sum() == log["rows_read"].sum() - log["rows_quarantined"].sum()
    )
    stored = ds.scan_hourly().select(pl.len()).collect().item()
    assert stored == log["rows_stored"].sum()  # both files' rows, none lost or doubled
    assert ds.scan_hourly().select("station_code").unique().collect().height == 2
