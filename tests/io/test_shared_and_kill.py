"""Every shared real-data file ingests with exact accounting; a killed ingest plus a rerun equals a clean one."""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from lantian.io.dataset import Dataset

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def test_every_shared_file_ingests_with_exact_accounting(tmp_path):
    ds = Dataset(tmp_path / "store")
    report = ds.ingest(SHARED)
    assert report.skipped == [str(SHARED / "README.md")]
    for f in report.files:
        assert f.rows_read == f.rows_stored + f.rows_quarantined + f.rows_duplicate, f
    by_status = {}
    for f in report.files:
        by_status.setdefault(f.status, []).append(Path(f.path).name)
    assert sorted(by_status["unrecognised"]) == ["SHA256SUMS.txt", "coverage_by_city.csv"]
    assert by_status["registry"] == ["hunan-stations-2022.csv"]
    assert len(by_status["ingested"]) == 3 + 12 + 366 + 1
    # rows: cnemc 637+686+302, PRSA 12 × 35064, aqistudy daily 351014 (sum of coverage_by_city rows), monthly 12384
    hourly = ds.scan_hourly().collect()
    assert hourly.height == 637 + 686 + 302 - 14 + 12 * 35064  # 14 station-hours of the chunks file repeat
    assert (
        ds.scan_daily().collect().height
        == pl.read_csv(SHARED / "aqistudy-daily" / "coverage_by_city.csv")["rows"].sum()
    )
    assert ds.scan_monthly().collect().height == 12384 - 2  # 2 impossible monthly values quarantined
    q = ds.quarantine()
    assert q.height == report.rows_quarantined == 367 + 12 + 2
    assert sorted(q.filter(pl.col("table") == "monthly")["reason"].to_list()) == [
        "physically impossible value in co: 3449.621",  # 焦作 2013-09
        "physically impossible value in pm25: 15325.8",  # 鹤壁 2013-11
    ]
    status = ds.status()["hourly"]
    dongsi = status.filter(
        (pl.col("station_code") == "PRSA-Dongsi") & (pl.col("month") == dt.date(2016, 2, 1))
    )
    assert dongsi.select("hours", "expected", "gaps").row(0) == (29 * 24, 29 * 24, 0)
    assert status["station_code"].n_unique() == 12 + len(
        hourly.filter(~pl.col("station_code").str.starts_with("PRSA"))["station_code"].unique()
    )


SCRIPT = """
import sys
from lantian.io.dataset import Dataset
Dataset(sys.argv[1]).ingest(sys.argv[2:], batch_rows=12000)
"""


def _files() -> list[str]:
    prsa = sorted((SHARED / "prsa-beijing").glob("*.csv.gz"))[:2]
    daily = sorted((SHARED / "aqistudy-daily" / "daily").glob("*.csv.gz"))[:40]
    return [
        str(p)
        for p in [
            *sorted((SHARED / "cnemc").glob("*.csv")),
            *prsa,
            *daily,
            ROOT / "tests" / "data" / "broken" / "duplicated_hours.csv",
        ]
    ]


def _content(ds: Dataset) -> dict:
    return {
        "hourly": ds.scan_hourly().collect().drop("ingested_at").sort("station_code", "time"),
        "daily": ds.scan_daily().collect().drop("ingested_at").sort("city", "date"),
        "quarantine": ds.quarantine().drop("ingested_at").sort("source", "line"),
        "log": ds.ingest_log().drop("ingested_at").sort("file"),
        "stations": ds.stations(),
    }


def _run(store: Path, files: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(store), *files])


def test_killed_ingest_then_rerun_equals_clean_ingest(tmp_path):
    files = _files()
    started = time.perf_counter()
    assert _run(tmp_path / "clean", files).wait() == 0
    duration = time.perf_counter() - started
    clean = _content(Dataset(tmp_path / "clean"))
    rng = random.Random(20240601)
    kills = 0
    for run in range(5):
        store = tmp_path / f"killed{run}"
        for _ in range(2):  # two kills at random moments, then a rerun to completion
            proc = _run(store, files)
            time.sleep(rng.uniform(0.2, duration))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            middle = _content(Dataset(store))  # a killed store is always a consistent prefix of the ingest
            assert set(middle["hourly"]["source"].unique()) <= set(files)
            logged = set(middle["log"]["file"])
            assert middle["hourly"].filter(~pl.col("source").is_in(list(logged))).height == 0
        assert _run(store, files).wait() == 0
        after = _content(Dataset(store))
        for name, frame in clean.items():
            assert after[name].equals(frame), (run, name)
    assert kills >= 5
