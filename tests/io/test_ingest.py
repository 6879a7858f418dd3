"""Ingest semantics: exact accounting on broken inputs, idempotence, revisions, recovery, registry, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io import delta
from lantian.io.dataset import Dataset
from lantian.io.sample import load_sample

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
BROKEN = ROOT / "tests" / "data" / "broken"
CNEMC_2022 = SHARED / "cnemc" / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv"

#: file → (rows_read, stored, quarantined, duplicate) when ingested alone into an empty store
EXPECTED = {
    "truncated_line.csv": (21, 20, 1, 0),  # 20 rows + the cut last line (4 fields)
    "wrong_columns.csv": (20, 18, 2, 0),  # one line with 23 fields, one with 21
    "gbk_copy.csv": (20, 20, 0, 0),
    "garbage.bin.csv": (16, 0, 16, 0),  # not recognised: each of its 16 "lines" quarantined
    "garbage_lines.csv": (20, 17, 3, 0),  # 2 undecodable lines, 1 non-numeric pm2_5 "12x"
    "duplicated_hours.csv": (24, 19, 2, 3),  # 3 exact copies; 1 key with two pm2_5 values → both copies
    "negative_values.csv": (20, 17, 3, 0),  # pm2_5 -3, so2 12000, co 1500
    "empty.csv": (0, 0, 0, 0),
    "header_only.csv": (0, 0, 0, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_exact_accounting(tmp_path, name):
    ds = Dataset(tmp_path / "store")
    report = ds.ingest(BROKEN / name)
    f = report.files[0]
    assert (f.rows_read, f.rows_stored, f.rows_quarantined, f.rows_duplicate) == EXPECTED[name]
    assert report.balanced
    assert ds.quarantine().height == f.rows_quarantined
    assert ds.scan_hourly().collect().height == f.rows_stored


def test_broken_quarantine_reasons(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest([BROKEN / n for n in ("duplicated_hours.csv", "negative_values.csv", "garbage_lines.csv")])
    reasons = ds.quarantine().group_by("reason").len().sort("reason").rows()
    assert reasons == [
        ("conflicting values for the same key in this file", 2),
        ("negative value in pm25: -3.0", 1),
        ("non-numeric value in pm2_5", 1),
        ("physically impossible value in co: 1500.0", 1),
        ("physically impossible value in so2: 12000.0", 1),
        ("undecodable bytes", 2),
    ]


def test_mixed_directory(tmp_path):
    ds = Dataset(tmp_path / "store")
    report = ds.ingest(BROKEN / "mixed")
    by = {
        Path(f.path).name: (f.format, f.table, f.rows_read, f.rows_stored, f.rows_quarantined)
        for f in report.files
    }
    assert by == {
        "PRSA_Data_Dingling_20130301-20170228.csv": ("prsa", "hourly", 48, 48, 0),
        "bureau_wide.csv": ("generic", "hourly", 2, 2, 0),
        "china_cities_20220101.csv": ("mirror", "city_hourly", 5, 5, 0),
        "notes.txt": (None, None, 2, 0, 2),
        "platform.csv": ("cnemc", "hourly", 13, 13, 0),
        "湘潭.csv.gz": ("aqistudy", "daily", 31, 31, 0),
    }
    assert report.balanced
    assert ds.scan_hourly().collect().height == 48 + 2 + 13
    assert (
        ds.scan_city_hourly().collect().height == 5 and ds.scan_daily(cities="湘潭市").collect().height == 31
    )
    # PRSA stations enter the registry from the mapping table; Dingling is the control point
    reg = ds.stations()
    assert reg.filter(pl.col("station_code") == "PRSA-Dingling")["is_control"].to_list() == [True]


def _content(ds: Dataset) -> dict:
    drop = ["ingested_at"]
    return {
        "hourly": ds.scan_hourly().collect().drop(drop).sort("station_code", "time"),
        "city_hourly": ds.scan_city_hourly().collect().drop(drop).sort("city", "time"),
        "daily": ds.scan_daily().collect().drop(drop).sort("city", "station_code", "date", nulls_last=True),
        "quarantine": ds.quarantine().drop(drop).sort("source", "line"),
        "stations": ds.stations(),
        "log": ds.ingest_log().drop(drop).sort("file"),
    }


def _same(a: dict, b: dict) -> bool:
    return all(a[k].equals(b[k]) for k in a)


def test_idempotent(tmp_path):
    ds = Dataset(tmp_path / "store")
    files = [CNEMC_2022, BROKEN / "negative_values.csv", BROKEN / "mixed"]
    first = ds.ingest(files)
    before = _content(ds)
    files_before = sorted(p.relative_to(ds.root) for p in ds.root.rglob("*.parquet"))
    again = ds.ingest(files)
    assert again.rows_read == first.rows_read == again.rows_duplicate
    assert again.rows_stored == again.rows_quarantined == 0
    assert _same(before, _content(ds))
    assert sorted(p.relative_to(ds.root) for p in ds.root.rglob("*.parquet")) == files_before


def test_correction_replaces_and_keeps_revision(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest(CNEMC_2022)
    lines = CNEMC_2022.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")  # 1508A 2022-01-01T00:00:00, pm2_5 96
    fields[10] = "97"
    fixed = tmp_path / "2022-01-01T00_2022-01-01T01_fix.csv"
    fixed.write_text("\n".join([lines[0], ",".join(fields), lines[2]]) + "\n", encoding="utf-8")
    report = ds.ingest(fixed)
    f = report.files[0]
    assert (f.rows_read, f.rows_stored, f.rows_revised, f.rows_duplicate) == (2, 1, 1, 1)
    stored = ds.scan_hourly(
        stations="1508A", start=dt.datetime(2022, 1, 1), end=dt.datetime(2022, 1, 1)
    ).collect()
    assert stored["pm25"].to_list() == [97] and stored["source"].to_list() == [str(fixed)]
    rev = ds.revisions("hourly")
    assert rev.select("station_code", "pm25", "source", "replaced_by").rows() == [
        ("1508A", 96.0, str(CNEMC_2022), str(fixed))
    ]
    assert ds.scan_hourly().collect().height == 637


def test_mirror_after_platform_keeps_platform_only_columns(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest(CNEMC_2022)
    report = ds.ingest(ROOT / "tests" / "data" / "mirror" / "china_sites_20220101.csv")
    assert report.rows_duplicate == 13 * 24 and report.rows_stored == 0
    assert (
        ds.scan_hourly().collect()["primary_official"].null_count() == 1
    )  # as published (1 AQI ≤ 50 / withheld)


def test_future_and_outside_period(tmp_path):
    lines = CNEMC_2022.read_text(encoding="utf-8").splitlines()
    future = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:00:00")
    out_of_period = lines[1].replace("2022-01-01T00:00:00", "2022-01-05T00:00:00")
    f = tmp_path / "2022-01-01T00_2022-01-03T00_edited.csv"
    f.write_text(
        "\n".join([lines[0], lines[1].replace("2022-01-01T00:00:00", future), out_of_period, lines[2]])
        + "\n",
        encoding="utf-8",
    )
    ds = Dataset(tmp_path / "store")
    r = ds.ingest(f).files[0]
    assert (r.rows_read, r.rows_stored, r.rows_quarantined) == (3, 1, 2)
    reasons = sorted(ds.quarantine()["reason"].to_list())
    assert reasons[0].startswith("timestamp in the future") or reasons[1].startswith(
        "timestamp in the future"
    )
    assert any(x.startswith("timestamp outside the file's period") for x in reasons)


def test_interrupted_batch_is_rolled_back(tmp_path):
    """A batch killed between its Delta commits (lantian.io.delta): the tables it had committed to are
    restored to the version before it when the store is next opened; a data file written but never
    committed is not read."""
    ds = Dataset(tmp_path / "store")
    ds.ingest(BROKEN / "mixed")
    before = _content(ds)
    hourly, log = ds.root / "hourly", ds.root / "ingest_log"
    versions = {p: DeltaTable(str(p)).version() for p in (hourly, log)}
    # the batch "dead" committed changed hours and its log rows, then was killed before its commit point
    (ds.root / "_batch").write_text("dead")
    rows = ds.scan_hourly().collect().with_columns(pm25=pl.lit(999.0))
    changed = rows.with_columns(
        label_year=pl.col("time").dt.year().cast(pl.Int32), label_month=pl.col("time").dt.month().cast(pl.Int8)
    )
    delta.write(hourly, changed, "dead", None, partitioned=True)
    delta.write(log, ds.ingest_log(), "dead", None)
    rows.write_parquet(hourly / "orphan.parquet")  # written, never committed
    assert ds.scan_hourly().collect()["pm25"].max() == 999.0  # as a reader in the middle of the batch sees it
    reopened = Dataset(ds.root)
    assert not (reopened.root / "_batch").exists()
    assert _same(before, _content(reopened))
    for path, version in versions.items():  # one restore commit on top of the undone one
        assert DeltaTable(str(path)).version() == version + 2
        assert DeltaTable(str(path)).history(1)[0]["operation"] == "RESTORE"


def test_registry_unknown_and_edit(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest(CNEMC_2022)
    # the release's 13 stations are registered from it (issue 13, Build 1), none left unknown
    assert ds.unknown_stations().height == 0 and ds.stations().height == 13
    ds.import_stations(SHARED / "stations" / "hunan-stations-2022.csv", dt.date(2022, 2, 13))
    assert ds.unknown_stations().height == 0 and ds.stations().height == 82
    ds.ingest(SHARED / "cnemc" / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv")
    assert ds.unknown_stations().height == 0  # 岳阳 4265A, not in the 2022 list, registered from the release
    assert "4265A" in ds.evaluation_stations("岳阳", dt.date(2026, 4, 1))
    ds.edit_station("1853A", valid_to=dt.date(2022, 6, 30), replaced_by="3138A")
    row = ds.stations().filter(pl.col("station_code") == "1853A").row(0, named=True)
    assert (row["valid_to"], row["replaced_by"], row["is_control"]) == (dt.date(2022, 6, 30), "3138A", True)
    assert ds.evaluation_stations("湘潭", dt.date(2022, 1, 2)) == []  # before valid_from
    assert len(ds.evaluation_stations("湘潭", dt.date(2022, 3, 1))) == 6


def test_status_coverage(tmp_path):
    ds = Dataset(tmp_path / "store")
    ds.ingest([CNEMC_2022, BROKEN / "mixed" / "PRSA_Data_Dingling_20130301-20170228.csv"])
    hourly = ds.status()["hourly"]
    # 2022-01-01T00 belongs to natural day 2021-12-31; 48 hours to January 2022
    r = hourly.filter((pl.col("station_code") == "1508A") & (pl.col("month") == dt.date(2022, 1, 1))).row(
        0, named=True
    )
    assert (r["hours"], r["hours_with_data"], r["expected"], r["gaps"]) == (48, 48, 744, 0)
    assert hourly.filter(pl.col("month") == dt.date(2021, 12, 1))["hours"].to_list() == [1] * 13
    d = hourly.filter(pl.col("station_code") == "PRSA-Dingling").row(0, named=True)
    assert (d["hours"], d["month"]) == (48, dt.date(2013, 3, 1))
    assert ds.status(city="湘潭")["hourly"]["station_code"].n_unique() == 7


def test_cli_ingest_status_stations_quarantine(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "store")
    res = runner.invoke(
        app, ["ingest", str(BROKEN / "duplicated_hours.csv"), str(CNEMC_2022), "--store", store, "--json"]
    )
    assert res.exit_code == 0, res.output
    totals = json.loads(res.stdout)["totals"]
    assert (
        totals["rows_read"] == totals["rows_stored"] + totals["rows_quarantined"] + totals["rows_duplicate"]
    )
    assert totals["rows_quarantined"] == 2 and totals["balanced"]
    q = json.loads(runner.invoke(app, ["data", "quarantine", "--store", store, "--json"]).stdout)
    assert len(q) == 2
    res = runner.invoke(
        app,
        [
            "stations",
            "import",
            str(SHARED / "stations" / "hunan-stations-2022.csv"),
            "--valid-from",
            "2022-02-13",
            "--store",
            store,
            "--json",
        ],
    )
    assert json.loads(res.stdout)["imported"] == 82
    listed = json.loads(
        runner.invoke(app, ["stations", "list", "--city", "湘潭市", "--store", store, "--json"]).stdout
    )
    assert len(listed) == 7
    status = json.loads(
        runner.invoke(app, ["data", "status", "--city", "株洲", "--store", store, "--json"]).stdout
    )
    zhuzhou = {
        line.split(",")[0]
        for line in (SHARED / "stations" / "hunan-stations-2022.csv").read_text(encoding="utf-8").splitlines()
        if ",株洲," in line
    }
    seen = {r["station_code"] for r in status["hourly"]}
    assert seen < zhuzhou and len(seen) == 6  # 株洲 stations present in the 2022 release (2031A is not)
    res = runner.invoke(app, ["ingest", str(tmp_path / "missing.csv"), "--store", store])
    assert res.exit_code != 0 and "no such file" in str(res.exception)


def test_bundled_sample(tmp_path):
    ds = Dataset(tmp_path / "store")
    report = load_sample(ds)
    assert report.balanced and report.rows_quarantined == 0
    assert (
        sum(
            p.stat().st_size for p in (ROOT / "src" / "lantian" / "data" / "sample").rglob("*") if p.is_file()
        )
        < 400_000
    )
    # Hunan list + PRSA-Dongsi + 岳阳 4265A (opened after the 2022 list; registered from the 2026 release)
    assert ds.stations().height == 82 + 1 + 1
    assert ds.scan_hourly(stations="PRSA-Dongsi").collect().height == 744
    assert ds.scan_daily(cities=["湘潭", "长沙", "株洲"]).collect()["city"].n_unique() == 3
