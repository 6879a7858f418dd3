"""Sessions are kept on the server and end at logout; a new API token never travels in the cookie; a
token cannot mint tokens (lantian.web.sessions, Alembic revision 0004)."""

from __future__ import annotations

import base64
import json
import re

from fastapi.testclient import TestClient
from webtools import api, csrf_of, login


def _payload(cookie: str) -> dict:
    data = cookie.split(".")[0]  # itsdangerous: base64(JSON).timestamp.signature
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def test_defect_11_session_cookie_dead_after_logout(app):
    with TestClient(app) as c:
        login(c, "inspector")
        kept = c.cookies.get("lantian_session")
        csrf = c.headers["X-CSRF-Token"]
        assert c.get("/cases", follow_redirects=False).status_code == 200
        c.post("/logout")
    with TestClient(app) as thief:  # the cookie copied before logout
        thief.cookies.set("lantian_session", kept)
        r = thief.get("/cases", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        r = thief.post("/cases/1/comments", data={"text": "still here", "csrf_token": csrf},
                       headers={"X-CSRF-Token": csrf}, follow_redirects=False)
        assert r.status_code in (303, 401)
        assert "still here" not in thief.get("/cases/1").text


def test_defect_11_new_token_not_in_the_session_cookie(app):
    with TestClient(app) as c:
        login(c, "leader")
        page = c.post(
            "/tokens", data={"name": "probe", "csrf_token": csrf_of(c.get("/tokens").text)}, follow_redirects=False
        )
        assert page.status_code == 201  # the token is in this answer, not behind a redirect
        token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
        for header in page.headers.get_list("set-cookie"):
            value = header.split(";")[0].split("=", 1)[1]
            assert token not in json.dumps(_payload(value))
        assert token not in json.dumps(_payload(c.cookies.get("lantian_session")))
        assert token not in c.get("/tokens").text  # shown once


def test_defect_11_a_token_cannot_mint_tokens(app, tokens):
    c = api(app, tokens["admin"])
    r = c.post("/tokens", data={"name": "minted"})
    assert r.status_code == 403


def _new_token(app, username: str, **form) -> str:
    with TestClient(app) as c:
        login(c, username)
        page = c.post("/tokens", data={"name": "scoped", **form})
        return re.search(r'id="new-token">([^<]+)<', page.text).group(1)


def test_defect_11_read_token_cannot_write(app):
    token = _new_token(app, "admin", scope="read")
    c = api(app, token)
    assert c.get("/api/v1/me").status_code == 200
    r = c.post("/api/v1/cases", json={"source": "patrol", "category": "扬尘", "severity": "low",
                                      "district": "天元区", "address": "x", "description": "y"})
    assert r.status_code == 403 and "只读" in r.json()["error"]["message"]


def test_defect_11_expired_token_opens_nothing(app):
    from sqlalchemy import update

    from lantian.web.security import token_digest
    from lantian.web.tokens import api_tokens

    token = _new_token(app, "leader", days="1")
    assert api(app, token).get("/api/v1/me").status_code == 200
    backend = app.state.backend
    with backend.db.engine.begin() as conn:  # a day and a second later
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.digest == token_digest(token))
            .values(expires_at=backend.clock.now())
        )
    assert api(app, token).get("/api/v1/me").status_code == 401


def test_defect_11_password_spraying_from_one_address_is_throttled():
    """Failures are also counted per client address across user names (LoginThrottle.IP_FACTOR)."""
    from lantian.web.security import LoginThrottle

    t = LoginThrottle(2, 60, clock=lambda: 0.0)
    names = [f"user{i}" for i in range(2 * LoginThrottle.IP_FACTOR)]
    for name in names:  # one failure per name: never the per-user limit
        assert t.retry_after("10.0.0.9", name) == 0
        t.failed("10.0.0.9", name)
    assert t.retry_after("10.0.0.9", "someone-else") > 0
    assert t.retry_after("10.0.0.10", "someone-else") == 0  # another client is not locked out


def test_defect_11_serve_trusts_forwarded_addresses_only_from_the_named_proxy(monkeypatch):
    import uvicorn

    from lantian.cli import web_cmd

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setattr("lantian.web.create_app", lambda settings: object())
    web_cmd._run(None, "127.0.0.1", 8000)
    assert seen["proxy_headers"] is False
    web_cmd._run(None, "127.0.0.1", 8000, "127.0.0.1")
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "127.0.0.1"
