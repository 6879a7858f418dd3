"""Chinese throughout: every page and every error a user meets reads Chinese in Chinese mode, and the
errors read English in English mode.

The check for "an English sentence" is deliberately small: a run of two or more ASCII words of letters
(each of at least two letters) in the visible text, after removing the names that stay as they are in
Chinese text (pollutant names, units, file formats, the demo's user names, the command ``lantian``...).
Visible text is the HTML without tags, scripts, styles and attribute values; for JSON it is
``error.message``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from webtools import ROLE_USER, api, login, make_settings, web_settings

from lantian.web import create_app
from lantian.web.demo import DEMO_USERS

# https://www.w3.org/TR/png/ §5.2: the eight-byte PNG signature, then enough bytes to be a file.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

#: Words that stay as they are in a Chinese text: codes, units, formats, names and headers.
ALLOWED = {
    *(
        w.lower()
        for w in (
            "AQI API PM2.5 PM10 O3 NO2 SO2 CO CSV JSON PDF XLSX PNG JPEG WebP HTTPS CSRF Bearer "
            "Authorization English MB KB lantian ingest zh en"
        ).split()
    ),
    *(u for u, *_ in DEMO_USERS),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.]*")
#: Two ASCII words of letters next to each other (only spaces and ASCII punctuation between them).
_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?:[ \t\r\n,;:.!?'\"()/\-]+[A-Za-z]{2,})+(?![A-Za-z0-9])")
#: An address (``http://…``) and a command hint (``lantian case list``) are not sentences.
_URL = re.compile(r"https?://\S+")
#: A file name (``fake.png``) is one word, not two.
_FILE = re.compile(r"\b[\w\-]+\.(?:png|jpe?g|webp|pdf|xlsx|csv|json|exe)\b", re.IGNORECASE)
_COMMAND = re.compile(r"\blantian(?: [a-z][a-z-]*){1,2}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    # each text node apart: words of two neighbouring elements are not one sentence
    return "\n|\n".join(p.strip() for p in parser.parts if p.strip())


def english_runs(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """The runs of ASCII words in ``text`` that are not codes, units, names, addresses or commands,
    nor ``data`` (texts that users typed, shown back as they are)."""
    for typed in data:
        text = text.replace(typed, " ")
    text = _URL.sub(" ", text)
    text = _FILE.sub(" ", text)
    text = _COMMAND.sub(" ", text)
    cleaned = _WORD.sub(lambda m: " " if m.group(0).lower().rstrip(".") in ALLOWED else m.group(0), text)
    cleaned = cleaned.replace("|", "。")
    return [m.group(0) for m in _RUN.finditer(cleaned)]


def text_of(resp) -> str:
    if resp.headers.get("content-type", "").startswith("application/json"):
        return resp.json()["error"]["message"]
    return visible(resp.text)


#: The names of the API tokens that the ``tokens`` fixture creates: data typed by a user, not interface text.
TOKEN_NAMES = tuple(f"{role} test" for role in ROLE_USER)


def assert_chinese(resp, what: str) -> None:
    runs = english_runs(text_of(resp), TOKEN_NAMES)
    assert not runs, f"{what} ({resp.status_code}) shows English: {runs}"


def test_the_check_catches_an_english_sentence_and_lets_codes_pass():
    assert english_runs("invalid request: name: String should have at least 1 character") != []
    assert english_runs("<p>file type .exe not accepted</p>") != []
    assert english_runs("fake.png：文件内容不是 PNG") == []
    assert english_runs("城市 AQI 为 85，首要污染物 PM2.5；导入数据（lantian ingest）") == []
    assert english_runs("admin 的令牌；Authorization: Bearer <API 令牌>") == []
    assert english_runs("请在问题列表（lantian case list）中查看；curl http://example.org/api/v1/me") == []
    assert english_runs("lantian case list then try again") != []
    assert visible("<p title='not shown here'>可见</p><script>var a = 'not text';</script>") == "可见"


def _case_of(app, token: str) -> int:
    items = api(app, token).get("/api/v1/cases").json()["items"]
    assert items, "the demo gives every role a case to see"
    return items[0]["id"]


PAGES = (
    "/",
    "/year",
    "/province",
    "/analysis",
    "/cases",
    "/cases/new",
    "/patrol",
    "/cycle/weekly",
    "/cycle/quarterly",
    "/assessment/monthly",
    "/tokens",
    "/reports/archive",
    "/notifications",
    "/admin/users",
    "/account/password",
)


@pytest.mark.parametrize("role", sorted(ROLE_USER))
def test_every_page_of_every_role_reads_chinese(app, tokens, role):
    cid = _case_of(app, tokens[role])
    with TestClient(app) as c:
        login(c, ROLE_USER[role])
        for path in (*PAGES, f"/cases/{cid}"):
            r = c.get(path)
            assert r.status_code in (200, 403), (path, r.status_code)
            assert _CJK.search(visible(r.text)), path
            assert_chinese(r, f"{role} {path}")


def test_the_login_page_reads_chinese(app):
    with TestClient(app) as c:
        r = c.get("/login")
        assert r.status_code == 200
        assert_chinese(r, "/login")
        r = c.post("/login", data={"username": "admin", "password": "wrong-password", "csrf_token": "x"})
        assert_chinese(r, "login without the form's CSRF code")


def test_errors_of_the_pages_and_the_api_read_chinese(app, tokens):
    admin, officer = api(app, tokens["admin"]), api(app, tokens["officer"])
    submitted = admin.get("/api/v1/cases", params={"status": "submitted"}).json()["items"]
    other = admin.get("/api/v1/cases", params={"unit": "芦淞区"}).json()["items"][0]["id"]
    reported = admin.get("/api/v1/cases", params={"status": "reported"}).json()["items"][0]["id"]
    cases = {
        "unknown case (API)": admin.get("/api/v1/cases/999999"),
        "another unit's case (API)": officer.get(f"/api/v1/cases/{other}"),
        "validation error (API)": admin.get("/api/v1/cases", params={"limit": "abc"}),
        "limit out of range (API)": admin.get("/api/v1/cases", params={"limit": "0"}),
        "unknown status (API)": admin.get("/api/v1/cases", params={"status": "bogus"}),
        "missing fields (API)": admin.post("/api/v1/cases", json={"source": "x"}),
        "unknown field (API)": admin.post(
            f"/api/v1/cases/{other}/transitions", json={"action": "start", "x": 1}
        ),
        "unknown action (API)": admin.post(f"/api/v1/cases/{other}/transitions", json={"action": "fly"}),
        "unknown token": TestClient(app, headers={"Authorization": "Bearer nope"}).get("/api/v1/me"),
        "anonymous API": TestClient(app).get("/api/v1/me"),
        "unknown path (API)": admin.get("/api/v1/nothing-here"),
        "unknown period (API)": admin.get("/api/v1/assessments", params={"period": "xx"}),
        "wrong kind of period (API)": admin.get("/api/v1/cycle/weekly", params={"period": "2026-13"}),
    }
    if submitted:
        cases["refused action (API)"] = officer.post(
            f"/api/v1/cases/{submitted[0]['id']}/transitions", json={"action": "verify", "note": "x"}
        )
    for what, r in cases.items():
        assert r.status_code >= 400, what
        assert_chinese(r, what)
    assert cases["unknown case (API)"].status_code == 404
    assert cases["validation error (API)"].status_code == 422
    assert "每页条数" in cases["validation error (API)"].json()["error"]["message"]
    assert cases["unknown token"].status_code == 401
    with TestClient(app) as c:
        login(c, "leader")
        pages = {
            "unknown case page": c.get("/cases/999999"),
            "unknown page": c.get("/no-such-page"),
            "forbidden page": c.get("/admin/users"),
            "bad language": c.get("/lang/fr"),
            "bad format": c.get("/cases", params={"format": "xml"}),
            "wrong kind of period": c.get("/cycle/weekly", params={"period": "2026-13"}),
            "year out of range": c.get("/year", params={"y": "1800"}),
            "refused action page": c.post(f"/cases/{reported}/actions/assign", data={"unit": "天元区"}),
        }
        assert pages["unknown case page"].status_code == 404
        assert pages["forbidden page"].status_code == 403
        assert pages["refused action page"].status_code == 403
        for what, r in pages.items():
            assert r.status_code >= 400, what
            assert_chinese(r, what)
        token = c.headers.pop("X-CSRF-Token")
        r = c.post("/cases", data={"address": "a"})
        assert r.status_code == 403 and "CSRF" in r.text
        assert_chinese(r, "form without CSRF")
        r = c.post("/api/v1/cases", json={"source": "patrol"})
        assert r.status_code == 403
        assert_chinese(r, "API write without CSRF")
        c.headers["X-CSRF-Token"] = token


def test_refusals_that_change_state_read_chinese(tmp_path):
    app = create_app(make_settings(tmp_path), web_settings(max_upload_bytes=1024))
    with TestClient(app) as c:
        login(c, "admin")
        case = c.get("/api/v1/cases", params={"status": "reported"}).json()["items"][0]
        cid, version = case["id"], case["version"]
        # a bad form: 422 with the form again
        r = c.post(
            "/cases",
            data={
                "source": "patrol",
                "category": "扬尘",
                "severity": "low",
                "district": "天元区",
                "address": " ",
                "description": "d",
            },
        )
        assert r.status_code == 422 and "地址为空" in text_of(r)
        assert_chinese(r, "bad new-case form")
        # a stale version: 409 on the API, a flash on the page
        assert (
            c.patch(f"/api/v1/cases/{cid}", json={"version": version, "address": "新地址"}).status_code == 200
        )
        r = c.patch(f"/api/v1/cases/{cid}", json={"version": version, "address": "旧版本"})
        assert r.status_code == 409 and "已被他人修改" in text_of(r)
        assert_chinese(r, "stale version (API)")
        r = c.post(f"/cases/{cid}/actions/assign", data={"unit": "天元区", "version": str(version)})
        assert r.status_code == 200 and "已被他人修改" in text_of(r)  # the flash on the case page
        assert_chinese(r, "stale version (page)")
        r = c.post(f"/cases/{cid}/actions/verify", data={"note": "x"})
        assert "“待交办”状态，不能核查销号" in text_of(r)
        assert_chinese(r, "invalid transition (page)")
        r = c.post(f"/cases/{cid}/actions/assign", data={"unit": "天元区", "deadline": "下周五"})
        assert "不是日期" in text_of(r)
        assert_chinese(r, "bad deadline (page)")
        # uploads: too large (by the file, and by the request), wrong type, fake content, empty
        refusals = {
            "file too large": (
                c.post(
                    f"/cases/{cid}/evidence", files={"file": ("big.png", PNG + b"\x00" * 2048, "image/png")}
                ),
                413,
            ),
            "request too large": (
                c.post(
                    f"/cases/{cid}/evidence",
                    files={"file": ("huge.png", PNG + b"\x00" * 200_000, "image/png")},
                ),
                413,
            ),
            "wrong type": (
                c.post(
                    f"/cases/{cid}/evidence",
                    files={"file": ("run.exe", b"MZ" + b"\x00" * 10, "application/x-msdownload")},
                ),
                415,
            ),
            "fake content": (
                c.post(
                    f"/cases/{cid}/evidence",
                    files={"file": ("fake.png", b"GIF89a" + b"\x00" * 10, "image/png")},
                ),
                415,
            ),
            "empty file": (
                c.post(f"/cases/{cid}/evidence", files={"file": ("empty.png", b"", "image/png")}),
                422,
            ),
        }
        for what, (r, status) in refusals.items():
            assert r.status_code == status, (what, r.status_code)
            assert _CJK.search(text_of(r)), what
            assert_chinese(r, what)
        assert ".exe" in text_of(refusals["wrong type"][0])


def test_errors_read_english_in_english_mode(tmp_path):
    app = create_app(make_settings(tmp_path), web_settings(max_upload_bytes=1024))
    with TestClient(app) as c:
        login(c, "leader")
        c.get("/lang/en")
        reported = c.get("/api/v1/cases", params={"status": "reported"}).json()["items"][0]["id"]
        found = {
            "unknown case page": (c.get("/cases/999999"), 404),
            "forbidden page": (c.get("/admin/users"), 403),
            "refused action page": (
                c.post(f"/cases/{reported}/actions/assign", data={"unit": "天元区"}),
                403,
            ),
            "unknown case (API)": (c.get("/api/v1/cases/999999"), 404),
            "validation error (API)": (c.get("/api/v1/cases", params={"limit": "abc"}), 422),
            "unknown status (API)": (c.get("/api/v1/cases", params={"status": "bogus"}), 422),
            "unknown page": (c.get("/no-such-page"), 404),
        }
        for what, (r, status) in found.items():
            assert r.status_code == status, (what, r.status_code)
            if r.headers["content-type"].startswith("application/json"):
                message = r.json()["error"]["message"]
            else:
                message = re.search(r'id="error-message">([^<]*)<', r.text).group(1)
            assert message and not _CJK.search(message), (what, message)
        assert "page size" in found["validation error (API)"][0].json()["error"]["message"]
    with TestClient(app) as c:
        login(c, "admin")
        c.get("/lang/en")
        cid = c.get("/api/v1/cases", params={"status": "reported"}).json()["items"][0]["id"]
        r = c.post(f"/cases/{cid}/actions/verify", data={"note": "x"})
        assert "cannot verify and close a case that is reported" in r.text
        r = c.post(
            "/cases",
            data={
                "source": "patrol",
                "category": "扬尘",
                "severity": "low",
                "district": "天元区",
                "address": " ",
                "description": "d",
            },
        )
        assert r.status_code == 422 and "address is empty" in r.text
        r = c.post(
            f"/cases/{cid}/evidence", files={"file": ("huge.png", PNG + b"\x00" * 200_000, "image/png")}
        )
        assert r.status_code == 413 and r.json()["error"]["message"].startswith("request body too large")
        r = c.post(f"/cases/{cid}/evidence", files={"file": ("run.exe", b"MZ", "application/x-msdownload")})
        assert (
            r.status_code == 415
            and "not accepted" in text_of(r)
            and not _CJK.search(re.search(r'id="error-message">([^<]*)<', r.text).group(1))
        )
    # an API client without a session asks for English with Accept-Language
    r = TestClient(app, headers={"Authorization": "Bearer nope", "Accept-Language": "en-GB,en;q=0.9"}).get(
        "/api/v1/me"
    )
    assert r.status_code == 401 and not _CJK.search(r.json()["error"]["message"])


def test_a_server_error_reads_chinese_and_english(tmp_path, monkeypatch):
    app = create_app(make_settings(tmp_path), web_settings())

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(app.state.backend, "cases_page", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        login(c, "admin")
        r = c.get("/api/v1/cases")
        assert r.status_code == 500 and "服务器日志" in text_of(r)
        assert_chinese(r, "server error (API)")
        c.get("/lang/en")
        r = c.get("/api/v1/cases")
        assert r.status_code == 500 and "server log" in text_of(r) and not _CJK.search(text_of(r))


def test_validation_messages_name_fields_and_never_show_pydantic_english():
    import datetime as dt
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    from lantian.web.app import validation_message

    class Form(BaseModel):
        model_config = ConfigDict(extra="forbid")
        address: Annotated[str, Field(min_length=1, max_length=3)]
        description: str
        limit: Annotated[int, Field(ge=1, le=500)]
        offset: Annotated[int, Field(ge=0)]
        latitude: Annotated[float, Field(le=90)]
        severity: Literal["low", "medium", "high"]
        deadline: dt.date
        overdue: bool
        period: Annotated[str, Field(pattern=r"^\d{4}$")]

    bad = {
        "address": "太长的地址",
        "limit": "abc",
        "offset": -1,
        "latitude": 95,
        "severity": "urgent",
        "deadline": "明天",
        "overdue": "也许",
        "period": "某年",
        "extra": 1,
    }
    with pytest.raises(ValidationError) as info:
        Form(**bad)
    errors = info.value.errors()
    assert {e["type"] for e in errors} == {
        "string_too_long",
        "missing",
        "int_parsing",
        "greater_than_equal",
        "less_than_equal",
        "literal_error",
        "date_from_datetime_parsing",
        "bool_parsing",
        "string_pattern_mismatch",
        "extra_forbidden",
    }
    zh = validation_message(errors, "zh")
    assert english_runs(zh, ("low", "medium", "high")) == [], zh
    for fragment in (
        "地址：最多 3 个字符",
        "问题描述：必须填写",
        "每页条数：“abc”不是整数",
        "跳过条数：应不小于 0",
        "纬度：应不大于 90",
        "严重程度：“urgent”不是可选值；可选：low、medium、high",
        "整改时限：“明天”不是日期",
        "不接受字段“extra”",
    ):
        assert fragment in zh, (fragment, zh)
    en = validation_message(errors, "en")
    assert not _CJK.search(
        en.replace("太长的地址", "").replace("明天", "").replace("也许", "").replace("某年", "")
    )
    assert "page size: 'abc' is not a whole number" in en and "Severity: 'urgent' is not allowed" in en
