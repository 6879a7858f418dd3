from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lantian.pipeline.synth import generate

PROJECT = Path(__file__).resolve().parents[2]
BENCHMARKS = PROJECT / "benchmarks"

if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> tuple[Path, Path]:
    """20 stations in 4 cities, 30 days, with 30 hours of platform files."""
    root = tmp_path_factory.mktemp("synth")
    generate(
        root / "store",
        stations=20,
        cities=4,
        years=1,
        start=2025,
        seed=7,
        days=30,
        cnemc_files=root / "cnemc",
        cnemc_hours=30,
    )
    return root / "store", root / "cnemc"


@pytest.fixture(scope="session")
def corrected_store(tmp_path_factory) -> dict:
    """A store that ingested 24 hourly platform files, then a corrected copy of one of them (one PM2.5
    value raised by 240 µg/m³): the correction is an upsert, so the partition's file is replaced by a new
    one and the old file stays on disk (the table's history). ``fresh`` ingested the corrected files only:
    a reader of ``store`` that sees each row once, corrected, gives exactly what it gives on ``fresh``;
    ``original`` ingested the uncorrected files only."""
    import polars as pl

    from lantian.io.dataset import Dataset
    from lantian.pipeline.synth import hourly_blocks, station_registry, write_platform_files

    root = tmp_path_factory.mktemp("corrected")
    registry = station_registry(6, 2, seed=4)
    _, _, hourly = next(hourly_blocks(registry, [2025], seed=4, days=2))
    write_platform_files(hourly, registry, root / "cnemc", 24)
    files = sorted((root / "cnemc").glob("cnemc_*.csv"))
    target = files[5]
    raw = pl.read_csv(target)
    first = pl.int_range(pl.len()) == 0
    fixed = raw.with_columns(pm2_5=pl.when(first).then(pl.col("pm2_5") + 240).otherwise(pl.col("pm2_5")))
    (root / "fixed").mkdir()
    fixed.write_csv(root / "fixed" / target.name)
    store, fresh, original = Dataset(root / "store"), Dataset(root / "fresh"), Dataset(root / "original")
    for ds in (store, fresh, original):
        ds.replace_registry(registry)
    original.ingest(files)
    store.ingest(files)
    report = store.ingest([root / "fixed" / target.name])
    assert report.files[0].rows_revised == 1, report.to_dict()
    fresh.ingest([f if f != target else root / "fixed" / target.name for f in files])
    return {
        "store": root / "store",
        "fresh": root / "fresh",
        "original": root / "original",
        "station": raw["stationcode"][0],
        "time": pl.Series([raw["timepoint"][0]]).str.to_datetime()[0],
        "old": float(raw["pm2_5"][0]),
        "new": float(raw["pm2_5"][0] + 240),
    }
