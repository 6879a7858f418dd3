"""Every route declares who may reach it, and the declaration is enforced for every role."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from webtools import api

ALL = {"admin", "officer", "inspector", "leader"}

#: The policy, written out independently of the code: (method, path) -> roles (None = public).
EXPECTED: dict[tuple[str, str], set[str] | None] = {
    ("GET", "/healthz"): None,
    ("GET", "/api/docs"): None,
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("GET", "/lang/{code}"): None,
    ("POST", "/logout"): ALL,
    ("GET", "/"): ALL,
    ("GET", "/partials/today"): ALL,
    ("GET", "/year"): ALL,
    ("GET", "/province"): ALL,
    ("GET", "/analysis"): ALL,
    ("GET", "/cases"): ALL,
    # Case writes are open at the route; the office's rules ([roles]) decide in the workflow (403).
    ("GET", "/cases/new"): ALL,
    ("POST", "/cases"): ALL,
    ("GET", "/cases/{case_id}"): ALL,
    ("POST", "/cases/{case_id}/actions/{action}"): ALL,
    ("POST", "/cases/{case_id}/comments"): ALL,
    ("POST", "/cases/{case_id}/evidence"): ALL,
    ("GET", "/cases/{case_id}/evidence/{evidence_id}"): ALL,
    ("GET", "/cases/{case_id}/letters/{letter}.pdf"): ALL,
    ("GET", "/assessment/monthly"): ALL,
    ("GET", "/cycle/{kind}"): ALL,
    ("GET", "/reports/{kind}.{fmt}"): ALL,
    ("GET", "/reports/archive"): ALL,
    ("GET", "/reports/archive/{report_id}"): ALL,
    # Metrics are operational (jobs, channels, statuses and their counts; no personal data), open like /healthz.
    ("GET", "/metrics"): None,
    ("GET", "/notifications"): {"admin", "leader"},
    ("GET", "/tokens"): ALL,
    ("POST", "/tokens"): ALL,
    ("POST", "/tokens/{token_id}/revoke"): ALL,
    ("GET", "/admin/users"): {"admin"},
    ("POST", "/admin/users"): {"admin"},
    ("POST", "/admin/units"): {"admin"},
    ("POST", "/admin/channels"): {"admin"},
    ("POST", "/admin/users/{username}/reset"): {"admin"},
    ("POST", "/admin/users/{username}/{change}"): {"admin"},
    ("GET", "/patrol"): ALL,
    ("POST", "/patrol"): ALL,
    ("GET", "/account/password"): ALL,
    ("POST", "/account/password"): ALL,
    ("GET", "/api/v1/me"): ALL,
    ("GET", "/api/v1/stations"): ALL,
    ("GET", "/api/v1/aqi/hourly"): ALL,
    ("GET", "/api/v1/aqi/daily"): ALL,
    ("GET", "/api/v1/assessments"): ALL,
    ("GET", "/api/v1/rankings"): ALL,
    ("GET", "/api/v1/board"): ALL,
    ("GET", "/api/v1/outlook"): ALL,
    ("GET", "/api/v1/explain"): ALL,
    ("GET", "/api/v1/profiles"): ALL,
    ("GET", "/api/v1/targets"): ALL,
    ("GET", "/api/v1/warnings"): ALL,
    ("GET", "/api/v1/cases"): ALL,
    ("POST", "/api/v1/cases"): ALL,
    ("GET", "/api/v1/cases/{case_id}"): ALL,
    ("PATCH", "/api/v1/cases/{case_id}"): ALL,
    ("POST", "/api/v1/cases/{case_id}/transitions"): ALL,
    ("GET", "/api/v1/cycle/{kind}"): ALL,
    ("GET", "/api/v1/scores/monthly"): ALL,
}
#: Framework routes that serve the API description and static files (no data).
FRAMEWORK = {"/api/openapi.json", "/static"}


def _declared_roles(route: APIRoute):
    """The roles of the route's ``require``/``public`` dependency (``...`` when it has none)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None and hasattr(dep.call, "roles"):
            return dep.call.roles
        stack.extend(dep.dependencies)
    return ...


def _walk(routes, prefix: str = ""):
    """(prefix, route) of every route, descending into included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(inner.routes, prefix + route.include_context.prefix)
        else:
            yield prefix, route


def _routes(app):
    for prefix, route in _walk(app.routes):
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                yield method, prefix + route.path, route


def test_every_route_declares_its_roles_as_expected(app):
    seen = {}
    for method, path, route in _routes(app):
        declared = _declared_roles(route)
        assert declared is not ..., f"{method} {path} has no role dependency"
        seen[(method, path)] = None if declared is None else set(declared)
    assert seen == EXPECTED
    other = {getattr(r, "path", "") for _p, r in _walk(app.routes) if not isinstance(r, APIRoute)}
    assert other <= FRAMEWORK


def _concrete(path: str, case_id: int) -> str:
    return (
        path.replace("{case_id}", str(case_id))
        .replace("{action}", "start")
        .replace("{evidence_id}", "999999")
        .replace("{letter}", "assign")
        .replace("{token_id}", "999999")
        .replace("{kind}", "weekly")
        .replace("{code}", "en")
        .replace("{username}", "no-such-user")
        .replace("{change}", "disable")
        .replace("{fmt}", "xlsx")
        .replace("{report_id}", "999999")
    )


@pytest.mark.parametrize("role", sorted(ALL))
def test_role_matrix_is_enforced(app, tokens, role):
    """Each protected route answers 403 with the route-level message to a role outside its list,
    and never that refusal (nor 401) to a role inside it; anonymous callers get 401 / the login page."""
    admin = api(app, tokens["admin"])
    visible = admin.get("/api/v1/cases", params={"unit": "天元区"}).json()["items"][0]["id"]
    client = api(app, tokens[role])
    anonymous = TestClient(app)
    for (method, path), roles in EXPECTED.items():
        if roles is None:
            continue
        url = _concrete(path, visible)
        kwargs = {"json": {}} if path.startswith("/api/") and method in ("POST", "PATCH") else {}
        r = client.request(method, url, follow_redirects=False, **kwargs)
        refused = r.status_code == 403 and "无权进行此操作" in r.text
        if role in roles:
            assert not refused and r.status_code != 401, f"{role} refused on {method} {path}: {r.text[:200]}"
        else:
            assert refused, f"{role} not refused on {method} {path}: {r.status_code} {r.text[:200]}"
        if role == "admin":
            a = anonymous.request(method, url, follow_redirects=False, **kwargs)
            if path.startswith("/api/"):
                assert a.status_code == 401, f"anonymous {method} {path}: {a.status_code}"
            else:
                assert a.status_code in (303, 401, 403), f"anonymous {method} {path}: {a.status_code}"
                if method == "GET":
                    assert a.headers["location"].startswith("/login"), path
