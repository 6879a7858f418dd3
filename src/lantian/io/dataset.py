"""The Parquet dataset: canonical tables under one store directory, ingested atomically.

Layout under the store directory (each name a Delta Lake table, lantian.io.delta, unless it says a file)::

    hourly/                  station hourly (key station_code, time), partitioned by the year and month of
                             the time label (label_year, label_month), with the meteorology a source
                             carries (lantian.schema.METEOROLOGY)
    city_hourly/             city hourly (key city, time), partitioned alike
    daily/                   station or city daily (key station_code, city, date), one partition a year
    monthly/                 city monthly (key city, month), one partition a year
    stations/                the registry (lantian.schema.STATION_SCHEMA)
    observed_stations/       station attributes seen in ingested files
    revisions/<table>/       rows replaced by a corrected value, with revised_at, replaced_by (the list of
                             corrections; the values themselves stay readable in the table's history)
    quarantine/              rows not stored, with their reason and raw text
    ingest_log/              one row per file whose rows were committed (sha256, counts, time)
    <derived>/year=YYYY/part-MM.parquet  files computed from the hours (station_daily: lantian.pipeline.
                             station_days), each with its state part-MM.json
    _batch                   file: the batch being committed (see below)

Ingest semantics
----------------
- Accounting per file and in total: ``rows_read = rows_stored + rows_quarantined + rows_duplicate``;
  what a *row* is depends on the format (each reader's docstring). Nothing is dropped silently.
- Idempotent: a file whose sha256 is in the log is not read again; all its rows count as duplicates
  (``force=True``, ``lantian ingest --force``, reads it again). Only files whose rows were committed
  are logged: a refused file (format not recognised, not readable, every row quarantined) can be
  ingested again once corrected. Refused again alike, its records are not quarantined twice (status
  ``already refused``, its rows counted as duplicates).
- One file's failure is that file's report line (status ``error`` or ``unrecognised``, with its
  message); the other files of the run are ingested. A damaged gzip file keeps the complete lines
  that decompress and quarantines the unread rest as one unit (status ``incomplete``); a corrupt
  deflate stream, whose decompressed bytes cannot be trusted, refuses the whole file.
  A row equal to the stored one (same key, same values) is a duplicate.
- Incremental: new keys are appended; a different value for a stored key replaces it and the old row
  goes to ``revisions`` with its source. Columns a format does not carry keep their stored values.
- Validation → ``quarantine`` with a reason: unreadable lines and values (reader), negative or
  physically impossible concentrations (> 10000 µg/m³, CO > 1000 mg/m³), timestamps in the future or
  outside the file's own period (from its name), keys repeated in one input with different values
  (every copy quarantined; identical copies count as duplicates).
- Incremental writes: a partition that only gains keys gets its new rows appended as a new file; one
  where a value was corrected is upserted (Delta MERGE on the key). Small files are compacted when a
  partition has many (``COMPACT_AT``) and by ``lantian data compact``.
- History: every commit is a version of its table, stamped with the batch's ``ingested_at``;
  ``scan_hourly(as_of=T)`` reads the version current at T (what was published on 1 March).
- Atomic: files are batched; each table's change is one Delta commit. The batch id is written to
  ``_batch`` before the first commit and removed after the last (the commit point); a store opened with
  ``_batch`` present rolls back that batch's commits (lantian.io.delta.roll_back), so a killed ingest
  leaves the store as before or after a batch, and a rerun completes the rest. Writers are serialised by
  the store's lock file; a commit another program made meanwhile is a clear conflict error.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from lantian import config
from lantian.clock import SYSTEM_CLOCK
from lantian.errors import InputError, LantianError, StoreError
from lantian.io import _text, archives, delta, formats, stations
from lantian.io.limits import value_conditions, value_screen
from lantian.jsonable import dumps
from lantian.schema import (
    METEOROLOGY,
    PLATFORM_COLUMNS,
    POLLUTANTS,
    STATION_SCHEMA,
    city_key,
    city_key_expr,
    natural_day_expr,
)

META = {"source": pl.String(), "ingested_at": pl.Datetime("us")}
HOURLY_VALUES = {**{p: pl.Float64() for p in POLLUTANTS}, **PLATFORM_COLUMNS, "unmonitored": pl.String()}
DAILY_VALUES = {
    **{p: pl.Float64() for p in ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25")},
    "aqi_source": pl.Int64(),
}
MONTHLY_VALUES = {p: pl.Float64() for p in ("so2", "no2", "co", "o3_8h", "pm10", "pm25")} | {
    "aqi_source": pl.Int64()
}


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    when: str
    values: dict
    monthly_files: bool

    @property
    def schema(self) -> dict:
        keys = {
            k: (pl.Datetime("us") if k == "time" else pl.Date() if k in ("date", "month") else pl.String())
            for k in self.key
        }
        return {**keys, **self.values, **META}


TABLES: dict[str, Table] = {
    "hourly": Table("hourly", ("station_code", "time"), "time", {**HOURLY_VALUES, **METEOROLOGY}, True),
    "city_hourly": Table("city_hourly", ("city", "time"), "time", HOURLY_VALUES, True),
    "daily": Table("daily", ("station_code", "city", "date"), "date", DAILY_VALUES, False),
    "monthly": Table("monthly", ("city", "month"), "month", MONTHLY_VALUES, False),
}


QUARANTINE_SCHEMA = {
    "source": pl.String(),
    "sha256": pl.String(),
    "table": pl.String(),
    "line": pl.Int64(),
    "reason": pl.String(),
    "raw": pl.String(),
    "ingested_at": pl.Datetime("us"),
}
LOG_SCHEMA = {
    "file": pl.String(),
    "sha256": pl.String(),
    "format": pl.String(),
    "table": pl.String(),
    "rows_read": pl.Int64(),
    "rows_stored": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "rows_duplicate": pl.Int64(),
    "rows_revised": pl.Int64(),
    "ingested_at": pl.Datetime("us"),
}
OBSERVED_SCHEMA = {
    "station_code": pl.String(),
    "name": pl.String(),
    "city": pl.String(),
    "longitude": pl.Float64(),
    "latitude": pl.Float64(),
    "is_control": pl.Boolean(),
    "source": pl.String(),
}
DATA_SUFFIXES = (".csv", ".csv.gz", ".gz", ".parquet", ".txt")
#: The store's other Delta tables (the data tables are :data:`TABLES`; ``revisions/<table>`` too).
OTHER_TABLES = ("stations", "observed_stations", "quarantine", "ingest_log", "revisions")
BATCH_FILE = "_batch"
#: A partition is compacted when appends have made it this many files.
COMPACT_AT = 24


def now_beijing() -> dt.datetime:
    """The current naive Beijing time, to the second (:data:`lantian.clock.SYSTEM_CLOCK`)."""
    return SYSTEM_CLOCK.now()


@dataclass
class FileReport:
    path: str
    format: str | None = None
    table: str | None = None
    status: str = "ingested"
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_revised: int = 0
    sha256: str | None = None
    message: str | None = None
    details: dict = field(default_factory=dict)
    #: stations of the file absent from the registry, registered from the release (source=release)
    stations_registered: int = 0

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_stored + self.rows_quarantined + self.rows_duplicate


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    rows_read = property(lambda self: self._sum("rows_read"))
    rows_stored = property(lambda self: self._sum("rows_stored"))
    rows_quarantined = property(lambda self: self._sum("rows_quarantined"))
    rows_duplicate = property(lambda self: self._sum("rows_duplicate"))
    rows_revised = property(lambda self: self._sum("rows_revised"))
    stations_registered = property(lambda self: self._sum("stations_registered"))

    @property
    def balanced(self) -> bool:
        return all(f.balanced for f in self.files)

    def to_dict(self) -> dict:
        return {
            "totals": {
                "files": len(self.files),
                "rows_read": self.rows_read,
                "rows_stored": self.rows_stored,
                "rows_quarantined": self.rows_quarantined,
                "rows_duplicate": self.rows_duplicate,
                "rows_revised": self.rows_revised,
                "stations_registered": self.stations_registered,
                "balanced": self.balanced,
                "seconds": round(self.seconds, 3),
            },
            "files": [asdict(f) for f in self.files],
            "skipped": self.skipped,
        }


Entry = Path | archives.Member | archives.Broken


def expand(paths: Iterable[str | os.PathLike]) -> tuple[list[Entry], list[str]]:
    """What to ingest, in order, and the skipped paths: files (directories recursed, sorted; data
    suffixes only) and the data members of zip archives (:mod:`lantian.io.archives`), an archive
    given or found in a directory standing for its members."""
    entries: list[Entry] = []
    skipped: list[str] = []

    def add(f: Path) -> None:
        if not archives.is_archive(f):
            entries.append(f)
            return
        found = archives.members(f, DATA_SUFFIXES)
        if isinstance(found, archives.Broken):
            entries.append(found)
            return
        members, others = found
        entries.extend(members)
        skipped.extend(others)

    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                if f.name.lower().endswith(DATA_SUFFIXES + archives.ARCHIVE_SUFFIXES):
                    add(f)
                else:
                    skipped.append(shown(f))
        elif p.is_file():
            add(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return entries, skipped


def entry_path(entry: Entry) -> Path:
    """The path an entry goes by in reports and records (``ARCHIVE.zip/MEMBER`` for a member)."""
    return entry.path if isinstance(entry, archives.Member | archives.Broken) else entry


def shown(path: Path) -> str:
    """The path as text that can be stored and printed: bytes of a name that are not valid UTF-8 appear
    as ``\\xNN`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _failure(exc: BaseException) -> str:
    """What went wrong reading one file, as its report line says it."""
    if isinstance(exc, MemoryError):
        return "文件太大，内存不足，未能读取：请把文件拆分后分别导入"
    if isinstance(exc, LantianError | ValueError | OSError | pl.exceptions.PolarsError):
        return str(exc)
    return f"读取时出错（{type(exc).__name__}: {exc}）：请核对文件内容，或把该文件报告给维护者"


def _conform(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    missing = [pl.lit(None, t).alias(c) for c, t in schema.items() if c not in frame.columns]
    return frame.with_columns(missing).select([pl.col(c).cast(t) for c, t in schema.items()])


class _Batch:
    """Changes of one batch of files, held in memory until commit.

    A partition's rows are its stored rows (:meth:`stored`) and the rows each file of the batch added or
    replaced, in file order (``fresh``, appended or merged into the partition once, at commit). A file is
    compared only with the rows of its own span of time labels (its keys hold the time label).
    """

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.parts: dict[tuple[str, int], pl.DataFrame] = {}
        self.spans_read: set[tuple[str, int]] = set()
        self.fresh: dict[tuple[str, int], list[_Fresh]] = {}
        #: partitions where a file replaced a stored row or a row of an earlier file of the batch
        self.replaced: set[tuple[str, int]] = set()
        self.dirty: set[tuple[str, int]] = set()
        self.quarantine: list[pl.DataFrame] = []
        self.revisions: dict[str, list[pl.DataFrame]] = {}
        self.log: list[dict] = []
        self.hashes: set[str] = set()
        self.observed: list[pl.DataFrame] = []
        self.registry: pl.DataFrame | None = None
        self._stored_registry: pl.DataFrame | None = None
        self.rows = 0
        #: each table's newest commit when the batch first read it
        self.seen: dict[str, str | None] = {}

    def base_registry(self) -> pl.DataFrame:
        """The registry as the batch has left it so far (the stored one, read once, if unchanged)."""
        if self.registry is not None:
            return self.registry
        if self._stored_registry is None:
            self._stored_registry = self.ds.stations()
        return self._stored_registry

    def stored(self, table: Table, pkey: int, lo, hi) -> pl.DataFrame:
        """The stored rows of a partition (without the batch's changes) whose time label is in ``lo`` …
        ``hi``: the first file of a batch to reach a partition reads only its span (one new hour of a
        month); a second one reads the whole partition once for the rest of the batch."""
        k = (table.name, pkey)
        self.seen.setdefault(table.name, delta.newest_commit(self.ds._table_path(table.name)))
        if k not in self.parts and k in self.spans_read:
            self.parts[k] = self.ds._read_partition(table, pkey)
        if k in self.parts:
            return self.parts[k].filter(pl.col(table.when).is_between(lo, hi))
        self.spans_read.add(k)
        return self.ds._read_partition(table, pkey, (lo, hi))

    def current(self, table: Table, pkey: int, lo, hi) -> pl.DataFrame:
        """The partition's rows as the batch has left them so far whose time label is in ``lo`` … ``hi``:
        stored rows, then the rows of the batch's files in order, the last row of a key winning."""
        w = pl.col(table.when)
        old = self.stored(table, pkey, lo, hi)
        frames = [old] if old.height else []
        for f in self.fresh.get((table.name, pkey), []):
            if f.lo <= hi and lo <= f.hi:
                frames.append(f.frame.filter(w.is_between(lo, hi)))
        frames = [f for f in frames if f.height]
        if len(frames) <= 1:
            return frames[0] if frames else old.clear()
        return pl.concat(frames).unique(list(table.key), keep="last", maintain_order=True)

    def source(self, table: Table, pkey: int) -> pl.DataFrame:
        """The rows the batch adds to or replaces in a partition (the last row of a key winning), sorted
        by key, with the partition's columns."""
        k = (table.name, pkey)
        key = list(table.key)
        fresh = pl.concat([f.frame for f in self.fresh[k]])
        if k in self.replaced:
            fresh = fresh.unique(key, keep="last", maintain_order=True)
        year, month = divmod(pkey, 100)
        return fresh.sort(key, nulls_last=True).with_columns(
            label_year=pl.lit(year, delta.PARTITION_TYPES["label_year"]),
            label_month=pl.lit(month, delta.PARTITION_TYPES["label_month"]),
        )


@dataclass
class _Fresh:
    """Rows a file added to a partition (new keys, or replacing values), with their span of time labels."""

    frame: pl.DataFrame
    lo: object
    hi: object


class Dataset:
    """A lantian Parquet store (see the module docstring)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.root = Path(path) if path is not None else config.load().store
        self._last_at: dt.datetime | None = None
        self._file_lists: dict[str, tuple] = {}
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root} is a file, not a store directory; choose another --store")
        if old_layout(self.root):
            raise StoreError(
                f"数据存储 {self.root} 是旧版格式（按月 Parquet 文件）：请先运行 "
                f"lantian data migrate --store {self.root} 转为 Delta Lake 表（数据和修订记录都会保留）"
            )
        if (self.root / BATCH_FILE).exists():
            self._recover_unless_writing()

    # -- low level ----------------------------------------------------------------------------------
    def _lock(self):
        return store_lock(self.root)

    def _recover_unless_writing(self) -> None:
        """Recover a killed batch, unless a live writer holds the lock (its batch is still going on)."""
        with open(self.root / ".lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            try:
                self._recover()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _table_path(self, name: str) -> Path:
        return self.root / name

    def _tables(self) -> list[Path]:
        """Every Delta table of the store."""
        return [p.parent for p in self.root.glob("*/_delta_log")] + [
            p.parent for p in self.root.glob("revisions/*/_delta_log")
        ]

    def _recover(self) -> None:
        """Roll back the commits of a batch that was killed before its commit point; delete the temporary
        files an interrupted write of a derived file left."""
        marker = self.root / BATCH_FILE
        if marker.exists():
            batch = marker.read_text().strip()
            if batch:
                for table in self._tables():
                    delta.roll_back(table, batch)
            marker.unlink()
            _fsync_dir(self.root)
        for stray in self.root.glob("*/year=*/*.tmp"):
            stray.unlink(missing_ok=True)

    @contextmanager
    def _batch(self):
        """One batch of commits (call with the lock held): its id in ``_batch`` until the last commit is made;
        a failure on the way rolls back what the batch committed before it."""
        batch = f"{now_beijing():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        marker = self.root / BATCH_FILE
        tmp = marker.with_name(f"{BATCH_FILE}.tmp")
        tmp.write_text(batch)
        _fsync(tmp)
        os.replace(tmp, marker)
        _fsync_dir(self.root)
        try:
            yield batch
        except BaseException:
            self._recover()
            raise
        marker.unlink()  # the commit point
        _fsync_dir(self.root)

    def _replace_files(self, writes: dict[Path, pl.DataFrame | dict]) -> None:
        """Replace files one after the other, each atomically (written aside, then renamed over)."""
        for final, content in writes.items():
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f"{final.name}.{uuid.uuid4().hex[:8]}.tmp")
            if isinstance(content, dict):
                tmp.write_text(dumps(content, indent=None, ensure_ascii=True))
            else:
                content.write_parquet(tmp, statistics=True)
            _fsync(tmp)
            os.replace(tmp, final)
        if writes:
            _fsync_dir(next(iter(writes)).parent)

    def _files(self, name: str, version: int | None = None) -> pl.DataFrame:
        """A table's data files (:func:`lantian.io.delta.files`); the newest version's list is kept until a
        commit adds a log entry."""
        path = self._table_path(name)
        if version is not None:
            return delta.files(path, version)
        token = delta.newest_commit(path)
        cached = self._file_lists.get(name)
        if cached is None or cached[0] != token:
            cached = (token, delta.files(path))
            self._file_lists[name] = cached
        return cached[1]

    def _read(self, name: str, schema: dict) -> pl.DataFrame:
        paths = self._files(name)["path"].to_list()
        if not paths:
            return pl.DataFrame(schema=schema)
        return _conform(pl.read_parquet(paths, schema=schema, missing_columns="insert"), schema)

    def _read_partition(self, table: Table, pkey: int, span: tuple | None = None) -> pl.DataFrame:
        """A partition's stored rows; only those whose time label is in ``span`` (lo, hi) when given."""
        year, month = divmod(pkey, 100)
        files = self._files(table.name).filter(pl.col("label_year") == year, pl.col("label_month") == month)
        if not files.height:
            return pl.DataFrame(schema=table.schema)
        lf = pl.scan_parquet(files["path"].to_list(), schema=table.schema, missing_columns="insert")
        if span is not None:
            lf = lf.filter(pl.col(table.when).is_between(*span))
        return _conform(lf.collect(), table.schema)

    def _overwrite(self, name: str, frame: pl.DataFrame, batch: str, at: dt.datetime | None) -> None:
        """Replace a whole (small) table in one commit of ``batch``."""
        delta.write(self._table_path(name), frame, batch, at, mode="overwrite")

    def state(self) -> tuple:
        """Changes whenever an ingest or a registry edit commits (a key for caches)."""
        newest = [delta.newest_commit(self._table_path(name)) for name in ("ingest_log", "stations")]
        return (str(self.root.resolve()), *newest)

    # -- ingest -------------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | os.PathLike] | str | os.PathLike,
        fmt: str = "auto",
        mapping: dict[str, str] | None = None,
        progress: Callable[[dict], None] | None = None,
        batch_rows: int = 2_000_000,
        force: bool = False,
    ) -> IngestReport:
        """Ingest files and directories; returns the accounting per file and in total.

        ``force`` reads files already in the ingest log again (their rows are merged as usual).
        """
        import time

        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        if fmt not in formats.FORMATS:
            raise InputError(f"unknown format {fmt!r}; use one of {', '.join(formats.FORMATS)}")
        files, skipped = expand(paths)
        report = IngestReport(skipped=skipped)
        started = time.perf_counter()
        with self._lock():
            self._recover()
            log_rows = {r["sha256"]: r for r in self.ingest_log().iter_rows(named=True)}
            logged = set() if force else set(log_rows)
            self._last_at = max(
                (r["ingested_at"] for r in log_rows.values() if r["ingested_at"]), default=None
            )
            batch = _Batch(self)
            for index, entry in enumerate(files):
                path = entry_path(entry)
                if progress:
                    progress({"event": "file", "path": shown(path), "index": index, "total": len(files)})
                result = self._ingest_entry(batch, entry, fmt, mapping, logged, log_rows)
                report.files.append(result)
                if progress:
                    progress(
                        {
                            "event": "done",
                            "path": shown(path),
                            "index": index,
                            "total": len(files),
                            "rows": result.rows_read,
                        }
                    )
                if batch.rows >= batch_rows:
                    self._commit_batch(batch)
                    batch = _Batch(self)
            self._commit_batch(batch)
        report.seconds = time.perf_counter() - started
        return report

    def _next_stamp(self) -> dt.datetime:
        """The ``ingested_at`` of a file's rows: now, or just after the store's latest stamp when the clock
        has not moved on (two files in one second, a fixed clock), so that every file's rows carry a later
        stamp than every row stored before them (lantian.pipeline.station_days relies on it)."""
        at = now_beijing()
        if self._last_at is not None and at <= self._last_at:
            at = self._last_at + dt.timedelta(microseconds=1)
        self._last_at = at
        return at

    def _ingest_entry(self, batch, entry: Entry, fmt, mapping, logged, log_rows) -> FileReport:
        """A file, or a member of a zip archive read into memory and ingested as that file would be."""
        if isinstance(entry, archives.Broken):
            out = FileReport(path=shown(entry.path), status="error", message=entry.message)
            return self._refuse_unread(batch, out, entry.message, _file_sha(entry.path))
        if not isinstance(entry, archives.Member):
            return self._ingest_file(batch, entry, fmt, mapping, logged, log_rows)
        try:
            data = archives.read_member(entry)
        except InputError as exc:
            out = FileReport(path=shown(entry.path), status="error", message=str(exc))
            return self._refuse_unread(batch, out, str(exc), entry.fingerprint)
        with _text.in_memory(entry.path, data):
            return self._ingest_file(batch, entry.path, fmt, mapping, logged, log_rows)

    def _refuse_unread(self, batch, out: FileReport, message: str, sha: str | None) -> FileReport:
        """An entry whose content cannot be read: one quarantined record (its name and why), nothing
        logged, so it can be ingested again once a complete copy is at hand."""
        out.sha256 = sha
        q = pl.DataFrame(
            {"line": [0], "raw": [out.path], "reason": [f"file not readable: {message}"]},
            schema={"line": pl.Int64, "raw": pl.String, "reason": pl.String},
        )
        out.rows_read = out.rows_quarantined = 1
        return self._quarantine_refused(batch, out, q, None, now_beijing())

    def _ingest_file(self, batch, path, fmt, mapping, logged, log_rows) -> FileReport:
        out = FileReport(path=shown(path))
        try:
            sha = hashlib.sha256(_text.file_bytes(path)).hexdigest()
        except OSError as exc:
            out.status = "error"
            out.message = f"无法读取文件（{exc.strerror or exc}）：请检查文件是否存在、是否有读取权限"
            return out
        out.sha256 = sha
        if sha in logged or sha in batch.hashes:
            prev = log_rows.get(sha) or next((r for r in batch.log if r["sha256"] == sha), {})
            out.status, out.format, out.table = "already ingested", prev.get("format"), prev.get("table")
            out.rows_read = out.rows_duplicate = int(prev.get("rows_read") or 0)
            out.message = f"same content as {prev.get('file')}; 如需重新读取请加 --force"
            return out
        ingested_at = self._next_stamp()
        parsed = None
        try:
            kind = formats.detect(path, mapping) if fmt == "auto" else fmt
            if kind is None and _is_station_list(path):
                return self._ingest_registry(batch, path, out, ingested_at)
            out.format = kind
            if kind:
                parsed = formats.parse(path, kind, mapping)
                table = TABLES[parsed.table]
                good, rejects, duplicates = validate(parsed, table, ingested_at)
        except Exception as exc:  # one file's failure is that file's report line, never the run's
            parsed, out.message = None, _failure(exc)
        if parsed is None:
            return self._refuse(batch, path, out, ingested_at)
        out.table = table.name
        out.details = {k: v for k, v in parsed.meta.items() if isinstance(v, str)}
        out.rows_read = parsed.rows_read
        rejects = parsed.rejects + rejects
        quarantined = _text.rejects_frame(rejects)
        stored, dup_store, revised = self._upsert(batch, table, good, parsed.provided, ingested_at)
        out.rows_quarantined = len(rejects)
        out.rows_duplicate = duplicates + dup_store
        out.rows_stored = stored
        out.rows_revised = revised
        damage = next((r for _, _, r in parsed.rejects if r.startswith(_text.GZIP_REASON)), None)
        if damage is not None:
            out.status, out.message = "incomplete", damage
        if not out.balanced:
            raise StoreError(f"{path}: accounting does not balance ({out}); the store was not changed")
        if out.rows_read and not out.rows_stored + out.rows_duplicate:
            out.status = "refused"
            out.message = out.message or "没有一行可以入库（全部隔离）：未记入导入日志，改正后可重新导入"
            return self._quarantine_refused(batch, out, quarantined, table.name, ingested_at)
        self._quarantine(batch, quarantined, out.path, sha, table.name, ingested_at)
        if table.name == "hourly":
            self._observe(batch, parsed, good, out)
        if out.rows_stored + out.rows_duplicate:
            self._log(batch, out, ingested_at)
        batch.rows += out.rows_read
        return out

    def _quarantine_refused(self, batch, out: FileReport, q: pl.DataFrame, table, at) -> FileReport:
        """Quarantine a refused file's records, unless an earlier attempt refused the same content alike."""
        key = ["line", "reason"]
        earlier = [f.filter(pl.col("sha256") == out.sha256).select(key) for f in batch.quarantine]
        parts = self._files("quarantine")["path"].to_list()
        if parts and q.height:
            earlier.append(
                pl.scan_parquet(parts, schema=QUARANTINE_SCHEMA)
                .filter(pl.col("sha256") == out.sha256)
                .select(key)
                .collect()
            )
        before = pl.concat(earlier).unique().sort(key) if earlier else None
        if before is not None and before.height and q.select(key).unique().sort(key).equals(before):
            out.status = "already refused"
            out.rows_duplicate, out.rows_quarantined = out.rows_quarantined, 0
            out.message = f"同一内容此前已被拒绝，隔离记录未重复写入（{out.message}）"
            return out
        self._quarantine(batch, q, out.path, out.sha256, table, at)
        return out

    def _refuse(self, batch, path, out: FileReport, ingested_at) -> FileReport:
        """A file that could not be read as a whole: every line quarantined, nothing logged."""
        try:
            payload = _text.read_payload(path)
            lines = [
                (n, t if t is not None else b.decode("utf-8", "backslashreplace"))
                for n, t, b in _text.decode_lines(payload.data)[0]
                if (t is None or t.strip())
            ]
        except Exception as exc:  # the file cannot even be split into lines
            payload, lines = None, []
            out.message = out.message or _failure(exc)
        if payload is not None and payload.problem == "corrupt":
            out.message = out.message or payload.message
        reason = "format not recognised" if out.message is None else f"file not readable: {out.message}"
        out.status = "unrecognised" if out.message is None else "error"
        out.message = out.message or "format not recognised from the first line; give --format"
        reasons = [reason] * len(lines)
        unread = payload.reject() if payload is not None else None
        if unread is not None:
            lines.append(unread[:2])
            reasons.append(unread[2])
        q = pl.DataFrame(
            {"line": [n for n, _ in lines], "raw": [t for _, t in lines], "reason": reasons},
            schema={"line": pl.Int64, "raw": pl.String, "reason": pl.String},
        )
        out.rows_read = out.rows_quarantined = len(lines)
        return self._quarantine_refused(batch, out, q, None, ingested_at)

    def _ingest_registry(self, batch, path, out, ingested_at) -> FileReport:
        new, rejects = stations.read_station_list(path)
        base = batch.base_registry()
        batch.registry = stations.merge(base, new)
        out.format, out.table, out.status = "stations", "stations", "registry"
        out.rows_read = new.height + len(rejects)
        out.rows_stored = new.height
        out.rows_quarantined = len(rejects)
        self._quarantine(batch, _text.rejects_frame(rejects), out.path, out.sha256, "stations", ingested_at)
        if out.rows_stored:
            self._log(batch, out, ingested_at)
        return out

    def _log(self, batch: _Batch, out: FileReport, at: dt.datetime) -> None:
        batch.hashes.add(out.sha256)
        batch.log.append(
            {
                "file": out.path,
                "sha256": out.sha256,
                "format": out.format,
                "table": out.table,
                "rows_read": out.rows_read,
                "rows_stored": out.rows_stored,
                "rows_quarantined": out.rows_quarantined,
                "rows_duplicate": out.rows_duplicate,
                "rows_revised": out.rows_revised,
                "ingested_at": at,
            }
        )

    def _quarantine(self, batch, rejects: pl.DataFrame, source, sha, table, at) -> None:
        if rejects.height:
            batch.quarantine.append(
                _conform(
                    rejects.with_columns(
                        source=pl.lit(source), sha256=pl.lit(sha), table=pl.lit(table), ingested_at=pl.lit(at)
                    ),
                    QUARANTINE_SCHEMA,
                )
            )

    def _observe(self, batch: _Batch, parsed: _text.Parsed, good: pl.DataFrame, out: FileReport) -> None:
        seen = good.select("station_code").unique()
        if parsed.stations is not None:
            seen = seen.join(parsed.stations, on="station_code", how="left")
        seen = _conform(seen.with_columns(source=pl.lit(str(parsed.meta.get("format")))), OBSERVED_SCHEMA)
        batch.observed.append(seen)
        prsa = [c for c in seen["station_code"].to_list() if c.startswith("PRSA-")]
        if prsa:
            base = batch.base_registry()
            missing = stations.prsa_registry(prsa).join(
                base.select("station_code"), on="station_code", how="anti"
            )
            if missing.height:
                batch.registry = stations.merge(base, missing)
        # after the PRSA table, whose stations carry their control flag
        if parsed.stations is not None and good.height:
            self._register_release(batch, parsed.stations, good, out)

    def _register_release(
        self, batch: _Batch, seen: pl.DataFrame, good: pl.DataFrame, out: FileReport
    ) -> None:
        """Stations of a release absent from the registry are registered from it (``source=release``),
        valid from the natural day of their first hour seen (see :mod:`lantian.io.stations`)."""
        if "time" in good.columns:
            first = good.group_by("station_code").agg(valid_from=natural_day_expr("time").min())
        elif "date" in good.columns:
            first = good.group_by("station_code").agg(valid_from=pl.col("date").min())
        else:
            return
        base = batch.base_registry()
        seen = seen.join(first, on="station_code", how="inner")
        if not _registers(base, seen):
            return
        registry, added = stations.register_release(base, seen)
        if added or not registry.equals(stations.conform(base)):
            batch.registry = registry
        out.stations_registered += added

    def _upsert(self, batch: _Batch, table: Table, new: pl.DataFrame, provided: list[str], at: dt.datetime):
        """Merge validated rows into the batch's partitions. Returns (stored, duplicates, revised).

        A value column counts as carried only when the reader names it in ``provided`` and the rows
        hold it; every other column of a stored key keeps its stored value (absent is not null).
        """
        if new.height == 0:
            return 0, 0, 0
        key = list(table.key)
        values = list(table.values)
        carried = set(provided) & set(new.columns)
        new = _conform(new.with_columns(ingested_at=pl.lit(at)), table.schema)
        w = pl.col(table.when)
        spans = new.group_by(_pkey(table).alias("_p"), maintain_order=True).agg(lo=w.min(), hi=w.max())
        chunks = (
            {spans["_p"][0]: new}
            if spans.height == 1
            else {p: c.drop("_p") for (p,), c in new.with_columns(_p=_pkey(table)).group_by("_p")}
        )
        stored = dup = revised = 0
        for pkey, lo, hi in spans.iter_rows():
            chunk = chunks[pkey]
            near = batch.current(table, pkey, lo, hi)
            k = (table.name, pkey)
            if not near.height:
                batch.fresh.setdefault(k, []).append(_Fresh(chunk, lo, hi))
                batch.dirty.add(k)
                stored += chunk.height
                continue
            old_renamed = near.rename({c: f"{c}__old" for c in near.columns if c not in key}).with_columns(
                _present=pl.lit(True)
            )
            j = chunk.join(old_renamed, on=key, how="left", nulls_equal=True)
            merged = [
                (
                    pl.col(c)
                    if c in carried
                    else pl.when(pl.col("_present")).then(pl.col(f"{c}__old")).otherwise(pl.col(c))
                ).alias(c)
                for c in values
            ]
            j = j.with_columns(merged)
            differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__old")) for c in values])
            j = j.with_columns(_present=pl.col("_present").fill_null(False)).with_columns(
                _changed=pl.col("_present") & differs
            )
            changed = j.filter(pl.col("_changed"))
            fresh = j.filter(~pl.col("_present") | pl.col("_changed"))
            n_dup = j.height - fresh.height
            if changed.height:
                rev = changed.select(
                    *key,
                    *[pl.col(f"{c}__old").alias(c) for c in table.schema if c not in key],
                    revised_at=pl.lit(at),
                    replaced_by=pl.col("source"),
                )
                batch.revisions.setdefault(table.name, []).append(rev)
                batch.replaced.add(k)
            if fresh.height:
                batch.fresh.setdefault(k, []).append(_Fresh(fresh.select(list(table.schema)), lo, hi))
                batch.dirty.add(k)
            stored += fresh.height
            dup += n_dup
            revised += changed.height
        return stored, dup, revised

    def _commit_batch(self, batch: _Batch) -> None:
        if not (batch.log or batch.quarantine or batch.dirty or batch.registry is not None):
            return
        at = self._last_at or now_beijing()
        for name, seen in batch.seen.items():
            if delta.newest_commit(self._table_path(name)) != seen:
                raise StoreError(
                    f"数据表 {name} 在本次导入读取之后被其他程序修改：本批文件没有写入，已存数据未改动；"
                    "请在其他程序写完后重新运行导入"
                )
        with self._batch() as tx:
            for name, pkey in sorted(batch.dirty):
                table, path = TABLES[name], self._table_path(name)
                source = batch.source(table, pkey)
                if (name, pkey) in batch.replaced:
                    year, month = divmod(pkey, 100)
                    where = f"label_year = {year} AND label_month = {month}"
                    delta.merge(path, source, table.key, where, tx, at)
                else:
                    delta.write(path, source, tx, at, partitioned=True)
                self._compact_if_fragmented(name, pkey, tx, at)
            if batch.quarantine:
                delta.write(self._table_path("quarantine"), pl.concat(batch.quarantine), tx, at)
            for name, frames in batch.revisions.items():
                revised = pl.concat(frames, how="vertical_relaxed")
                delta.write(self._table_path("revisions") / name, revised, tx, at)
            if batch.observed:
                known = self.observed_stations().sort("station_code")
                obs = pl.concat([known, *batch.observed])
                obs = obs.unique("station_code", keep="last", maintain_order=True).sort("station_code")
                if not obs.equals(known):  # the same stations seen again (every new hour): no commit
                    self._overwrite("observed_stations", obs, tx, at)
            if batch.registry is not None:
                self._overwrite("stations", stations.conform(batch.registry), tx, at)
            if batch.log:
                delta.write(
                    self._table_path("ingest_log"), pl.DataFrame(batch.log, schema=LOG_SCHEMA), tx, at
                )

    def load_rows(self, name: str, frame: pl.DataFrame, at: dt.datetime | None = None) -> int:
        """Append rows to a table as they are, without the ingest's checks and accounting (synthetic
        stores, migrating a store): data tables are partitioned by label month, ``revisions/<table>`` and
        the other tables appended whole. Returns the rows written."""
        if not frame.height:
            return 0
        with self._lock():
            self._recover()
            with self._batch() as tx:
                self._load(name, frame, tx, at)
        return frame.height

    def _load(self, name: str, frame: pl.DataFrame, tx: str, at) -> None:
        path = self._table_path(name)
        if name not in TABLES:
            delta.write(path, frame, tx, at)
            return
        table = TABLES[name]
        frame = _conform(frame, table.schema).with_columns(_p=_pkey(table))
        for (pkey,), part in frame.group_by("_p", maintain_order=True):
            year, month = divmod(pkey, 100)
            part = part.drop("_p").sort(list(table.key), nulls_last=True)
            delta.write(
                path,
                part.with_columns(
                    label_year=pl.lit(year, delta.PARTITION_TYPES["label_year"]),
                    label_month=pl.lit(month, delta.PARTITION_TYPES["label_month"]),
                ),
                tx,
                at,
                partitioned=True,
            )

    def replace_registry(self, registry: pl.DataFrame) -> None:
        """Replace the station registry (a synthetic store's, a migrated one)."""
        with self._lock():
            self._recover()
            self._write_registry(registry)

    def compact(self, history_days: int, progress: Callable[[dict], None] | None = None) -> dict:
        """Rewrite each table's small files as large ones, then delete the files that no version of the last
        ``history_days`` days needs (older versions stop being readable; the commit log stays)."""
        out = {}
        with self._lock():
            self._recover()
            tables = sorted(self._tables())
            for index, path in enumerate(tables):
                name = str(path.relative_to(self.root))
                if progress:
                    progress({"table": name, "index": index, "total": len(tables)})
                with self._batch() as tx:
                    out[name] = delta.compact(path, history_days * 24, tx)
        return out

    def _compact_if_fragmented(self, name: str, pkey: int, batch: str, at) -> None:
        """Rewrite a partition as few files once appends have split it into :data:`COMPACT_AT` or more."""
        year, month = divmod(pkey, 100)
        files = self._files(name).filter(pl.col("label_year") == year, pl.col("label_month") == month)
        if files.height >= COMPACT_AT:
            delta.compact_partition(self._table_path(name), year, month, batch, at)

    # -- derived tables -----------------------------------------------------------------------------
    # Tables computed from the stored hours (e.g. station daily values, lantian.pipeline.station_days):
    # ``<name>/year=YYYY/part-MM.parquet`` with a state ``part-MM.json`` (what it was computed from),
    # both written in one commit, so a part and its state never disagree.
    @contextmanager
    def maintaining(self):
        """Hold the store's lock (no ingest commits meanwhile) while derived tables are brought up to date."""
        with self._lock():
            self._recover()
            yield

    def hourly_months(self) -> list[int]:
        """The label months (YYYYMM) of the stored hourly partitions."""
        parts = self._files("hourly").select(
            pkey=pl.col("label_year").cast(pl.Int64) * 100 + pl.col("label_month")
        )
        return sorted(parts["pkey"].unique().to_list())

    def hourly_stamp(self, month: int) -> str | None:
        """Identity of the hourly partition of label month ``month``: a digest of its data files' names
        (a commit that changes the partition adds a file, and every file name is new); ``None`` when there is
        none."""
        year, mm = divmod(month, 100)
        files = self._files("hourly").filter(pl.col("label_year") == year, pl.col("label_month") == mm)
        if not files.height:
            return None
        names = "\n".join(sorted(Path(p).name for p in files["path"]))
        return hashlib.sha1(names.encode()).hexdigest()

    def _derived_path(self, name: str, month: int) -> Path:
        year, mm = divmod(month, 100)
        return self.root / name / f"year={year}" / f"part-{mm:02d}.parquet"

    def derived_state(self, name: str, month: int) -> dict | None:
        path = self._derived_path(name, month).with_suffix(".json")
        return json.loads(path.read_text()) if path.exists() else None

    def read_derived(self, name: str, month: int) -> pl.DataFrame | None:
        path = self._derived_path(name, month)
        return pl.read_parquet(path) if path.exists() else None

    def write_derived(self, name: str, month: int, frame: pl.DataFrame, state: dict) -> None:
        """Replace one part of a derived table, then its state (call inside :meth:`maintaining`): a part
        killed before its state is replaced reads as stale and is computed again."""
        if name in TABLES or name in OTHER_TABLES or not name.replace("_", "").isalnum():
            raise StoreError(f"{name!r} cannot name a derived table")
        path = self._derived_path(name, month)
        state_path = path.with_suffix(".json")
        state_path.unlink(missing_ok=True)
        self._replace_files({path: frame, state_path: state})

    def scan_derived(self, name: str, months: Iterable[int], schema: dict) -> pl.LazyFrame:
        files = [p for m in months if (p := self._derived_path(name, m)).exists()]
        if not files:
            return pl.LazyFrame(schema=schema)
        return pl.scan_parquet(files, schema=schema, missing_columns="insert")

    # -- registry -----------------------------------------------------------------------------------
    def stations(self) -> pl.DataFrame:
        """The station registry (:data:`lantian.schema.STATION_SCHEMA`)."""
        return self._read("stations", STATION_SCHEMA)

    def observed_stations(self) -> pl.DataFrame:
        return self._read("observed_stations", OBSERVED_SCHEMA)

    def import_stations(self, path: str | os.PathLike, valid_from: dt.date | None = None) -> dict:
        """Import a national station list into the registry. Returns counts and rejected lines."""
        new, rejects = stations.read_station_list(path, valid_from)
        with self._lock():
            self._recover()
            merged = stations.merge(self.stations(), new)
            self._write_registry(merged)
        return {"imported": new.height, "rejected": [list(r) for r in rejects], "total": merged.height}

    def register_unknown(self, codes: list[str] | None = None) -> pl.DataFrame:
        """Add observed unknown stations to the registry with the attributes seen in the data."""
        unknown = self.unknown_stations()
        if codes:
            unknown = unknown.filter(pl.col("station_code").is_in(codes))
        if unknown.height:
            with self._lock():
                self._recover()
                merged = stations.merge(
                    self.stations(), stations.conform(unknown.with_columns(source=pl.lit(stations.REGISTER)))
                )
                self._write_registry(merged)
        return stations.conform(unknown)

    def edit_station(self, code: str, **fields) -> pl.DataFrame:
        """Change registry fields of a station (valid_from, valid_to, replaced_by, is_control, …)."""
        with self._lock():
            self._recover()
            edited = stations.edit(self.stations(), code, **fields)
            self._write_registry(edited)
        return edited.filter(pl.col("station_code") == code)

    def _write_registry(self, registry: pl.DataFrame) -> None:
        with self._batch() as tx:
            self._overwrite("stations", stations.conform(registry), tx, now_beijing())

    def unknown_stations(self) -> pl.DataFrame:
        """Stations seen in ingested hourly data but absent from the registry."""
        seen = self.observed_stations()
        known = self.stations().select("station_code")
        return seen.join(known, on="station_code", how="anti").sort("station_code")

    def evaluation_stations(self, city: str, day: dt.date) -> list[str]:
        """Registry stations of ``city`` that count on ``day`` (not control points, valid on the day)."""
        return stations.evaluation_stations(self.stations(), city, day)

    # -- reading ------------------------------------------------------------------------------------
    def _scan(
        self, table: Table, years: tuple[int | None, int | None] = (None, None), version: int | None = None
    ) -> pl.LazyFrame:
        lo, hi = years
        files = self._files(table.name, version)
        if lo is not None:
            files = files.filter(pl.col("label_year") >= lo)
        if hi is not None:
            files = files.filter(pl.col("label_year") <= hi)
        if not files.height:
            return pl.LazyFrame(schema=table.schema)
        paths = files.sort("label_year", "label_month", "path")["path"].to_list()
        # a file written before a column existed reads it as null
        return pl.scan_parquet(paths, schema=table.schema, missing_columns="insert")

    def table_files(self, name: str) -> list[str]:
        """The data files of a table's current version (for readers outside lantian: Spark, DuckDB)."""
        return self._files(name).sort("label_year", "label_month", "path")["path"].to_list()

    def scan_hourly(
        self,
        stations=None,
        start=None,
        end=None,
        table: str = "hourly",
        as_of: dt.datetime | None = None,
        version: int | None = None,
    ) -> pl.LazyFrame:
        """Canonical hourly station frame, filtered by station codes and time.

        ``start``/``end`` are inclusive; a ``date`` means its natural day (``start`` = D 01:00,
        ``end`` = D+1 00:00). ``as_of``: the rows as the store held them at that moment (Beijing time): the
        table's version committed last by a batch stamped at or before it (a value since revised reads as
        it was; a row stored later is left out). ``version``: the table's version of that number
        (:meth:`history`).
        """
        t = TABLES[table]
        lo = _as_time(start, is_end=False)
        hi = _as_time(end, is_end=True)
        years = (lo.year if lo else None, hi.year if hi else None)
        if version is not None:
            lf = self._scan(t, years, version)
        elif as_of is None:
            lf = self._scan(t, years)
        else:
            lf = self._as_of(t, years, as_of)
        idcol = t.key[0]
        if stations is not None:
            lf = lf.filter(pl.col(idcol).is_in([stations] if isinstance(stations, str) else list(stations)))
        if lo is not None:
            lf = lf.filter(pl.col("time") >= lo)
        if hi is not None:
            lf = lf.filter(pl.col("time") <= hi)
        return lf

    def _as_of(self, table: Table, years, at: dt.datetime) -> pl.LazyFrame:
        """The table as it was at ``at``: the version current then. Before the table's first stamp (a
        store migrated from the previous layout, whose history starts at the migration): the rows of the
        version current at that stamp stored by ``at`` (their ``ingested_at``), with the values a revision
        replaced since read from ``revisions`` (current from their ``ingested_at`` until ``revised_at``)."""
        stamped = delta.stamps(self._table_path(table.name))
        version = delta.version_at(stamped, at)
        if version is not None:
            return self._scan(table, years, version)
        if not stamped:
            return pl.LazyFrame(schema=table.schema)
        when = pl.lit(at).cast(pl.Datetime("us"))
        first = delta.version_at(stamped, stamped[0][1])
        rows = self._scan(table, years, first).filter(pl.col("ingested_at") <= when)
        old = self.revisions(table.name).lazy()
        old = old.filter((pl.col("ingested_at") <= when) & (pl.col("revised_at") > when))
        return pl.concat([rows, old.select(list(table.schema))], how="vertical_relaxed")

    def scan_city_hourly(self, cities=None, start=None, end=None) -> pl.LazyFrame:
        return self.scan_hourly(cities, start, end, table="city_hourly")

    def scan_daily(self, stations=None, cities=None, start=None, end=None) -> pl.LazyFrame:
        """Daily frame (station rows have ``station_code``, city rows ``city`` with null code)."""
        lo, hi = _as_date(start), _as_date(end)
        lf = self._scan(TABLES["daily"], (lo.year if lo else None, hi.year if hi else None))
        if stations is not None:
            lf = lf.filter(
                pl.col("station_code").is_in([stations] if isinstance(stations, str) else list(stations))
            )
        if cities is not None:
            keys = [stations_key(c) for c in ([cities] if isinstance(cities, str) else cities)]
            lf = lf.filter(city_key_expr("city").is_in(keys))
        if lo is not None:
            lf = lf.filter(pl.col("date") >= lo)
        if hi is not None:
            lf = lf.filter(pl.col("date") <= hi)
        return lf

    def scan_monthly(self) -> pl.LazyFrame:
        return self._scan(TABLES["monthly"])

    def quarantine(self) -> pl.DataFrame:
        return self._read("quarantine", QUARANTINE_SCHEMA).sort("ingested_at", "source", "line")

    def revisions(self, table: str = "hourly") -> pl.DataFrame:
        schema = {**TABLES[table].schema, "revised_at": pl.Datetime("us"), "replaced_by": pl.String()}
        return self._read(f"revisions/{table}", schema)

    def history(self, table: str = "hourly") -> pl.DataFrame:
        """The versions of a table, newest first: version, the batch's stamp (``at``, Beijing time), the
        operation (WRITE, MERGE, OPTIMIZE, RESTORE…) and the rows it added."""
        rows = [
            {
                "version": e["version"],
                "at": dt.datetime.fromisoformat(e[delta.AT_KEY]) if e.get(delta.AT_KEY) else None,
                "operation": e.get("operation"),
                "rows_added": (e.get("operationMetrics") or {}).get("num_added_rows"),
                "files_removed": (e.get("operationMetrics") or {}).get("num_removed_files"),
            }
            for e in delta.history(self._table_path(table))
        ]
        schema = {
            "version": pl.Int64(),
            "at": pl.Datetime("us"),
            "operation": pl.String(),
            "rows_added": pl.Int64(),
            "files_removed": pl.Int64(),
        }
        return pl.DataFrame(rows, schema=schema).sort("version", descending=True)

    def ingest_log(self) -> pl.DataFrame:
        """The files whose rows were committed, in the order they were ingested."""
        return self._read("ingest_log", LOG_SCHEMA).sort("ingested_at", maintain_order=True)

    def status(self, city: str | None = None) -> dict[str, pl.DataFrame]:
        """Coverage per station and month (natural days): hours present / expected, gaps.

        ``hourly``: station_code, name, city, month, hours (rows), hours_with_data (≥ 1 pollutant),
        expected (24 × days of the month), coverage, gaps (missing runs between the first and last hour
        present) and missing_in_span. ``daily``: city or station, month, days, expected, coverage.
        """
        names = pl.concat(
            [
                self.observed_stations().select("station_code", "name", "city"),
                self.stations().select("station_code", "name", "city"),
            ]
        ).unique("station_code", keep="last", maintain_order=True)
        lf = self.scan_hourly()
        if city:
            codes = names.filter(city_key_expr("city") == city_key(city))["station_code"]
            lf = lf.filter(pl.col("station_code").is_in(codes.to_list()))
        hourly = (
            lf.select(
                "station_code", "time", has=pl.any_horizontal([pl.col(p).is_not_null() for p in POLLUTANTS])
            )
            .with_columns(day=natural_day_expr("time"))
            .with_columns(month=pl.col("day").dt.truncate("1mo"))
            .sort("station_code", "time")
            .with_columns(step=(pl.col("time").diff().dt.total_hours()).over("station_code", "month"))
            .group_by("station_code", "month")
            .agg(
                hours=pl.len(),
                hours_with_data=pl.col("has").sum(),
                first=pl.col("time").min(),
                last=pl.col("time").max(),
                gaps=(pl.col("step") > 1).sum(),
                missing_in_span=(pl.col("step") - 1).clip(lower_bound=0).sum(),
            )
            .with_columns(expected=pl.col("month").dt.month_end().dt.day().cast(pl.Int64) * 24)
            .with_columns(coverage=(pl.col("hours_with_data") / pl.col("expected")).round(4))
            .collect()
            .join(names, on="station_code", how="left")
            .select(
                "station_code",
                "name",
                "city",
                "month",
                "hours",
                "hours_with_data",
                "expected",
                "coverage",
                "gaps",
                "missing_in_span",
                "first",
                "last",
            )
            .sort("station_code", "month")
        )
        dlf = self.scan_daily(cities=city) if city else self.scan_daily()
        daily = (
            dlf.select(id=pl.coalesce("station_code", "city"), date="date")
            .with_columns(month=pl.col("date").dt.truncate("1mo"))
            .group_by("id", "month")
            .agg(days=pl.len(), first=pl.col("date").min(), last=pl.col("date").max())
            .with_columns(expected=pl.col("month").dt.month_end().dt.day().cast(pl.Int64))
            .with_columns(coverage=(pl.col("days") / pl.col("expected")).round(4))
            .sort("id", "month")
            .collect()
        )
        return {"hourly": hourly, "daily": daily}


@contextmanager
def store_lock(root: Path):
    """The store's writer lock (``<store>/.lock``): every writer of the store holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def old_layout(root: Path) -> bool:
    """A store written before its tables were Delta tables (``hourly/year=YYYY/part-MM.parquet``), or one
    whose migration (lantian.io.migrate) stopped while moving its tables into place."""
    swapping = (root / "_migrate" / "_complete").exists() and not (root / "_migrate" / "_swapped").exists()
    return (
        swapping
        or (root / "_journal").is_dir()
        or (root / "ingest_log.parquet").exists()
        or (root / "stations.parquet").exists()
        or any(any((root / name).glob("year=*")) for name in TABLES)
    )


def stations_key(name: str) -> str:
    return city_key(name)


def _pkey(table: Table) -> pl.Expr:
    w = pl.col(table.when)
    return (w.dt.year() * 100 + (w.dt.month() if table.monthly_files else 0)).cast(pl.Int64)


def validate(parsed: _text.Parsed, table: Table, now: dt.datetime) -> tuple[pl.DataFrame, list, int]:
    """Value checks of a reader's rows → (rows to store, quarantined rows, duplicates in the input)."""
    frame = parsed.frame
    floats = [c for c, t in table.values.items() if t == pl.Float64() and c in frame.columns]
    conditions = value_conditions(floats)
    n_values = len(conditions)
    w = pl.col(table.when)
    if table.when == "time":
        conditions.append((w > now + dt.timedelta(hours=1), pl.lit("timestamp in the future")))
    else:
        conditions.append((w > now.date(), pl.lit("date in the future")))
    if parsed.period:
        lo, hi = parsed.period
        conditions.append(
            (
                (w < lo) | (w > hi),
                pl.format("timestamp outside the file's period {} – {}", pl.lit(str(lo)), pl.lit(str(hi))),
            )
        )
    # the value conditions screened at once (lantian.io.limits.value_screen), the others one by one
    others = [cond.fill_null(False) for cond, _ in conditions[n_values:]]
    good, rejects = _text.split_bad(frame, conditions, pl.any_horizontal(value_screen(floats), *others))
    key = list(table.key)
    values = [c for c in table.values if c in good.columns]
    # A key held with different values is a conflict (every copy quarantined); of a key's identical
    # copies the first is kept. Conflicting keys lose all their copies, so the first copies of the
    # other keys are the same whether counted before or after the conflicts are removed.
    one = pl.struct(values).hash().n_unique().over(key) == 1 if values else pl.lit(True)
    good = good.with_columns(_one=one, _first=pl.struct(key).is_first_distinct())
    counts = good.select(
        conflicts=(~pl.col("_one")).sum(), duplicates=(pl.col("_one") & ~pl.col("_first")).sum()
    ).row(0)
    if counts[0]:
        conflict = good.filter(~pl.col("_one"))
        rejects += list(
            zip(
                conflict["_line"].to_list(),
                conflict["_raw"].to_list(),
                ["conflicting values for the same key in this file"] * conflict.height,
                strict=True,
            )
        )
    if counts[0] or counts[1]:
        good = good.filter(pl.col("_one") & pl.col("_first"))
    good = good.drop("_one", "_first", "_line", "_raw")
    return good, rejects, int(counts[1])


def _as_time(value, is_end: bool) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = (
                dt.datetime.fromisoformat(value)
                if ("T" in value or " " in value)
                else dt.date.fromisoformat(value)
            )
        except ValueError as exc:
            raise InputError(f"{value!r} is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)") from exc
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time()) + dt.timedelta(
        days=1 if is_end else 0, hours=0 if is_end else 1
    )


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"{value!r} is not a date (YYYY-MM-DD)") from exc
    return value.date() if isinstance(value, dt.datetime) else value


def _file_sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _registers(registry: pl.DataFrame, seen: pl.DataFrame) -> bool:
    """Whether :func:`lantian.io.stations.register_release` would change ``registry`` for ``seen``: a
    station with a city that it lacks, or a release entry whose ``valid_from`` an earlier day moves back."""
    known = registry.select("station_code", _source="source", _valid_from="valid_from", _known=pl.lit(True))
    j = seen.filter(pl.col("city").fill_null("").str.strip_chars() != "").join(
        known, on="station_code", how="left"
    )
    earlier = pl.col("valid_from").is_not_null() & (
        pl.col("_valid_from").is_null() | (pl.col("valid_from") < pl.col("_valid_from"))
    )
    change = pl.col("_known").is_null() | ((pl.col("_source") == stations.RELEASE) & earlier)
    return bool(j.select(change.any()).item())


def _is_station_list(path: Path) -> bool:
    line = _text.first_line(path)
    return stations.is_station_list([f.strip() for f in line.split(",")])


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # some file systems cannot sync a directory; the files themselves were synced
        return


__all__ = ["TABLES", "Dataset", "FileReport", "IngestReport", "expand", "validate", "STATION_SCHEMA"]
