"""Converting a store of the previous layout to Delta Lake tables (lantian.io.migrate, ``lantian data
migrate``) and compacting a store (``lantian data compact``).

The previous layout is the one of ``lantian.io.dataset`` before Delta Lake (its module docstring, and
``_commit``/``_recover``/``_apply``): ``hourly/year=YYYY/part-MM.parquet`` per label month,
``daily|monthly/year=YYYY/part-00.parquet``, ``stations.parquet``, ``observed_stations.parquet``,
``ingest_log.parquet``, ``revisions/<table>/part-<tx>.parquet``, ``quarantine/part-<tx>.parquet``, derived
``station_daily/…`` parts with their ``.json`` state, a committed ``_journal/<tx>.json`` naming renames
still to make, and uncommitted ``*.tmp`` files (deleted on recovery). The old store is written here by hand
from the tables of a store that ingested real data: the bundled sample (lantian.io.sample), the 2026
two-chunk release and 湘潭's city daily values (../shared/data/README.md), the monthly city values
(``aqistudy-daily/all_city_monthly.csv.gz``) and a corrected copy of the 2022 release (one value changed:
a revision; one negative PM2.5: quarantined, spec standards: negative concentrations are rejected).

The expected content of every table is what was written in the old layout (the journal's files as
replayed, the stray temporaries left out): nothing lost, nothing added.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.errors import StoreError
from lantian.io import migrate as migrate_mod
from lantian.io import stations
from lantian.io.dataset import LOG_SCHEMA, OBSERVED_SCHEMA, QUARANTINE_SCHEMA, TABLES, Dataset
from lantian.io.migrate import revision_schema
from lantian.io.sample import load_sample
from lantian.schema import METEOROLOGY, STATION_SCHEMA
from shared_paths import CNEMC_2022, CNEMC_2026_CHUNKS, SHARED_DATA

MONTHLY = SHARED_DATA / "aqistudy-daily" / "all_city_monthly.csv.gz"
XIANGTAN = SHARED_DATA / "aqistudy-daily" / "daily" / "湘潭.csv.gz"
pytestmark = pytest.mark.skipif(not CNEMC_2022.is_file(), reason="shared data not present")
TX = "20260501T120000-0a1b2c3d"


def _conform(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    missing = [pl.lit(None, t).alias(c) for c, t in schema.items() if c not in frame.columns]
    return frame.with_columns(missing).select([pl.col(c).cast(t) for c, t in schema.items()])


def _corrected_2022(directory: Path) -> Path:
    """The 2022 release with the first row's PM10 changed (a correction) and the second row's PM2.5
    negative (quarantined)."""
    lines = CNEMC_2022.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    pm10, pm25 = header.index("pm10"), header.index("pm2_5")
    first, second = lines[1].split(","), lines[2].split(",")
    first[pm10] = str(int(float(first[pm10])) + 7)
    second[pm25] = "-5"
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / CNEMC_2022.name
    out.write_text(
        "\n".join([lines[0], ",".join(first), ",".join(second), *lines[3:]]) + "\n", encoding="utf-8"
    )
    return out


def _source_store(root: Path, work: Path) -> Dataset:
    ds = Dataset(root)
    load_sample(ds)
    ds.ingest([CNEMC_2026_CHUNKS, XIANGTAN, MONTHLY])
    ds.ingest([_corrected_2022(work / "corrected")])
    return ds


def _write(path: Path, frame: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


def _old_store(root: Path, src: Dataset) -> dict[str, pl.DataFrame]:
    """Write ``src``'s tables in the previous layout under ``root``; returns the content each table must
    have after the migration (current schemas)."""
    expected: dict[str, pl.DataFrame] = {}
    frames = {
        "hourly": src.scan_hourly().collect(),
        "city_hourly": src.scan_city_hourly().collect(),
        "daily": src.scan_daily().collect(),
        "monthly": src.scan_monthly().collect(),
    }
    dropped = 0
    for name, frame in frames.items():
        table = TABLES[name]
        w = pl.col(table.when)
        month = w.dt.month() if table.monthly_files else pl.lit(0)
        keyed = frame.with_columns(_y=w.dt.year(), _m=month)
        for (year, mm), part in keyed.group_by("_y", "_m"):
            part = part.drop("_y", "_m")
            if name == "hourly":
                # an old file written before the meteorology columns existed (they hold nothing here)
                empty = [c for c in METEOROLOGY if part[c].null_count() == part.height]
                dropped += len(empty)
                part = part.drop(empty)
            _write(root / name / f"year={year}" / f"part-{mm:02d}.parquet", part)
        expected[name] = frame
    assert dropped, "no old hourly file lacks the newer columns: the test data no longer covers that case"

    revisions = src.revisions("hourly")
    assert revisions.height, "the corrected release made no revision"
    _write(root / "revisions" / "hourly" / "part-5e1c0ffee000.parquet", revisions)
    expected["revisions/hourly"] = _conform(revisions, revision_schema("hourly"))

    quarantine = src.quarantine()
    assert quarantine.height, "the corrected release quarantined nothing"
    _write(root / "quarantine" / "part-000000000001.parquet", quarantine)
    # the committed journal adds a quarantine part and replaces the ingest log (renames still to make)
    extra = quarantine.with_columns(line=pl.col("line") + 100_000, source=pl.lit("journal.csv"))
    _write(root / "quarantine" / f"part-000000000002.parquet.{TX}.tmp", extra)
    expected["quarantine"] = pl.concat([quarantine, extra])

    log = src.ingest_log()
    _write(root / "ingest_log.parquet", log.head(log.height - 1))
    _write(root / f"ingest_log.parquet.{TX}.tmp", log)
    expected["ingest_log"] = log
    (root / "_journal").mkdir()
    pairs = [
        [f"quarantine/part-000000000002.parquet.{TX}.tmp", "quarantine/part-000000000002.parquet"],
        [f"ingest_log.parquet.{TX}.tmp", "ingest_log.parquet"],
    ]
    (root / "_journal" / f"{TX}.json").write_text(json.dumps({"txid": TX, "pairs": pairs}))

    # an uncommitted batch: its journal and its file are deleted, not applied
    junk = frames["hourly"].head(5).with_columns(pm25=pl.lit(9999.0))
    _write(root / "hourly" / "year=2022" / "part-01.parquet.20260501T130000-deadbeef.tmp", junk)
    (root / "_journal" / "20260501T130000-deadbeef.json.tmp").write_text(
        json.dumps({"pairs": [["hourly/year=2022/part-01.parquet.20260501T130000-deadbeef.tmp", "x"]]})
    )

    _write(root / "stations.parquet", src.stations())
    expected["stations"] = stations.conform(src.stations())
    observed = src.observed_stations()
    _write(root / "observed_stations.parquet", observed.drop("is_control"))  # a column added since
    expected["observed_stations"] = _conform(observed.drop("is_control"), OBSERVED_SCHEMA)

    # a derived table (recomputed by the current version, so not carried over)
    _write(root / "station_daily" / "year=2022" / "part-01.parquet", pl.DataFrame({"x": [1]}))
    (root / "station_daily" / "year=2022" / "part-01.json").write_text("{}")
    return expected


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, dict[str, pl.DataFrame]]:
    base = tmp_path_factory.mktemp("migrate")
    src = _source_store(base / "source", base)
    old = base / "old"
    expected = _old_store(old, src)
    return old, expected


def _copy(template: Path, to: Path) -> Path:
    shutil.copytree(template, to)
    return to


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _content(root: Path) -> dict[str, pl.DataFrame]:
    ds = Dataset(root)
    return {
        "hourly": ds.scan_hourly().collect(),
        "city_hourly": ds.scan_city_hourly().collect(),
        "daily": ds.scan_daily().collect(),
        "monthly": ds.scan_monthly().collect(),
        "revisions/hourly": ds.revisions("hourly"),
        "quarantine": ds.quarantine(),
        "ingest_log": ds.ingest_log(),
        "stations": ds.stations(),
        "observed_stations": ds.observed_stations(),
    }


SCHEMAS = {
    **{name: t.schema for name, t in TABLES.items()},
    "revisions/hourly": revision_schema("hourly"),
    "quarantine": QUARANTINE_SCHEMA,
    "ingest_log": LOG_SCHEMA,
    "stations": STATION_SCHEMA,
    "observed_stations": OBSERVED_SCHEMA,
}


def _assert_same(root: Path, expected: dict[str, pl.DataFrame]) -> None:
    got = _content(root)
    for name, frame in expected.items():
        want = _conform(frame, SCHEMAS[name])
        assert got[name].schema == want.schema, name
        assert _sorted(got[name]).equals(_sorted(want)), name


def _leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.name.endswith((".tmp", ".json"))
        and "_delta_log" not in p.parts
        or p.name in ("_migrate", "_old")
    )


def test_migrate_command_converts_the_old_store(template, tmp_path):
    old, expected = template
    store = _copy(old, tmp_path / "store")
    with pytest.raises(StoreError, match="lantian data migrate"):
        Dataset(store)

    result = CliRunner().invoke(app, ["data", "migrate", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["migrated"] and not summary["resumed"]
    assert summary["journals_replayed"] == 1
    assert summary["temporaries_deleted"] == 2  # the uncommitted batch's file and its journal
    for name, frame in expected.items():
        assert summary["tables"].get(name, {"before": 0, "after": 0}) == {
            "before": frame.height,
            "after": frame.height,
        }, name

    _assert_same(store, expected)
    assert not _leftovers(store)
    assert not (store / "station_daily").exists() and not (store / "_journal").exists()
    for name in ("stations.parquet", "ingest_log.parquet", "observed_stations.parquet"):
        assert not (store / name).exists()
    # the history starts at the migration: read as of the latest ingest, the store holds every row
    latest = expected["ingest_log"]["ingested_at"].max()
    ds = Dataset(store)
    assert ds.scan_hourly(as_of=latest).collect().height == expected["hourly"].height
    # before the migration: the value a revision replaced reads as it was, from the revisions kept
    revised = expected["revisions/hourly"].row(0, named=True)
    before = revised["revised_at"] - dt.timedelta(microseconds=1)
    key = (pl.col("station_code") == revised["station_code"]) & (pl.col("time") == revised["time"])
    was = ds.scan_hourly(as_of=before).filter(key).collect()
    now = ds.scan_hourly().filter(key).collect()
    values = [c for c in TABLES["hourly"].values if revised[c] is not None]
    assert was.select(values).rows() == [tuple(revised[c] for c in values)]
    assert now.select(values).rows() != was.select(values).rows()
    # every row stored by then: those not changed since, and the revised one as it was
    stored_then = expected["hourly"].filter(pl.col("ingested_at") <= before).height + 1
    assert ds.scan_hourly(as_of=before).collect().height == stored_then

    again = CliRunner().invoke(app, ["data", "migrate", "--store", str(store)])
    assert again.exit_code == 0, again.output
    assert "已是 Delta Lake 格式，无需转换" in again.stdout


def test_human_summary_is_chinese(template, tmp_path):
    old, expected = template
    store = _copy(old, tmp_path / "store")
    result = CliRunner().invoke(app, ["data", "migrate", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "已转为 Delta Lake 表" in result.stdout and "站点小时值" in result.stdout
    assert f"{expected['hourly'].height:,}" in result.stdout


def test_count_mismatch_leaves_the_old_store(template, tmp_path, monkeypatch):
    old, _ = template
    store = _copy(old, tmp_path / "store")
    real = migrate_mod._count
    monkeypatch.setattr(migrate_mod, "_count", lambda path: real(path) - (path.name == "hourly"))
    with pytest.raises(StoreError, match="行数不符"):
        migrate_mod.migrate(store)
    assert not (store / "_migrate").exists() and not (store / "_old").exists()
    assert (store / "stations.parquet").is_file() and (store / "hourly" / "year=2022").is_dir()
    with pytest.raises(StoreError, match="lantian data migrate"):
        Dataset(store)


class Interrupted(BaseException):
    """Stands for a kill at one rename."""


def test_interrupted_at_every_rename_then_rerun(template, tmp_path, monkeypatch):
    """Each rename of the migration (journal replay, batch markers of the new tables, the completion
    marker, the swap) is a point where a kill can land: interrupted there, a rerun completes the job."""
    import os

    old, expected = template
    real = os.replace
    calls = {"n": 0}

    def counting(a, b):
        calls["n"] += 1
        return real(a, b)

    monkeypatch.setattr(os, "replace", counting)
    migrate_mod.migrate(_copy(old, tmp_path / "count"))
    total = calls["n"]
    monkeypatch.setattr(os, "replace", real)
    # the last renames are the completion marker and the swap; test them all, and a sample of the others
    points = sorted(set(range(max(0, total - 14), total)) | set(random.Random(7).sample(range(total), 6)))
    for at in points:
        store = _copy(old, tmp_path / f"cut{at}")
        seen = {"n": 0}

        def cut(a, b, at=at, seen=seen):
            if seen["n"] == at:
                raise Interrupted
            seen["n"] += 1
            return real(a, b)

        monkeypatch.setattr(os, "replace", cut)
        with pytest.raises(Interrupted):
            migrate_mod.migrate(store)
        monkeypatch.setattr(os, "replace", real)
        migrate_mod.migrate(store)
        _assert_same(store, expected)
        assert not _leftovers(store), at


SCRIPT = (
    "import sys; from pathlib import Path; from lantian.io.migrate import migrate; migrate(Path(sys.argv[1]))"
)


def _run(store: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(store)])


def test_killed_migration_then_rerun(template, tmp_path):
    old, expected = template
    started = time.perf_counter()
    assert _run(_copy(old, tmp_path / "clean")).wait() == 0
    duration = time.perf_counter() - started
    rng = random.Random(20260501)
    kills = 0
    for run in range(4):
        store = _copy(old, tmp_path / f"killed{run}")
        for _ in range(2):
            proc = _run(store)
            time.sleep(rng.uniform(0.3, duration))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        assert _run(store).wait() == 0
        _assert_same(store, expected)
        assert not _leftovers(store), run
    assert kills >= 4


# -- compact --------------------------------------------------------------------------------------------
def _hour_files(release: Path, directory: Path, pieces: int) -> list[Path]:
    """The release split into ``pieces`` files of consecutive hours (as the platform publishes them),
    each named as the release (its period)."""
    lines = release.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    hours = sorted({r.split(",")[0] for r in rows})
    size = -(-len(hours) // pieces)
    out = []
    for i in range(pieces):
        chunk = set(hours[i * size : (i + 1) * size])
        path = directory / f"piece{i}" / release.name
        path.parent.mkdir(parents=True)
        path.write_text(
            "\n".join([header, *(r for r in rows if r.split(",")[0] in chunk)]) + "\n", encoding="utf-8"
        )
        out.append(path)
    return out


def test_compact_keeps_content_and_history(tmp_path):
    store = tmp_path / "store"
    ds = Dataset(store)
    for piece in _hour_files(CNEMC_2022, tmp_path, 6):  # six appends to the same partition
        ds.ingest([piece])
    first = ds.ingest_log()["ingested_at"].min()
    before_as_of = ds.scan_hourly(as_of=first).collect()
    assert 0 < before_as_of.height < ds.scan_hourly().collect().height
    ds.ingest([_corrected_2022(tmp_path / "corrected")])  # a correction: a MERGE of the partition
    assert ds.revisions("hourly").height == 1
    content = _content(store)
    as_of = ds.scan_hourly(as_of=first).collect()
    files_before = len(ds.table_files("hourly"))
    assert files_before > 1

    result = CliRunner().invoke(
        app, ["data", "compact", "--history-days", "36500", "--store", str(store), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["history_days"] == 36500
    assert (
        summary["tables"]["hourly"]["files_removed"]
        >= files_before
        > summary["tables"]["hourly"]["files_added"]
    )

    ds = Dataset(store)
    assert len(ds.table_files("hourly")) < files_before
    after = _content(store)
    for name, frame in content.items():
        assert _sorted(after[name]).equals(_sorted(frame)), name
    # the version of the first ingest is still readable (the corrected value as it was then)
    assert _sorted(ds.scan_hourly(as_of=first).collect()).equals(_sorted(as_of))
    assert _sorted(as_of).equals(_sorted(before_as_of))


def test_compact_default_is_the_setting(tmp_path, monkeypatch):
    """``--history-days`` defaults to ``store_history_days`` (docs/settings.md; 1096 days unless set)."""
    store = tmp_path / "store"
    Dataset(store).ingest([CNEMC_2022])
    monkeypatch.delenv("LANTIAN_STORE_HISTORY_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["data", "compact", "--store", str(store), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["history_days"] == 1096
    out = CliRunner().invoke(
        app, ["data", "compact", "--store", str(store), "--json"], env={"LANTIAN_STORE_HISTORY_DAYS": "30"}
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["history_days"] == 30
    human = CliRunner().invoke(app, ["data", "compact", "--store", str(store)])
    assert human.exit_code == 0, human.output
    assert "保留了最近" in human.stdout
