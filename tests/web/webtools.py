"""Helpers of the web tests: the demo data directory, logins through the form, API clients."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from lantian.config import Settings
from lantian.web.demo import DEMO_USERS, demo_settings, load_demo
from lantian.web.settings import WebSettings

PASSWORDS = {u: p for u, p, _r, _unit in DEMO_USERS}
ROLE_USER = {"admin": "admin", "inspector": "inspector", "leader": "leader", "officer": "tianyuan"}
SECRET = "test-secret-" + "x" * 40


def make_settings(root: Path) -> Settings:
    settings = Settings(
        data_dir=root, store=root / "store", database_url=f"sqlite:///{root / 'lantian.db'}", extra={}
    )
    load_demo(settings)
    return demo_settings(settings)


def web_settings(**kw) -> WebSettings:
    return WebSettings(secret_key=SECRET, **kw)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str | None = None) -> TestClient:
    """Log ``client`` in through the login form; afterwards it sends the session's CSRF token."""
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    client.headers["X-CSRF-Token"] = csrf_of(client.get("/tokens").text)
    return client


def api(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})
