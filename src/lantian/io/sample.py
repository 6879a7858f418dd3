"""The bundled real-data sample (``lantian/data/sample``) and how to load it into a store."""

from __future__ import annotations

from pathlib import Path

from lantian.io.dataset import Dataset, IngestReport

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
STATION_LIST = SAMPLE_DIR / "stations" / "hunan-stations-2022.csv"


def sample_files() -> list[Path]:
    """Data files of the sample (station list first, then the measurement files)."""
    data = sorted(
        p for sub in ("cnemc", "prsa", "aqistudy") for p in (SAMPLE_DIR / sub).iterdir() if p.is_file()
    )
    return [STATION_LIST, *data]


def load_sample(ds: Dataset) -> IngestReport:
    """Ingest the sample into ``ds`` (station list into the registry; idempotent)."""
    return ds.ingest(sample_files())
