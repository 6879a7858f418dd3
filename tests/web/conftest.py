"""Fixtures of the web tests: a demo data directory (bundled sample + demo organisation) and clients."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webtools import ROLE_USER, login, make_settings, web_settings

from lantian.config import Settings
from lantian.web import create_app


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Settings:
    """A data directory loaded like ``lantian demo`` does (shared by the read-mostly tests)."""
    return make_settings(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def app(demo_dir):
    return create_app(demo_dir, web_settings())


@pytest.fixture(scope="session")
def tokens(app) -> dict[str, str]:
    """An API token per role (created through the tokens page)."""
    out = {}
    for role, username in ROLE_USER.items():
        with TestClient(app) as c:
            login(c, username)
            r = c.post("/tokens", data={"name": f"{role} test", "scope": "write"}, follow_redirects=True)
            out[role] = re.search(r'id="new-token">([^<]+)<', r.text).group(1)
    return out
