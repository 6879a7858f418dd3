"""Alembic environment: migrations run on the connection handed over by ``lantian.store.db``."""

from __future__ import annotations

from alembic import context

from lantian.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "lantian migrations run through lantian.store.db.upgrade(), which supplies a connection"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
