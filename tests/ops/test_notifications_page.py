"""The dashboard's page of every notification (通知记录, ``/notifications``): for the administrator and the
leader, filtered by kind, status and day, 50 a page, Chinese with the English toggle, and its JSON twin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from test_run import PASSWORD

from lantian import config
from lantian.clock import FixedClock
from lantian.ops import notify
from lantian.store import open_database
from lantian.store.models import Notification
from lantian.web import create_app
from lantian.web.settings import WebSettings
from lantian.workflow.services import Workflow

AT = dt.datetime(2026, 4, 1, 9)
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=not-shown"


@pytest.fixture
def app(db_url, tmp_path):
    db = open_database(db_url)
    wf = Workflow(db, clock=FixedClock(AT))
    wf.init_office("株洲市蓝天办", "boss", "王主任", PASSWORD, AT)
    wf.add_unit("boss", "荷塘区", "district", AT)
    wf.add_user("boss", "lead", "李书记", "leader", None, AT, password=PASSWORD)
    wf.add_user("boss", "liu", "刘科长", "officer", "荷塘区", AT, password=PASSWORD)
    with db.session() as s:
        # 60 heavy-hour alerts over three days (20 a day), 3 escalations, one report without a channel.
        for i in range(60):
            notify.enqueue(s, [("webhook", HOOK)], f"heavy-hour:株洲:{i}", "heavy-hour", f"【重度污染】第 {i} 条",
                           "…", AT + dt.timedelta(days=i // 20, minutes=i))
        for i in range(3):
            notify.enqueue(s, [("email", "office@zhuzhou.example.cn")], f"escalation:{i}", "escalation",
                           f"【提醒】问题 {i}", "…", AT + dt.timedelta(days=1))
        notify.enqueue(s, [], "report:weekly:2026-W14", "report", "【周调度】", "…", AT + dt.timedelta(days=2))
        dead = s.query(Notification).filter(Notification.key == "escalation:0").one()
        dead.status, dead.attempts, dead.last_error = "dead", 5, "SMTP 服务器 mail:25 拒绝登录（535）：用户名或密码不对"
    db.dispose()
    settings = config.load(database_url=db_url, store=tmp_path / "store")
    return create_app(settings, WebSettings(secret_key="s" * 40))


def _login(app, username: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-kind="([^"]+)" data-status="([^"]+)">', html)


def test_the_administrator_pages_through_every_notification_newest_first(app):
    c = _login(app, "boss")
    r = c.get("/notifications")
    assert r.status_code == 200
    assert "通知记录" in r.text and 'href="/notifications"' in r.text  # the page and its menu link
    assert re.search(r'id="notification-total">64<', r.text)
    assert len(_rows(r.text)) == 50 and "第 1 页，共 2 页" in r.text
    assert _rows(r.text)[0] == ("report", "unrouted")  # the newest (2026-04-03 09:00) first
    assert "key=not-shown" not in r.text  # a robot's address is shown without its key
    second = c.get("/notifications", params={"page": 2})
    assert len(_rows(second.text)) == 14 and 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_filters_by_kind_status_and_day(app):
    c = _login(app, "lead")  # the leader sees the page too
    r = c.get("/notifications", params={"kind": "escalation", "status": "dead"})
    assert _rows(r.text) == [("escalation", "dead")]
    assert "用户名或密码不对" in r.text and "发送失败（死信）" in r.text
    r = c.get("/notifications", params={"kind": "heavy-hour", "from": "2026-04-02", "to": "2026-04-02"})
    assert re.search(r'id="notification-total">20<', r.text)
    assert set(_rows(r.text)) == {("heavy-hour", "pending")}
    # The form sends empty fields for "all": the whole list.
    r = c.get("/notifications", params={"kind": "", "status": "", "from": "", "to": ""})
    assert re.search(r'id="notification-total">64<', r.text)


def test_the_json_twin_and_csv_carry_the_same_rows(app):
    c = _login(app, "boss")
    data = c.get("/notifications", params={"status": "unrouted", "format": "json"}).json()["d"]
    assert data["total"] == 1 and data["rows"][0]["kind"] == "report" and data["rows"][0]["status_label"]
    csv = c.get("/notifications", params={"format": "csv", "table": "notifications", "kind": "escalation"})
    assert csv.status_code == 200 and csv.text.count("\n") == 1 + 3


def test_english_through_the_toggle(app):
    c = _login(app, "boss")
    c.get("/lang/en", params={"next": "/notifications"})
    r = c.get("/notifications", params={"kind": "escalation"})
    assert "<h1>Notifications</h1>" in r.text and "Escalation" in r.text and "E-mail" in r.text
    assert "通知记录" not in r.text


def test_other_roles_are_refused_and_wrong_filters_explained(app):
    r = _login(app, "liu").get("/notifications")
    assert r.status_code == 403 and "无权进行此操作" in r.text
    c = _login(app, "boss")
    r = c.get("/notifications", params={"kind": "fax"})
    assert r.status_code == 422 and "没有“fax”这种通知" in r.text and "escalation（逾期升级）" in r.text
    r = c.get("/notifications", params={"from": "4月2日"})
    assert r.status_code == 422 and "不是日期" in r.text and "2026-04-06" in r.text
    r = c.get("/notifications", params={"from": "2026-04-03", "to": "2026-04-01"})
    assert r.status_code == 422 and "晚于" in r.text


def test_the_page_with_its_rows_fits_a_phone(app):
    """At 390 px (the phone width of tests/web/test_web_phone.py) in headless Chromium: no sideways scroll
    of the page, the table scrolls inside its own box, the filters and the pager wrap."""
    import socket
    import threading
    import time

    import uvicorn
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
            page.goto(f"{base}/login")
            page.fill("#username", "boss")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/notifications?kind=escalation")
            page.select_option("select[name=status]", "dead")
            page.click("#notification-filters button[type=submit]")
            page.wait_for_url("**/notifications?**status=dead**")
            assert page.locator("#notifications tbody tr").count() == 1
            page.goto(f"{base}/notifications")
            assert page.locator("#notifications tbody tr").count() == 50
            width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert width[0] <= width[1], f"the page scrolls sideways at 390 px: {width}"
            page.click("#page-next")
            assert page.locator("#notifications tbody tr").count() == 14
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
