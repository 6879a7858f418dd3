"""Accounts in the web: an administrator creates, disables, enables and resets users; every user changes
their own password. A disabled user's session and API token get 401 on the next request; a password
change or reset ends the user's other sessions (issue "Deployable by a real office", Build 1; the data-
safety issue's "logout, password change and user disable end them")."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webtools import api, csrf_of, login, make_settings, web_settings

from lantian.web import create_app

NEW_PASSWORD = "tianyuan-new-2026"


@pytest.fixture()
def own_app(tmp_path):
    """A demo deployment of its own: these tests disable users and change passwords."""
    return create_app(make_settings(tmp_path), web_settings())


def _token(app, username: str) -> str:
    with TestClient(app) as c:
        login(c, username)
        r = c.post("/tokens", data={"name": "t", "scope": "read"}, follow_redirects=True)
        return re.search(r'id="new-token">([^<]+)<', r.text).group(1)


def test_admin_creates_a_user_with_a_password_who_can_log_in(own_app):
    with TestClient(own_app) as admin:
        login(admin, "admin")
        r = admin.post(
            "/admin/users",
            data={"username": "yuhu", "display_name": "雨湖联络员", "role": "officer", "unit": "天元区",
                  "password": "short"},
        )
        assert r.status_code == 422 and "至少需要 10 个字符" in r.text  # setting password_min_length
        r = admin.post(
            "/admin/users",
            data={"username": "yuhu", "display_name": "雨湖联络员", "role": "officer", "unit": "天元区",
                  "password": "yuhu"},
        )
        assert r.status_code == 422
        r = admin.post(
            "/admin/users",
            data={"username": "yuhu-district", "display_name": "雨湖联络员", "role": "officer", "unit": "天元区",
                  "password": "YUHU-District"},
        )
        assert r.status_code == 422 and "不能与用户名相同" in r.text
        r = admin.post(
            "/admin/users",
            data={"username": "yuhu", "display_name": "雨湖联络员", "role": "officer", "unit": "天元区",
                  "password": "yuhu-password-1"},
        )
        assert r.status_code == 200 and "已创建用户 yuhu" in r.text
    with TestClient(own_app) as officer:
        login(officer, "yuhu", "yuhu-password-1")
        assert "雨湖联络员" in officer.get("/cases").text


def test_disabled_user_session_and_token_get_401_at_once(own_app):
    token = _token(own_app, "tianyuan")
    with TestClient(own_app) as officer, TestClient(own_app) as admin:
        login(officer, "tianyuan")
        assert officer.get("/api/v1/cases").status_code == 200
        assert api(own_app, token).get("/api/v1/cases").status_code == 200
        login(admin, "admin")
        r = admin.post("/admin/users/tianyuan/disable")
        assert r.status_code == 200 and "已停用用户 tianyuan" in r.text
        assert officer.get("/api/v1/cases").status_code == 401
        page = officer.get("/cases", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert api(own_app, token).get("/api/v1/cases").status_code == 401
        with TestClient(own_app) as fresh:  # a disabled user cannot log in again
            page = fresh.get("/login")
            r = fresh.post("/login", data={"username": "tianyuan", "password": "lantian-tianyuan",
                                           "csrf_token": csrf_of(page.text)})
            assert r.status_code == 401
        admin.post("/admin/users/tianyuan/enable")
        assert api(own_app, token).get("/api/v1/cases").status_code == 200  # tokens work again once enabled
    with TestClient(own_app) as officer:
        login(officer, "tianyuan")


def test_admin_cannot_disable_themself(own_app):
    with TestClient(own_app) as admin:
        login(admin, "admin")
        r = admin.post("/admin/users/admin/disable")
        assert r.status_code == 409 and "不能停用自己的账号" in r.text
        assert admin.get("/cases").status_code == 200


def test_password_change_ends_the_other_sessions(own_app):
    with TestClient(own_app) as phone, TestClient(own_app) as desk:
        login(phone, "tianyuan")
        login(desk, "tianyuan")
        page = desk.get("/account/password")
        assert page.status_code == 200 and "修改密码" in page.text
        r = desk.post("/account/password", data={"current": "wrong-password", "new": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
        assert r.status_code == 422 and "当前密码不正确" in r.text
        r = desk.post("/account/password", data={"current": "lantian-tianyuan", "new": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD + "x"})
        assert r.status_code == 422 and "两次输入的新密码不一致" in r.text
        r = desk.post("/account/password", data={"current": "lantian-tianyuan", "new": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}, follow_redirects=False)
        assert r.status_code == 303
        assert desk.get("/cases").status_code == 200  # this browser keeps a new session
        assert phone.get("/api/v1/cases").status_code == 401  # the other one is logged out
    with TestClient(own_app) as again:
        login(again, "tianyuan", NEW_PASSWORD)


def test_admin_reset_gives_a_one_time_password_that_must_be_changed(own_app):
    with TestClient(own_app) as officer, TestClient(own_app) as admin:
        login(officer, "lusong")
        login(admin, "admin")
        r = admin.post("/admin/users/lusong/reset")
        assert r.status_code == 200
        secret = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
        assert secret not in admin.get("/admin/users").text  # shown once
        assert officer.get("/api/v1/cases").status_code == 401  # the reset ended the session
    with TestClient(own_app) as officer:
        login(officer, "lusong", secret)
        r = officer.get("/cases", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/account/password"
        assert officer.get("/api/v1/cases").status_code == 403
        assert "一次性密码" in officer.get("/account/password").text
        r = officer.post("/account/password", data={"current": secret, "new": "lusong-own-pass",
                                                    "confirm": "lusong-own-pass"}, follow_redirects=False)
        assert r.status_code == 303
        assert officer.get("/cases", follow_redirects=False).status_code == 200
