"""The data store as the interfaces reach it: open it, ask whether it exists, load the bundled sample,
convert a store of the previous layout."""

from __future__ import annotations

from pathlib import Path

from lantian.io.dataset import Dataset, old_layout

__all__ = [
    "Dataset",
    "existing_store",
    "load_sample",
    "migrate_store",
    "needs_migration",
    "open_dataset",
    "store_state",
]


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
    return Dataset(root).state() if root.is_dir() else (str(root.resolve()), None, None)


def load_sample(ds: Dataset):
    """Ingest the bundled real-data sample (``lantian/data/sample``); returns the ingest report."""
    from lantian.io.sample import load_sample as _load

    return _load(ds)


def migrate_store(path: str | Path, progress=None) -> dict:
    """Convert the store at ``path`` from the previous layout (monthly Parquet files) to Delta Lake tables
    in place (:func:`lantian.io.migrate.migrate`); returns the row counts per table before and after."""
    from lantian.io.migrate import migrate

    return migrate(Path(path), progress=progress)


def needs_migration(path: str | Path) -> bool:
    """Whether the store at ``path`` is of the previous layout (or its migration did not finish)."""
    return old_layout(Path(path))
