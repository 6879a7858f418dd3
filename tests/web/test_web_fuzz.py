"""API fuzzing with schemathesis against the OpenAPI description, in-process (ASGI), bounded.

Every operation is called with generated parameters and bodies as the admin (bearer token); no
response may be a server error (5xx), and responses must match the documented status codes.
The four assessment operations (daily AQI, assessments, rankings, targets) run the full HJ 663
assessment per distinct period (about ten seconds each at present), so they are fuzzed with fewer
examples; their figures are tested in test_web_api.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from webtools import make_settings, web_settings

from lantian.web import create_app

HEAVY = ("/api/v1/aqi/daily", "/api/v1/assessments", "/api/v1/rankings", "/api/v1/targets")


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("fuzz")), web_settings())
    from fastapi.testclient import TestClient
    from webtools import login

    with TestClient(app) as c:
        login(c, "admin")
        import re

        page = c.post("/tokens", data={"name": "fuzz", "scope": "write"}, follow_redirects=True).text
        app.state.fuzz_token = re.search(r'id="new-token">([^<]+)<', page).group(1)
        page = c.post("/tokens", data={"name": "fuzz read", "scope": "read"}, follow_redirects=True).text
        app.state.fuzz_read_token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    return app


def test_openapi_fuzz_no_server_errors(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    failures, statuses = [], []
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 14
    for op in ops:
        examples = 3 if op.path in HEAVY else 25

        @settings(
            max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=op.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                    f"{response.text[:200]}"
                )
            case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

        run()
    assert not failures, failures
    # the fuzzing reached the operations (authenticated, some requests valid), not only the validators
    assert len(statuses) >= 200 and statuses.count(200) + statuses.count(201) >= 50, sorted(set(statuses))


def test_openapi_fuzz_read_token_writes_nothing(fuzz_app):
    """With a read-only token every writing operation is refused (403) or rejected as invalid input
    (4xx), never a server error, and no case changes (lantian.web.tokens scopes)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_read_token}"}
    before = fuzz_app.state.backend.workflow.list_cases("admin")
    statuses = []
    writes = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() != "GET"]
    assert writes
    for op in writes:

        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            assert 400 <= response.status_code < 500, (case.method, case.formatted_path, response.text[:200])

        run()
    assert 403 in statuses
    assert fuzz_app.state.backend.workflow.list_cases("admin") == before
