"""The supervision database: SQLAlchemy models, engine/session factory, Alembic migrations."""

from lantian.store.db import Database, current_revision, head_revision, make_engine, open_database, upgrade

__all__ = ["Database", "current_revision", "head_revision", "make_engine", "open_database", "upgrade"]
