"""Engine and session factory, and the schema migrations run from Python.

``open_database(url)`` returns a :class:`Database` whose schema is at the newest revision: a new or
older database is upgraded on first use. SQLite files get WAL journaling, foreign keys and a busy
timeout; PostgreSQL is reached with ``postgresql+psycopg://user@host:port/db``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from lantian.errors import ConfigError, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file the parent directory is created."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"database URL {url!r} is not valid ({exc}); use sqlite:///path/to/file.db or "
            "postgresql+psycopg://user@host:port/dbname."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(f"database {parsed.get_backend_name()!r} is not supported; use SQLite or PostgreSQL.")


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision shipped with this version of lantian."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise _unreachable(engine, exc) from exc


def _unreachable(engine: Engine, exc: OperationalError, doing: str = "open") -> StoreError:
    """The error of a database that cannot be reached or used (server down, wrong host or port, no file,
    a lock): one line, with the URL but never its password."""
    first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    return StoreError(
        f"cannot {doing} the database {engine.url.render_as_string(hide_password=True)}: {first}; "
        "check the URL (--db / LANTIAN_DATABASE_URL) and that the server is running"
        "（无法连接数据库：请检查地址及数据库服务是否运行）."
    )


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply the migrations up to ``revision``; returns the revision reached."""
    from alembic import command

    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
    except OperationalError as exc:
        raise _unreachable(engine, exc, "upgrade") from exc
    return current_revision(engine)


@dataclass
class Database:
    """An engine plus its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, auto_upgrade: bool = True) -> Database:
    """Connect to ``url`` and bring its schema to the newest revision (unless ``auto_upgrade=False``)."""
    engine = make_engine(url)
    try:
        if auto_upgrade and current_revision(engine) != head_revision():
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise _unreachable(engine, exc) from exc
    except StoreError:
        engine.dispose()
        raise
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


class ConcurrentEdit(StoreError):
    """Someone else changed the record between reading and writing it (optimistic locking)."""
