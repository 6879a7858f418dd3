"""The web interface keeps Beijing time and the office's rules, as the command line does.

A case reported and assigned through the web app of a server on UTC gets the deadline the command line
gives the same case (``lantian case new … --json`` / ``case assign``): the day of assignment is the
Beijing day (lantian.clock) and the limit is the rules file of the settings (lantian.workflow.rules).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtools import login, web_settings

from lantian import config
from lantian.cli import app as cli_app
from lantian.cli import workflow_cmd
from lantian.clock import FixedClock
from lantian.store import open_database
from lantian.web import create_app
from lantian.web.security import hash_password
from lantian.workflow.services import Workflow

#: 20:30 UTC on 5 March is 04:30 on 6 March in Beijing: the server's own day is one behind.
LATE_UTC = dt.datetime(2026, 3, 5, 20, 30, tzinfo=dt.UTC)
BEIJING_DAY = dt.date(2026, 3, 6)
#: The office's rules file of these tests: 扬尘 × medium in 4 days (built-in rule: 5 days).
RULES = '[deadlines."扬尘"]\nmedium = 4\n'
DUST_MEDIUM_DAYS = 4
PASSWORDS = {"boss": "boss-password-1", "insp": "insp-password-1"}
CASE = {
    "source": "patrol",
    "category": "扬尘",
    "severity": "medium",
    "district": "雨湖区",
    "address": "建设路工地",
    "description": "裸土未覆盖",
}


@pytest.fixture
def utc_process(monkeypatch):
    """The process runs with TZ=UTC; the zone is restored afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A lantian.toml naming the database and the rules file; a seeded database; settings loaded from it."""
    for s in config.REGISTRY:
        if s.env:
            monkeypatch.delenv(s.env, raising=False)
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    url = f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    toml = tmp_path / "lantian.toml"
    toml.write_text(
        f'data_dir = "{tmp_path.as_posix()}"\ndatabase_url = "{url}"\n'
        f'rules_file = "{(tmp_path / "rules.toml").as_posix()}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(config.CONFIG_ENV, str(toml))
    db = open_database(url)
    try:
        wf = Workflow(db)
        start = dt.datetime(2026, 3, 1)
        wf.add_unit(None, "市蓝天办", "office", start)
        wf.add_user(None, "boss", "王主任", "admin", "市蓝天办", start, hash_password(PASSWORDS["boss"]))
        wf.add_unit("boss", "雨湖区", "district", start)
        wf.add_user("boss", "insp", "李巡查", "inspector", None, start, hash_password(PASSWORDS["insp"]))
    finally:
        db.dispose()
    return config.load()


def _web_case(app, user: str = "insp") -> int:
    with TestClient(app) as c:
        login(c, user, PASSWORDS[user])
        page = c.get("/cases/new").text
        r = c.post("/cases", data={**CASE, "csrf_token": _csrf(page)}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return int(r.headers["location"].rsplit("/", 1)[-1])


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_web_case_on_a_utc_server_gets_the_cli_deadline(office, utc_process, monkeypatch):
    clock = FixedClock(LATE_UTC)
    app = create_app(office, web_settings(), clock=clock)
    case_id = _web_case(app)
    with TestClient(app) as admin:
        login(admin, "boss", PASSWORDS["boss"])
        r = admin.post(
            f"/cases/{case_id}/actions/assign",
            data={"unit": "雨湖区", "csrf_token": _csrf(admin.get(f"/cases/{case_id}").text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
    web = app.state.backend.workflow.show_case("boss", case_id)
    # The same case through the command line, at the same moment of the same clock.
    monkeypatch.setattr(workflow_cmd, "CLOCK", clock)
    cli_case = _cli("case", "new", "--as", "insp", *[f"--{k}={v}" for k, v in CASE.items()])
    cli = _cli("case", "assign", str(cli_case["id"]), "--unit", "雨湖区", "--as", "boss")
    expected = (BEIJING_DAY + dt.timedelta(days=DUST_MEDIUM_DAYS)).isoformat()  # 2026-03-10
    assert web["deadline"] == cli["deadline"] == expected
    assert web["reported_at"] == cli_case["reported_at"] == "2026-03-06T04:30:00"


def test_web_app_records_beijing_time_with_the_system_clock_on_a_utc_server(office, utc_process):
    app = create_app(office, web_settings())
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(hours=8)
    case_id = _web_case(app)
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=8)
    reported = dt.datetime.fromisoformat(app.state.backend.workflow.show_case("boss", case_id)["reported_at"])
    assert before <= reported <= after  # Beijing time (UTC+8), not the server's UTC


def test_forms_propose_the_deadline_of_the_rules_file(office):
    clock = FixedClock(dt.datetime(2026, 3, 6, 9, 0))
    app = create_app(office, web_settings(), clock=clock)
    case_id = _web_case(app)
    expected = (dt.date(2026, 3, 6) + dt.timedelta(days=DUST_MEDIUM_DAYS)).isoformat()  # rules.toml above
    with TestClient(app) as admin:
        login(admin, "boss", PASSWORDS["boss"])
        page = admin.get(f"/cases/{case_id}").text
        assert f'name="deadline" value="{expected}"' in page  # the assign form
        new = admin.get("/cases/new").text
    table = new[new.index('id="rule-deadlines"') :]
    dust = re.search(r"<tr><td>扬尘</td>(.*?)</tr>", table).group(1)
    # Columns follow lantian.workflow.rules.SEVERITIES: low, medium, high; 扬尘 low 7 d and high 3 d
    # are the built-in rules the file leaves unchanged.
    assert re.findall(r"<td>([\d-]+)</td>", dust) == ["2026-03-13", expected, "2026-03-09"]
    boss = app.state.backend.check_password("boss", PASSWORDS["boss"])
    assert app.state.backend.case_form(boss)["deadlines"]["扬尘"]["medium"] == expected


def test_demo_takes_clock_and_rules_from_the_settings(office, tmp_path):
    from lantian.web.demo import load_demo

    demo = tmp_path / "demo"
    settings = config.load(
        store=demo / "store", database_url=f"sqlite:///{(demo / 'lantian.db').as_posix()}", data_dir=demo
    )
    assert settings.source("rules_file") == "file"  # the office's lantian.toml of the fixture
    empty = tmp_path / "no-data"
    empty.mkdir()
    now = dt.datetime(2026, 3, 20, 9, 0)
    load_demo(settings, clock=FixedClock(now), sources=[empty])
    db = open_database(settings.database_url)
    try:
        dust = Workflow(db).show_case("admin", 1)
    finally:
        db.dispose()
    # Demo case 1 (lantian.web.demo._seed): 扬尘 × medium, reported and assigned 12 days before now.
    assert dust["reported_at"] == "2026-03-08T09:00:00"
    assert dust["deadline"] == (dt.date(2026, 3, 8) + dt.timedelta(days=DUST_MEDIUM_DAYS)).isoformat()
    written = config.read_file(demo / "lantian.toml")
    assert written["rules_file"] == (tmp_path / "rules.toml").resolve().as_posix()
