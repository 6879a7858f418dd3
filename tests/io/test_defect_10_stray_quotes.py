"""A stray quote costs its own line only: the lines after it are read as they are (CSV readers would
otherwise join them into one quoted field up to the next quote). Base file: the shared 2022 national-
platform release (tests/shared_paths.CNEMC_2022); rows counted on its lines."""

from __future__ import annotations

from lantian.io.dataset import Dataset
from shared_paths import CNEMC_2022

STRAY = (40, 120, 300, 450, 600)  # data lines (1-based after the header) that get a stray quote


def _damaged(tmp_path):
    lines = CNEMC_2022.read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], [ln for ln in lines[1:] if ln.strip()]
    for i in STRAY:
        fields = rows[i - 1].split(",")
        fields[1] = '"' + fields[1]  # an opening quote never closed
        rows[i - 1] = ",".join(fields)
    path = tmp_path / CNEMC_2022.name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path, len(rows)


def test_defect_10_stray_quotes_cost_only_their_lines(tmp_path):
    path, data_lines = _damaged(tmp_path)
    clean = Dataset(tmp_path / "clean").ingest(CNEMC_2022).files[0]
    f = Dataset(tmp_path / "store").ingest(path).files[0]
    assert f.rows_read == data_lines
    assert f.rows_quarantined == len(STRAY)
    assert f.rows_stored == clean.rows_stored - len(STRAY)
    assert f.rows_read == f.rows_stored + f.rows_quarantined + f.rows_duplicate
