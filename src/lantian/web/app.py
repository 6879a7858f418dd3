"""The FastAPI application: ``create_app(settings)``.

Pages (Jinja2, Chinese with an English toggle) and the JSON API (``/api/v1``, OpenAPI at
``/api/openapi.json``, docs at ``/api/docs``) share one set of context builders
(:mod:`lantian.web.views`), so a page and its JSON twin always show the same figures.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

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
from lantian.web.i18n import translate
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


def render(request: Request, name: str, context: dict, status_code: int = 200, nav: str = "") -> Response:
    """Render a page with the common context (user, language, translations, CSRF token, flashes), or
    its JSON twin / a table as CSV when ``?format=json|csv`` asks (:mod:`lantian.web.twin`)."""
    twin = twin_response(request, context, status_code)
    if twin is not None:
        return twin
    lang = lang_of(request)
    flashes = request.session.pop("flash", [])
    base = {
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


def _error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
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
        request, "error.html", {"status": status, "title": title, "message": message}, status_code=status
    )
    if headers:
        resp.headers.update(headers)
    return resp


class _SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, and the upload size limit."""

    def __init__(self, app, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            resp = JSONResponse(
                {
                    "error": {
                        "status": 413,
                        "message": f"request body too large: at most {self.max_body} bytes",
                    }
                },
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
                    raise HTTPException(413, f"request body too large: at most {self.max_body} bytes")
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
            '`/tokens`) or a browser session. Errors are JSON: `{"error": {"status", "message"}}`. '
            "Lists take `limit` and `offset` and return `{items, total, limit, offset}`."
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
    app.add_middleware(_SecurityHeaders, max_body=web.max_upload_bytes + 64 * 1024)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error_response(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return _error_response(request, 422, "invalid request: " + "; ".join(parts))

    @app.exception_handler(LantianError)
    async def lantian_error(request: Request, exc: LantianError):
        return _error_response(request, status_of(exc), str(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("error on %s %s", request.method, request.url.path)
        return _error_response(request, 500, f"internal error ({type(exc).__name__}); see the server log")

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs(request: Request, _=Depends(public())):  # noqa: B008
        """The API reference (Swagger UI served from the vendored copy, no CDN)."""
        return templates.TemplateResponse(request, "docs.html", {})

    from lantian.web.routes import api, pages

    app.include_router(pages.router)
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
