"""The data store as the interfaces reach it: open it, ask whether it exists, load the bundled sample."""

from __future__ import annotations

from pathlib import Path

from lantian.io.dataset import Dataset

__all__ = ["Dataset", "existing_store", "load_sample", "open_dataset", "store_state"]


def open_dataset(path: str | Path) -> Dataset:
    """The store at ``path`` (created on the first ingest)."""
    return Dataset(Path(path))


def existing_store(path: str | Path) -> Dataset | None:
    """The store at ``path``, or ``None`` when nothing was ingested there yet."""
    p = Path(path)
    return Dataset(p) if p.is_dir() else None


def store_state(path: str | Path) -> tuple:
    """Changes whenever an ingest or a registry edit changes the store (a key for caches)."""
    root = Path(path)
    out = []
    for name in ("ingest_log.parquet", "stations.parquet"):
        f = root / name
        out.append((f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else None)
    return (str(root.resolve()), *out)


def load_sample(ds: Dataset):
    """Ingest the bundled real-data sample (``lantian/data/sample``); returns the ingest report."""
    from lantian.io.sample import load_sample as _load

    return _load(ds)
