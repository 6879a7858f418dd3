"""Converting a store of the previous layout (monthly Parquet files) into Delta Lake tables, in place.

The previous layout (before lantian.io.delta)::

    hourly/year=YYYY/part-MM.parquet, city_hourly/year=YYYY/part-MM.parquet   (MM = label month)
    daily/year=YYYY/part-00.parquet, monthly/year=YYYY/part-00.parquet
    stations.parquet, observed_stations.parquet, ingest_log.parquet
    revisions/<table>/part-<tx>.parquet, quarantine/part-<tx>.parquet
    <derived>/year=YYYY/part-MM.parquet + part-MM.json   (station_daily; recomputed, so not carried over)
    _journal/<tx>.json       a committed batch: {"pairs": [[tmp, final], ...]}, renames still to make
    *.tmp, _journal/*.json.tmp   an uncommitted batch's files

:func:`migrate` works under the store's lock (``<store>/.lock``, as every writer of the store):

1. *recover*: replay the committed journals and delete the uncommitted temporaries, as the previous
   version did on opening the store;
2. *build*: write every table anew under ``<store>/_migrate/`` (a store of the current layout), one old
   file at a time (memory bounded by the largest file), each conformed to the current schema (columns
   added since read as null); the rows of every table are counted on both sides and must be equal;
3. *mark*: write ``_migrate/_complete`` (the counts and the entries to swap), the commit point;
4. *swap*: move each old entry into ``<store>/_old/``, then each new table into place; write
   ``_migrate/_swapped``;
5. *clean up*: delete ``_old/``, then ``_migrate/``.

Killed at any moment, a rerun finishes the job: with ``_complete`` present it completes the swap (each
move is one rename, made once), otherwise it deletes ``_migrate/`` and starts again from step 1; until
``_complete`` is written the old files are untouched. The new tables' history starts at the migration:
every commit is stamped with the latest ``ingested_at`` of the old ingest log; ``scan_hourly(as_of=T)``
for an earlier ``T`` reads the rows by their ``ingested_at`` and the replaced values from ``revisions``,
as the previous layout did.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from lantian.errors import StoreError
from lantian.io import delta, stations
from lantian.io.dataset import (
    LOG_SCHEMA,
    OBSERVED_SCHEMA,
    QUARANTINE_SCHEMA,
    TABLES,
    Dataset,
    _fsync,
    _fsync_dir,
    now_beijing,
    old_layout,
    store_lock,
)
from lantian.jsonable import dumps
from lantian.schema import STATION_SCHEMA

WORK = "_migrate"
OLD = "_old"
COMPLETE = "_complete"
SWAPPED = "_swapped"
JOURNAL = "_journal"
#: The single-file tables of the previous layout and the table each became.
FILES = {
    "stations.parquet": "stations",
    "observed_stations.parquet": "observed_stations",
    "ingest_log.parquet": "ingest_log",
}
#: Tables stored as directories of part files (both layouts use these names).
DIRECTORIES = (*TABLES, "quarantine", "revisions")


def revision_schema(table: str) -> dict:
    return {**TABLES[table].schema, "revised_at": pl.Datetime("us"), "replaced_by": pl.String()}


def migrate(root: str | os.PathLike, progress: Callable[[dict], None] | None = None) -> dict:
    """Convert the store at ``root`` to Delta Lake tables in place (see the module docstring).

    Returns ``{"store", "migrated", "resumed", "tables": {name: {"before", "after"}}, "files",
    "journals_replayed", "temporaries_deleted", "seconds"}``; ``migrated`` is False for a store already in
    the current layout (nothing is done). Raises :class:`StoreError` when a table's row count differs
    after the conversion (the old store is left in place) or an old file cannot be read.
    """
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():
        raise StoreError(f"数据存储 {root} 不存在或不是目录：请用 --store 指定要转换的数据存储目录")
    work = root / WORK
    with store_lock(root):
        resumed = work.exists()
        if (work / SWAPPED).exists():
            result = _read_marker(work / SWAPPED)
            _clean_up(root)
        elif (work / COMPLETE).exists():
            result = _read_marker(work / COMPLETE)
            _swap(root, result, progress)
            _clean_up(root)
        else:
            if (root / OLD).exists():
                raise StoreError(
                    f"数据存储 {root} 中有 {OLD}/ 目录，但没有完成转换的标记 {WORK}/{COMPLETE}：无法判断它是什么；"
                    f"请查看其内容，确认无用后移走，再重新运行 lantian data migrate"
                )
            if resumed:
                shutil.rmtree(work)
                _fsync_dir(root)
            if not old_layout(root):
                return {
                    "store": str(root),
                    "migrated": False,
                    "resumed": False,
                    "message": f"数据存储 {root} 已是 Delta Lake 格式，无需转换",
                    "tables": {},
                    "files": 0,
                    "journals_replayed": 0,
                    "temporaries_deleted": 0,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            replayed, deleted = _recover(root)
            result = _build(root, progress)
            result.update(journals_replayed=replayed, temporaries_deleted=deleted)
            _write_marker(work / COMPLETE, result)
            _swap(root, result, progress)
            _clean_up(root)
    out = {k: v for k, v in result.items() if k != "entries"}
    return {
        "store": str(root),
        "migrated": True,
        "resumed": resumed,
        **out,
        "seconds": round(time.perf_counter() - started, 3),
    }


# -- step 1: the previous version's recovery ---------------------------------------------------------
def _recover(root: Path) -> tuple[int, int]:
    """Replay committed journals (renames still to make), delete uncommitted temporaries; returns how many
    journals were replayed and temporaries deleted."""
    jdir = root / JOURNAL
    journals = sorted(jdir.glob("*.json")) if jdir.is_dir() else []
    for journal in journals:
        try:
            pairs = json.loads(journal.read_text(encoding="utf-8"))["pairs"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"提交日志 {journal} 无法读取（{exc}）：该批次的文件无法补完；请把该文件和 {jdir} 报告给维护者"
            ) from exc
        for tmp, final in pairs:
            tmp_path, final_path = root / tmp, root / final
            if tmp_path.exists():
                final_path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp_path, final_path)
        _fsync_dir(root)
        journal.unlink()
    strays = [*jdir.glob("*.json.tmp")] if jdir.is_dir() else []
    strays += [p for p in root.rglob("*.tmp") if p not in strays]
    for stray in strays:
        stray.unlink(missing_ok=True)
    return len(journals), len(strays)


# -- step 2: the new tables under _migrate/ ----------------------------------------------------------
def _sources(root: Path) -> list[tuple[str, Path, dict]]:
    """The old files to convert, in order: (new table name, file, current schema)."""
    out: list[tuple[str, Path, dict]] = []
    for name, table in TABLES.items():
        for f in sorted((root / name).glob("year=*/part-*.parquet"), key=_part_order):
            out.append((name, f, table.schema))
    for d in sorted(p for p in (root / "revisions").glob("*") if p.is_dir()):
        if d.name not in TABLES:
            raise StoreError(
                f"{d}：修订记录属于未知的数据表 {d.name}（已知：{', '.join(TABLES)}）；请查看该目录后移走，再重新运行"
            )
        for f in sorted(d.glob("*.parquet")):
            out.append((f"revisions/{d.name}", f, revision_schema(d.name)))
    for f in sorted((root / "quarantine").glob("*.parquet")):
        out.append(("quarantine", f, QUARANTINE_SCHEMA))
    schemas = {"stations": STATION_SCHEMA, "observed_stations": OBSERVED_SCHEMA, "ingest_log": LOG_SCHEMA}
    for file, name in FILES.items():
        if (root / file).is_file():
            out.append((name, root / file, schemas[name]))
    return out


def _part_order(path: Path) -> tuple[int, str]:
    return int(path.parent.name.split("=", 1)[1]), path.name


def _read_old(path: Path, schema: dict) -> pl.DataFrame:
    """An old file with the current schema's columns (those added since read as null)."""
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(
            f"旧数据文件 {path} 无法读取（{exc}）：转换没有进行，旧数据未改动；请从备份恢复该文件后重新运行"
        ) from exc
    unknown = [c for c in frame.columns if c not in schema]
    if unknown:
        raise StoreError(
            f"旧数据文件 {path} 含有当前格式没有的列 {', '.join(unknown)}：转换会丢失它们，所以没有进行；"
            "请把该文件报告给维护者"
        )
    missing = [pl.lit(None, t).alias(c) for c, t in schema.items() if c not in frame.columns]
    try:
        return frame.with_columns(missing).select([pl.col(c).cast(t) for c, t in schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise StoreError(
            f"旧数据文件 {path} 的列类型与当前格式不符（{exc}）：转换没有进行，旧数据未改动；请把该文件报告给维护者"
        ) from exc


def _latest_stamp(root: Path) -> dt.datetime:
    """The latest ``ingested_at`` of the old ingest log (now, for a store without one)."""
    log = root / "ingest_log.parquet"
    if log.is_file():
        latest = _read_old(log, LOG_SCHEMA)["ingested_at"].max()
        if latest is not None:
            return latest
    return now_beijing()


def _build(root: Path, progress) -> dict:
    work = root / WORK
    target = Dataset(work)
    at = _latest_stamp(root)
    sources = _sources(root)
    before: dict[str, int] = {}
    for index, (name, path, schema) in enumerate(sources):
        if progress:
            progress(
                {
                    "event": "file",
                    "table": name,
                    "path": str(path.relative_to(root)),
                    "index": index,
                    "total": len(sources),
                }
            )
        frame = _read_old(path, schema)
        before[name] = before.get(name, 0) + frame.height
        if name == "stations":
            if frame.height:
                target.replace_registry(stations.conform(frame))
        else:
            target.load_rows(name, frame, at)
        del frame
    if progress:
        progress({"event": "check", "index": len(sources), "total": len(sources)})
    after = {name: _count(work / name) for name in before}
    tables = {name: {"before": before[name], "after": after[name]} for name in sorted(before)}
    wrong = {name: c for name, c in tables.items() if c["before"] != c["after"]}
    if wrong:
        shutil.rmtree(work)
        listed = "；".join(
            f"{n}：原有 {c['before']:,} 行，转换后 {c['after']:,} 行" for n, c in wrong.items()
        )
        raise StoreError(
            f"转换后行数不符（{listed}）：转换没有生效，旧数据存储 {root} 原样保留；请把这条信息报告给维护者"
        )
    new = sorted({name.split("/")[0] for name in before})
    old = [name for name in (*DIRECTORIES, *FILES, JOURNAL, *_derived(root)) if (root / name).exists()]
    return {
        "tables": tables,
        "files": len(sources),
        "at": at.isoformat(),
        "entries": {"old": sorted(set(old)), "new": new},
    }


def _derived(root: Path) -> list[str]:
    """Derived tables of the old store (``<name>/year=YYYY/part-MM.json`` beside each part): recomputed
    from the hours by the current version, so they are not carried over."""
    return sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir() and d.name not in DIRECTORIES and any(d.glob("year=*/part-*.json"))
    )


def _count(path: Path) -> int:
    """Rows of the Delta table at ``path`` (its current files; 0 when there is none)."""
    paths = delta.files(path)["path"].to_list()
    if not paths:
        return 0
    return int(pl.scan_parquet(paths).select(pl.len()).collect().item())


# -- steps 3–5: mark, swap, clean up -----------------------------------------------------------------
def _write_marker(path: Path, result: dict) -> None:
    """A marker holding the result (written aside, then renamed into place)."""
    tmp = path.with_name(f"{path.name}.tmp")
    tmp.write_text(dumps(result, indent=None), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _read_marker(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _swap(root: Path, result: dict, progress) -> None:
    """Move the old entries into ``_old/``, then the new tables into place. Each move is one rename, and
    an entry already moved is not moved again, so a rerun after a kill completes the swap."""
    work, old = root / WORK, root / OLD
    entries = result["entries"]
    old.mkdir(exist_ok=True)
    if progress:
        progress({"event": "swap"})
    for name in entries["old"]:
        # the old entry is still in place unless it was moved already (then the name is free or, once the
        # new tables moved in, holds the new table)
        if (root / name).exists() and not (old / name).exists():
            os.replace(root / name, old / name)
    _fsync_dir(root)
    _fsync_dir(old)
    for name in entries["new"]:
        if (work / name).exists():
            if (root / name).exists():
                raise StoreError(
                    f"无法把转换后的数据表 {name} 放入 {root}：该位置已有 {root / name}；"
                    f"请查看并移走它，再重新运行 lantian data migrate"
                )
            os.replace(work / name, root / name)
    _fsync_dir(root)
    _write_marker(work / SWAPPED, result)


def _clean_up(root: Path) -> None:
    """Delete ``_old/``, then ``_migrate/`` (its markers last)."""
    work = root / WORK
    if (root / OLD).exists():
        shutil.rmtree(root / OLD)
    _fsync_dir(root)
    for entry in work.iterdir():
        if entry.name in (COMPLETE, SWAPPED):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (work / COMPLETE).unlink(missing_ok=True)
    _fsync_dir(work)
    (work / SWAPPED).unlink(missing_ok=True)
    work.rmdir()
    _fsync_dir(root)


__all__ = ["migrate"]
