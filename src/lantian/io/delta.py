"""Delta Lake tables of the store (the ``deltalake`` package): each table is a directory with its commit
log ``_delta_log/``; every commit is atomic and its log entry names the batch that made it.

A *batch* (one ingest commit, a registry edit, a migration) may change several tables. Its id is written
to ``<store>/_batch`` before its first commit and the file is removed after its last one (the batch's
commit point). A store opened with ``_batch`` present was killed in the middle of that batch: every table
whose newest commits carry its id is restored to the version before them (:func:`roll_back`), so the store
is as before the batch. Rows changed by a later commit stay reachable in the table's history
(:func:`version_at`) until ``lantian data compact`` removes files older than the retention.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from lantian.errors import StoreError

#: Partition columns of the data tables: the year and month of a row's time label (daily and monthly
#: tables: ``label_month`` 0, one partition per year).
PARTITIONS = ("label_year", "label_month")
PARTITION_TYPES = {"label_year": pl.Int32(), "label_month": pl.Int8()}
BATCH_KEY = "lantian_batch"
AT_KEY = "lantian_at"
#: The commit log is kept for good (a table's history is what an office published when); data files a
#: newer version replaced are removed only by ``lantian data compact`` after ``store_history_days``.
CONFIGURATION = {
    "delta.logRetentionDuration": "interval 36500 days",
    "delta.deletedFileRetentionDuration": "interval 36500 days",
}


def is_table(path: Path) -> bool:
    return (path / "_delta_log").is_dir() and any((path / "_delta_log").glob("*.json"))


def newest_commit(path: Path) -> str | None:
    """The name of the table's newest log entry (a commit writes a new one atomically); ``None`` if none."""
    try:
        names = [e.name for e in os.scandir(path / "_delta_log") if e.name.endswith(".json")]
    except FileNotFoundError:
        return None
    return max(names, default=None)


def open_table(path: Path, version: int | None = None) -> DeltaTable | None:
    if not is_table(path):
        return None
    return DeltaTable(str(path), version=version) if version is not None else DeltaTable(str(path))


def _arrow(frame: pl.DataFrame):
    """The frame in Arrow's classic types (``large_string``, not ``string_view``), so that every reader of
    the files (pyarrow, DuckDB, Spark) reads them."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def _properties(batch: str, at: dt.datetime | None) -> CommitProperties:
    meta = {BATCH_KEY: batch}
    if at is not None:
        meta[AT_KEY] = at.isoformat()
    return CommitProperties(custom_metadata=meta)


def _conflict(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"数据表 {path.name} 在写入时被另一个写入者修改（{exc}）：本次写入没有生效，已存数据未改动；请重新运行"
    )


def write(
    path: Path,
    frame: pl.DataFrame,
    batch: str,
    at: dt.datetime | None,
    mode: str = "append",
    predicate: str | None = None,
    partitioned: bool = False,
) -> None:
    """Append ``frame`` (``mode="append"``) or replace the rows matching ``predicate`` (or all rows) by it,
    in one commit."""
    try:
        write_deltalake(
            str(path),
            _arrow(frame),
            mode=mode,
            predicate=predicate,
            partition_by=list(PARTITIONS) if partitioned else None,
            configuration=CONFIGURATION if not is_table(path) else None,
            commit_properties=_properties(batch, at),
        )
    except CommitFailedError as exc:
        raise _conflict(path, exc) from exc


def merge(path: Path, frame: pl.DataFrame, key: tuple[str, ...], where: str, batch: str, at) -> dict:
    """Upsert: rows of ``frame`` replace the stored rows of their key, the others are inserted (MERGE).
    ``where`` restricts the target to the partitions concerned; keys compare null-safely."""
    on = " AND ".join(f"(t.{k} IS NOT DISTINCT FROM s.{k})" for k in key)
    target = " AND ".join(f"(t.{c})" for c in where.split(" AND ")) if where else ""
    try:
        return (
            DeltaTable(str(path))
            .merge(
                _arrow(frame),
                predicate=f"{on} AND {target}" if target else on,
                source_alias="s",
                target_alias="t",
                commit_properties=_properties(batch, at),
            )
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute()
        )
    except CommitFailedError as exc:
        raise _conflict(path, exc) from exc


def files(path: Path, version: int | None = None) -> pl.DataFrame:
    """The data files of the table's version (newest by default), with their partition values."""
    table = open_table(path, version)
    schema = {"path": pl.String(), **PARTITION_TYPES}
    if table is None:
        return pl.DataFrame(schema=schema)
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    if not actions.height:
        return pl.DataFrame(schema=schema)
    parts = [
        (pl.col(f"partition.{name}") if f"partition.{name}" in actions.columns else pl.lit(None))
        .cast(dtype)
        .alias(name)
        for name, dtype in PARTITION_TYPES.items()
    ]
    return actions.select((pl.lit(f"{path}/") + pl.col("path")).alias("path"), *parts)


def compact_partition(path: Path, year: int, month: int, batch: str, at) -> None:
    """Rewrite one partition's files as few large ones (the rows and the table's history are unchanged)."""
    DeltaTable(str(path)).optimize.compact(
        partition_filters=[("label_year", "=", str(year)), ("label_month", "=", str(month))],
        commit_properties=_properties(batch, at),
    )


def compact(path: Path, history_hours: int, batch: str) -> dict:
    """Optimize the table's files, then delete the files no version newer than ``history_hours`` needs."""
    table = DeltaTable(str(path))
    metrics = table.optimize.compact(commit_properties=_properties(batch, None))
    removed = DeltaTable(str(path)).vacuum(
        retention_hours=history_hours, dry_run=False, enforce_retention_duration=False
    )
    return {
        "files_added": int(metrics.get("numFilesAdded", 0)),
        "files_removed": int(metrics.get("numFilesRemoved", 0)),
        "files_deleted": len(removed),
    }


def history(path: Path) -> list[dict]:
    table = open_table(path)
    return table.history() if table is not None else []


def stamps(path: Path) -> list[tuple[int, dt.datetime]]:
    """The table's versions committed by a stamped batch, with the batch's stamp (Beijing time, the
    ``ingested_at`` of the rows it wrote), oldest first."""
    out = [(e["version"], dt.datetime.fromisoformat(e[AT_KEY])) for e in history(path) if e.get(AT_KEY)]
    return sorted(out)


def version_at(stamped: list[tuple[int, dt.datetime]], at: dt.datetime) -> int | None:
    """The newest of the ``stamped`` versions (:func:`stamps`) stamped at or before ``at``; ``None`` when
    the table held nothing then."""
    return max((version for version, stamp in stamped if stamp <= at), default=None)


def roll_back(path: Path, batch: str) -> bool:
    """Undo the newest commits of the table made by ``batch``; True when something was undone."""
    table = open_table(path)
    if table is None:
        return False
    entries = sorted(table.history(), key=lambda e: e["version"], reverse=True)
    undone = list(_leading(entries, batch))
    if not undone:
        return False
    before = undone[-1]["version"] - 1
    if before < 0:  # the batch created the table
        shutil.rmtree(path)
        return True
    try:
        table.restore(before, commit_properties=_properties(f"{batch}:undone", None))
    except DeltaError as exc:
        raise StoreError(f"数据表 {path.name} 无法恢复到批次 {batch} 之前（{exc}）") from exc
    return True


def _leading(entries: list[dict], batch: str):
    for entry in entries:
        if entry.get(BATCH_KEY) != batch:
            return
        yield entry
