"""Stations known from the data (issue 13, Build 1): an official release names each station's city
(``area``), name (``positionname``, ``(对照点)`` marking a control point) and position, so ``ingest``
registers the stations the registry lacks (``source=release``) and ``assess`` works with nothing in
between. Expected values are counted here from the shared files themselves (../shared/data/README.md:
cnemc/ and stations/hunan-stations-2022.csv), independently of the readers."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io import stations as st
from lantian.io.dataset import Dataset
from shared_paths import CNEMC_2022, CNEMC_2026, SHARED_DATA

LIST_2022 = SHARED_DATA / "stations" / "hunan-stations-2022.csv"
runner = CliRunner()


def _release_stations(path) -> dict[str, dict]:
    """code → city (without 市), name, control flag, first timepoint: straight from the file's columns."""
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            s = out.setdefault(
                r["stationcode"],
                {
                    "city": r["area"].removesuffix("市"),
                    "control": r["positionname"].endswith("(对照点)"),
                    "first": r["timepoint"],
                },
            )
            s["first"] = min(s["first"], r["timepoint"])
    return out


def _cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    ("release", "period"),
    [(CNEMC_2022, "2022-01-01..2022-01-02"), (CNEMC_2026, "2026-04-01..2026-04-02")],
)
def test_ingest_then_assess_with_nothing_in_between(tmp_path, release, period):
    """Done-when 1 of the issue: ``lantian ingest RELEASE.csv && lantian assess --city 株洲`` in a fresh store."""
    store = str(tmp_path / "store")
    expected = _release_stations(release)
    ran = _cli("ingest", str(release), "--store", store, "--json")
    report = json.loads(ran.output[ran.output.index("{") :])
    assert report["totals"]["stations_registered"] == len(expected)
    text = _cli("ingest", str(release), "--store", store, "--force").output
    assert "registered" not in text  # the second time nothing is new
    res = json.loads(_cli("assess", "--city", "株洲", "--period", period, "--store", store, "--json").output)
    assert res["source"] == "station hours"
    # the city value uses the release's 株洲 stations that are not control points
    ds = Dataset(tmp_path / "store")
    day = dt.date.fromisoformat(period[:10])
    counted = sorted(c for c, s in expected.items() if s["city"] == "株洲" and not s["control"])
    assert ds.evaluation_stations("株洲", day) == counted
    reg = ds.stations()
    assert set(reg["source"].to_list()) == {st.RELEASE}
    assert sorted(reg.filter(pl.col("is_control"))["station_code"].to_list()) == sorted(
        c for c, s in expected.items() if s["control"]
    )


def test_valid_from_is_the_natural_day_of_the_first_hour(tmp_path):
    """The 2022 file starts at 2022-01-01T00:00, which is hour 24 of natural day 2021-12-31 (README)."""
    ds = Dataset(tmp_path / "store")
    ds.ingest(CNEMC_2022)
    assert set(ds.stations()["valid_from"].to_list()) == {dt.date(2021, 12, 31)}


def test_imported_list_takes_precedence_and_a_later_station_is_registered(tmp_path):
    """The imported 2022 list (valid from 2022-02-13) replaces the release entries; 岳阳 4265A, opened after
    that list, is registered from the 2026 release and counts for 岳阳 (the issue's example)."""
    ds = Dataset(tmp_path / "store")
    ds.ingest(CNEMC_2022)
    ds.import_stations(LIST_2022, dt.date(2022, 2, 13))
    with open(LIST_2022, encoding="utf-8-sig") as f:
        listed = {r["监测点编码"] for r in csv.DictReader(f)}
    reg = ds.stations()
    assert reg.height == len(listed) and set(reg["source"].to_list()) == {st.LIST}
    assert set(reg["valid_from"].to_list()) == {dt.date(2022, 2, 13)}
    report = ds.ingest(CNEMC_2026)
    in_2026 = _release_stations(CNEMC_2026)
    assert sorted(set(in_2026) - listed) == ["4265A"]
    assert report.stations_registered == 1
    row = ds.stations().filter(pl.col("station_code") == "4265A").row(0, named=True)
    assert (row["source"], row["city"], row["valid_from"]) == (st.RELEASE, "岳阳", dt.date(2026, 3, 31))
    assert "4265A" in ds.evaluation_stations("岳阳", dt.date(2026, 4, 1))


def test_excluded_stations_reported_by_explain_and_status(tmp_path):
    """Stations with data that a city value leaves out: control points (1559A 大京风景区(对照点), 1564A
    韶山(对照点) in the 2022 file) and, with the list valid from 2022-02-13, every January 2022 hour."""
    store = str(tmp_path / "store")
    _cli("ingest", str(CNEMC_2022), "--store", store)
    period = ["--period", "2022-01-01..2022-01-02", "--store", store]
    res = json.loads(_cli("assess", "--city", "株洲", *period, "--explain", "--json").output)
    excluded = {r["station_code"]: r["why"] for r in res["explain"]["excluded_stations"]}
    assert list(excluded) == ["1559A"] and "对照点" in excluded["1559A"]
    status = json.loads(_cli("data", "status", "--store", store, "--json").output)
    assert [r["station_code"] for r in status["excluded_stations"]] == ["1559A", "1564A"]

    ds = Dataset(tmp_path / "store")
    ds.import_stations(LIST_2022, dt.date(2022, 2, 13))
    ds.edit_station("1519A", valid_to=dt.date(2022, 1, 1), replaced_by="2031A")
    status = json.loads(_cli("data", "status", "--city", "株洲", "--store", store, "--json").output)
    zhuzhou = sorted(c for c, s in _release_stations(CNEMC_2022).items() if s["city"] == "株洲")
    rows = {r["station_code"]: r["why"] for r in status["excluded_stations"]}
    assert sorted(rows) == zhuzhou
    assert all("2022-02-13 起才参与城市均值" in why for why in rows.values())
    assert "由 2031A 替代" in rows["1519A"]


def test_register_release_moves_valid_from_back_for_release_entries_only():
    """An earlier hour seen later moves a release entry's ``valid_from`` back; a listed entry keeps its own."""
    reg = st.conform(
        pl.DataFrame(
            {
                "station_code": ["A", "B"],
                "city": ["株洲", "株洲"],
                "valid_from": [dt.date(2022, 1, 5), dt.date(2022, 2, 13)],
                "source": [st.RELEASE, st.LIST],
            }
        )
    )
    seen = pl.DataFrame(
        {
            "station_code": ["A", "B", "C"],
            "city": ["株洲市", "株洲市", "株洲市"],
            "valid_from": [dt.date(2022, 1, 1)] * 3,
        }
    )
    out, added = st.register_release(reg, seen)
    assert added == 1
    assert dict(zip(out["station_code"], out["valid_from"], strict=True)) == {
        "A": dt.date(2022, 1, 1),
        "B": dt.date(2022, 2, 13),
        "C": dt.date(2022, 1, 1),
    }
