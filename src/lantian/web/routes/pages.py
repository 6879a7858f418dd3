"""HTML pages. Each page renders a context dict built by :class:`lantian.web.backend.Backend`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from lantian.errors import LantianError
from lantian.periods import Period
from lantian.web.app import flash, lang_of, render, status_of
from lantian.web.auth import ALL, Principal, public, require
from lantian.web.i18n import LANGS, translate
from lantian.web.uploads import read_upload

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Principal, Depends(require(*ALL))]
Writer = Annotated[Principal, Depends(require("admin", "officer", "inspector"))]
Creator = Annotated[Principal, Depends(require("admin", "inspector"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Maybe = Annotated[Principal | None, Depends(public())]


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/healthz")
def healthz(_: Maybe) -> dict:
    return {"status": "ok"}


@router.get("/login")
def login_page(request: Request, _: Maybe, next: str = "/"):
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(
    request: Request,
    _: Maybe,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
):
    throttle = request.app.state.throttle
    ip = request.client.host if request.client else "-"
    lang = lang_of(request)
    wait = throttle.retry_after(ip, username)
    if wait:
        return render(
            request,
            "login.html",
            {
                "next": _safe_next(next),
                "error": translate("login_throttled", lang, s=wait),
                "username": username,
            },
            status_code=429,
        )
    backend = request.app.state.backend
    principal = backend.check_password(username, password)
    if principal is None:
        throttle.failed(ip, username)
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": translate("login_failed", lang), "username": username},
            status_code=401,
        )
    throttle.succeeded(ip, username)
    request.session.clear()  # a fresh session on login (no fixation), kept on the server (web.sessions)
    request.session.update(
        {"sid": backend.sessions.start(principal.id), "pwv": backend.password_version(principal.id), "lang": lang}
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, _: Anyone):
    lang = lang_of(request)
    sid = request.session.get("sid")
    if isinstance(sid, str):
        request.app.state.backend.sessions.end(sid)  # the cookie, if kept or copied, opens nothing now
    request.session.clear()
    request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def set_lang(request: Request, code: str, _: Maybe, next: str = "/"):
    if code not in LANGS:
        raise HTTPException(404, f"unknown language {code!r}; use zh or en")
    request.session["lang"] = code
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/")
def today(request: Request, user: Anyone):
    ctx = request.app.state.backend.today(lang_of(request))
    return render(request, "today.html", {"d": ctx}, nav="today")


@router.get("/partials/today")
def today_partial(request: Request, user: Anyone):
    ctx = request.app.state.backend.today(lang_of(request))
    return render(request, "_today_stations.html", {"d": ctx})


@router.get("/year")
def year(request: Request, user: Anyone, y: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    ctx = request.app.state.backend.year(lang_of(request), y)
    return render(request, "year.html", {"d": ctx}, nav="year")


@router.get("/cases")
def board(
    request: Request,
    user: Anyone,
    district: str | None = None,
    overdue: bool = False,
):
    ctx = request.app.state.backend.board(user, lang_of(request), district=district or None, overdue=overdue)
    return render(request, "cases.html", {"d": ctx}, nav="cases")


@router.get("/cases/new")
def new_case_form(request: Request, user: Creator):
    ctx = request.app.state.backend.case_form()
    return render(request, "case_new.html", {"d": ctx, "error": None, "form": {}}, nav="cases")


@router.post("/cases")
async def create_case(request: Request, user: Creator):
    form = dict(await request.form())
    form.pop("csrf_token", None)
    backend = request.app.state.backend
    try:
        case = backend.create_case(user, {k: v for k, v in form.items() if isinstance(v, str)})
    except LantianError as exc:
        ctx = backend.case_form()
        return render(request, "case_new.html", {"d": ctx, "error": str(exc), "form": form}, 422, nav="cases")
    flash(request, "ok", f"#{case['id']} ✓")
    return RedirectResponse(f"/cases/{case['id']}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, user: Anyone):
    backend = request.app.state.backend
    ctx = backend.case(user, case_id, lang_of(request))
    web = request.app.state.web
    return render(
        request,
        "case.html",
        {"d": ctx, "max_mb": web.max_upload_bytes // (1024 * 1024), "accept": ",".join(web.upload_types)},
        nav="cases",
    )


@router.post("/cases/{case_id}/actions/{action}")
async def case_action(request: Request, case_id: int, action: str, user: Writer):
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    backend = request.app.state.backend
    try:
        backend.transition(user, case_id, action, data)
    except LantianError as exc:
        if status_of(exc) in (403, 404):
            raise
        flash(request, "error", str(exc))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/comments")
def case_comment(
    request: Request, case_id: int, user: Writer, text: Annotated[str, Form(min_length=1, max_length=4000)]
):
    request.app.state.backend.comment(user, case_id, text)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/evidence")
async def case_evidence(request: Request, case_id: int, user: Writer, file: Annotated[UploadFile, File()]):
    web = request.app.state.web
    name, ctype, data = await read_upload(file, web)
    request.app.state.backend.add_evidence(user, case_id, name, ctype, data)
    flash(request, "ok", f"{name} ✓")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/evidence/{evidence_id}")
def case_evidence_file(request: Request, case_id: int, evidence_id: int, user: Anyone) -> Response:
    path, ctype, name = request.app.state.backend.evidence_file(user, case_id, evidence_id)
    return FileResponse(path, media_type=ctype, filename=name, content_disposition_type="attachment")


@router.get("/assessment/monthly")
def monthly(
    request: Request,
    user: Anyone,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
):
    backend = request.app.state.backend
    ctx = backend.monthly(user, period or _last_month(backend.clock.today()))
    return render(request, "monthly.html", {"d": ctx}, nav="monthly")


@router.get("/tokens")
def tokens(request: Request, user: Anyone):
    ctx = {"tokens": request.app.state.backend.tokens(user), "new_token": None}
    return render(request, "tokens.html", {"d": ctx}, nav="tokens")


@router.post("/tokens")
def token_create(
    request: Request,
    user: Anyone,
    name: Annotated[str, Form(min_length=1, max_length=80)],
    scope: Annotated[str, Form()] = "read",
    days: Annotated[int, Form(ge=1, le=366)] = 90,
):
    if user.via != "session":
        raise HTTPException(403, "API 令牌不能创建新令牌：请在网页上登录后，在“API 令牌”页面创建。")
    backend = request.app.state.backend
    # shown once, in this answer only: the token is never stored, nor put in the session cookie
    token = backend.create_token(user, name, scope, days)
    ctx = {"tokens": backend.tokens(user), "new_token": token}
    return render(request, "tokens.html", {"d": ctx}, 201, nav="tokens")


@router.post("/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: int, user: Anyone):
    request.app.state.backend.revoke_token(user, token_id)
    return RedirectResponse("/tokens", status_code=303)


@router.get("/admin/users")
def users(request: Request, user: Admin):
    ctx = request.app.state.backend.users_page()
    return render(request, "users.html", {"d": ctx, "error": None}, nav="users")


@router.post("/admin/users")
def user_create(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(min_length=2, max_length=60)],
    display_name: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(min_length=8, max_length=200)],
    unit: Annotated[str, Form()] = "",
):
    backend = request.app.state.backend
    try:
        backend.create_user(user, username, display_name, role, unit or None, password)
    except (LantianError, ValueError) as exc:
        return render(request, "users.html", {"d": backend.users_page(), "error": str(exc)}, 422, nav="users")
    flash(request, "ok", f"{username} ✓")
    return RedirectResponse("/admin/users", status_code=303)


def _last_month(today: dt.date) -> str:
    """The label of the month before the one containing ``today`` (Beijing day, :mod:`lantian.clock`)."""
    first = today.replace(day=1)
    return Period.containing("month", first - dt.timedelta(days=1)).label
