"""Server-side browser sessions: the signed cookie carries only a random session secret, the database
keeps its digest (model ``lantian.store.models.WebSession``, Alembic revision 0004). A session ends at
logout, when the user's password changes or the user is disabled, or after ``session_max_age``."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.store.models import WebSession
from lantian.web.security import token_digest

web_sessions = WebSession.__table__


class SessionStore:
    """Start, look up and end browser sessions (digests only); times are Beijing time from ``clock``."""

    def __init__(self, engine: Engine, max_age_seconds: int, clock: Clock | None = None) -> None:
        self.engine = engine
        self.max_age = dt.timedelta(seconds=max_age_seconds)
        self.clock = clock or SYSTEM_CLOCK

    def start(self, user_id: int) -> str:
        """A new session of ``user_id``; returns its secret (for the cookie, never stored)."""
        secret = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.engine.begin() as conn:
            conn.execute(
                insert(web_sessions).values(
                    user_id=user_id, digest=token_digest(secret), created_at=now, last_seen_at=now
                )
            )
        return secret

    def user_for(self, secret: str) -> int | None:
        """The user of a live session, or ``None`` (unknown, ended or older than the maximum age)."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(web_sessions.c.id, web_sessions.c.user_id, web_sessions.c.created_at).where(
                    web_sessions.c.digest == token_digest(secret), web_sessions.c.ended_at.is_(None)
                )
            ).first()
            if row is None:
                return None
            if now - row.created_at > self.max_age:
                conn.execute(update(web_sessions).where(web_sessions.c.id == row.id).values(ended_at=now))
                return None
            conn.execute(update(web_sessions).where(web_sessions.c.id == row.id).values(last_seen_at=now))
            return int(row.user_id)

    def end(self, secret: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(web_sessions)
                .where(web_sessions.c.digest == token_digest(secret), web_sessions.c.ended_at.is_(None))
                .values(ended_at=self.clock.now())
            )

    def end_all(self, user_id: int) -> int:
        """End every session of a user (password changed, user disabled); returns how many were live."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(web_sessions)
                .where(web_sessions.c.user_id == user_id, web_sessions.c.ended_at.is_(None))
                .values(ended_at=self.clock.now())
            )
            return result.rowcount
