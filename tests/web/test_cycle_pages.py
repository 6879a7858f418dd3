"""The cycle in the browser: 周调度 and 季考核讲评 pages render lantian.workflow.cycle's results (the same
figures as ``lantian cycle weekly|quarterly --json``) and link their documents from the reports layer
(issue "Deployable by a real office", Build 3)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtools import login

from lantian.cli import app as cli_app


def _cli_cycle(app, kind: str, period: str) -> dict:
    result = CliRunner().invoke(
        cli_app,
        ["cycle", kind, "--period", period, "--db", app.state.settings.database_url, "--as", "admin", "--json"],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_weekly_page_shows_the_cycles_figures_by_unit(app):
    with TestClient(app) as c:
        login(c, "leader")
        page = c.get("/cycle/weekly")
        assert page.status_code == 200 and "大气污染防治工作周调度" in page.text
        twin = c.get("/cycle/weekly", params={"format": "json"}).json()
    period = twin["d"]["period"] if "d" in twin else twin["period"]
    data = (twin.get("d") or twin)["data"]
    cli = _cli_cycle(app, "weekly", period)
    assert data["by_unit"] == cli["by_unit"] and data["totals"] == cli["totals"]
    # the title as offices write it: 2026年第49周（11月30日—12月6日）
    assert f"第{int(period[-2:])}周（" in page.text
    for row in cli["by_unit"]:
        assert f">{row['unit']}</td>" in page.text
    assert f'href="/reports/weekly.pdf?period={period}"' in page.text


def test_quarterly_page_ranks_units_with_their_monthly_scores(app):
    with TestClient(app) as c:
        login(c, "admin")
        page = c.get("/cycle/quarterly")
        assert page.status_code == 200 and "考核讲评" in page.text and "季度得分" in page.text
        twin = c.get("/cycle/quarterly", params={"format": "json"}).json()
    data = (twin.get("d") or twin)["data"]
    cli = _cli_cycle(app, "quarterly", data["period"])
    assert [(r["unit"], r["score"], r["rank"]) for r in data["districts"]] == [
        (r["unit"], r["score"], r["rank"]) for r in cli["districts"]
    ]
    for r in cli["districts"]:
        assert f"{r['score']:.2f}" in page.text


def test_unknown_cycle_page_is_404(app):
    with TestClient(app) as c:
        login(c, "admin")
        assert c.get("/cycle/yearly").status_code == 404
        assert c.get("/reports/monthly.docx").status_code == 404
