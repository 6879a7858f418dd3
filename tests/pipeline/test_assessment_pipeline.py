"""Store → assessment, ranking, targets, warnings, and the CLI, on the shared real data.

Beijing: UCI PRSA data, 11 evaluation stations (Dingling is the control point), 2014–2016.
Published 2016 figures (Beijing bulletin, via ../shared/data/README.md): PM2.5 73, PM10 92, NO2 48,
SO2 10, CO P95 3.2 mg/m³, O3 P90 199, 198 good days. The bulletin uses the full city network (35
stations), so PM10, O3 and the good days differ slightly; the four others match exactly.
Hunan: aggregator city daily values (../shared/data/aqistudy-daily), 14 cities, 2016 vs 2015.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.io.dataset import Dataset
from lantian.pipeline.assessment import assess_city, rank_group
from shared_paths import PROJECT_ROOT, SHARED_DATA

HUNAN = [
    "长沙",
    "株洲",
    "湘潭",
    "衡阳",
    "邵阳",
    "岳阳",
    "常德",
    "张家界",
    "益阳",
    "郴州",
    "永州",
    "怀化",
    "娄底",
    "湘西州",
]
GROUPS = PROJECT_ROOT / "docs" / "groups-hunan.toml"


@pytest.fixture(scope="session")
def beijing_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("beijing")
    Dataset(path).ingest([SHARED_DATA / "prsa-beijing"])
    return path


@pytest.fixture(scope="session")
def hunan_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hunan")
    Dataset(path).ingest([SHARED_DATA / "aqistudy-daily" / "daily" / f"{c}.csv.gz" for c in HUNAN])
    return path


def test_beijing_2016_annual_against_bulletin(beijing_store):
    res = assess_city(Dataset(beijing_store), "北京", "2016", compare=True)
    r = res["result"].row(0, named=True)
    assert res["source"] == "station hours"
    # exact agreement with the bulletin
    assert (r["pm25"], r["no2"], r["so2"], r["co"]) == (73.0, 48.0, 10.0, 3.2)
    # the documented gap: 11 PRSA stations vs the 35-station city network
    assert r["pm10"] == 96.0  # bulletin 92
    assert r["o3"] == 198.0  # bulletin 199
    assert (r["good_days"], r["valid_days"]) == (195, 363)  # bulletin 198 good days
    assert r["good_rate"] == pytest.approx(53.7) and r["heavy_days"] == 40
    assert r["composite_index"] == pytest.approx(6.86) and r["index_valid"]
    assert not r["attains_all"] and r["exceeding"] == "no2,pm10,pm25,o3"
    # 2015 → 2016
    assert r["composite_index_last_year"] == pytest.approx(7.41) and r["index_change_pct"] == pytest.approx(
        -7.4
    )
    assert r["pm25_last_year"] == 81.0 and r["trend"] == "improved"


def test_beijing_2014(beijing_store):
    r = assess_city(Dataset(beijing_store), "北京", "2014")["result"].row(0, named=True)
    # Beijing 2014 bulletin (PM2.5 85.9, SO2 21.8, NO2 56.7, PM10 115.8): same 11-station gap
    assert 80 <= r["pm25"] <= 92 and r["valid_pm25"]
    assert r["n_pm25"] >= 324 and r["composite_index"] > r["composite_index_exact"] - 0.005


def test_hunan_2016_ranking_with_change(hunan_store):
    ds = Dataset(hunan_store)
    table, period, problems = rank_group(ds, "湖南", "2016", by="change", groups_file=GROUPS)
    assert problems == {} and table.height == 14 and period.label == "2016"
    assert table["city"].to_list()[:3] == ["永州", "岳阳", "怀化"]
    first = table.row(0, named=True)
    assert (first["composite_index"], first["composite_index_last_year"], first["index_change_pct"]) == (
        pytest.approx(4.31),
        pytest.approx(5.04),
        pytest.approx(-14.5),
    )
    worst = table.row(13, named=True)
    assert (
        worst["city"] == "常德"
        and worst["index_change_pct"] == pytest.approx(3.7)
        and worst["deterioration_rank"] == 1
    )
    by_index, _, _ = rank_group(ds, "湖南", "2016", by="index", groups_file=GROUPS)
    assert by_index["city"][0] == "湘西州" and by_index["rank"].to_list() == sorted(
        by_index["rank"].to_list()
    )
    ranks = by_index["rank"].to_list()
    values = by_index["composite_index"].to_list()
    for i in range(1, len(ranks)):  # competition ranking: ties share, then skip
        assert ranks[i] == (ranks[i - 1] if values[i] == values[i - 1] else i + 1)


runner = CliRunner()


def _json(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_assess_rank_daily(beijing_store, hunan_store):
    out = _json(
        [
            "assess",
            "--store",
            str(beijing_store),
            "--city",
            "北京",
            "--period",
            "2016Q1",
            "--explain",
            "--json",
        ]
    )
    assert out["period"] == "2016Q1" and out["result"]["regime"] == "2012"
    assert "invalid_days" in out["explain"] and out["result"]["composite_index"] > 0
    out = _json(
        [
            "rank",
            "--store",
            str(hunan_store),
            "--groups",
            str(GROUPS),
            "--group",
            "湖南",
            "--period",
            "2016",
            "--by",
            "pm25",
            "--json",
        ]
    )
    assert len(out["rows"]) == 14 and out["rows"][0]["rank"] == 1
    out = _json(
        [
            "daily",
            "--store",
            str(beijing_store),
            "--station",
            "PRSA-Dongsi",
            "--from",
            "2016-01-01",
            "--to",
            "2016-01-05",
            "--explain",
            "--json",
        ]
    )
    assert len(out["rows"]) == 5 and {"aqi", "o3_8h", "n_pm25", "invalid_because"} <= set(out["rows"][0])
    out = _json(
        [
            "daily",
            "--store",
            str(hunan_store),
            "--city",
            "长沙",
            "--from",
            "2016-01-01",
            "--to",
            "2016-01-31",
            "--json",
        ]
    )
    assert len(out["rows"]) == 31 and out["source"] == "city daily"


def test_cli_targets_and_warn(beijing_store, tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[targets]]\ncity = "北京"\nyear = 2016\ngood_rate_min = 56.0\npm25_max = 75\n'
        'heavy_days_max = 45\ncomposite_max = "last_year"\n',
        encoding="utf-8",
    )
    out = _json(
        [
            "targets",
            "--store",
            str(beijing_store),
            "--city",
            "北京",
            "--year",
            "2016",
            "--targets",
            str(targets),
            "--json",
        ]
    )
    status = {t["target"]: t["status"] for t in out["targets"]}
    assert status == {"good_days": "lost", "pm25": "met", "heavy_days": "met", "composite_index": "met"}
    assert out["verdict_en"].startswith("Targets already lost")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(
        "city,date,aqi\n甲,2024-01-01,250\n甲,2024-01-02,320\n甲,2024-01-03,260\n乙,2024-01-01,205\n",
        encoding="utf-8",
    )
    rows = {r["city"]: r for r in _json(["warn", str(forecast), "--json"])["rows"]}
    assert rows["甲"]["level"] == "orange" and rows["乙"]["level"] is None
    rows = {
        r["city"]: r for r in _json(["warn", str(forecast), "-s", "warning_scheme=2017", "--json"])["rows"]
    }
    assert rows["乙"]["level"] == "blue"


def test_cli_bad_input_is_an_error_not_a_traceback(beijing_store):
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lantian.cli import main; main()",
            "assess",
            "--store",
            str(beijing_store),
            "--city",
            "北京",
            "--period",
            "2016Q5",
        ],
        capture_output=True,
        text=True,
    )
    assert (
        res.returncode == 2
        and res.stderr.startswith("错误：无法识别的时段")
        and "Traceback" not in res.stderr
    )


def test_city_daily_frames_are_accepted_directly():
    from lantian.calc.assessment import assess
    from lantian.io.aqistudy import read_aqistudy_daily
    from lantian.periods import parse_period

    frame, _ = read_aqistudy_daily(SHARED_DATA / "aqistudy-daily" / "daily" / "长沙.csv.gz")
    r = assess(frame.drop("station_code").lazy(), parse_period("2016")).row(0, named=True)
    assert r["pm25"] == 53.0 and r["valid_days"] == 366 and isinstance(r["composite_index"], float)
