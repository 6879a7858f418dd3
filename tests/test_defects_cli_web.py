"""Periods out of range, optimistic locking, case scope, Markdown escaping and the command line's errors.

Provenance: an adversarial probe of the command line and the web API (damaged inputs derived from the
shared files, periods such as ``9999Q4``, stale edits, officers probing case ids, an organisation named
``<script>``, bad CLI arguments). Each test names the defect it guards.
"""

from __future__ import annotations

import datetime as dt
import errno
import sys
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import lantian.cli as cli
from lantian.cli import app
from lantian.errors import ConfigError, InputError, NotFound
from lantian.periods import parse_period
from lantian.reports.markdown import render_markdown
from lantian.reports.spec import Document, Paragraph, Section, Table
from lantian.store import open_database
from lantian.store.db import ConcurrentEdit
from lantian.workflow.services import Workflow
from web.webtools import login, make_settings, web_settings

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "lantian" / "data" / "sample"
T0 = dt.datetime(2026, 3, 2, 9, 0)


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def _one_line_error(result, *fragments: str) -> str:
    """The command failed with a LantianError (a one-line message in ``main``), not a crash."""
    from lantian.errors import LantianError

    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, LantianError), repr(result.exception)
    message = str(result.exception)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- 11: periods outside the years the store and the calendar hold --------------------------------------


@pytest.mark.parametrize("text", ["0000", "9999Q4", "9999-12", "9999", "1899-12-31", "2026-01-01..9999-12-31"])
def test_defect_11_periods_outside_1900_2100_are_refused_clearly(text):
    with pytest.raises(InputError, match="超出 1900–2100 年的范围") as info:
        parse_period(text)
    assert "outside 1900–2100" in info.value.en
    with pytest.raises(InputError, match="超出 1900–2100 年的范围"):  # also when a kind is asked for
        parse_period(text, kind="range" if ".." in text else "month")
    assert parse_period("2100Q4").end == dt.date(2100, 12, 31)
    assert parse_period("1900").start == dt.date(1900, 1, 1)


def test_defect_11_cli_assess_and_api_answer_a_far_period_with_an_error_not_a_crash(tmp_path):
    store = tmp_path / "store"
    assert _run("ingest", "--store", str(store), str(SAMPLE / "aqistudy")).exit_code == 0
    for period in ("9999Q4", "9999-12", "0000"):
        _one_line_error(_run("assess", "--store", str(store), "--city", "长沙", "--period", period), "1900–2100")
    web = _admin_client(tmp_path / "web")
    for period in ("0000", "9999Q4", "9999-12"):
        r = web.get("/api/v1/assessments", params={"city": "长沙", "period": period})
        assert r.status_code == 422, (period, r.status_code, r.text)
        assert "1900–2100" in r.json()["error"]["message"]


def _admin_client(root: Path) -> TestClient:
    from lantian.web import create_app

    client = TestClient(create_app(make_settings(root), web_settings()))
    return login(client, "admin")


# -- 11: optimistic locking on every write ---------------------------------------------------------------


def _workflow(tmp_path) -> tuple[Workflow, str]:
    url = f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    wf = Workflow(open_database(url))
    wf.add_unit(None, "市蓝天办", "office", T0)
    wf.add_user(None, "boss", "王主任", "admin", "市蓝天办", T0)
    for name in ("雨湖区", "岳塘区"):
        wf.add_unit("boss", name, "district", T0)
    wf.add_user("boss", "insp", "李巡查", "inspector", None, T0)
    wf.add_user("boss", "yuhu", "雨湖区联络员", "officer", "雨湖区", T0)
    wf.add_user("boss", "yuetang", "岳塘区联络员", "officer", "岳塘区", T0)
    return wf, url


def _case(wf: Workflow) -> int:
    return wf.new_case(
        "insp",
        source="patrol",
        category="扬尘",
        severity="medium",
        district="雨湖区",
        address="建设路1号",
        description="工地裸土未覆盖",
        at=T0,
    )["id"]


def test_defect_11_a_stale_edit_that_changes_nothing_is_refused(tmp_path, monkeypatch):
    """An edit read at version v, committed after someone else's edit: refused even when its values
    equal the ones it read (before, no UPDATE was issued and the stale write passed, audit v → v)."""
    wf, url = _workflow(tmp_path)
    cid = _case(wf)
    seen = wf.show_case("insp", cid)
    other = Workflow(open_database(url))
    original = wf._case
    raced = []

    def case_then_someone_else_edits(s, user, case_id, expected_version=None):
        case = original(s, user, case_id, expected_version)
        if not raced:  # between this edit's read and its write, another edit commits
            raced.append(other.edit_case("boss", case_id, {"address": "建设路2号"}, T0, seen["version"]))
        return case

    monkeypatch.setattr(wf, "_case", case_then_someone_else_edits)
    with pytest.raises(ConcurrentEdit):
        wf.edit_case("insp", cid, {"address": seen["address"]}, T0, expected_version=seen["version"])
    monkeypatch.undo()
    final = wf.show_case("insp", cid)
    assert final["address"] == "建设路2号" and final["version"] == seen["version"] + 1
    assert [e["action"] for e in wf.audit_trail("case", cid)] == ["create", "edit"]


def test_defect_11_every_write_raises_the_version_and_the_audit_shows_it(tmp_path):
    wf, _ = _workflow(tmp_path)
    cid = _case(wf)
    seen = wf.show_case("insp", cid)
    after = wf.edit_case("insp", cid, {"address": seen["address"]}, T0, expected_version=seen["version"])
    assert after["version"] == seen["version"] + 1
    edit = wf.audit_trail("case", cid)[-1]
    assert (edit["before"]["version"], edit["after"]["version"]) == (seen["version"], seen["version"] + 1)
    with pytest.raises(ConcurrentEdit):  # the version read before that edit is stale now
        wf.edit_case("insp", cid, {"address": seen["address"]}, T0, expected_version=seen["version"])


# -- 11: cases outside the user's scope do not exist for the user --------------------------------------


def test_defect_11_an_officer_cannot_tell_another_units_case_from_a_missing_one(tmp_path):
    wf, _ = _workflow(tmp_path)
    cid = _case(wf)
    wf.assign("boss", cid, "岳塘区", T0)
    for act in (
        lambda i: wf.show_case("yuhu", i),
        lambda i: wf.start("yuhu", i, T0),
        lambda i: wf.comment("yuhu", i, "看看", T0),
    ):
        answers = []
        for case_id in (cid, cid + 1000):  # another unit's case, and an id never issued
            with pytest.raises(NotFound) as info:
                act(case_id)
            answers.append(str(info.value).replace(str(case_id), "N"))
        assert answers[0] == answers[1]  # the same words: the officer cannot tell them apart
    assert wf.show_case("yuetang", cid)["id"] == cid


def test_defect_11_api_answers_404_for_a_case_outside_the_officers_unit(tmp_path):
    from lantian.web import create_app

    web_app = create_app(make_settings(tmp_path / "web"), web_settings())
    admin = login(TestClient(web_app), "admin")
    items = admin.get("/api/v1/cases", params={"unit": "芦淞区"}).json()["items"]
    foreign, missing = items[0]["id"], 10**6
    officer = login(TestClient(web_app), "tianyuan")
    for case_id in (foreign, missing):
        r = officer.get(f"/api/v1/cases/{case_id}")
        assert r.status_code == 404, r.text
        r = officer.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "start"})
        assert r.status_code == 404, r.text


# -- 11: Markdown escapes names --------------------------------------------------------------------------


def test_defect_11_markdown_report_escapes_names():
    from lantian.reports.spec import Column

    evil = '<script>alert(1)</script> **粗** [链](javascript:x) | 列'
    doc = Document(
        kind="daily",
        title=f"{evil}空气质量日报",
        city=evil,
        period="2026-03-05",
        office=evil,
        date=dt.date(2026, 3, 5),
        lang="zh",
        sections=[
            Section(
                heading=evil,
                blocks=[
                    Paragraph(text=f"{evil}的空气质量为优。"),
                    Table(
                        name="t",
                        title=evil,
                        columns=[Column("name", "单位", "text")],
                        rows=[{"name": evil}],
                    ),
                ],
            )
        ],
    )
    text = render_markdown(doc)
    assert "<script>" not in text and "</script>" not in text
    # as a Markdown viewer shows it (CommonMark with tables): the name as written, no markup from it
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html and "<a " not in html and "<strong>粗" not in html
    shown = "&lt;script&gt;alert(1)&lt;/script&gt; **粗** [链](javascript:x) | 列"
    assert html.count(shown) == 7, html  # office mark, title, heading, paragraph, caption, cell, office
    assert f"<td>{shown}</td>" in html


# -- 12: the command line's errors are one line, said where they arise ------------------------------------


def test_defect_12_rank_ytd_on_an_empty_store(tmp_path):
    (tmp_path / "empty").mkdir()
    groups = Path(__file__).resolve().parents[1] / "docs" / "groups-hunan.toml"
    result = _run(
        "rank", "--store", str(tmp_path / "empty"), "--period", "ytd", "--group", "湖南", "--groups", str(groups)
    )
    _one_line_error(result, "has data", "ingest data first")


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("store") / "store"
    assert _run("ingest", "--store", str(store), str(SAMPLE / "aqistudy")).exit_code == 0
    return store


def _binary(tmp_path: Path) -> Path:
    """A binary file (every byte value, as in an image or an executable) named as a CSV."""
    out = tmp_path / "binary.csv"
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return out


def test_defect_12_dust_file_with_a_bad_date_or_binary_bytes(sample_store, tmp_path):
    bad = tmp_path / "dust.csv"
    bad.write_text("city,date\n长沙,2016-03-05\n长沙,2016-13-45\n", encoding="utf-8")
    args = ["assess", "--store", str(sample_store), "--city", "长沙", "--period", "2016"]
    _one_line_error(_run(*args, "--dust", str(bad)), "2016-13-45", "YYYY-MM-DD")
    hours = tmp_path / "hours.csv"
    hours.write_text("city,date,hour\n长沙,2016-03-05,午后\n", encoding="utf-8")
    _one_line_error(_run(*args, "--dust", str(hours)), "午后", "1–24")
    _one_line_error(_run(*args, "--dust", str(_binary(tmp_path))), "UTF-8", "city,date")
    good = tmp_path / "good.csv"
    good.write_text("city,date\n长沙,2016-03-05\n", encoding="utf-8")
    assert _run(*args, "--dust", str(good)).exit_code == 0


def test_defect_12_targets_with_a_year_that_is_not_a_number(sample_store, tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text('[[targets]]\ncity = "长沙"\nyear = "abc"\npm25_max = 35\n', encoding="utf-8")
    result = _run(
        "targets", "--store", str(sample_store), "--city", "长沙", "--year", "2016", "--targets", str(targets)
    )
    message = _one_line_error(result, "'abc'", "whole number")
    assert isinstance(result.exception, ConfigError), message


def test_defect_12_warn_on_an_empty_binary_or_bad_forecast(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _one_line_error(_run("warn", str(empty)), "空文件", "city,date,aqi")
    _one_line_error(_run("warn", str(_binary(tmp_path))), "UTF-8", "city,date,aqi")
    bad = tmp_path / "bad.csv"
    bad.write_text("city,date,aqi\n长沙,2026-01-01,高\n", encoding="utf-8")
    _one_line_error(_run("warn", str(bad)), "'高'", "整数")
    good = tmp_path / "good.csv"
    good.write_text("city,date,aqi\n长沙,2026-01-01,160\n长沙,2026-01-02,220\n", encoding="utf-8")
    assert _run("warn", str(good), "--json").exit_code == 0


@pytest.mark.parametrize("value", ["1e30", "inf", "nan"])
def test_defect_12_aqi_value_refuses_what_is_not_a_concentration(value):
    result = _run("aqi", "value", "--co", value, "--date", "2022-05-01")
    _one_line_error(result, "co:", "0 to 1e+06")
    assert _run("aqi", "value", "--co", "1000000", "--date", "2022-05-01").exit_code == 0


def test_defect_12_db_upgrade_against_an_unreachable_postgresql():
    # port 9 (discard) on the loopback: nothing listens there, the connection is refused at once
    url = "postgresql+psycopg://lantian:secret@127.0.0.1:9/lantian"
    message = _one_line_error(_run("db", "upgrade", "--db", url), "cannot open the database", "server is running")
    assert "secret" not in message


def _main_error(monkeypatch, capsys, exc: BaseException, argv: list[str]) -> tuple[int, str]:
    def failing_app():
        raise exc

    monkeypatch.setattr(cli, "app", failing_app)
    monkeypatch.setattr(sys, "argv", ["lantian", *argv])
    with pytest.raises(SystemExit) as info:
        cli.main()
    return info.value.code, capsys.readouterr().err


def test_defect_12_disk_full_is_said_as_disk_full(monkeypatch, capsys, tmp_path):
    # a Polars error carrying ENOSPC, as a write of the store raises it
    compute = pl.exceptions.ComputeError("failed to write file: No space left on device (os error 28)")
    code, err = _main_error(monkeypatch, capsys, compute, ["ingest", "--store", "/data/store", "x.csv"])
    assert code == 2 and err.startswith("错误：磁盘已满（/data/store）") and "ComputeError" not in err
    assert err.count("\n") == 1
    # an OSError with its file
    oserror = OSError(errno.ENOSPC, "No space left on device", "/data/store/part-0.parquet")
    code, err = _main_error(monkeypatch, capsys, oserror, ["ingest", "x.csv"])
    assert code == 2 and err.startswith("错误：磁盘已满（/data/store/part-0.parquet）")


def test_defect_12_a_real_full_device_is_said_as_disk_full(monkeypatch, capsys):
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is needed: this test writes to a device that is always full")
    release = next((SAMPLE / "cnemc").glob("*.csv"))
    monkeypatch.setattr(sys, "argv", ["lantian", "aqi", "compute", str(release), "--output", "/dev/full"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith("错误：磁盘已满（/dev/full）"), err
