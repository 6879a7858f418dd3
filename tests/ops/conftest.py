"""Database backends of the service tests: SQLite always, PostgreSQL when LANTIAN_TEST_POSTGRES_URL is set
(as in tests/store; if the variable is set but the server cannot be reached, the tests fail)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get("LANTIAN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """An empty database: a new SQLite file, or the PostgreSQL test database wiped."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        pytest.fail(f"LANTIAN_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc.orig}")
    finally:
        engine.dispose()
    return POSTGRES_URL
