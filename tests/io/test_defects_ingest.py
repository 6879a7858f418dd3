"""Ingest defects: damaged gzip read short (1), refused files logged for ever (2), one file stopping the run (5).

Provenance: an adversarial probe of the ingest with damaged files derived from the shared
national-platform release ``cnemc/2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv`` (637 rows): a
gzip with bytes after the stream read 492 of its rows and reported balanced; a truncated gzip read 0
of its decompressible rows and was called unrecognised; a refused file's sha256 went into the ingest
log, so its corrected retry said "already ingested"; a corrupt deflate stream or a file name that is
not valid UTF-8 aborted the whole run. The damaged files are built here from the shared file and
their rows are counted independently of the readers (raw bytes, ``zlib``).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import zlib
from pathlib import Path

import polars as pl
from tests.shared_paths import CNEMC_2022, CNEMC_2026_CHUNKS
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io.dataset import Dataset

runner = CliRunner()
KEY = ["station_code", "time"]


def _data_rows(raw: bytes) -> int:
    """Complete data lines of a CSV release (header excluded), counted on the bytes."""
    return sum(1 for line in raw.split(b"\n")[1:] if line.strip()) if raw.endswith(b"\n") else -1


def _gz(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_defect_1_gzip_trailing_bytes_keeps_every_row(tmp_path):
    raw = CNEMC_2022.read_bytes()
    rows = _data_rows(raw)
    assert rows == 637
    path = _gz(tmp_path, CNEMC_2022.name + ".gz", gzip.compress(raw) + b"\x00garbage after the stream\n" * 40)
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert f.format == "cnemc"
    assert f.rows_stored == rows, f
    assert f.rows_quarantined == 1 and f.rows_read == rows + 1 and f.balanced
    assert f.status == "incomplete" and f.message.startswith("gzip ")
    q = ds.quarantine()
    assert q.height == 1 and "字节无法识别" in q["reason"][0] and q["line"][0] == rows + 2
    plain = Dataset(tmp_path / "plain")
    plain.ingest(CNEMC_2022)
    cols = [c for c in plain.scan_hourly().collect().columns if c not in ("source", "ingested_at")]
    got = ds.scan_hourly().collect().select(cols).sort(KEY)
    assert got.equals(plain.scan_hourly().collect().select(cols).sort(KEY))


def test_defect_1_gzip_trailing_bytes_large_stream(tmp_path):
    raw = CNEMC_2022.read_bytes()
    header, body = raw.split(b"\n", 1)
    # the same station-hours repeated: identical copies count as duplicates, every row is read
    many = header + b"\n" + body * 12
    assert len(many) > 4 * 65536
    path = _gz(tmp_path, CNEMC_2022.name + ".gz", gzip.compress(many) + b"PK\x03\x04 not gzip")
    f = Dataset(tmp_path / "store").ingest(path).files[0]
    assert f.rows_read == _data_rows(many) + 1, f
    assert f.rows_stored == 637 and f.rows_quarantined == 1 and f.balanced


def test_defect_1_truncated_gzip_keeps_decompressible_rows(tmp_path):
    raw = CNEMC_2022.read_bytes()
    packed = gzip.compress(raw)
    cut = packed[: len(packed) // 2]
    prefix = zlib.decompressobj(wbits=31).decompress(cut)  # what decompresses, independently
    complete = prefix[: prefix.rfind(b"\n") + 1]
    kept = _data_rows(complete)
    assert 100 < kept < 637
    path = _gz(tmp_path, CNEMC_2022.name + ".gz", cut)
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert f.format == "cnemc" and f.status == "incomplete", f
    assert f.rows_stored == kept and f.rows_quarantined == 1 and f.rows_read == kept + 1 and f.balanced
    q = ds.quarantine()
    assert q["raw"][0] == prefix[len(complete) :].decode("utf-8")  # the cut last line is not stored
    assert "不完整" in q["reason"][0]
    # the rows kept are exactly the release's rows: the complete file adds only the rest
    g = ds.ingest(CNEMC_2022).files[0]
    assert (g.rows_stored, g.rows_duplicate, g.rows_revised) == (637 - kept, kept, 0), g


def test_defect_1_corrupt_gzip_is_refused_as_a_whole(tmp_path):
    packed = bytearray(gzip.compress(CNEMC_2022.read_bytes()))
    packed[len(packed) // 2] ^= 0xFF  # decodes to wrong bytes: only the checksum tells
    path = _gz(tmp_path, CNEMC_2022.name + ".gz", bytes(packed))
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert f.status == "error" and f.rows_stored == 0 and f.balanced, f
    assert "gzip 压缩数据损坏" in f.message and "整个文件未导入" in f.message
    assert ds.scan_hourly().collect().height == 0
    assert ds.ingest_log().height == 0


def test_defect_2_refused_file_is_ingested_once_corrected(tmp_path):
    ds = Dataset(tmp_path / "store")
    wrong = ds.ingest(CNEMC_2022, fmt="prsa").files[0]  # wrong --format
    assert wrong.status == "error" and wrong.rows_stored == 0
    assert ds.ingest_log().height == 0
    right = ds.ingest(CNEMC_2022).files[0]
    assert right.status == "ingested" and right.rows_stored == 637, right
    assert ds.ingest_log()["sha256"].to_list() == [right.sha256]
    # an impossible period in the name: every row quarantined, nothing logged; renamed, it is read
    misnamed = tmp_path / "in" / "2026-04-05T00_2026-04-06T00_chunks.csv"
    misnamed.parent.mkdir()
    shutil.copy(CNEMC_2026_CHUNKS, misnamed)
    first = ds.ingest(misnamed).files[0]
    assert first.status == "refused" and first.rows_stored == 0 and first.rows_quarantined == first.rows_read
    again = ds.ingest(misnamed).files[0]  # the same refusal is not quarantined twice
    assert again.status == "already refused" and again.rows_duplicate == first.rows_read
    assert ds.quarantine().filter(pl.col("sha256") == first.sha256).height == first.rows_read
    fixed = misnamed.rename(misnamed.with_name(CNEMC_2026_CHUNKS.name))
    third = ds.ingest(fixed).files[0]
    assert third.status == "ingested" and third.rows_stored == first.rows_read, third
    assert ds.ingest_log().height == 2


def test_defect_2_force_reads_a_logged_file_again(tmp_path):
    store = tmp_path / "store"
    ds = Dataset(store)
    ds.ingest(CNEMC_2022)
    assert ds.ingest(CNEMC_2022).files[0].status == "already ingested"
    forced = ds.ingest(CNEMC_2022, force=True).files[0]
    assert forced.status == "ingested" and forced.rows_read == forced.rows_duplicate == 637, forced
    result = runner.invoke(app, ["ingest", "--store", str(store), "--force", "--json", str(CNEMC_2022)])
    assert result.exit_code == 0, result.output
    f = json.loads(result.stdout)["files"][0]
    assert f["status"] == "ingested" and f["rows_duplicate"] == 637
    result = runner.invoke(app, ["ingest", "--store", str(store), "--json", str(CNEMC_2022)])
    assert json.loads(result.stdout)["files"][0]["status"] == "already ingested"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CNEMC_2022, folder / CNEMC_2022.name)
    return folder


def _ingest_cli(store: Path, folder: Path) -> tuple[dict, dict]:
    result = runner.invoke(app, ["ingest", "--store", str(store), "--json", str(folder)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return report, {Path(f["path"]).name: f for f in report["files"]}


def test_defect_5_corrupt_deflate_is_one_report_line(tmp_path):
    folder = _folder(tmp_path)
    packed = bytearray(gzip.compress(CNEMC_2026_CHUNKS.read_bytes()))
    packed[10:40] = b"\xff" * 30  # invalid deflate codes right after the header
    (folder / "a-corrupt.csv.gz").write_bytes(bytes(packed))
    store = tmp_path / "store"
    report, by_name = _ingest_cli(store, folder)
    bad = by_name["a-corrupt.csv.gz"]
    assert bad["status"] == "error" and "Error -3" in bad["message"] and bad["rows_stored"] == 0
    assert by_name[CNEMC_2022.name]["rows_stored"] == 637 and report["totals"]["balanced"]
    assert Dataset(store).scan_hourly().collect().height == 637
    # the table form prints the failing file's message instead of stopping
    again = runner.invoke(app, ["ingest", "--store", str(store), str(folder)])
    assert again.exit_code == 0 and "gzip 压缩数据损坏" in again.output.replace("\n", ""), again.output


def test_defect_5_name_not_utf8_is_ingested(tmp_path):
    folder = _folder(tmp_path)
    odd = os.fsencode(folder) + b"/\xff\xfe" + os.fsencode(CNEMC_2026_CHUNKS.name)
    with open(odd, "wb") as fh:
        fh.write(CNEMC_2026_CHUNKS.read_bytes())
    (folder / "notes\udcff.md").write_bytes(b"not data")  # skipped, with a name that is not UTF-8
    store = tmp_path / "store"
    report, by_name = _ingest_cli(store, folder)
    escaped = "\\xff\\xfe" + CNEMC_2026_CHUNKS.name
    assert by_name[escaped]["status"] == "ingested" and by_name[escaped]["rows_stored"] == 302
    assert by_name[CNEMC_2022.name]["rows_stored"] == 637
    assert report["totals"]["balanced"] and report["skipped"][0].endswith("notes\\xff.md")
    assert Dataset(store).scan_hourly().collect().height == 637 + 302
    assert any(name.endswith(escaped) for name in Dataset(store).ingest_log()["file"].to_list())
    table = runner.invoke(app, ["ingest", "--store", str(store), str(folder)])
    assert table.exit_code == 0 and "已核平" in table.output and "\\xff" in table.output, table.output
