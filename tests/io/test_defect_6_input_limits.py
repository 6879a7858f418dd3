"""Small inputs cannot take huge memory: a header of 500 000 columns, a gzip bomb and gzipped newlines are
refused (or their lines rejected) with a clear message, within the limits of lantian.io.limits, and
the other files of the run are ingested."""

from __future__ import annotations

import gzip

import psutil

from lantian.io import limits
from lantian.io.dataset import Dataset
from shared_paths import CNEMC_2022


def _rss() -> int:
    return psutil.Process().memory_info().rss


def test_defect_6_header_of_500k_columns_refused(tmp_path):
    path = tmp_path / "wide.csv"
    names = ["time", "station", "pm25", *(f"c{i}" for i in range(500_000))]  # a generic table's header
    path.write_text(",".join(names) + "\n" + ",".join(["2022-01-01 01:00", "1001A", "30"] + [""] * 500_000) + "\n",
                    encoding="utf-8")
    before = _rss()
    report = Dataset(tmp_path / "store").ingest([path, CNEMC_2022])
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert by_name["wide.csv"].status in ("error", "refused", "unrecognised")
    assert by_name[CNEMC_2022.name].rows_stored > 0
    assert _rss() - before < 1024**3  # was 2.8 GB


def test_defect_6_gzip_bomb_refused(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        chunk = b"0" * (1024 * 1024)
        for _ in range(limits.MAX_RATIO // 4):  # well beyond the ratio once past RATIO_FROM_BYTES
            fh.write(chunk)
    assert path.stat().st_size * limits.MAX_RATIO < (limits.MAX_RATIO // 4) * 1024 * 1024
    before = _rss()
    f = Dataset(tmp_path / "store").ingest(path).files[0]
    assert f.status in ("error", "refused")
    assert "压缩比" in (f.message or "")
    assert _rss() - before < 1024**3  # was MemoryError at 5.4 GB for a 3.4 MB bomb


def test_defect_6_gzipped_newlines_refused(tmp_path):
    path = tmp_path / "newlines.csv.gz"
    path.write_bytes(gzip.compress(b"time,station,pm25\n" + b"\n" * (64 * 1024 * 1024), compresslevel=9))
    before = _rss()
    f = Dataset(tmp_path / "store").ingest(path, fmt="generic").files[0]
    assert f.status in ("error", "refused", "unrecognised")
    assert _rss() - before < 512 * 1024**2  # was 1.1 GB for 100 KB


def test_defect_6_input_limits_are_settings(tmp_path, monkeypatch):
    """The limits are settings of the [ingest] table (lantian.config.REGISTRY): lowered, they refuse a
    file that the defaults accept, and the refusal names the setting."""
    path = tmp_path / "wide.csv"
    names = ["time", "station", "pm25", *(f"c{i}" for i in range(47))]  # 50 columns
    path.write_text(",".join(names) + "\n" + ",".join(["2022-01-01 01:00", "1001A", "30"] + [""] * 47) + "\n",
                    encoding="utf-8")
    assert limits.in_force().max_columns == limits.MAX_COLUMNS == 1000
    monkeypatch.setenv("LANTIAN_MAX_COLUMNS", "20")
    f = Dataset(tmp_path / "store").ingest(path, fmt="generic").files[0]
    assert f.status in ("error", "refused") and "ingest.max_columns" in (f.message or "")
    monkeypatch.setenv("LANTIAN_MAX_LINE_CHARS", "1000")
    assert limits.in_force().max_line_chars == 1000
    config_file = tmp_path / "lantian.toml"
    config_file.write_text("[ingest]\nmax_gzip_ratio = 50\nmax_decompressed_mib = 64\n", encoding="utf-8")
    monkeypatch.setenv("LANTIAN_CONFIG", str(config_file))
    assert (limits.in_force().max_ratio, limits.in_force().max_decompressed_bytes) == (50, 64 * 1024**2)
