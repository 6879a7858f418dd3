"""HTML pages. Each page renders a context dict built by :class:`lantian.web.backend.Backend`."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from lantian.errors import LantianError
from lantian.periods import Period
from lantian.web.app import error_text, flash, lang_of, render, status_of
from lantian.web.auth import ALL, Principal, public, require
from lantian.web.i18n import LANGS, translate, web_error
from lantian.web.uploads import read_upload

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Principal, Depends(require(*ALL))]
# Writes to cases are open to every role at the route: the office's rules decide who may take
# each action (lantian.workflow.rules, [roles] of the rules file), and the workflow refuses with 403.
Admin = Annotated[Principal, Depends(require("admin"))]
Maybe = Annotated[Principal | None, Depends(public())]


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/healthz")
def healthz(request: Request, _: Maybe) -> dict:
    """``ok``; with ``lantian run`` on this database also its heartbeat, each job's last success and
    failure (``degraded`` when a job's latest run failed or the service stopped beating) and the data's age."""
    from lantian.ops.runs import health

    return health(request.app.state.backend.db)


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
        {
            "sid": backend.sessions.start(principal.id),
            "pwv": backend.password_version(principal.id),
            "lang": lang,
        }
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
        raise web_error(
            404,
            f"没有“{code}”这种界面语言；可选 zh（中文）或 en（English）。",
            f"unknown language {code!r}; use zh or en.",
        )
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


@router.get("/analysis")
def analysis(
    request: Request,
    user: Anyone,
    city: Annotated[str | None, Query(max_length=100)] = None,
    station: Annotated[str | None, Query(max_length=100)] = None,
    period: Annotated[str | None, Query(max_length=40)] = None,
    pollutant: Annotated[str, Query(pattern="^(so2|no2|co|o3|pm10|pm25)$")] = "pm25",
):
    """Analysis views: a pollutant by hour of day, weekday and month, and by wind direction × speed."""
    scope = (station or "").strip()
    ctx = request.app.state.backend.analysis_page(
        lang_of(request),
        (city or "").strip() or None,
        scope or None,
        (period or "").strip() or None,
        pollutant,
    )
    return render(request, "analysis.html", {"d": ctx}, nav="analysis")


@router.get("/province")
def province(request: Request, user: Anyone, date: Annotated[dt.date | None, Query()] = None):
    """Where we stand: the provincial board (the group's cities, the day and the year to date)."""
    ctx = request.app.state.backend.province_page(lang_of(request), date)
    return render(request, "province.html", {"d": ctx}, nav="province")


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
def new_case_form(request: Request, user: Anyone):
    ctx = request.app.state.backend.case_form(user)
    return render(request, "case_new.html", {"d": ctx, "error": None, "form": {}}, nav="cases")


@router.post("/cases")
async def create_case(request: Request, user: Anyone):
    form = dict(await request.form())
    form.pop("csrf_token", None)
    backend = request.app.state.backend
    try:
        case = backend.create_case(user, {k: v for k, v in form.items() if isinstance(v, str)})
    except LantianError as exc:
        ctx = backend.case_form(user)
        return render(
            request,
            "case_new.html",
            {"d": ctx, "error": error_text(request, exc), "form": form},
            422,
            nav="cases",
        )
    flash(request, "ok", f"#{case['id']} ✓")
    return RedirectResponse(f"/cases/{case['id']}", status_code=303)


#: Most problems one patrol form takes, and photos per problem.
MAX_PATROL_PROBLEMS, MAX_PATROL_PHOTOS = 20, 6
_PROBLEM_KEY = re.compile(r"^p\d+_")
_PROBLEM_FIELDS = ("category", "severity", "address", "description", "longitude", "latitude")


@router.get("/patrol")
def patrol_form(request: Request, user: Anyone):
    ctx = request.app.state.backend.patrol_form(user)
    return render(request, "patrol.html", {"d": ctx, "error": None, "form": {}}, nav="patrol")


@router.post("/patrol")
async def patrol_log(request: Request, user: Anyone):
    """日巡查 from a phone: the patrol (district, route/area, findings) and the problems found, each
    with photos and position (fields ``p<i>_…``); every problem becomes a case."""
    backend = request.app.state.backend
    web = request.app.state.web
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str) and not _PROBLEM_KEY.match(k)}
    problems = []
    for i in range(MAX_PATROL_PROBLEMS):
        fields = {f: form.get(f"p{i}_{f}") for f in _PROBLEM_FIELDS}
        photos = [f for f in form.getlist(f"p{i}_photos") if not isinstance(f, str) and f.filename]
        if not (fields.get("description") or "").strip() and not photos:
            continue  # an empty block of the form
        if len(photos) > MAX_PATROL_PHOTOS:
            raise web_error(
                413,
                f"每个问题最多上传 {MAX_PATROL_PHOTOS} 张照片；请删去多余的照片。",
                f"at most {MAX_PATROL_PHOTOS} photos per problem; remove the others.",
            )
        problem = {k: (v.strip() if isinstance(v, str) else None) or None for k, v in fields.items()}
        problem["files"] = [await read_upload(photo, web) for photo in photos]
        problems.append(problem)
    try:
        result = backend.log_patrol(user, data, problems)
    except LantianError as exc:
        if status_of(exc) == 404:
            raise
        ctx = backend.patrol_form(user)
        context = {"d": ctx, "error": error_text(request, exc), "form": data}
        return render(request, "patrol.html", context, status_of(exc), nav="patrol")
    lang = lang_of(request)
    ids = "、".join(f"#{c}" for c in result["cases"])
    flash(request, "ok", translate("patrol_logged", lang, n=len(result["cases"]), ids=ids or "—"))
    return RedirectResponse("/cases" if result["cases"] else "/patrol", status_code=303)


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
async def case_action(request: Request, case_id: int, action: str, user: Anyone):
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    backend = request.app.state.backend
    try:
        backend.transition(user, case_id, action, data)
    except LantianError as exc:
        if status_of(exc) in (403, 404):
            raise
        flash(request, "error", error_text(request, exc))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/comments")
def case_comment(
    request: Request, case_id: int, user: Anyone, text: Annotated[str, Form(min_length=1, max_length=4000)]
):
    request.app.state.backend.comment(user, case_id, text)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/evidence")
async def case_evidence(request: Request, case_id: int, user: Anyone, file: Annotated[UploadFile, File()]):
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
    ctx["downloads"] = backend.report_links("monthly", ctx["period"], lang_of(request))
    return render(request, "monthly.html", {"d": ctx}, nav="monthly")


@router.get("/cycle/{kind}")
def cycle_page(request: Request, kind: str, user: Anyone, period: str | None = None):
    """周调度 (weekly) and 季考核讲评 (quarterly); the monthly notice is /assessment/monthly."""
    if kind not in ("weekly", "quarterly"):
        raise HTTPException(404, translate("not_found", lang_of(request)))
    backend = request.app.state.backend
    ctx = backend.cycle_page(user, kind, period, lang_of(request))
    return render(request, "cycle.html", {"d": ctx}, nav=kind)


@router.get("/reports/archive")
def reports_archive(request: Request, user: Anyone):
    """The reports made on schedule by ``lantian run`` (日报、周调度、月考核通报、季考核讲评)."""
    ctx = request.app.state.backend.archive_page(lang_of(request))
    return render(request, "reports_archive.html", {"d": ctx}, nav="archive")


@router.get("/reports/archive/{report_id}")
def reports_archive_file(request: Request, report_id: int, user: Anyone) -> Response:
    """The stored HTML of an archived report (only a file inside the archive folder is served)."""
    path, _title = request.app.state.backend.archive_file(report_id)
    return FileResponse(path, media_type="text/html; charset=utf-8")


@router.get("/reports/{kind}.{fmt}")
def report_download(request: Request, kind: str, fmt: str, user: Anyone, period: str | None = None):
    """The document of the reports layer (PDF or XLSX) for a cycle page: 周调度, 月考核通报, 季考核讲评."""
    if kind not in ("weekly", "monthly", "quarterly") or fmt not in ("pdf", "xlsx"):
        raise HTTPException(404, translate("not_found", lang_of(request)))
    backend = request.app.state.backend
    name, ctype, data = backend.report_file(user, kind, fmt, period, lang_of(request))
    quoted = urllib.parse.quote(name)
    return Response(
        data,
        media_type=ctype,
        headers={"Content-Disposition": f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quoted}"},
    )


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
        raise web_error(
            403,
            "API 令牌不能创建新令牌：请在网页上登录后，在“API 令牌”页面创建。",
            "an API token cannot create tokens: log in on the web and create them on the API tokens page.",
        )
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


def _users_refused(request: Request, exc: Exception, status: int | None = None) -> Response:
    """The administrator's page again with what was refused and why (the form's error)."""
    context = {"d": request.app.state.backend.users_page(), "error": error_text(request, exc)}
    return render(request, "users.html", context, status or status_of(exc), nav="users")


@router.post("/admin/users")
def user_create(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(min_length=2, max_length=60)],
    display_name: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=200)],
    unit: Annotated[str, Form()] = "",
):
    backend = request.app.state.backend
    try:
        backend.create_user(user, username, display_name, role, unit or None, password)
    except (LantianError, ValueError) as exc:
        return _users_refused(request, exc, 422)
    flash(request, "ok", translate("user_created", lang_of(request), name=username))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/units")
def unit_create(
    request: Request,
    user: Admin,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    kind: Annotated[str, Form()],
):
    """Add a district/county or a department (the city office is made by ``lantian init``)."""
    backend = request.app.state.backend
    try:
        backend.create_unit(user, name, kind)
    except LantianError as exc:
        return _users_refused(request, exc)
    flash(request, "ok", translate("unit_created", lang_of(request), name=name.strip()))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/channels")
def channels_set(
    request: Request,
    user: Admin,
    of: Annotated[str, Form()],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    webhook: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
):
    """A unit's (``of=unit``) or a user's (``of=user``) notification channels; an empty field removes it."""
    backend = request.app.state.backend
    try:
        backend.set_channels(user, of, name, webhook, email)
    except LantianError as exc:
        return _users_refused(request, exc)
    flash(request, "ok", translate("channels_saved", lang_of(request), name=name.strip()))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/reset")
def user_reset(request: Request, user: Admin, username: str):
    """An administrator's password reset: the one-time password is shown on this response only (never
    in the cookie); its user must change it at the next login."""
    backend = request.app.state.backend
    try:
        secret = backend.reset_password(user, username)
    except LantianError as exc:
        return _users_refused(request, exc)
    context = {
        "d": backend.users_page(),
        "error": None,
        "one_time": {"username": username, "password": secret},
    }
    return render(request, "users.html", context, nav="users")


@router.post("/admin/users/{username}/{change}")
def user_active(request: Request, user: Admin, username: str, change: str):
    if change not in ("disable", "enable"):
        raise HTTPException(404, translate("not_found", lang_of(request)))
    backend = request.app.state.backend
    try:
        backend.set_active(user, username, change == "enable")
    except LantianError as exc:
        return _users_refused(request, exc)
    flash(request, "ok", translate(f"user_{change}d", lang_of(request), name=username))
    return RedirectResponse("/admin/users", status_code=303)


def _min_length(request: Request) -> int:
    return request.app.state.backend.workflow.password_min_length


@router.get("/account/password")
def password_page(request: Request, user: Anyone):
    context = {"error": None, "forced": user.must_change_password, "min_length": _min_length(request)}
    return render(request, "password.html", context, nav="account")


@router.post("/account/password")
def password_change(
    request: Request,
    user: Anyone,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
    confirm: Annotated[str, Form(max_length=200)],
):
    """The user's own password change. Every session of the user ends (other browsers are logged out);
    this browser gets a new session."""
    backend = request.app.state.backend
    lang = lang_of(request)
    try:
        backend.change_own_password(user, current, new, confirm)
    except LantianError as exc:
        context = {
            "error": error_text(request, exc),
            "forced": user.must_change_password,
            "min_length": _min_length(request),
        }
        return render(request, "password.html", context, status_of(exc), nav="account")
    request.session.clear()
    request.session.update(
        {"sid": backend.sessions.start(user.id), "pwv": backend.password_version(user.id), "lang": lang}
    )
    flash(request, "ok", translate("password_changed", lang))
    return RedirectResponse("/", status_code=303)


def _last_month(today: dt.date) -> str:
    """The label of the month before the one containing ``today`` (Beijing day, :mod:`lantian.clock`)."""
    first = today.replace(day=1)
    return Period.containing("month", first - dt.timedelta(days=1)).label
