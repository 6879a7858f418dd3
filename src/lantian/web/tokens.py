"""API tokens of the web interface: only a SHA-256 digest of each token is stored.

The table ``api_tokens`` is part of the supervision database (model ``lantian.store.models.ApiToken``,
Alembic revisions 0003 and 0005). A token has a scope — ``read`` (GET requests only) or ``write`` — and
an expiry; an expired or revoked token opens nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.store.models import ApiToken

api_tokens = ApiToken.__table__

#: Token scopes (Chinese, English).
SCOPES: dict[str, tuple[str, str]] = {"read": ("只读", "read only"), "write": ("读写", "read and write")}
#: Validity of a new token unless another is chosen, and the longest allowed (days).
DEFAULT_DAYS, MAX_DAYS = 90, 366


class TokenStore:
    """Create, look up and revoke API tokens (digests only); times are Beijing time from ``clock``."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SYSTEM_CLOCK

    def add(self, user_id: int, name: str, digest: str, scope: str = "read", days: int = DEFAULT_DAYS) -> int:
        now = self.clock.now()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(api_tokens).values(
                    user_id=user_id,
                    name=name,
                    digest=digest,
                    created_at=now,
                    revoked=False,
                    scope=scope,
                    expires_at=now + dt.timedelta(days=days),
                )
            )
            return int(result.inserted_primary_key[0])

    def user_for(self, digest: str) -> tuple[int, str] | None:
        """The user and scope of a live token (not revoked, not expired), or ``None``."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.scope, api_tokens.c.expires_at
                ).where(api_tokens.c.digest == digest, api_tokens.c.revoked.is_(False))
            ).first()
            if row is None or (row.expires_at is not None and now >= row.expires_at):
                return None
            conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
            return int(row.user_id), row.scope

    def list(self, user_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    api_tokens.c.id,
                    api_tokens.c.name,
                    api_tokens.c.created_at,
                    api_tokens.c.last_used_at,
                    api_tokens.c.scope,
                    api_tokens.c.expires_at,
                )
                .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False))
                .order_by(api_tokens.c.id)
            ).all()
        return [
            {
                "id": r.id,
                "name": r.name,
                "created": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "last_used": r.last_used_at.strftime("%Y-%m-%d %H:%M") if r.last_used_at else None,
                "scope": r.scope,
                "expires": r.expires_at.strftime("%Y-%m-%d %H:%M") if r.expires_at else None,
            }
            for r in rows
        ]

    def revoke(self, user_id: int, token_id: int) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.user_id == user_id)
                .values(revoked=True)
            )
            return result.rowcount > 0
