"""Fixtures of the workflow tests: a database per available backend, seeded with units and users."""

from __future__ import annotations

import pytest
from wf_helpers import BACKENDS, fresh_url, seed

from lantian.store import open_database
from lantian.workflow.services import Workflow


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    return fresh_url(request.param, tmp_path)


@pytest.fixture
def wf(db_url):
    database = open_database(db_url)
    try:
        yield seed(Workflow(database))
    finally:
        database.dispose()
