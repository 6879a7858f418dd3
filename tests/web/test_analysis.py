"""The 数据分析 page and ``GET /api/v1/profiles`` on the demo store (bundled sample: PRSA Dongsi, January
2016, with wind; src/lantian/data/sample/README.md)."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from test_web_phone import _check_page, _context, browser, server  # noqa: F401 (fixtures)
from webtools import api, login

SAMPLE = Path(__file__).parents[2] / "src" / "lantian" / "data" / "sample" / "prsa"


def _sample_rows() -> list[dict]:
    (path,) = SAMPLE.glob("PRSA_Data_Dongsi_*.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_api_profiles_of_dongsi_match_the_sample_file(app, tokens):
    r = api(app, tokens["leader"]).get(
        "/api/v1/profiles", params={"station": "PRSA-Dongsi", "period": "2016-01", "pollutant": "pm25"}
    )
    assert r.status_code == 200, r.text
    res = r.json()
    rows = [x for x in _sample_rows() if x["PM2.5"] != "NA"]
    # hour-ending label (src/lantian/schema.py): the file's hour h (beginning h:00) is hour h + 1 of the day
    for h in (1, 9, 24):
        values = [float(x["PM2.5"]) for x in rows if int(x["hour"]) + 1 == h]
        got = next(b for b in res["by_hour"] if b["hour"] == h)
        assert got["n"] == len(values)
        assert abs(got["mean"] - sum(values) / len(values)) <= 0.05 + 1e-9
    assert res["n_values"] == len(rows)
    polar = res["polar"]
    assert polar["has_wind"]
    windy = [x for x in rows if x["wd"] != "NA" and x["WSPM"] != "NA"]
    assert polar["n_values"] == len(windy)
    nne = [float(x["PM2.5"]) for x in windy if x["wd"] == "NNE" and float(x["WSPM"]) < 1]
    cell = next(c for c in polar["cells"] if c["sector"] == "NNE" and c["speed_bin"] == 0)
    assert cell["n"] == len(nne) and abs(cell["mean"] - sum(nne) / len(nne)) <= 0.05 + 1e-9


def test_api_profiles_refuse_a_station_and_a_city_together_in_chinese(app, tokens):
    r = api(app, tokens["leader"]).get(
        "/api/v1/profiles", params={"station": "PRSA-Dongsi", "city": "北京", "period": "2016-01"}
    )
    assert r.status_code == 422  # an InputError (src/lantian/web/app.py status_of)
    assert "只能给出" in r.text


def test_analysis_page_shows_the_profiles_and_the_polar_plot_of_dongsi(app):
    with TestClient(app) as c:
        login(c, "leader")
        page = c.get("/analysis")
        assert page.status_code == 200
        assert "数据分析" in page.text
        # the page offers the station with wind, and its link shows the charts
        link = re.search(r'href="(/analysis\?station=PRSA-Dongsi[^"]*)"', page.text)
        assert link, "the stations with wind are offered"
        r = c.get(link.group(1).replace("&amp;", "&"))
        assert r.status_code == 200
        for chart in ("chart-hour", "chart-weekday", "chart-month", "chart-polar"):
            assert f'id="{chart}"' in r.text, chart
        option = json.loads(re.search(r'id="chart-polar">(.*?)</script>', r.text, re.S).group(1))
        assert option["angleAxis"]["data"][0] == "北" and len(option["angleAxis"]["data"]) == 16
        assert len(option["series"]) == 6
        hour = json.loads(re.search(r'id="chart-hour">(.*?)</script>', r.text, re.S).group(1))
        assert hour["xAxis"]["data"][0] == "1时" and len(hour["xAxis"]["data"]) == 24
        twin = c.get(link.group(1).replace("&amp;", "&") + "&format=json")
        assert twin.status_code == 200


def test_the_wind_view_fits_a_phone_and_draws_its_charts(browser, server):  # noqa: F811 (fixtures)
    """The Dongsi view (with the polar plot) at 390 px, as tests/web/test_web_phone.py checks every page."""
    ctx = _context(browser, server, "leader")
    path = "/analysis?station=PRSA-Dongsi&period=2016-01&pollutant=pm25"
    errors = _check_page(ctx, server, path, "leader-analysis-dongsi", logged_in=True)
    page = ctx.new_page()
    page.goto(f"{server}{path}")
    page.wait_for_load_state("load")
    for chart in ("chart-hour", "chart-weekday", "chart-month", "chart-polar"):
        assert page.locator(f"[data-chart={chart}] canvas").count() == 1, chart
    ctx.close()
    assert not errors, errors
