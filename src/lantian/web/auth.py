"""Who is asking: session or API-token authentication, role checks and CSRF protection.

Every route declares the roles that may reach it with :func:`require` (or :func:`public`); the role
matrix test walks the routes and fails on one that declares neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from starlette.exceptions import HTTPException

from lantian.web.i18n import web_error
from lantian.web.security import new_csrf_token, same_token, token_digest

ROLES = ("admin", "officer", "inspector", "leader")
ROLE_NAMES = {"admin": "市蓝天办管理员", "officer": "责任单位联络员", "inspector": "巡查员", "leader": "领导"}
ROLE_NAMES_EN = {
    "admin": "administrator",
    "officer": "unit officer",
    "inspector": "inspector",
    "leader": "leader",
}
ALL = ROLES
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the web layer sees it."""

    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str | None
    via: str = "session"  # "session" or "token"
    scope: str = "write"  # of a token: "read" (GET only) or "write" (lantian.web.tokens)
    #: After an administrator's reset: every page but the password page and logout is closed until then.
    must_change_password: bool = False


#: The pages open to a user who must change a one-time password first.
PASSWORD_PATHS = frozenset({"/account/password", "/logout"})


class PasswordChangeRequired(HTTPException):
    """A one-time password was used: the browser is sent to the password page (the API answers 403)."""

    def __init__(self) -> None:
        super().__init__(
            303, "请先修改密码：管理员重设的一次性密码须在首次登录后更换。", {"Location": "/account/password"}
        )
        self.en = "change your password first: a one-time password set by an administrator must be replaced."


class LoginRequired(HTTPException):
    def __init__(self) -> None:
        super().__init__(401, "请先登录，或在请求头中发送 Authorization: Bearer <API 令牌>。")
        self.en = "log in first, or send the header Authorization: Bearer <API token>."


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request authenticated by the session cookie without the session's CSRF token."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not same_token(sent, request.session.get("csrf")):
        raise web_error(
            403,
            "表单已过期或缺少安全校验码（CSRF）：请刷新页面后重新提交。",
            "the form has expired or lacks its CSRF code: reload the page and submit again.",
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return None


def authenticate(request: Request) -> Principal | None:
    """The principal of a request, from its bearer token or its session; ``None`` when anonymous."""
    backend = request.app.state.backend
    token = _bearer(request)
    if token is not None:
        principal = backend.principal_for_token(token_digest(token)) if token else None
        if principal is None:
            raise web_error(
                401,
                "API 令牌无效、已过期或已吊销：请在“API 令牌”页面创建新令牌。",
                "the API token is invalid, expired or revoked: create a new one on the API tokens page.",
            )
        return principal
    sid = request.session.get("sid")
    uid = backend.sessions.user_for(sid) if isinstance(sid, str) else None
    if uid is None:
        if sid is not None:
            request.session.clear()  # an ended session: the cookie no longer opens anything
        return None
    principal = backend.principal(uid)
    if principal is None or request.session.get("pwv") != backend.password_version(uid):
        backend.sessions.end(sid)
        request.session.clear()
        return None
    return principal


def require(*roles: str) -> Callable:
    """Dependency: the request's principal, who must hold one of ``roles`` (401 anonymous, 403 other role)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}; use some of {ROLES}")

    async def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if principal is None:
            raise LoginRequired()
        if (
            principal.must_change_password
            and principal.via == "session"
            and request.url.path not in PASSWORD_PATHS
        ):
            raise PasswordChangeRequired()
        if principal.role not in roles:
            raise web_error(
                403,
                f"您的角色（{ROLE_NAMES[principal.role]}）无权进行此操作；可进行此操作的角色："
                f"{'、'.join(ROLE_NAMES[r] for r in roles)}。",
                f"your role ({ROLE_NAMES_EN.get(principal.role, principal.role)}) may not do this; roles that may: "
                f"{', '.join(ROLE_NAMES_EN.get(r, r) for r in roles)}.",
            )
        if principal.via == "token" and principal.scope != "write" and request.method not in SAFE_METHODS:
            raise web_error(
                403,
                "此 API 令牌为只读：修改数据请在“API 令牌”页面创建读写令牌。",
                "this API token is read-only: create a read-and-write token on the API tokens page to change data.",
            )
        await check_csrf(request)
        request.state.principal = principal
        return principal

    dependency.roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency


def public() -> Callable:
    """Dependency for the few routes reachable without login (login page, language toggle, health)."""

    async def dependency(request: Request) -> Principal | None:
        await check_csrf(request)
        try:
            principal = authenticate(request)
        except HTTPException:
            principal = None
        request.state.principal = principal
        return principal

    dependency.roles = None  # type: ignore[attr-defined]
    return dependency
