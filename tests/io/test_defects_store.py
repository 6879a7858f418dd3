"""Stored values are never erased or overwritten by a damaged national-platform release.

Every damaged file is derived from the real releases in ../shared/data/cnemc (see its README): a copy
without the ``pm10`` column, a copy with one absurd or contradictory O3 cell, and a double-encoded copy
(UTF-8 text decoded as Latin-1 and written again as UTF-8, the mojibake of a wrong "convert to UTF-8").
Each copy keeps the real file's name (its period) in a directory of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

from lantian.io.cnemc import read_cnemc
from lantian.io.dataset import Dataset
from shared_paths import CNEMC_2022, CNEMC_2026

KEY = ["station_code", "time"]


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def _write(directory: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path = directory / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _stored(ds: Dataset) -> pl.DataFrame:
    return ds.scan_hourly().drop("source", "ingested_at").sort(KEY).collect()


def test_defect_3_release_without_pm10_keeps_stored_pm10(tmp_path):
    """Provenance: the 2026 release of ../shared/data/cnemc, re-written without its ``pm10`` column and
    with one corrected PM2.5 value (1849A, 2026-04-01 00:00: 44 → 45)."""
    ds = Dataset(tmp_path / "store")
    assert ds.ingest(CNEMC_2026).balanced
    before = _stored(ds)
    assert before["pm10"].drop_nulls().len() == 597

    header, rows = _table(CNEMC_2026)
    i, j = header.index("pm10"), header.index("pm2_5")
    corrected = 0
    for r in rows:
        if r[0] == "2026-04-01T0000" and r[1] == "1849A":
            assert r[j] == "44"
            r[j], corrected = "45", corrected + 1
    assert corrected == 1
    without = _write(
        tmp_path / "no_pm10",
        CNEMC_2026.name,
        [h for k, h in enumerate(header) if k != i],
        [[v for k, v in enumerate(r) if k != i] for r in rows],
    )
    report = ds.ingest(without)
    f = report.files[0]
    assert report.balanced and f.rows_quarantined == 0
    assert (f.rows_read, f.rows_revised, f.rows_duplicate) == (len(rows), 1, len(rows) - 1)
    after = _stored(ds)
    assert after["pm10"].equals(before["pm10"])  # nothing erased
    changed = after.filter(pl.col("pm25").ne_missing(before["pm25"]))
    assert changed.select("station_code", "pm25", "pm10").rows() == [("1849A", 45.0, 59.0)]
    revision = ds.revisions().select("station_code", "time", "pm25", "pm10").rows()
    assert revision == [("1849A", dt.datetime(2026, 4, 1, 0), 44.0, 59.0)]
    assert "pm10" not in read_cnemc(without)[1]["provided"]


def _o3_damaged(tmp_path: Path, source: Path, name: str, o3: str, o3_24h: str | None) -> tuple[Path, list[str]]:
    """``source`` with the O3 cells of its first data row replaced (``None``: kept); returns the copy and
    that row's key."""
    header, rows = _table(source)
    a, b = header.index("o3"), header.index("o3_24h")
    rows[0][a] = o3
    if o3_24h is not None:
        rows[0][b] = o3_24h
    return _write(tmp_path / name, source.name, header, rows), rows[0][:2]


def test_defect_7_one_bad_o3_cell_keeps_the_2026_layout(tmp_path):
    """Provenance: the 2026 release of ../shared/data/cnemc with one O3 cell made absurd (o3 99999 beside
    o3_24h 4) or contradictory (o3 80 beside o3_24h 40, as in a 2022 file); the 2022 release with one
    contradictory cell (o3 below o3_24h) keeps its own layout."""
    clean, meta = read_cnemc(CNEMC_2026)
    assert meta["o3_layout"] == "o3 and o3_24h both hold the 1-hour value"
    for name, o3, o3_24h in (("absurd", "99999", None), ("conflicting", "80", "40")):
        path, (time, code) = _o3_damaged(tmp_path, CNEMC_2026, name, o3, o3_24h)
        frame, meta = read_cnemc(path)
        assert meta["o3_layout"] == "o3 and o3_24h both hold the 1-hour value", name
        assert "o3_1h_max24" not in meta["provided"] and frame["o3_1h_max24"].is_null().all()
        hour = dt.datetime.strptime(time, "%Y-%m-%dT%H%M")
        others = (pl.col("station_code") != code) | (pl.col("time") != hour)
        keep = clean.filter(others).select(*KEY, "o3").sort(KEY)
        assert frame.filter(others).select(*KEY, "o3").sort(KEY).equals(keep), name

        ds = Dataset(tmp_path / f"store-{name}")
        f = ds.ingest(path).files[0]
        assert f.balanced and f.rows_quarantined == (1 if name == "absurd" else 0)
        stored = ds.scan_hourly().filter(others).select(*KEY, "o3").sort(KEY).collect()
        assert stored.equals(keep), name

    path, _ = _o3_damaged(tmp_path, CNEMC_2022, "legacy", "10", "30")
    assert read_cnemc(path)[1]["o3_layout"].startswith("o3_24h is the 1-hour value")


def test_defect_8_mojibake_primary_pollutant_is_quarantined_not_stored(tmp_path):
    """Provenance: the 2022 release of ../shared/data/cnemc double-encoded (its UTF-8 bytes read as Latin-1
    and written again as UTF-8): every Chinese pollutant name becomes a garbage string."""
    ds = Dataset(tmp_path / "store")
    assert ds.ingest(CNEMC_2022).balanced
    before = _stored(ds)
    named = before["primary_official"].drop_nulls().len()
    assert named > 300

    text = CNEMC_2022.read_text(encoding="utf-8")
    mojibake = tmp_path / "mojibake" / CNEMC_2022.name
    mojibake.parent.mkdir()
    mojibake.write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")

    report = ds.ingest(mojibake)
    f = report.files[0]
    assert report.balanced and f.format == "cnemc"
    assert (f.rows_quarantined, f.rows_revised, f.rows_stored) == (named, 0, 0)
    assert f.rows_duplicate == before.height - named
    after = _stored(ds)
    assert after.equals(before)  # no stored value replaced by a garbage name
    reasons = ds.quarantine()["reason"].unique().to_list()
    assert all(r.startswith("unknown primary pollutant name: ") for r in reasons)
