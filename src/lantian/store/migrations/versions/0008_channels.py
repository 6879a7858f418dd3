"""Notification channels of a unit and of a user: a webhook URL (a chat robot) and e-mail addresses.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("organisations", "users")


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): other tables reference both tables and SQLite enforces foreign keys.
    for table in TABLES:
        op.add_column(table, sa.Column("webhook_url", sa.String(length=500), nullable=True))
        op.add_column(table, sa.Column("email", sa.String(length=320), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "email")
        op.drop_column(table, "webhook_url")
