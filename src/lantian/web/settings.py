"""Settings of the web interface, beside the common :class:`lantian.config.Settings`.

=========================  ================================  ======================================
Setting                    Environment variable              Default
=========================  ================================  ======================================
``secret_key``             ``LANTIAN_SECRET_KEY``            generated once, kept in
                                                             ``<data_dir>/web-secret.key`` (0600)
``https``                  ``LANTIAN_HTTPS`` (``1``)         off: cookies get ``Secure`` when on
``max_upload_bytes``       ``LANTIAN_MAX_UPLOAD_BYTES``      10 MiB
``login_attempts``         --                                5 failures per IP and user name …
``login_window_seconds``   --                                … in 15 minutes, then HTTP 429
``session_max_age``        --                                8 hours
=========================  ================================  ======================================

The ``[web]`` table of ``lantian.toml`` may set the same keys.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from lantian.config import Settings
from lantian.errors import ConfigError

#: Evidence files accepted on upload: content type → file suffixes.
UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}

#: Leading bytes of each accepted content type (the upload must really be that type).
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


@dataclass(frozen=True)
class WebSettings:
    secret_key: str
    https: bool = False
    max_upload_bytes: int = 10 * 1024 * 1024
    login_attempts: int = 5
    login_window_seconds: int = 15 * 60
    session_max_age: int = 8 * 3600
    upload_types: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(UPLOAD_TYPES))
    #: Compute the today and this-year panels in the background when the app starts.
    warm_up: bool = False


def _secret(settings: Settings, table: dict) -> str:
    key = os.environ.get("LANTIAN_SECRET_KEY") or table.get("secret_key")
    if key:
        if len(key) < 32:
            raise ConfigError("the web secret key must have at least 32 characters; set LANTIAN_SECRET_KEY")
        return key
    path = Path(settings.data_dir) / "web-secret.key"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def load_web(settings: Settings) -> WebSettings:
    """Resolve the web settings (see the module docstring)."""
    table = dict((settings.extra or {}).get("web", {}))
    https = os.environ.get("LANTIAN_HTTPS", str(table.get("https", ""))).strip().lower() in (
        "1",
        "true",
        "yes",
    )
    raw = os.environ.get("LANTIAN_MAX_UPLOAD_BYTES") or table.get("max_upload_bytes") or 10 * 1024 * 1024
    try:
        max_upload = int(raw)
    except ValueError as exc:
        raise ConfigError(f"max_upload_bytes must be an integer number of bytes, got {raw!r}") from exc
    return WebSettings(
        secret_key=_secret(settings, table), https=https, max_upload_bytes=max_upload, warm_up=True
    )
