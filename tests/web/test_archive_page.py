"""The reports archive (报告存档), the case page's notifications (通知记录) and the channels form of
/admin/users, over the demo data directory and database."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from webtools import csrf_of, login

from lantian.ops import notify
from lantian.store.models import ArchivedReport, Organisation

AT = dt.datetime(2026, 4, 6, 9, 0)


@pytest.fixture(scope="module")
def archived(app, demo_dir):
    """Two archive rows as lantian run writes them: one with its file in the archive folder, one whose
    path leads out of it (a row that must not open a file elsewhere)."""
    db = app.state.backend.db
    root = Path(demo_dir.value("archive_dir"))
    (root / "weekly").mkdir(parents=True, exist_ok=True)
    (root / "weekly" / "2026-W14.html").write_text("<html><body><h1>周调度 2026-W14</h1></body></html>",
                                                   encoding="utf-8")
    with db.session() as s:
        good = ArchivedReport(kind="weekly", period="2026-W14", number="株洲市蓝天办〔2026〕1号",
                              title="株洲市大气污染防治周调度（2026年第14周）", path="weekly/2026-W14.html",
                              created_at=AT, published_at=AT)
        outside = ArchivedReport(kind="monthly", period="2026-03", number="株洲市蓝天办〔2026〕2号",
                                 title="月考核通报", path="../lantian.toml", created_at=AT, published_at=AT)
        s.add_all([good, outside])
        s.flush()
        ids = {"good": good.id, "outside": outside.id}
    yield ids
    with db.session() as s:
        for row in s.scalars(select(ArchivedReport).where(ArchivedReport.id.in_(ids.values()))):
            s.delete(row)


@pytest.mark.parametrize("username", ["admin", "tianyuan", "leader"])
def test_the_archive_lists_each_report_with_its_number_and_opens_its_file(app, archived, username):
    with TestClient(app) as c:
        login(c, username)
        page = c.get("/reports/archive")
        assert page.status_code == 200
        assert 'href="/reports/archive"' in page.text and "报告存档" in page.text  # the menu's link
        row = re.search(r'<tr data-kind="weekly">(.*?)</tr>', page.text, re.S).group(1)
        for text in ("周调度", "2026-W14", "株洲市蓝天办〔2026〕1号", "2026-04-06 09:00"):
            assert text in row
        assert f'href="/reports/archive/{archived["good"]}"' in row
        doc = c.get(f"/reports/archive/{archived['good']}")
        assert doc.status_code == 200 and doc.headers["content-type"].startswith("text/html")
        assert "周调度 2026-W14" in doc.text


def test_an_archived_path_outside_the_archive_folder_or_an_unknown_report_is_not_served(app, archived):
    with TestClient(app) as c:
        login(c, "admin")
        r = c.get(f"/reports/archive/{archived['outside']}")
        assert r.status_code == 404 and "不在报告存档目录" in r.text and "lantian.db" not in r.text
        assert "database_url" not in r.text  # the file outside (lantian.toml) was not sent
        r = c.get("/reports/archive/999999")
        assert r.status_code == 404 and "报告存档中没有编号为 999999 的报告" in r.text


def test_the_case_page_lists_the_case_notifications_delivered_or_not(app):
    backend = app.state.backend
    case = backend.workflow.list_cases("admin")[0]
    with backend.db.session() as s:
        unit = s.scalar(select(Organisation).where(Organisation.name == case["unit"])) if case["unit"] else None
        notify.enqueue(s, [("webhook", "https://robot.example.cn/send?key=secret")], f"assigned:{case['id']}:test",
                       "assigned", f"【交办】问题 {case['id']}", "…", AT, unit_id=unit.id if unit else None,
                       case_id=case["id"])
        notify.enqueue(s, [], f"escalation:{case['id']}:remind:test", "escalation", f"【提醒】问题 {case['id']}",
                       "…", AT, case_id=case["id"])
    with TestClient(app) as c:
        login(c, "admin")
        page = c.get(f"/cases/{case['id']}").text
    card = re.search(r'<section class="card" id="notifications">(.*?)</section>', page, re.S).group(1)
    assert "通知记录" in card
    assert "问题交办" in card and "待发送" in card and "https://robot.example.cn/send" in card
    assert "key=secret" not in card  # a robot's key is not shown
    assert "逾期升级" in card and "未发送（未配置渠道）" in card


def test_an_administrator_sets_a_unit_channel_on_the_users_page(app):
    with TestClient(app) as c:
        login(c, "admin")
        form = {"of": "unit", "name": "天元区", "webhook": "https://robot.example.cn/tianyuan",
                "email": "tianyuan@example.cn", "csrf_token": csrf_of(c.get("/admin/users").text)}
        r = c.post("/admin/channels", data=form, follow_redirects=True)
        assert r.status_code == 200 and "已保存 天元区 的通知渠道" in r.text
        table = re.search(r'<section class="card wide" id="channels">(.*?)</table>', r.text, re.S).group(1)
        assert "天元区" in table and "https://robot.example.cn/tianyuan" in table and "tianyuan@example.cn" in table
        r = c.post("/admin/channels", data={**form, "webhook": "robot.example.cn"})
        assert r.status_code == 422 and "不是 http(s) 地址" in r.text
        c.post("/admin/channels", data={**form, "webhook": "", "email": ""})
    with app.state.backend.db.session() as s:
        unit = s.scalar(select(Organisation).where(Organisation.name == "天元区"))
        assert (unit.webhook_url, unit.email) == (None, None)
    with TestClient(app) as c:
        login(c, "tianyuan")
        r = c.post("/admin/channels", data={**form, "csrf_token": csrf_of(c.get("/tokens").text)})
        assert r.status_code == 403
