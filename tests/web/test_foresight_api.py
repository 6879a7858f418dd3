"""The foresight figures are one source: the API's /outlook and /explain equal ``lantian outlook --json``
and ``lantian explain-index --json`` on the demo office (株洲, the bundled sample; its targets file)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtools import login, make_settings, web_settings

from lantian.cli import app as cli
from lantian.web import create_app

runner = CliRunner()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("foresight"))
    app = create_app(settings, web_settings())
    with TestClient(app) as c:
        login(c, "leader")
        yield settings, c


def _cli(*args: str):
    ran = runner.invoke(cli, list(args))
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.output)


def test_outlook_api_equals_the_command(office):
    settings, c = office
    targets = str(settings.data_dir / "targets.toml")
    (expected,) = _cli(
        "outlook",
        "--store",
        str(settings.store),
        "--city",
        "株洲",
        "--year",
        "2016",
        "--as-of",
        "2016-06-30",
        "--targets",
        targets,
        "--json",
    )
    got = c.get("/api/v1/outlook", params={"year": 2016, "as_of": "2016-06-30"})
    assert got.status_code == 200, got.text
    assert got.json() == expected
    assert {t["target"] for t in expected["targets"]} >= {"good_rate", "pm25", "composite_index"}


def test_explain_api_equals_the_command(office):
    settings, c = office
    expected = _cli(
        "explain-index", "--store", str(settings.store), "--city", "株洲", "--period", "2016", "--json"
    )
    got = c.get("/api/v1/explain", params={"period": "2016"})
    assert got.status_code == 200, got.text
    assert got.json() == expected
    page = c.get("/year", params={"y": 2016}).text
    for part in expected["by_pollutant"]:  # the year page shows the same parts
        assert f"{part['part']:.2f}" in page
