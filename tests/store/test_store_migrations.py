"""Schema migrations, the append-only audit log, and connection settings, on every available backend."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from lantian.errors import ConfigError, StoreError
from lantian.store import current_revision, head_revision, make_engine, open_database, upgrade
from lantian.store.models import AuditEntry, Base, Case, Organisation, User

NOW = datetime(2026, 3, 1, 8, 0)


def test_empty_database_upgrades_to_head_and_matches_the_models(db_url):
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision() == "0008"
        tables = set(inspect(engine).get_table_names())
        assert {"cases", "audit_log", "escalations", "proposals", "scoring_configs", "patrol_logs", "api_tokens"} <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_revision_one_database_with_data_upgrades_and_keeps_the_data(db_url):
    engine = make_engine(db_url)
    try:
        assert upgrade(engine, "0001") == "0001"
        assert "proposals" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(
                Organisation.__table__.insert(),
                [{"id": 1, "name": "雨湖区", "kind": "district", "created_at": NOW}],
            )
            conn.execute(
                User.__table__.insert(),
                [
                    {
                        "id": 1,
                        "username": "boss",
                        "display_name": "王",
                        "role": "admin",
                        "unit_id": None,
                        "password_hash": None,
                        "active": True,
                        "created_at": NOW,
                    }
                ],
            )
            conn.execute(
                Case.__table__.insert(),
                [
                    {
                        "id": 1,
                        "source": "patrol",
                        "category": "扬尘",
                        "severity": "low",
                        "district_id": 1,
                        "address": "a",
                        "description": "d",
                        "status": "assigned",
                        "unit_id": 1,
                        "deadline": date(2026, 3, 5),
                        "reported_at": NOW,
                        "reported_by": 1,
                        "reopen_count": 0,
                        "version": 3,
                    }
                ],
            )
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT setval('cases_id_seq', 1)"))
                conn.execute(text("SELECT setval('users_id_seq', 1)"))
                conn.execute(text("SELECT setval('organisations_id_seq', 1)"))
    finally:
        engine.dispose()
    db = open_database(db_url)  # upgrades automatically on first use
    try:
        assert current_revision(db.engine) == "0008"
        assert "proposals" in db.table_names()
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("cases")}
        assert "ix_cases_status_deadline" in indexes
        with db.session() as s:
            case = s.get(Case, 1)
            assert (case.status, case.version, case.deadline) == ("assigned", 3, date(2026, 3, 5))
    finally:
        db.dispose()


def test_audit_log_rejects_update_and_delete_in_the_database(db_url):
    db = open_database(db_url)
    try:
        with db.session() as s:
            s.add(
                AuditEntry(
                    at=NOW,
                    actor="boss",
                    entity="case",
                    entity_id=1,
                    action="create",
                    before=None,
                    after={"status": "reported"},
                )
            )
        for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(statement))
        with db.session() as s:
            rows = s.scalars(select(AuditEntry)).all()
            assert [(r.actor, r.after) for r in rows] == [("boss", {"status": "reported"})]
    finally:
        db.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            with pytest.raises(DBAPIError):
                conn.execute(
                    User.__table__.insert(),
                    [
                        {
                            "username": "x",
                            "display_name": "x",
                            "role": "officer",
                            "unit_id": 99,
                            "active": True,
                            "created_at": NOW,
                        }
                    ],
                )
    finally:
        db.dispose()


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path, monkeypatch):
    from lantian import config

    monkeypatch.delenv("LANTIAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path / "home"))
    db = open_database(config.load().database_url)
    try:
        assert db.backend == "sqlite"
        assert (tmp_path / "home" / "lantian.db").is_file()
    finally:
        db.dispose()


def test_bad_urls_get_clear_errors():
    with pytest.raises(ConfigError, match="not valid"):
        make_engine("not a url")
    with pytest.raises(ConfigError, match="not supported"):
        make_engine("mysql://u@h/db")
    with pytest.raises(StoreError, match="cannot open the database"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
