"""Where we stand: the provincial board ranks the 14 Hunan cities of the shared data
(../shared/data/README.md, aqistudy-daily/) for a 2016 day and the year to date exactly as ``lantian rank``
does for the same periods — in the pipeline, the API (/api/v1/board), the page (/province) and
``lantian rank --live``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtools import login, make_settings, web_settings

from lantian.cli import app as cli
from lantian.io.dataset import Dataset
from lantian.pipeline.board import board
from lantian.web import create_app
from shared_paths import HUNAN_CITIES, SHARED_DATA

HUNAN = HUNAN_CITIES
DAY = dt.date(2016, 6, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("board")
    s = make_settings(root)  # the demo office: city 株洲, group 湖南
    Dataset(s.store).ingest([SHARED_DATA / "aqistudy-daily" / "daily" / f"{c}.csv.gz" for c in HUNAN])
    return s


def _rank(store, period: str, by: str) -> list[dict]:
    ran = runner.invoke(
        cli, ["rank", "--group", "湖南", "--period", period, "--by", by, "--store", str(store), "--json"]
    )
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.output)["rows"]


def test_the_board_ranks_as_rank_does(settings):
    b = board(Dataset(settings.store), "湖南", DAY).to_dict()
    assert len(b["day"]["rows"]) == 14 and len(b["ytd_index"]["rows"]) == 14
    assert b["day"]["rows"] == _rank(settings.store, "2016-06-30", "index")
    assert b["ytd_index"]["rows"] == _rank(settings.store, "2016-01-01..2016-06-30", "index")
    assert b["ytd_change"]["rows"] == _rank(settings.store, "2016-01-01..2016-06-30", "change")
    ranks = [r["rank"] for r in b["ytd_index"]["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_live_cli_api_and_page_show_the_same_board(settings):
    # the demo office names its group's cities in a groups file: the page and the API use it, and so here
    groups = str(settings.data_dir / "groups.toml")
    args = ["rank", "--group", "湖南", "--live", "--as-of", DAY.isoformat(), "--store", str(settings.store)]
    live = runner.invoke(cli, [*args, "--groups", groups, "--json"])
    assert live.exit_code == 0, live.output
    expected = json.loads(live.output)
    app = create_app(settings, web_settings())
    with TestClient(app) as c:
        login(c, "leader")
        got = c.get("/api/v1/board", params={"date": DAY.isoformat()})
        assert got.status_code == 200, got.text
        assert got.json() == expected
        page = c.get("/province", params={"date": DAY.isoformat()})
        assert page.status_code == 200
        assert "湖南城市空气质量排名" in page.text and "年初至今综合指数改善排名" in page.text
        first = expected["ytd_index"]["rows"][0]["city"]
        assert first in page.text
        assert page.text.count('class="self"') == 4  # 株洲, the office's city, in each ranking and the hour
        assert len(expected["day"]["rows"]) == 3
        assert len(expected["day"]["rows"]) >= 3
        assert c.get("/api/v1/board", params={"date": "2016-13-01"}).status_code == 422
