"""Browser tests in real headless Chromium (Debian ``chromium``) driven by Playwright, against the app
served by uvicorn on 127.0.0.1. Screenshots go to test-artifacts/ (kept by CI as artifacts)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright
from webtools import PASSWORDS, web_settings

from lantian.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_dir):
    app = create_app(demo_dir, web_settings())
    app.state.backend.today("zh")  # computed before the browser arrives (see the cold-start figure)
    app.state.backend.year("zh")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _login(browser, server, username):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/")
    expect(page).to_have_url(f"{server}/login?next=/")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    return page, errors


def _chart_drawn(page, chart_id: str) -> bool:
    return page.evaluate(
        """id => { const el = document.querySelector(`[data-chart="${id}"]`);
                   const inst = el && echarts.getInstanceByDom(el);
                   return !!inst && inst.getOption().series.length > 0 && !!el.querySelector('canvas'); }""",
        chart_id,
    )


def test_login_and_today_panel(browser, server):
    page, errors = _login(browser, server, "leader")
    expect(page.locator("#whoami")).to_contain_text("赵局长")
    expect(page.locator("#city-aqi-value")).to_have_text("25")
    expect(page.locator("#as-of")).to_have_text("2026-04-03 00:00")
    expect(page.locator("#stations tbody tr")).to_have_count(6)
    assert _chart_drawn(page, "chart-24h") and _chart_drawn(page, "chart-map")
    page.screenshot(path=str(ARTIFACTS / "today.png"), full_page=True)
    page.click("#lang-toggle")
    expect(page.locator("#whoami")).to_contain_text("Leader (read-only)")
    expect(page.locator(".aqi-badge small")).to_have_text("Excellent")
    page.click("#lang-toggle")
    assert not errors, errors
    page.close()


def test_year_panel(browser, server):
    page, errors = _login(browser, server, "admin")
    page.goto(f"{server}/year")
    expect(page.locator("h1")).to_contain_text("2016")
    expect(page.locator("#targets tbody tr").first).to_be_visible()
    expect(page.locator("#rank-value")).to_have_text("2")
    expect(page.locator("#warnings li")).to_have_count(1)
    for chart in ("chart-calendar", "chart-composition", "chart-trend"):
        assert _chart_drawn(page, chart), chart
    page.screenshot(path=str(ARTIFACTS / "year.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_create_and_advance_a_case_and_a_refused_action(browser, server):
    inspector, errors = _login(browser, server, "inspector")
    inspector.goto(f"{server}/cases")
    expect(inspector.locator("#overdue-count")).not_to_have_text("0")
    expect(inspector.locator(".case.overdue").first).to_be_visible()
    inspector.click("#new-case")
    inspector.select_option("#category", "露天焚烧")
    inspector.select_option("#district", "天元区")
    inspector.fill("#address", "天元区群丰镇")
    inspector.fill("#description", "浏览器测试：田间焚烧")
    inspector.click("#case-form button[type=submit]")
    expect(inspector.locator("#case-status")).to_have_attribute("data-status", "reported")
    case_url = inspector.url
    # the inspector may not assign: no action offered
    expect(inspector.locator("#no-actions")).to_be_visible()
    inspector.close()

    admin, errors2 = _login(browser, server, "admin")
    admin.goto(case_url)
    form = admin.locator("form[data-action=assign]")
    form.locator("select[name=unit]").select_option("天元区")
    form.locator("button").click()
    expect(admin.locator("#case-status")).to_have_attribute("data-status", "assigned")
    expect(admin.locator("#case-unit")).to_have_text("天元区")
    admin.close()

    officer, errors3 = _login(browser, server, "tianyuan")
    officer.goto(case_url)
    officer.locator("form[data-action=start] button").click()
    expect(officer.locator("#case-status")).to_have_attribute("data-status", "rectifying")
    form = officer.locator("form[data-action=rectify]")
    form.locator("input[name=note]").fill("已扑灭并教育当事人")
    form.locator("button").click()
    expect(officer.locator("#case-status")).to_have_attribute("data-status", "submitted")
    expect(officer.locator("#timeline")).to_contain_text("已扑灭并教育当事人")
    officer.set_input_files(
        "#upload-form input[type=file]",
        files=[
            {"name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100}
        ],
    )
    officer.click("#upload-form button")
    expect(officer.locator("#evidence")).to_contain_text("现场照片.png")
    officer.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)

    # a refused action: the officer opens another unit's case
    officer.goto(f"{server}/cases")
    officer.goto(case_url.rsplit("/", 1)[0] + "/" + str(_lusong_case(server)))
    expect(officer.locator("h1")).to_contain_text("404")
    expect(officer.locator("#error-message")).to_contain_text(f"没有编号为 {_lusong_case(server)} 的问题")
    officer.screenshot(path=str(ARTIFACTS / "refused.png"))
    officer.close()
    assert not (errors or errors2 or errors3)


def _lusong_case(server) -> int:
    import httpx

    with httpx.Client(base_url=server) as c:
        page = c.get("/login")
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        c.post("/login", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": token})
        return c.get("/api/v1/cases", params={"unit": "芦淞区"}).json()["items"][0]["id"]


def test_monthly_assessment_table(browser, server):
    page, errors = _login(browser, server, "leader")
    page.goto(f"{server}/assessment/monthly")
    expect(page.locator("section[data-kind=districts] tbody tr")).to_have_count(5)
    expect(page.locator("section[data-kind=departments] tbody tr")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "monthly.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_api_docs_render_from_the_vendored_swagger_ui(browser, server):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("lantian")
    expect(page.locator(".opblock").first).to_be_visible()
    assert all(u.startswith(server) for u in requested), [u for u in requested if not u.startswith(server)]
    assert not errors, errors
    page.close()
