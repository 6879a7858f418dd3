"""The platform's archive layouts: the mirror's daily zip archives and a folder of hourly release files.

Expected values are never typed in: an archive member must be ingested exactly as the same file on disk
(``lantian.io.archives`` module Rules; ``lantian.io.dataset`` Ingest semantics), and a folder of hourly
release files exactly as the one release file its hours were cut from.

Data: ``tests/data/mirror/china_sites_20220101.csv`` (the mirror's daily station file, 13 stations of
湘潭/株洲) and ``../shared/data/cnemc/2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv`` (the platform's
hourly release of the same stations, 49 hours; data README "cnemc/"). The second day of the archive is
written from the release's rows of 2022-01-02 in the mirror's layout (mirror.py module docstring: one line
per hour and ``type``, hour h of date d = the release labelled d h:00).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io import archives
from lantian.io.dataset import Dataset
from shared_paths import CNEMC_2022, PROJECT_ROOT

MIRROR_DAY1 = PROJECT_ROOT / "tests" / "data" / "mirror" / "china_sites_20220101.csv"
ARCHIVE = "站点_20220101-20220102.zip"

#: mirror ``type`` → the release column that holds the same value (mirror.VARIABLE_MAP; the mirrors
#: copy the platform's columns under these names)
TYPES = {
    "AQI": "aqi",
    "PM2.5": "pm2_5",
    "PM2.5_24h": "pm2_5_24h",
    "PM10": "pm10",
    "PM10_24h": "pm10_24h",
    "SO2": "so2",
    "SO2_24h": "so2_24h",
    "NO2": "no2",
    "NO2_24h": "no2_24h",
    "O3": "o3",
    "O3_24h": "o3_24h",
    "O3_8h": "o3_8h",
    "O3_8h_24h": "o3_8h_24h",
    "CO": "co",
    "CO_24h": "co_24h",
}

pytestmark = pytest.mark.skipif(not CNEMC_2022.is_file(), reason="shared data not present")


def _release() -> list[dict]:
    with CNEMC_2022.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _mirror_day(day: str) -> bytes:
    """The release's hours of ``day`` (YYYY-MM-DD) in the mirror's wide layout."""
    rows = [r for r in _release() if r["timepoint"].startswith(day)]
    codes = sorted({r["stationcode"] for r in rows})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", "hour", "type", *codes])
    for hour in range(24):
        at = {r["stationcode"]: r for r in rows if int(r["timepoint"][11:13]) == hour}
        for t, col in TYPES.items():
            w.writerow([day.replace("-", ""), hour, t, *(at[c][col] if c in at else "" for c in codes)])
    return out.getvalue().encode("utf-8")


def _archive(tmp_path: Path, damaged: bool = False) -> Path:
    """The mirror's archive of two days (in a folder inside the zip, as the mirror packs them) and a note."""
    path = tmp_path / ARCHIVE
    folder = ARCHIVE.removesuffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(MIRROR_DAY1, f"{folder}/china_sites_20220101.csv")
        zf.writestr(f"{folder}/china_sites_20220102.csv", _mirror_day("2022-01-02"))
        zf.writestr(f"{folder}/说明.md", "镜像说明")
    if damaged:
        _corrupt(path, f"{folder}/china_sites_20220102.csv")
    return path


def _corrupt(path: Path, member: str) -> None:
    """Flip bytes in the middle of a member's compressed data (its CRC no longer matches)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    raw = bytearray(path.read_bytes())
    header = 30 + len(info.filename.encode("utf-8")) + len(info.extra)
    middle = info.header_offset + header + info.compress_size // 2
    for i in range(middle, middle + 16):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


def _unpacked(tmp_path: Path) -> list[Path]:
    """The same two daily files on disk."""
    folder = tmp_path / "unpacked"
    folder.mkdir()
    (folder / "china_sites_20220101.csv").write_bytes(MIRROR_DAY1.read_bytes())
    (folder / "china_sites_20220102.csv").write_bytes(_mirror_day("2022-01-02"))
    return sorted(folder.iterdir())


def _accounts(report) -> list[tuple]:
    return [
        (
            Path(f.path).name,
            f.format,
            f.table,
            f.status,
            f.rows_read,
            f.rows_stored,
            f.rows_quarantined,
            f.rows_duplicate,
        )
        for f in report.files
    ]


def _hours(ds: Dataset) -> pl.DataFrame:
    return ds.scan_hourly().collect().drop("source", "ingested_at").sort("station_code", "time")


def test_archive_members_are_ingested_as_the_same_files_on_disk(tmp_path):
    events: list[dict] = []
    zipped = Dataset(tmp_path / "zipped")
    report = zipped.ingest(_archive(tmp_path), progress=events.append)
    plain = Dataset(tmp_path / "plain")
    expected = plain.ingest(_unpacked(tmp_path))
    assert _accounts(report) == _accounts(expected)
    assert report.balanced and report.rows_stored > 0
    assert _hours(zipped).equals(_hours(plain))
    # each member is named ARCHIVE.zip/FOLDER/MEMBER wherever it is recorded; nothing was unpacked
    folder = ARCHIVE.removesuffix(".zip")
    names = [str(tmp_path / ARCHIVE / folder / f"china_sites_2022010{d}.csv") for d in (1, 2)]
    assert [f.path for f in report.files] == names
    assert sorted(zipped.ingest_log()["file"].to_list()) == names
    assert sorted(zipped.scan_hourly().select("source").unique().collect()["source"].to_list()) == names
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ARCHIVE, "plain", "unpacked", "zipped"])
    # the note is not a data file: listed as skipped
    assert report.skipped == [str(tmp_path / ARCHIVE / folder / "说明.md")]
    # progress: one event before and after each member, with the number of members as total
    assert [(e["event"], e["index"], e["total"]) for e in events] == [
        ("file", 0, 2),
        ("done", 0, 2),
        ("file", 1, 2),
        ("done", 1, 2),
    ]


def test_mirror_day_from_the_archive_holds_the_release_values(tmp_path):
    """Hour h of the mirror's day is the release labelled d h:00 (mirror.py Notes): the PM2.5 of the
    archive's second day equals the release's 1-hour pm2_5 at the same station and hour."""
    ds = Dataset(tmp_path / "store")
    ds.ingest(_archive(tmp_path))
    stored = ds.scan_hourly(start="2022-01-02T00:00", end="2022-01-02T23:00").collect()
    release = Dataset(tmp_path / "release")
    release.ingest(CNEMC_2022)
    want = release.scan_hourly(start="2022-01-02T00:00", end="2022-01-02T23:00").collect()
    joined = stored.select("station_code", "time", "pm25").join(
        want.select("station_code", "time", pm25_release="pm25"), on=["station_code", "time"], how="full"
    )
    assert joined.height == want.height == 24 * 13
    assert joined.filter(pl.col("pm25").ne_missing(pl.col("pm25_release"))).is_empty()


def test_reingesting_the_archive_adds_nothing(tmp_path):
    ds = Dataset(tmp_path / "store")
    path = _archive(tmp_path)
    first = ds.ingest(path)
    before = (_hours(ds), ds.ingest_log().height, ds.quarantine().height)
    again = ds.ingest(path)
    assert [f.status for f in again.files] == ["already ingested"] * len(first.files)
    assert again.rows_stored == 0 and again.rows_duplicate == first.rows_read and again.balanced
    after = (_hours(ds), ds.ingest_log().height, ds.quarantine().height)
    assert after[0].equals(before[0]) and after[1:] == before[1:]


def test_damaged_member_is_refused_with_its_name_and_the_rest_proceed(tmp_path):
    ds = Dataset(tmp_path / "store")
    path = _archive(tmp_path, damaged=True)
    report = ds.ingest(path)
    by = {Path(f.path).name: f for f in report.files}
    good, bad = by["china_sites_20220101.csv"], by["china_sites_20220102.csv"]
    alone = Dataset(tmp_path / "alone").ingest(MIRROR_DAY1).files[0]
    assert (good.status, good.rows_read, good.rows_stored) == ("ingested", alone.rows_read, alone.rows_stored)
    assert bad.status == "error" and "china_sites_20220102.csv" in bad.message and "已损坏" in bad.message
    assert (bad.rows_read, bad.rows_quarantined, bad.rows_stored) == (1, 1, 0) and report.balanced
    q = ds.quarantine()
    assert q["raw"].to_list() == [bad.path] and q["reason"][0].startswith("file not readable")
    # not logged: a complete copy can be ingested later; the same damaged copy is not quarantined twice
    assert bad.path not in ds.ingest_log()["file"].to_list()
    again = ds.ingest(path)
    assert {Path(f.path).name: f.status for f in again.files} == {
        "china_sites_20220101.csv": "already ingested",
        "china_sites_20220102.csv": "already refused",
    }
    assert ds.quarantine().height == 1


def test_input_limits_apply_to_each_member(tmp_path, monkeypatch):
    """ingest.max_decompressed_mib (lantian.io.limits) bounds what one member decompresses to."""
    monkeypatch.setenv("LANTIAN_MAX_DECOMPRESSED_MIB", "1")
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(MIRROR_DAY1, "china_sites_20220101.csv")
        zf.writestr("china_sites_20220102.csv", MIRROR_DAY1.read_bytes() + b"\n" * (2 * 1024**2))
    ds = Dataset(tmp_path / "store")
    report = ds.ingest(path)
    by = {Path(f.path).name: f for f in report.files}
    assert by["china_sites_20220101.csv"].status == "ingested"
    big = by["china_sites_20220102.csv"]
    assert big.status == "error" and "china_sites_20220102.csv" in big.message
    assert "ingest.max_decompressed_mib" in big.message


def test_unreadable_archive_is_one_refused_entry(tmp_path):
    path = tmp_path / "站点_20220101-20220107.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    ds = Dataset(tmp_path / "store")
    report = ds.ingest([path, MIRROR_DAY1])
    assert [f.status for f in report.files] == ["error", "ingested"]
    assert "不是可读的 zip 压缩包" in report.files[0].message and report.balanced


def test_member_names_without_the_utf8_flag_are_read_as_gb18030():
    info = zipfile.ZipInfo(
        "站点_20220101-20220107/../china_sites_20220101.csv".encode("gb18030").decode("cp437")
    )
    info.flag_bits = 0
    assert archives.member_name(info) == "站点_20220101-20220107/china_sites_20220101.csv"


def test_folder_of_hourly_release_files_is_the_release(tmp_path):
    """The platform publishes one file per hour: a folder of them holds what the 49-hour file holds."""
    folder = tmp_path / "hours"
    folder.mkdir()
    rows = _release()
    header = list(rows[0])
    for t in sorted({r["timepoint"] for r in rows}):
        with (folder / f"{t[:13]}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, header, lineterminator="\n")
            w.writeheader()
            w.writerows(r for r in rows if r["timepoint"] == t)
    events: list[dict] = []
    ds = Dataset(tmp_path / "folder")
    report = ds.ingest(folder, progress=events.append)
    whole = Dataset(tmp_path / "whole")
    one = whole.ingest(CNEMC_2022)
    assert len(report.files) == 49 and {f.format for f in report.files} == {"cnemc"}
    assert {e["total"] for e in events} == {49}
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (
        one.rows_read,
        one.rows_stored,
        one.rows_quarantined,
    )
    assert report.stations_registered == one.stations_registered
    hours, want = _hours(ds), _hours(whole)
    assert hours.drop("o3_1h_max24").equals(want.drop("o3_1h_max24"))
    # o3_1h_max24 (the release's ``o3`` in the 2022 layout): an hour whose ``o3`` equals ``o3_24h`` at every
    # station cannot tell the 2022 layout from the 2026 one on its own (cnemc.o3_layout_of), so a one-hour
    # file leaves it empty there; every value it does store is the release's
    both = hours.join(want, on=["station_code", "time"], suffix="_whole")
    assert both.filter(
        pl.col("o3_1h_max24").is_not_null() & pl.col("o3_1h_max24").ne_missing(pl.col("o3_1h_max24_whole"))
    ).is_empty()
    undecided = {t[:13] for t in {r["timepoint"] for r in rows}} - {
        r["timepoint"][:13] for r in rows if r["o3"] != r["o3_24h"]
    }
    empty = both.filter(pl.col("o3_1h_max24").is_null() & pl.col("o3_1h_max24_whole").is_not_null())
    assert {f"{t:%Y-%m-%dT%H}" for t in empty["time"].to_list()} <= undecided
    assert ds.stations().drop("valid_from").equals(whole.stations().drop("valid_from"))


def test_cli_ingests_an_archive_with_per_member_lines(tmp_path):
    path = _archive(tmp_path, damaged=True)
    store = tmp_path / "store"
    out = CliRunner().invoke(app, ["ingest", str(path), "--store", str(store), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [Path(f["path"]).name for f in doc["files"]] == [
        "china_sites_20220101.csv",
        "china_sites_20220102.csv",
    ]
    assert [f["status"] for f in doc["files"]] == ["ingested", "error"]
    table = CliRunner().invoke(app, ["ingest", str(path), "--store", str(store)])
    assert table.exit_code == 0, table.output
    assert f"{ARCHIVE}/" in table.stdout and "china_sites_20220102.csv" in table.stdout
