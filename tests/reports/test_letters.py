"""交办单 and 督办函 of a case, printed to PDF and read back with ``pdftotext`` (poppler-utils).

Provenance of the expected values: every case is built here through the workflow services. The
deadline 2026-03-10 is the one given at assignment; the days overdue on 2026-03-26 are
2026-03-26 − 2026-03-10 = 16; the ladder is the default of ``lantian.workflow.rules.DEFAULT_LADDER``
(提醒 1, 通报 7, 约谈 15, 移交纪委监委 30 days overdue, issue 6), so on 2026-03-26 the case has reached
约谈; the next step 移交纪委监委 falls due on 2026-03-10 + 30 days = 2026-04-09, and the 督办函 demands
the rectification by the day before, 2026-04-08 (rule of ``lantian.reports.letters``). At the last
step the rules' limit for 扬尘 × medium (``DEFAULT_DEADLINE_DAYS``: 5 days) is counted from the
letter's date.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from lantian.clock import FixedClock
from lantian.config import Settings
from lantian.errors import NotFound, WorkflowError
from lantian.reports.letters import build_letter, file_name
from lantian.reports.render import render
from lantian.store import open_database
from lantian.web import create_app
from lantian.web.settings import WebSettings
from lantian.workflow.services import Workflow

T0 = datetime(2026, 3, 2, 9, 0)
ASSIGNED = datetime(2026, 3, 3, 10, 0)
DEADLINE = date(2026, 3, 10)
TODAY = date(2026, 3, 26)
OFFICE = "株洲市蓝天办"


def _seed(wf: Workflow) -> dict[str, int]:
    """The office, two districts with an officer each, an inspector; an overdue case escalated up to
    TODAY, a case assigned and still within its deadline, and a case not yet assigned."""
    wf.add_unit(None, OFFICE, "office", T0)
    wf.add_user(None, "boss", "王主任", "admin", OFFICE, T0)
    for unit, officer in (("荷塘区", "hetang"), ("芦淞区", "lusong")):
        wf.add_unit("boss", unit, "district", T0)
        wf.add_user("boss", officer, f"{unit}联络员", "officer", unit, T0)
    wf.add_user("boss", "insp", "李巡查", "inspector", None, T0)

    def case(address: str) -> int:
        return wf.new_case(
            "insp",
            source="patrol",
            category="扬尘",
            severity="medium",
            district="荷塘区",
            address=address,
            description="建筑工地裸土未覆盖，渣土车未密闭",
            at=T0,
        )["id"]

    overdue = case("红旗路与新华路交叉口东北角工地")
    wf.assign("boss", overdue, "荷塘区", ASSIGNED, deadline=DEADLINE)
    on_time = case("建设中路工地")
    wf.assign("boss", on_time, "荷塘区", ASSIGNED, deadline=date(2026, 3, 30))
    unassigned = case("人民路工地")
    wf.escalate("boss", datetime(2026, 3, 26, 8, 0))
    return {"overdue": overdue, "on_time": on_time, "unassigned": unassigned}


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    database = open_database(url)
    wf = Workflow(database)
    try:
        yield wf, _seed(wf), url, tmp_path
    finally:
        database.dispose()


def pdf_text(pdf: bytes, tmp_path, name: str = "letter") -> tuple[str, int]:
    """The text of a PDF (``pdftotext``) and its number of pages."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.count("\f") if text.endswith("\f") else text.count("\f") + 1
    return text, pages


def flat(text: str) -> str:
    """The text without the line breaks and spaces of the layout (pdftotext breaks lines anywhere)."""
    return re.sub(r"\s+", "", text)


def assert_no_ascii_words(text: str) -> None:
    """No Latin letters at all in a Chinese letter: no keys (snake_case), None, file names, codes."""
    found = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text)
    assert not found, f"ASCII identifiers in a Chinese letter: {found}"


def test_assignment_sheet_pdf(setup):
    wf, ids, _url, tmp = setup
    doc = build_letter(wf, "boss", ids["overdue"], "assign", TODAY)
    text, pages = pdf_text(render(doc, "pdf"), tmp)
    body = flat(text)
    assert pages == 1
    assert "大气污染问题交办单" in body
    assert OFFICE in body
    assert f"交办〔2026〕第{ids['overdue']}号" in body
    assert "荷塘区：" in body  # the addressee: the responsible unit
    for label in ("问题编号", "发现方式", "问题类别", "严重程度", "所在区县", "地址", "问题描述", "发现时间"):
        assert label in body, label
    assert "巡查" in body and "扬尘" in body and "较重" in body
    assert "红旗路与新华路交叉口东北角工地" in body
    assert "2026年3月2日9时00分" in body  # reported at T0
    assert "于2026年3月10日前完成" in body
    assert "整改报告和佐证材料" in body
    assert "逾期1天提醒、逾期7天通报、逾期15天约谈、逾期30天移交纪委监委" in body
    assert "2026年3月26日" in body  # the date of the letter
    assert_no_ascii_words(text)
    assert file_name(doc) == f"交办单-第{ids['overdue']}号.pdf"


def test_supervision_letter_pdf_of_an_overdue_case(setup):
    wf, ids, _url, tmp = setup
    doc = build_letter(wf, "boss", ids["overdue"], "supervise", TODAY)
    text, pages = pdf_text(render(doc, "pdf"), tmp)
    body = flat(text)
    assert pages == 1
    assert "大气污染问题督办函" in body
    assert f"督办〔2026〕第{ids['overdue']}号" in body
    assert "荷塘区：" in body
    assert "超期16天" in body
    assert "整改期限为2026年3月10日" in body
    assert "2026年3月11日逾期1天提醒" in body and "2026年3月25日逾期15天约谈" in body
    assert "已进入“约谈”程序" in body
    assert "于2026年4月8日前完成整改" in body
    assert "将于2026年4月9日起予以移交纪委监委" in body
    assert_no_ascii_words(text)
    assert doc.data["demand_date"] == "2026-04-08"


def test_supervision_letter_of_a_supervised_case_within_its_deadline(setup):
    wf, ids, _url, tmp = setup
    with pytest.raises(WorkflowError, match="未超期.*没有督办记录"):
        build_letter(wf, "boss", ids["on_time"], "supervise", TODAY)
    wf.supervise("boss", ids["on_time"], "请加快整改进度", datetime(2026, 3, 20, 9, 0))
    doc = build_letter(wf, "boss", ids["on_time"], "supervise", TODAY)
    body = flat(pdf_text(render(doc, "pdf"), tmp)[0])
    assert "未超期" in body
    assert "2026年3月20日督办：请加快整改进度" in body
    assert "于2026年3月30日前完成整改" in body  # the deadline itself
    assert "将于2026年3月31日起予以提醒" in body  # deadline + 1 day: the first step


def test_supervision_letter_at_the_last_step(setup):
    wf, ids, _url, _tmp = setup
    later = date(2026, 4, 12)  # 33 days overdue: 移交纪委监委 (30) is due
    with pytest.raises(WorkflowError, match="lantian escalate"):
        build_letter(wf, "boss", ids["overdue"], "supervise", later)
    wf.escalate("boss", datetime(2026, 4, 12, 8, 0))
    doc = build_letter(wf, "boss", ids["overdue"], "supervise", later)
    body = flat(render(doc, "html").decode("utf-8"))
    assert "超期33天" in body and "已进入“移交纪委监委”程序" in body
    assert "于2026年4月17日前完成整改" in body  # 2026-04-12 + 5 days (扬尘 × medium)


def test_letters_are_refused_where_they_do_not_apply(setup):
    wf, ids, _url, _tmp = setup
    with pytest.raises(WorkflowError, match="尚未交办"):
        build_letter(wf, "boss", ids["unassigned"], "assign", TODAY)
    with pytest.raises(WorkflowError, match="待交办"):
        build_letter(wf, "boss", ids["unassigned"], "supervise", TODAY)
    with pytest.raises(NotFound):  # an officer of another unit does not see the case
        build_letter(wf, "lusong", ids["overdue"], "assign", TODAY)


def test_english_letters_are_complete(setup):
    """In English every word of the letter is English; only the recorded names and texts stay Chinese."""
    wf, ids, _url, tmp = setup
    case = wf.show_case("boss", ids["overdue"], TODAY)
    for kind, title in (
        ("assign", "Air Pollution Case Assignment Sheet"),
        ("supervise", "Supervision Letter"),
    ):
        doc = build_letter(wf, "boss", ids["overdue"], kind, TODAY, lang="en")
        text, pages = pdf_text(render(doc, "pdf"), tmp, kind)
        assert pages == 1, kind
        body = flat(text)
        assert flat(title) in body
        rest = body
        for recorded in (OFFICE, case["unit"], case["district"], case["address"], case["description"]):
            rest = rest.replace(recorded, "")
        assert not re.findall(r"[\u3000-\u9fff\uff00-\uffef]+", rest), kind
        assert "None" not in text and "_" not in text
    assert "10March2026" in body and "16daysoverdue" in body and "8April2026" in body


def test_letter_from_the_case_page(setup):
    wf, ids, url, tmp = setup
    settings = Settings(data_dir=tmp, store=tmp / "store", database_url=url, extra={})
    app = create_app(settings, WebSettings(secret_key="letters-test-" + "k" * 40), FixedClock(TODAY))
    backend = app.state.backend

    def client(username: str) -> TestClient:
        user_id = next(u["id"] for u in wf.list_users() if u["username"] == username)
        token = backend.create_token(backend.principal(user_id), "letters", "read")
        return TestClient(app, headers={"Authorization": f"Bearer {token}"})

    admin = client("boss")
    r = admin.get(f"/cases/{ids['overdue']}/letters/supervise.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    name = quote(f"督办函-第{ids['overdue']}号.pdf")
    assert f"filename*=UTF-8''{name}" in r.headers["content-disposition"]
    assert "超期16天" in flat(pdf_text(r.content, tmp, "web")[0])
    own = client("hetang").get(f"/cases/{ids['overdue']}/letters/assign.pdf")
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    other = client("lusong").get(f"/cases/{ids['overdue']}/letters/assign.pdf")
    assert other.status_code == 404
    assert admin.get(f"/cases/{ids['overdue']}/letters/weekly.pdf").status_code == 404
    refused = admin.get(f"/cases/{ids['unassigned']}/letters/supervise.pdf")
    assert refused.status_code == 409 and "待交办" in refused.text
