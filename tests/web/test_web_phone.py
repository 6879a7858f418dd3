"""The dashboard on a phone (390 × 844, the CSS viewport of a common phone) and on a desk (1440 px), in real
headless Chromium (Debian ``chromium``) driven by Playwright, against the app served by uvicorn on 127.0.0.1.

For every role and every page the role can open: no horizontal overflow at 390 px
(``document.documentElement.scrollWidth`` at most the viewport width; the assertion names the element that
sticks out), the menu collapsed until its button is pressed. Full-page screenshots at both widths go to
test-artifacts/phone/ (kept by CI as artifacts)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright
from webtools import PASSWORDS, ROLE_USER, web_settings

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
    "--lang=zh-CN",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "phone"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}

# Elements that stick out of the viewport, outside any container that scrolls or clips them: what makes
# the page scroll sideways. The widest first.
_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5 || clipped(el)) continue;
    out.push({el: name(el), parent: el.parentElement ? name(el.parentElement) : '', right: Math.round(r.right),
              width: Math.round(r.width), text: (el.textContent || '').trim().slice(0, 40)});
  }
  out.sort((a, b) => b.right - a.right);
  return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, offenders: out.slice(0, 5)};
}"""


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
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _context(browser, server, username: str | None):
    """A browser context (its own cookies) logged in as ``username`` through the form, or anonymous."""
    ctx = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    if username is not None:
        page = ctx.new_page()
        page.goto(f"{server}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORDS[username])
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        page.close()
    return ctx


def _pages(ctx, server, role: str) -> list[tuple[str, str]]:
    """(name, path) of every page ``role`` can open: the menu's pages, the new-case form where the role may
    create, the first case the role sees on its board, the account pages linked from the menu."""
    page = ctx.new_page()
    page.goto(f"{server}/")
    menu = [a.get_attribute("href") for a in page.locator("header.top nav a[href^='/']").all()]
    extra = [a.get_attribute("href") for a in page.locator("header.top .who a[href^='/account']").all()]
    page.goto(f"{server}/cases")
    href = page.locator("#board article.case a").first.get_attribute("href")
    assert href and href.startswith("/cases/"), f"{role}: no case on the board"
    page.close()
    names = {"/": "today", "/assessment/monthly": "monthly", "/admin/users": "users"}
    pages = [(names.get(h, h.strip("/").replace("/", "-")), h) for h in menu if not h.startswith("/api/")]
    assert ("cases", "/cases") in pages and ("year", "/year") in pages, f"{role}: menu {menu}"
    if role in ("admin", "inspector"):
        pages.append(("case_new", "/cases/new"))
    pages.append(("case", href))
    pages += [(h.strip("/").replace("/", "-"), h) for h in extra]  # the account pages the menu links to
    return pages


def _check_page(ctx, server, path: str, shot: str, logged_in: bool) -> list[str]:
    """Open ``path`` at 1440 px and at 390 px, write both screenshots, check the width and the menu at
    390 px. Returns the page's script errors."""
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{path}: {e}"))
    page.set_viewport_size(DESK)
    resp = page.goto(f"{server}{path}")
    assert resp is not None and resp.status == 200, f"{path}: status {resp and resp.status}"
    page.wait_for_load_state("load")
    if logged_in:
        expect(page.locator("#nav-toggle")).to_be_hidden()
        expect(page.locator("header.top nav a").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"{shot}-1440.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)  # charts resize after the viewport changes
    found = page.evaluate(_OVERFLOW_JS)
    assert found["scrollWidth"] <= PHONE["width"], (
        f"{path} at {PHONE['width']} px is {found['scrollWidth']} px wide; sticking out: {found['offenders']}"
    )
    page.screenshot(path=str(ARTIFACTS / f"{shot}-390.png"), full_page=True)
    if logged_in:
        nav_link = page.locator("header.top nav a").first
        toggle = page.locator("#nav-toggle")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(nav_link).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(nav_link).to_be_visible()
        expect(page.locator("header.top nav a").last).to_be_visible()
        opened = page.evaluate("() => document.documentElement.scrollWidth")
        assert opened <= PHONE["width"], f"{path}: the open menu makes the page {opened} px wide"
        page.screenshot(path=str(ARTIFACTS / f"{shot}-390-menu.png"))
        toggle.click()
        expect(nav_link).to_be_hidden()
    page.close()
    return errors


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_page_fits_a_phone_for_every_role(browser, server, role):
    ctx = _context(browser, server, ROLE_USER[role])
    errors: list[str] = []
    for name, path in _pages(ctx, server, role):
        errors += _check_page(ctx, server, path, f"{role}-{name}", logged_in=True)
    ctx.close()
    assert not errors, errors


def test_every_page_fits_a_phone_in_english(browser, server):
    """The English texts are longer: the administrator, who opens every page, with the language toggled."""
    ctx = _context(browser, server, "admin")
    page = ctx.new_page()
    page.goto(f"{server}/lang/en?next=/")
    expect(page.locator("#nav-toggle")).to_have_text("Menu")
    page.close()
    errors: list[str] = []
    for name, path in _pages(ctx, server, "admin"):
        errors += _check_page(ctx, server, path, f"en-admin-{name}", logged_in=True)
    ctx.close()
    assert not errors, errors


def test_login_page_fits_a_phone(browser, server):
    ctx = _context(browser, server, None)
    errors = _check_page(ctx, server, "/login", "anonymous-login", logged_in=False)
    page = ctx.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/login")
    expect(page.locator("#lang-toggle")).to_be_visible()  # no menu to open before logging in
    expect(page.locator("#nav-toggle")).to_have_count(0)
    page.close()
    ctx.close()
    assert not errors, errors


def _pie_labels(page) -> dict:
    """The pie's label option and, per item, the lines of its label as drawn (after ECharts' layout, which
    cuts a label that does not fit to "NO2..." unless told not to), its box in the chart's pixels and
    whether it is hidden."""
    return page.evaluate(
        """() => {
      const el = document.querySelector('[data-chart="chart-composition"]');
      const chart = echarts.getInstanceByDom(el);
      const series = chart.getOption().series[0];
      const data = chart.getModel().getSeriesByIndex(0).getData();
      const items = [];
      for (let i = 0; i < data.count(); i++) {
        const label = data.getItemGraphicEl(i).getTextContent();
        const lines = label ? label.childrenRef().filter(c => c.type === 'tspan').map(c => c.style.text) : [];
        let box = null;
        if (label) {
          const r = label.getBoundingRect().clone();
          const m = label.getComputedTransform();
          if (m) r.applyTransform(m);
          box = {left: r.x, right: r.x + r.width, top: r.y, bottom: r.y + r.height};
        }
        items.push({name: data.getName(i), lines, box, hidden: !label || !!label.ignore || !!label.invisible});
      }
      return {label: series.label, items, width: el.clientWidth, height: el.clientHeight};
    }"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1440"])
def test_composite_pie_labels_are_whole(browser, server, viewport):
    """Every item of the composite-index pie is drawn with its whole name (HJ 663 items: SO2, NO2, PM10,
    PM2.5, CO P95, O3-8h P90): no label cut to "N…"."""
    ctx = _context(browser, server, "leader")
    page = ctx.new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{server}/year")
    page.wait_for_load_state("load")
    info = _pie_labels(page)
    assert info["items"], "the pie has no item"
    assert info["label"].get("overflow") in (None, "none"), info["label"]
    for item in info["items"]:
        drawn = "".join(item["lines"])
        assert not item["hidden"], f"{item['name']}: label hidden at {viewport['width']} px"
        assert item["name"] in drawn and not drawn.endswith(("...", "…")), (
            f"{item['name']!r} drawn as {item['lines']} at {viewport['width']} px"
        )
        box = item["box"]
        assert box["left"] >= 0 and box["right"] <= info["width"] and box["top"] >= 0, (
            f"{item['name']!r}: label {box} leaves the chart ({info['width']} × {info['height']} px)"
        )
    ctx.close()


_PRINT_JS = """() => {
  const visible = el => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
                          return r.width > 0 && r.height > 0 && st.visibility !== 'hidden'; };
  const main = document.querySelector('main').getBoundingClientRect().width;
  const body = getComputedStyle(document.body);
  return {
    header: visible(document.querySelector('header.top')),
    controls: [...document.querySelectorAll('form, button, input, select, textarea, .button')].filter(visible)
      .map(el => el.outerHTML.slice(0, 80)),
    background: body.backgroundColor, colour: body.color, main,
    tables: [...document.querySelectorAll('main table')].map(t => Math.round(t.getBoundingClientRect().width)),
  };
}"""


@pytest.mark.parametrize("which", ["case", "monthly"])
def test_print_stylesheet(browser, server, which):
    """Printed, the case page and the monthly assessment are black on white, without the menu, buttons
    or forms, their tables over the whole width. The printed page goes to test-artifacts/phone/ as PDF."""
    ctx = _context(browser, server, "admin")
    page = ctx.new_page()
    if which == "case":
        page.goto(f"{server}/cases")
        path = page.locator("#board article.case a").first.get_attribute("href")
    else:
        path = "/assessment/monthly"
    page.goto(f"{server}{path}")
    page.emulate_media(media="print")
    got = page.evaluate(_PRINT_JS)
    assert not got["header"], f"{path}: the menu is printed"
    assert not got["controls"], f"{path}: printed controls {got['controls']}"
    assert (got["background"], got["colour"]) == ("rgb(255, 255, 255)", "rgb(0, 0, 0)"), got
    assert got["tables"] and all(w >= got["main"] - 1 for w in got["tables"]), (
        f"{path}: printed tables {got['tables']} px narrower than the page ({got['main']} px)"
    )
    page.screenshot(path=str(ARTIFACTS / f"print-{which}.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / f"print-{which}.pdf"), format="A4")
    ctx.close()
