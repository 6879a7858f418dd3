"""Station lists account for every line: a line the reader cannot split and a second line of a code
already listed are quarantined with their reason, and the report balances against an independent count
of the file's data lines. Base file: the bundled 2022 list (src/lantian/data/sample/stations)."""

from __future__ import annotations

from pathlib import Path

from lantian.io.dataset import Dataset

LIST = Path(__file__).resolve().parents[2] / "src/lantian/data/sample/stations/hunan-stations-2022.csv"


def _damaged(tmp_path: Path) -> tuple[Path, int]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    code, name = rows[0].split(",")[:2]
    damaged = [
        *rows,
        "9999A,多余字段,长沙,113.0,28.0,N,extra,fields",  # wrong field count
        f"{code},改名的站点,长沙,113.0833,28.2325,N",  # the same code again, with another name
    ]
    path = tmp_path / "stations-damaged.csv"
    path.write_text("\n".join([header, *damaged]) + "\n", encoding="utf-8")
    return path, len(damaged)


def test_defect_4_station_list_lines_all_accounted_and_quarantined(tmp_path):
    path, data_lines = _damaged(tmp_path)
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert f.rows_read == data_lines  # independent count: every line after the header
    assert f.rows_read == f.rows_stored + f.rows_quarantined + f.rows_duplicate
    reasons = ds.quarantine()["reason"].to_list()
    assert len(reasons) == 2 and any("重复的监测点编码" in r for r in reasons)


def test_defect_4_duplicate_code_does_not_rename_a_station(tmp_path):
    path, _ = _damaged(tmp_path)
    ds = Dataset(tmp_path / "store")
    ds.ingest(path)
    first = LIST.read_text(encoding="utf-8").splitlines()[1].split(",")
    reg = ds.stations()
    assert reg.filter(reg["station_code"] == first[0])["name"].to_list() == [first[1]]
