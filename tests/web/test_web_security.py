"""Security: argon2 passwords, sessions and cookie flags, CSRF, login throttling, API tokens,
uploads (size, type, content), security headers, redirects."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from webtools import api, csrf_of, login, make_settings, web_settings

from lantian.web import create_app
from lantian.web.security import LoginThrottle, hash_password, verify_password

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_passwords_are_argon2id_and_checked():
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "correct horse")
    assert not verify_password(h, "wrong horse")
    assert not verify_password(None, "anything")


def test_login_sets_secure_cookie_flags(app):
    with TestClient(app) as c:
        page = c.get("/login")
        r = c.post(
            "/login",
            data={"username": "leader", "password": "lantian-leader", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_secure_flag_with_https(tmp_path):
    app = create_app(make_settings(tmp_path), web_settings(https=True))
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()


def test_wrong_password_and_csrf_on_login(app):
    with TestClient(app) as c:
        page = c.get("/login")
        r = c.post(
            "/login", data={"username": "leader", "password": "nope-nope", "csrf_token": csrf_of(page.text)}
        )
        assert r.status_code == 401 and "用户名或密码错误" in r.text
        r = c.post(
            "/login", data={"username": "leader", "password": "lantian-leader", "csrf_token": "forged"}
        )
        assert r.status_code == 403 and "CSRF" in r.text


def test_login_rate_limited_per_ip_and_user(tmp_path):
    app = create_app(make_settings(tmp_path), web_settings(login_attempts=3))
    with TestClient(app) as c:
        token = csrf_of(c.get("/login").text)
        for _ in range(3):
            r = c.post("/login", data={"username": "admin", "password": "bad-password", "csrf_token": token})
            assert r.status_code == 401
        r = c.post("/login", data={"username": "admin", "password": "lantian-admin", "csrf_token": token})
        assert r.status_code == 429 and "过多" in r.text
        # another user from the same address is not blocked
        r = c.post(
            "/login",
            data={"username": "leader", "password": "lantian-leader", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303


def test_throttle_window_expires():
    clock = [0.0]
    t = LoginThrottle(2, 60, clock=lambda: clock[0])
    t.failed("1.2.3.4", "a")
    t.failed("1.2.3.4", "A ")
    assert t.retry_after("1.2.3.4", "a") > 0
    clock[0] = 61
    assert t.retry_after("1.2.3.4", "a") == 0


def test_forms_need_the_session_csrf_token(app):
    with TestClient(app) as c:
        login(c, "inspector")
        c.headers.pop("X-CSRF-Token")
        r = c.post(
            "/cases",
            data={
                "source": "patrol",
                "category": "其他",
                "severity": "low",
                "district": "天元区",
                "address": "a",
                "description": "b",
                "csrf_token": "forged",
            },
        )
        assert r.status_code == 403


def test_logout_ends_the_session(app):
    with TestClient(app) as c:
        login(c, "leader")
        assert c.get("/cases").status_code == 200
        r = c.post("/logout", follow_redirects=False)
        assert r.status_code == 303
        r = c.get("/cases", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_api_tokens_are_stored_hashed_and_revocable(app):
    with TestClient(app) as c:
        login(c, "leader")
        page = c.post("/tokens", data={"name": "script"}, follow_redirects=True).text
        token = re.search(r'id="new-token">([^<]+)<', page).group(1)
        assert token.startswith("lt_")
        assert api(app, token).get("/api/v1/me").json()["username"] == "leader"
        with app.state.backend.db.engine.connect() as conn:
            stored = [row[0] for row in conn.exec_driver_sql("SELECT digest FROM api_tokens")]
        assert token not in stored and all(len(d) == 64 for d in stored)
        ids = re.findall(r'action="/tokens/(\d+)/revoke"', c.get("/tokens").text)
        c.post(f"/tokens/{ids[-1]}/revoke")
        assert api(app, token).get("/api/v1/me").status_code == 401


def test_security_headers(app):
    r = TestClient(app).get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_open_redirect_refused(app):
    with TestClient(app) as c:
        r = c.get("/lang/en", params={"next": "//evil.example"}, follow_redirects=False)
        assert r.headers["location"] == "/"
        page = c.get("/login")
        r = c.post(
            "/login",
            data={
                "username": "leader",
                "password": "lantian-leader",
                "csrf_token": csrf_of(page.text),
                "next": "https://evil.example/",
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"


def _a_case(app, tokens, unit="天元区"):
    return api(app, tokens["admin"]).get("/api/v1/cases", params={"unit": unit}).json()["items"][0]["id"]


def test_upload_accepts_a_real_image_and_serves_it_back(app, tokens):
    cid = _a_case(app, tokens)
    with TestClient(app) as c:
        login(c, "tianyuan")
        r = c.post(
            f"/cases/{cid}/evidence", files={"file": ("现场.png", PNG, "image/png")}, follow_redirects=False
        )
        assert r.status_code == 303
        page = c.get(f"/cases/{cid}").text
        link = re.findall(rf'href="(/cases/{cid}/evidence/\d+)">现场.png<', page)
        assert link
        got = c.get(link[-1])
        assert got.status_code == 200 and got.content == PNG
        assert (
            got.headers["content-type"] == "image/png" and "attachment" in got.headers["content-disposition"]
        )


def test_upload_refusals(tmp_path, tokens):
    app = create_app(make_settings(tmp_path), web_settings(max_upload_bytes=1024))
    with TestClient(app) as c:
        login(c, "admin")
        cid = c.get("/api/v1/cases", params={"unit": "天元区"}).json()["items"][0]["id"]
        r = c.post(f"/cases/{cid}/evidence", files={"file": ("big.png", PNG + b"\x00" * 2048, "image/png")})
        assert r.status_code == 413
        r = c.post(
            f"/cases/{cid}/evidence",
            files={"file": ("run.exe", b"MZ" + b"\x00" * 10, "application/x-msdownload")},
        )
        assert r.status_code == 415 and "不接受 .exe 类型的文件" in r.text
        r = c.post(
            f"/cases/{cid}/evidence", files={"file": ("fake.png", b"GIF89a" + b"\x00" * 10, "image/png")}
        )
        assert r.status_code == 415 and "fake.png：文件内容不是 PNG" in r.text
        assert app.state.backend.case(app.state.backend.principal(1), cid, "zh")["evidence"] == []


def test_officer_cannot_upload_to_another_units_case(app, tokens):
    cid = _a_case(app, tokens, unit="芦淞区")
    with TestClient(app) as c:
        login(c, "tianyuan")
        r = c.post(f"/cases/{cid}/evidence", files={"file": ("x.png", PNG, "image/png")})
        assert r.status_code == 404  # another unit's case does not exist for the officer
    assert not (app.state.backend.evidence_dir / str(cid)).exists()
