"""A new office, end to end, as its people do it (issue "Deployable by a real office", Done when 1):
``lantian init`` → ``lantian serve`` (both started as a user starts them, in a fresh data directory) →
in real Chromium the administrator logs in, adds two districts and the people of the office with their
passwords, records two problems and assigns them, logs out; the district's officer logs in, sees only
the district's case, rectifies it with a photo; the inspector verifies it on site; the leader downloads
the month's 月考核通报 as PDF from the monthly page. Screenshots: test-artifacts/e2e/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from lantian.clock import SYSTEM_CLOCK

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
LANTIAN = str(Path(sys.executable).with_name("lantian"))
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005ff02fea7d5f1b40000000049454e44ae426082"
)
PEOPLE = {  # user name: (display name, role, unit, password)
    "wang": ("王主任", "admin", None, "wang-office-2026"),
    "ty": ("天元区联络员", "officer", "天元区", "tianyuan-2026!"),
    "li": ("李巡查", "inspector", None, "li-inspect-2026"),
    "zhao": ("赵局长", "leader", None, "zhao-leader-2026"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A fresh deployment: ``lantian init`` then ``lantian serve`` in their own processes."""
    home = tmp_path_factory.mktemp("office")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTIAN_")}
    env.update({"LANTIAN_HOME": str(home / "data"), "LANTIAN_CITY": "株洲"})
    _, _, _, password = PEOPLE["wang"]
    init = subprocess.run(
        [LANTIAN, "init", "--admin", "wang", "--name", "王主任", "--office", "株洲市蓝天办", "--password-stdin"],
        input=f"{password}\n", capture_output=True, text=True, env=env, cwd=home, timeout=120,
    )
    assert init.returncode == 0, init.stderr
    port = _free_port()
    server = subprocess.Popen(
        [LANTIAN, "serve", "--port", str(port)], env=env, cwd=home,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail(f"lantian serve did not start: {server.stdout.read()}")
    yield url
    server.terminate()
    server.wait(timeout=20)


def _login(browser, url: str, username: str, shots: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page.goto(f"{url}/")
    page.fill("#username", username)
    page.fill("#password", PEOPLE[username][3])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.screenshot(path=str(ARTIFACTS / f"{shots}-login.png"))
    return page


def _logout(page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login")
    page.close()


def _act(page, action: str, note: str | None = None, unit: str | None = None) -> None:
    form = page.locator(f"form[data-action='{action}']")
    if unit:
        form.locator("select[name=unit]").select_option(unit)
    if note:
        form.locator("input[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_new_office_runs_its_cycle_in_the_browser(office, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = office
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        # the administrator sets up the office
        admin = _login(browser, url, "wang", "1-admin")
        admin.goto(f"{url}/admin/users")
        for name in ("天元区", "芦淞区"):
            admin.fill("#unit-form input[name=name]", name)
            admin.select_option("#unit-form select[name=kind]", "district")
            admin.click("#unit-form button[type=submit]")
            expect(admin.locator(".flash.ok")).to_contain_text(f"已添加单位 {name}")
        for username, (display, role, unit, password) in PEOPLE.items():
            if username == "wang":
                continue
            admin.fill("#add-user input[name=username]", username)
            admin.fill("#add-user input[name=display_name]", display)
            admin.select_option("#add-user select[name=role]", role)
            admin.select_option("#add-user select[name=unit]", unit or "")
            admin.fill("#add-user input[name=password]", password)
            admin.click("#add-user button[type=submit]")
            expect(admin.locator(".flash.ok")).to_contain_text(f"已创建用户 {username}")
        admin.screenshot(path=str(ARTIFACTS / "1-admin-users.png"), full_page=True)
        cases = {}
        for district, address in (("天元区", "泰山路 88 号工地"), ("芦淞区", "建设路 12 号")):
            admin.goto(f"{url}/cases/new")
            admin.select_option("#category", "扬尘")
            admin.select_option("#district", district)
            admin.fill("#address", address)
            admin.fill("#description", f"{district}工地裸土未覆盖")
            admin.click("#case-form button[type=submit]")
            expect(admin.locator("#case-status")).to_have_attribute("data-status", "reported")
            cases[district] = admin.url
            _act(admin, "assign", unit=district)
            expect(admin.locator("#case-status")).to_have_attribute("data-status", "assigned")
        admin.screenshot(path=str(ARTIFACTS / "1-admin-case.png"), full_page=True)
        _logout(admin)

        # the district's officer sees only the district's case and rectifies it with a photo
        officer = _login(browser, url, "ty", "2-officer")
        officer.goto(f"{url}/cases")
        expect(officer.locator("#board article.case")).to_have_count(1)
        expect(officer.locator("#board")).to_contain_text("天元区工地裸土未覆盖")
        expect(officer.locator("#board")).not_to_contain_text("芦淞区工地裸土未覆盖")
        officer.goto(cases["天元区"])
        _act(officer, "start")
        photo = tmp_path / "整改后.png"
        photo.write_bytes(PNG)
        officer.set_input_files("#upload-form input[type=file]", str(photo))
        officer.click("#upload-form button[type=submit]")
        expect(officer.locator("#evidence")).to_contain_text("整改后.png")
        _act(officer, "rectify", note="已全部覆盖防尘网，见照片")
        expect(officer.locator("#case-status")).to_have_attribute("data-status", "submitted")
        officer.screenshot(path=str(ARTIFACTS / "2-officer-case.png"), full_page=True)
        officer.goto(cases["芦淞区"])
        expect(officer.locator("h1")).to_contain_text("未找到")
        _logout(officer)

        # the inspector verifies on site
        inspector = _login(browser, url, "li", "3-inspector")
        inspector.goto(cases["天元区"])
        _act(inspector, "verify", note="现场核查：已整改到位")
        expect(inspector.locator("#case-status")).to_have_attribute("data-status", "closed")
        inspector.screenshot(path=str(ARTIFACTS / "3-inspector-case.png"), full_page=True)
        _logout(inspector)

        # the leader downloads the month's notice
        leader = _login(browser, url, "zhao", "4-leader")
        month = SYSTEM_CLOCK.today().strftime("%Y-%m")
        leader.goto(f"{url}/assessment/monthly?period={month}")
        leader.screenshot(path=str(ARTIFACTS / "4-leader-monthly.png"), full_page=True)
        with leader.expect_download() as info:
            leader.click("#report-downloads a[data-fmt=pdf]")
        pdf = tmp_path / "notice.pdf"
        info.value.save_as(pdf)
        assert "月考核通报" in info.value.suggested_filename
        _logout(leader)
        browser.close()

    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "天元区" in text and "芦淞区" in text
        shutil.copy(pdf, ARTIFACTS / "4-leader-notice.pdf")
