"""Provinces are built-in groups (issue 13, Build 4): ``rank --group 湖南 --period 2016 --by change``
works on the shared daily city data with no groups file. The 14 Hunan cities are the 城市 column of the
shared 2022 national station list of Hunan (../shared/data/README.md, stations/); the daily values are
the shared aqistudy-daily files of those cities (README: aqistudy-daily/)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.errors import NotFound
from lantian.io.dataset import Dataset
from lantian.pipeline.groups import city_provinces, province_members
from shared_paths import CNEMC, PROJECT_ROOT, SHARED_DATA

DAILY = SHARED_DATA / "aqistudy-daily" / "daily"
LIST_2022 = SHARED_DATA / "stations" / "hunan-stations-2022.csv"
runner = CliRunner()


def _hunan_cities() -> list[str]:
    with open(LIST_2022, encoding="utf-8-sig") as f:
        return sorted({r["城市"] for r in csv.DictReader(f)})


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("groups") / "store"
    files = [str(DAILY / f"{c}.csv.gz") for c in _hunan_cities()] + [str(DAILY / "南昌.csv.gz")]
    result = runner.invoke(app, ["ingest", *files, "--store", str(root)])
    assert result.exit_code == 0, result.output
    return root


def _rank(store: Path, *extra: str) -> dict:
    args = ["rank", "--group", "湖南", "--period", "2016", "--by", "change", "--store", str(store), "--json"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_rank_hunan_without_groups_file_equals_the_groups_file(store):
    """The built-in 湖南 is the 14 cities of the station list (南昌, 江西, is in the store but not in the
    group), and ranks exactly as the documented groups file docs/groups-hunan.toml does."""
    built_in = _rank(store)
    cities = sorted(r["city"] for r in built_in["rows"])
    assert cities == _hunan_cities() and len(cities) == 14
    with_file = _rank(store, "--groups", str(PROJECT_ROOT / "docs" / "groups-hunan.toml"))
    assert built_in["rows"] == with_file["rows"]


def test_province_spelled_with_its_suffix_and_unknown_group(store):
    ds = Dataset(store)
    assert province_members(ds, "湖南省") == province_members(ds, "湖南")
    assert province_members(ds, "江西") == ["南昌"]
    result = runner.invoke(app, ["rank", "--group", "长株潭", "--period", "2016", "--store", str(store)])
    assert result.exit_code != 0 and "--groups" in str(result.exception)


def test_registry_province_column_comes_first(tmp_path):
    """A station list with a 省份 column (stations.py COLUMN_MAP) decides the province of its city."""
    listed = tmp_path / "list.csv"
    listed.write_text(
        "监测点编码,监测点名称,城市,经度,纬度,对照点,省份\n9001A,测试站,南昌,115.9,28.7,N,湖南省\n",
        encoding="utf-8",
    )
    ds = Dataset(tmp_path / "store")
    ds.import_stations(listed)
    assert province_members(ds, "湖南") == ["南昌"]
    # the built-in table (南昌 → 江西) is not consulted for a city whose stations carry a province
    assert city_provinces()["南昌"] == "江西"
    with pytest.raises(NotFound, match="江西"):
        province_members(ds, "江西")


def test_built_in_table_covers_every_city_of_the_shared_data():
    """Every city of the shared daily data, the shared releases (``area``) and the station list has a province."""
    names = {n.removesuffix(".csv.gz") for n in os.listdir(DAILY)}
    for f in CNEMC.glob("*.csv"):
        with open(f, encoding="utf-8") as fh:
            names |= {r["area"].removesuffix("市") for r in csv.DictReader(fh)}
    names |= set(_hunan_cities())
    table = city_provinces()
    assert sorted(n for n in names if n not in table) == []
    assert {table[c] for c in _hunan_cities()} == {"湖南"}
