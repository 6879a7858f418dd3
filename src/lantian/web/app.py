"""The FastAPI application: ``create_app(settings)``.

Pages (Jinja2, Chinese with an English toggle) and the JSON API (``/api/v1``, OpenAPI at
``/api/openapi.json``, docs at ``/api/docs``) share one set of context builders
(:mod:`lantian.web.views`), so a page and its JSON twin always show the same figures.
"""

from __future__ import annotations

import json
import logging
import threading
from base64 import b64decode
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import cookie_parser

from lantian import config
from lantian.clock import Clock
from lantian.errors import (
    ConfigError,
    InputError,
    LantianError,
    NotFound,
    PermissionDenied,
    StoreError,
    UnknownRegimeError,
    WorkflowError,
)
from lantian.store.db import ConcurrentEdit
from lantian.web.auth import csrf_token, public
from lantian.web.backend import Backend
from lantian.web.i18n import TEXTS, WebError, translate
from lantian.web.security import LoginThrottle
from lantian.web.settings import WebSettings, load_web
from lantian.web.twin import downloads, twin_response

HERE = Path(__file__).parent
log = logging.getLogger("lantian.web")
API_PREFIX = "/api"


def status_of(exc: LantianError) -> int:
    if isinstance(exc, ConcurrentEdit):
        return 409
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, WorkflowError):
        return 409
    if isinstance(exc, InputError | ConfigError | UnknownRegimeError):
        return 422
    if isinstance(exc, StoreError):
        return 503
    return 400


def _wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith(API_PREFIX)
        or "application/json" in request.headers.get("accept", "")
        or request.query_params.get("format") in ("json", "csv")  # a page's twin (lantian.web.twin)
    )


def lang_of(request: Request) -> str:
    return "en" if request.session.get("lang") == "en" else "zh"


def error_lang(request: Request) -> str:
    """The language of an error message: the session's choice, else the client's ``Accept-Language``
    (an API client without a session asks for English with ``Accept-Language: en``), else Chinese."""
    chosen = (request.scope.get("session") or {}).get("lang")  # also outside the session middleware
    if chosen in ("zh", "en"):
        return chosen
    return _accept_lang(request.headers.get("accept-language", ""))


def error_text(request: Request, exc: Exception) -> str:
    """The message of ``exc`` in the language of the request (a lantian error carries both)."""
    return exc.text(error_lang(request)) if isinstance(exc, LantianError) else str(exc)


def _accept_lang(header: str) -> str:
    first = header.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


#: Names of request fields in messages: a key of :data:`lantian.web.i18n.TEXTS`, or (Chinese, English).
_FIELDS: dict[str, str | tuple[str, str]] = {
    "name": "token_name",
    "days": "token_days",
    "scope": "token_scope",
    "current": "password_current",
    "new": "password_new",
    "confirm": "password_confirm",
    "kind": "unit_kind",
    "display_name": "display_name",
    "area": "patrol_area",
    "findings": "patrol_findings",
    "day": "patrol_day",
    "text": "comment",
    "limit": ("每页条数", "page size"),
    "offset": ("跳过条数", "rows to skip"),
    "version": ("版本号", "version"),
    "action": ("操作", "action"),
    "file": ("文件", "file"),
    "files": ("文件", "files"),
    "year": ("年份", "year"),
    "y": ("年份", "year"),
    "case_id": ("问题编号", "case number"),
    "token_id": ("令牌编号", "token number"),
    "evidence_id": ("佐证材料编号", "evidence number"),
    "next": ("跳转地址", "next page"),
    "category": ("问题类别", "category"),
    "body": ("请求内容", "request body"),
    "start": ("开始时间", "start"),
    "end": ("结束时间", "end"),
    "city": ("城市", "city"),
    "overdue": ("是否超期", "overdue"),
    "from": ("开始日期", "first day"),
    "to": ("结束日期", "last day"),
    "station": ("站点编码", "station code"),
    "period": ("时段", "period"),
    "by": ("排名依据", "rank by"),
    "status": ("状态", "status"),
    "district": ("区县", "district"),
    "unit": ("责任单位", "unit"),
}


def field_label(key: str, lang: str) -> str:
    """The name of the request field ``key`` in ``lang`` (the key itself when no label exists)."""
    label = _FIELDS.get(key, key)
    if isinstance(label, tuple):
        return label[1] if lang == "en" else label[0]
    return translate(label, lang) if label in TEXTS else key


def _choices(expected: str, lang: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` as a list in ``lang``."""
    items = [x.strip().strip("'\"") for x in expected.replace(" or ", ", ").split(",") if x.strip()]
    return ", ".join(items) if lang == "en" else "、".join(items)


#: pydantic error types → (Chinese, English) texts; ``{f}`` is the field, the rest is the error's ``ctx``.
_VALIDATION: dict[str, tuple[str, str]] = {
    "missing": ("{f}：必须填写", "{f}: required"),
    "string_too_short": ("{f}：至少 {min_length} 个字符", "{f}: at least {min_length} characters"),
    "string_too_long": ("{f}：最多 {max_length} 个字符", "{f}: at most {max_length} characters"),
    "too_short": ("{f}：至少 {min_length} 项", "{f}: at least {min_length} items"),
    "too_long": ("{f}：最多 {max_length} 项", "{f}: at most {max_length} items"),
    "int_parsing": ("{f}：“{input}”不是整数", "{f}: {input!r} is not a whole number"),
    "int_type": ("{f}：应为整数", "{f}: must be a whole number"),
    "int_from_float": ("{f}：“{input}”不是整数", "{f}: {input!r} is not a whole number"),
    "float_parsing": ("{f}：“{input}”不是数字", "{f}: {input!r} is not a number"),
    "float_type": ("{f}：应为数字", "{f}: must be a number"),
    "finite_number": ("{f}：应为有限的数字", "{f}: must be a finite number"),
    "bool_parsing": ("{f}：“{input}”不是“是”或“否”", "{f}: {input!r} is not true or false"),
    "bool_type": ("{f}：应为“是”或“否”", "{f}: must be true or false"),
    "string_type": ("{f}：应为文本", "{f}: must be a text"),
    "string_pattern_mismatch": ("{f}：“{input}”格式不对", "{f}: {input!r} does not have the expected form"),
    "greater_than_equal": ("{f}：应不小于 {ge}", "{f}: must be at least {ge}"),
    "greater_than": ("{f}：应大于 {gt}", "{f}: must be greater than {gt}"),
    "less_than_equal": ("{f}：应不大于 {le}", "{f}: must be at most {le}"),
    "less_than": ("{f}：应小于 {lt}", "{f}: must be less than {lt}"),
    "enum": (
        "{f}：“{input}”不是可选值；可选：{expected}",
        "{f}: {input!r} is not allowed; use one of {expected}",
    ),
    "literal_error": (
        "{f}：“{input}”不是可选值；可选：{expected}",
        "{f}: {input!r} is not allowed; use one of {expected}",
    ),
    "date_parsing": (
        "{f}：“{input}”不是日期；请写成 2026-03-05 的形式",
        "{f}: {input!r} is not a date; use YYYY-MM-DD",
    ),
    "date_from_datetime_parsing": (
        "{f}：“{input}”不是日期；请写成 2026-03-05 的形式",
        "{f}: {input!r} is not a date; use YYYY-MM-DD",
    ),
    "date_type": ("{f}：不是日期；请写成 2026-03-05 的形式", "{f}: not a date; use YYYY-MM-DD"),
    "datetime_parsing": (
        "{f}：“{input}”不是时间；请写成 2026-03-05T08:00:00 的形式",
        "{f}: {input!r} is not a time; use YYYY-MM-DDTHH:MM:SS",
    ),
    "datetime_from_date_parsing": (
        "{f}：“{input}”不是时间；请写成 2026-03-05T08:00:00 的形式",
        "{f}: {input!r} is not a time; use YYYY-MM-DDTHH:MM:SS",
    ),
    "datetime_type": (
        "{f}：不是时间；请写成 2026-03-05T08:00:00 的形式",
        "{f}: not a time; use YYYY-MM-DDTHH:MM:SS",
    ),
    "extra_forbidden": ("不接受字段“{key}”；请删去", "field {key!r} is not accepted; remove it"),
    "json_invalid": ("请求内容不是有效的 JSON", "the request body is not valid JSON"),
    "model_attributes_type": ("{f}：应为 JSON 对象", "{f}: must be a JSON object"),
    "dict_type": ("{f}：应为 JSON 对象", "{f}: must be a JSON object"),
    "list_type": ("{f}：应为列表", "{f}: must be a list"),
}


def validation_message(errors, lang: str) -> str:
    """The message of a refused request in ``lang``: one clause per error, fields named in ``lang``
    (never pydantic's English text in Chinese)."""
    parts = []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form", "header")]
        key = loc[-1] if loc else "body"
        ctx = dict(err.get("ctx") or {})
        if "expected" in ctx:
            ctx["expected"] = _choices(str(ctx["expected"]), lang)
        raw = err.get("input")
        value = raw if isinstance(raw, str | int | float) and not isinstance(raw, bool) else ""
        if isinstance(value, str) and len(value) > 40:
            value = value[:40] + "…"
        texts = _VALIDATION.get(err.get("type", ""))
        fields = {"f": field_label(key, lang), "key": key, "input": value, **ctx}
        try:
            text = (texts[1] if lang == "en" else texts[0]).format(**fields) if texts else None
        except (KeyError, IndexError, ValueError):
            text = None
        if text is None:
            text = (
                f"{fields['f']}: invalid value ({err.get('type')})"
                if lang == "en"
                else f"{fields['f']}：取值无效（{err.get('type')}）"
            )
        parts.append(text)
    if lang == "en":
        return "invalid request: " + "; ".join(parts) + "."
    return "请求有误：" + "；".join(parts) + "。"


def render(
    request: Request, name: str, context: dict, status_code: int = 200, nav: str = "", twin: bool = True
) -> Response:
    """Render a page with the common context (user, language, translations, CSRF token, flashes), or
    its JSON twin / a table as CSV when ``?format=json|csv`` asks (:mod:`lantian.web.twin`); an error
    page (``twin=False``) is always the page."""
    answer = twin_response(request, context, status_code) if twin else None
    if answer is not None:
        return answer
    lang = lang_of(request)
    flashes = request.session.pop("flash", [])
    principal = getattr(request.state, "principal", None)
    rules = request.app.state.backend.rules
    base = {
        # whether the user may take an action or hold a permission under the office's rules (menus, buttons)
        "may": lambda permission: principal is not None and rules.may(permission, principal.role),
        "request": request,
        "lang": lang,
        "t": lambda key, **kw: translate(key, lang, **kw),
        "user": getattr(request.state, "principal", None),
        "csrf_token": csrf_token(request),
        "flashes": flashes,
        "nav": nav,
        "downloads": downloads(request, context),
    }
    return request.app.state.templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )


def flash(request: Request, kind: str, text: str) -> None:
    request.session["flash"] = [*request.session.get("flash", []), (kind, text)]


#: Texts of the HTTP errors that starlette raises itself (an unknown path, a method not allowed ...).
_HTTP_TEXTS: dict[int, tuple[str, str]] = {
    400: ("请求有误；请检查后重试。", "Bad request; check it and try again."),
    404: ("没有这个页面；请从菜单进入。", "No such page; use the menu."),
    405: ("此地址不支持这种请求方式。", "This address does not accept this kind of request."),
    413: ("提交的内容过大；请换用较小的文件。", "Request body too large; send a smaller file."),
}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    if status == 303 and headers and "Location" in headers:  # auth.PasswordChangeRequired
        if _wants_json(request):
            return JSONResponse({"error": {"status": 403, "message": message}}, status_code=403)
        return RedirectResponse(headers["Location"], status_code=303)
    if _wants_json(request):
        return JSONResponse(
            {"error": {"status": status, "message": message}}, status_code=status, headers=headers
        )
    if status == 401:
        nxt = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={nxt}", status_code=303)
    lang = lang_of(request)
    title = {403: translate("forbidden", lang), 404: translate("not_found", lang)}.get(
        status, translate("error", lang)
    )
    resp = render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        twin=False,
    )
    if headers:
        resp.headers.update(headers)
    return resp


def too_large(max_body: int, lang: str) -> str:
    limit = f"{max_body / (1024 * 1024):.1f} MB"
    if lang == "en":
        return f"request body too large: at most {limit} ({max_body} bytes); send a smaller file."
    return f"提交的内容过大：最多 {limit}（{max_body} 字节）；请换用较小的文件。"


class _SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, and the upload size limit."""

    def __init__(self, app, max_body: int, secret_key: str = "") -> None:
        self.app = app
        self.max_body = max_body
        self.secret_key = secret_key

    def _lang(self, headers: dict) -> str:
        """The language of the session cookie (read-only: this runs before the session middleware)."""
        cookie = cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get("lantian_session")
        if cookie and self.secret_key:
            try:
                from itsdangerous import TimestampSigner

                data = TimestampSigner(str(self.secret_key)).unsign(cookie.encode("utf-8"))
                lang = json.loads(b64decode(data)).get("lang")
                if lang in ("zh", "en"):
                    return lang
            except Exception:  # an unreadable cookie: fall back to the request's language
                pass
        return _accept_lang(headers.get(b"accept-language", b"").decode("latin-1"))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            resp = JSONResponse(
                {"error": {"status": 413, "message": too_large(self.max_body, self._lang(headers))}},
                status_code=413,
            )
            await resp(scope, receive, send)
            return
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise WebError(413, too_large(self.max_body, "zh"), too_large(self.max_body, "en"))
            return message

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (
                        b"content-security-policy",
                        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                        b"img-src 'self' data: blob:; frame-ancestors 'none'; form-action 'self'",
                    ),
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, limited_receive, send_with_headers)


def create_app(
    settings: config.Settings | None = None, web: WebSettings | None = None, clock: Clock | None = None
) -> FastAPI:
    """Build the application over the store and database named by ``settings``; every time it records
    or compares is Beijing time from ``clock`` (default: the system's, :mod:`lantian.clock`)."""
    settings = settings or config.load()
    web = web or load_web(settings)
    app = FastAPI(
        title="lantian",
        summary="Air-quality figures (HJ 633 / HJ 663) and the Blue-Sky Office's supervision cycle.",
        description=(
            "Authenticate with `Authorization: Bearer <token>` (create tokens on the API tokens page, "
            '`/tokens`) or a browser session. Errors are JSON: `{"error": {"status", "message"}}`; '
            "the message is Chinese, or English for a session that chose English or a request with "
            "`Accept-Language: en`. Lists take `limit` and `offset` and return `{items, total, limit, offset}`. "
            "A query parameter that an operation does not list is refused (422, naming the accepted ones); "
            "the time series take the days `from` … `to` (YYYY-MM-DD, both included, Beijing time)."
        ),
        version=_version(),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.web = web
    app.state.backend = Backend(settings, web, clock)
    app.state.throttle = LoginThrottle(web.login_attempts, web.login_window_seconds)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["fmt"] = _fmt
    app.state.templates = templates

    app.add_middleware(
        SessionMiddleware,
        secret_key=web.secret_key,
        session_cookie="lantian_session",
        max_age=web.session_max_age,
        same_site="lax",
        https_only=web.https,
    )
    app.add_middleware(_SecurityHeaders, max_body=web.max_upload_bytes + 64 * 1024, secret_key=web.secret_key)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        lang = error_lang(request)
        en = getattr(exc, "en", None)
        if en and lang == "en":
            message = en
        elif isinstance(exc, WebError) or exc.status_code not in _HTTP_TEXTS or _has_cjk(str(exc.detail)):
            message = str(exc.detail)
        else:  # starlette's own errors (404 of an unknown path, 405 ...) carry an English phrase
            message = _HTTP_TEXTS[exc.status_code][1 if lang == "en" else 0]
        return _error_response(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error_response(request, 422, validation_message(exc.errors(), error_lang(request)))

    @app.exception_handler(LantianError)
    async def lantian_error(request: Request, exc: LantianError):
        return _error_response(request, status_of(exc), exc.text(error_lang(request)))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("error on %s %s", request.method, request.url.path)
        if error_lang(request) == "en":
            message = f"internal error ({type(exc).__name__}); please tell the administrator, who finds it in the server log."
        else:
            message = f"服务器内部错误（{type(exc).__name__}）；请告知管理员，详情见服务器日志。"
        return _error_response(request, 500, message)

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs(request: Request, _=Depends(public())):  # noqa: B008
        """The API reference (Swagger UI served from the vendored copy, no CDN)."""
        return templates.TemplateResponse(request, "docs.html", {})

    from lantian.web.routes import api, letters, ops, pages

    app.include_router(pages.router)
    app.include_router(letters.router)
    app.include_router(ops.router)
    app.include_router(api.router, prefix=f"{API_PREFIX}/v1")
    if web.warm_up:
        threading.Thread(
            target=_warm_up, args=(app.state.backend,), name="lantian-warm-up", daemon=True
        ).start()
    return app


def _warm_up(backend: Backend) -> None:
    """Compute the dashboard's panels once, so that the first visitor does not wait for them."""
    for panel in (backend.today, backend.year):
        try:
            panel("zh")
        except Exception:  # a panel that fails will show its error on request
            log.exception("warming up %s failed", panel.__name__)


def _fmt(value, decimals: int | None = None, pct: bool = False) -> str:
    """Display a number (``—`` for missing)."""
    if value is None:
        return "—"
    if isinstance(value, float) and value != value:
        return "—"
    if decimals is not None and isinstance(value, int | float):
        text = f"{value:.{decimals}f}"
    else:
        text = str(value)
    return text + ("%" if pct else "")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("lantian")
    except Exception:
        return "0"
