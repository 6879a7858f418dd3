"""API tokens of the web interface: only a SHA-256 digest of each token is stored.

The table ``api_tokens`` is part of the supervision database (model ``lantian.store.models.ApiToken``,
Alembic revision 0003).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.store.models import ApiToken

api_tokens = ApiToken.__table__


class TokenStore:
    """Create, look up and revoke API tokens (digests only); times are Beijing time from ``clock``."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SYSTEM_CLOCK

    def add(self, user_id: int, name: str, digest: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(api_tokens).values(
                    user_id=user_id, name=name, digest=digest, created_at=self.clock.now(), revoked=False
                )
            )
            return int(result.inserted_primary_key[0])

    def user_for(self, digest: str) -> int | None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(api_tokens.c.id, api_tokens.c.user_id).where(
                    api_tokens.c.digest == digest, api_tokens.c.revoked.is_(False)
                )
            ).first()
            if row is None:
                return None
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=self.clock.now())
            )
            return int(row.user_id)

    def list(self, user_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.last_used_at)
                .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False))
                .order_by(api_tokens.c.id)
            ).all()
        return [
            {
                "id": r.id,
                "name": r.name,
                "created": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "last_used": r.last_used_at.strftime("%Y-%m-%d %H:%M") if r.last_used_at else None,
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
