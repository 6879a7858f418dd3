"""API tokens (stored as SHA-256 digests), CSRF tokens and login throttling; passwords are
:mod:`lantian.workflow.passwords` (argon2id)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from lantian.workflow.passwords import hash_password, verify_password  # noqa: F401  (used by the web layer)

#: Prefix of API tokens, so that a leaked token is recognisable in logs and scanners.
TOKEN_PREFIX = "lt_"


def new_api_token() -> tuple[str, str]:
    """A new API token and the digest to store (the token itself is shown once and never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """SHA-256 digest of a token (tokens are 256-bit random, so a fast hash is sufficient)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class LoginThrottle:
    """At most ``attempts`` failed logins per (client address, user name), and ``attempts × IP_FACTOR``
    per client address across all user names (password spraying), within ``window`` seconds. The client
    address is the proxy's forwarded one only where ``lantian serve --proxy-headers`` trusts it."""

    IP_FACTOR = 4

    def __init__(self, attempts: int, window: float, clock=time.monotonic) -> None:
        self.attempts = attempts
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, str | None], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        now = self._clock()
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, ip: str, username: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        limits = (
            ((ip, username.strip().lower()), self.attempts),
            ((ip, None), self.attempts * self.IP_FACTOR),
        )
        wait = 0
        with self._lock:
            for key, limit in limits:
                q = self._recent(key)
                if len(q) >= limit:
                    wait = max(wait, max(1, int(self.window - (self._clock() - q[0])) + 1))
        return wait

    def failed(self, ip: str, username: str) -> None:
        with self._lock:
            now = self._clock()
            self._recent((ip, username.strip().lower())).append(now)
            self._recent((ip, None)).append(now)

    def succeeded(self, ip: str, username: str) -> None:
        with self._lock:
            self._failures.pop((ip, username.strip().lower()), None)
