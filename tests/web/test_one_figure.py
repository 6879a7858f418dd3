"""One figure, one number: the same result through the CLI, the REST API, the dashboard's JSON twins and
the reports.

Data: the bundled sample (``src/lantian/data/sample``) as ``lantian demo`` loads it — 株洲 2016 from the
aqistudy city daily file, the newest hour from the national-platform release of 2026-04-01..03. The
expected values are not typed here: each surface is checked against ``lantian assess --json`` /
``lantian targets --json`` / ``lantian aqi now --json``, the CLI's own outputs.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtools import api, login

from lantian.cli import app as cli

FIGURES = ("composite_index", "good_rate", "pm25", "co")


def _cli_json(*args: str) -> dict:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def leader(app):
    with TestClient(app) as c:
        yield login(c, "leader")


@pytest.fixture(scope="module")
def assess_cli(demo_dir) -> dict:
    return _cli_json(
        "assess", "--store", str(demo_dir.store), "--city", "株洲", "--period", "2016", "--compare", "--json"
    )["result"]


def test_zhuzhou_2016_same_in_cli_api_dashboard_and_report(demo_dir, app, tokens, leader, assess_cli, tmp_path):
    via_api = api(app, tokens["leader"]).get("/api/v1/assessments", params={"city": "株洲", "period": "2016"})
    assert via_api.status_code == 200, via_api.text
    twin = leader.get("/year", params={"y": 2016, "format": "json"})
    assert twin.status_code == 200, twin.text
    out = tmp_path / "annual.json"
    res = CliRunner().invoke(
        cli,
        ["report", "annual", "--city", "株洲", "--period", "2016", "--format", "json",
         "--store", str(demo_dir.store), "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text(encoding="utf-8"))
    surfaces = {
        "api": via_api.json()["result"],
        "year twin": twin.json()["d"]["result"]["assessment"]["result"],
        "annual report": report["data"]["assess"]["result"],
    }
    assert all(assess_cli[k] is not None for k in FIGURES)
    for name, result in surfaces.items():
        assert {k: result[k] for k in FIGURES} == {k: assess_cli[k] for k in FIGURES}, name


def test_year_panel_shows_the_published_figures(leader, assess_cli):
    """The panel's display text is the GB/T 8170 rounding of the same result (HJ 663 §5: CO 1 decimal)."""
    from lantian.pipeline.figures import published_text

    figures = {f["key"]: f["value"] for f in leader.get("/year?y=2016&format=json").json()["d"]["figures"]}
    assert figures["co"] == published_text(assess_cli["co"], 1)
    assert figures["composite_index"] == published_text(assess_cli["composite_index"], 2)
    assert figures["good_rate"] == published_text(assess_cli["good_rate"], 1, percent=True)


def test_targets_panel_equals_lantian_targets(demo_dir, leader):
    """The year panel's targets are ``lantian targets --json`` (the demo's targets file, 株洲 2016, whose
    composite-index cap is last year's whole-year index)."""
    targets_file = demo_dir.extra["web"]["targets_file"]
    cli_targets = _cli_json(
        "targets", "--store", str(demo_dir.store), "--city", "株洲", "--year", "2016",
        "--targets", targets_file, "--json",
    )
    panel = leader.get("/year?y=2016&format=json").json()["d"]["result"]["targets"]
    assert panel == cli_targets
    page = leader.get("/year?y=2016").text
    for t in cli_targets["targets"]:  # the Chinese page shows the Chinese texts of the same figures
        assert t["current_zh"] in page and t["limit_zh"] in page


def test_latest_hour_same_on_today_page_and_cli(demo_dir, leader):
    cli_hour = _cli_json("aqi", "now", "--store", str(demo_dir.store), "--city", "株洲", "--json")
    twin = leader.get("/", params={"format": "json"})
    assert twin.status_code == 200
    d = twin.json()["d"]
    for mine, theirs in zip(d["result"]["last24"], cli_hour["last24"], strict=True):
        assert mine == theirs, {k: (mine[k], theirs.get(k)) for k in mine if mine[k] != theirs.get(k)}
    assert d["result"] == cli_hour
    assert d["aqi"] == cli_hour["value"]["aqi"] and d["aqi"] is not None
    assert d["time"].replace(" ", "T") == cli_hour["time"][:16]


def test_every_page_has_a_json_twin_and_csv_tables(leader):
    for path in ("/", "/year", "/cases", "/cases/1", "/assessment/monthly", "/tokens"):
        r = leader.get(path, params={"format": "json"})
        assert r.status_code == 200, (path, r.text[:200])
        assert "d" in r.json(), path
    page = leader.get("/")
    assert "format=csv" in page.text and "format=json" in page.text
    csv_resp = leader.get("/", params={"format": "csv", "table": "stations"})
    assert csv_resp.status_code == 200
    assert csv_resp.headers["content-type"].startswith("text/csv")
    header = csv_resp.text.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("站点,编码,AQI")
    bad = leader.get("/", params={"format": "csv", "table": "nope"})
    assert bad.status_code == 400
