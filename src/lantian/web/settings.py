"""What only the web interface needs beside the settings of :mod:`lantian.config`.

The values (``secret_key``, ``https``, ``max_upload_bytes``, ``login_attempts``,
``login_window_seconds``, ``session_max_age``: the ``[web]`` table of lantian.toml or their
environment variables) come from the registry :data:`lantian.config.REGISTRY`; this module adds the
accepted upload types and keeps the generated secret key in ``<data_dir>/web-secret.key`` (0600).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from lantian.config import SETTINGS, Settings
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
    https: bool = SETTINGS["https"].default
    max_upload_bytes: int = SETTINGS["max_upload_bytes"].default
    login_attempts: int = SETTINGS["login_attempts"].default
    login_window_seconds: int = SETTINGS["login_window_seconds"].default
    session_max_age: int = SETTINGS["session_max_age"].default
    upload_types: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(UPLOAD_TYPES))
    #: Compute the today and this-year panels in the background when the app starts.
    warm_up: bool = False


def _secret(settings: Settings) -> str:
    key = settings.value("secret_key")
    if key:
        if len(key) < 32:
            raise ConfigError(
                f"网页密钥 secret_key 只有 {len(key)} 个字符，至少需要 32 个；"
                "请设置更长的 LANTIAN_SECRET_KEY（或 lantian.toml 的 [web] secret_key）。"
            )
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
    """The web settings of ``settings`` (the secret key generated on first use)."""
    return WebSettings(
        secret_key=_secret(settings),
        https=settings.value("https"),
        max_upload_bytes=settings.value("max_upload_bytes"),
        login_attempts=settings.value("login_attempts"),
        login_window_seconds=settings.value("login_window_seconds"),
        session_max_age=settings.value("session_max_age"),
        warm_up=True,
    )
