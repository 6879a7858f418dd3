"""Evidence uploads: size limit, accepted types, and a check that the bytes are what the name says."""

from __future__ import annotations

import re
from pathlib import PurePath

from fastapi import UploadFile
from starlette.exceptions import HTTPException

from lantian.web.settings import MAGIC, WebSettings

_CHUNK = 64 * 1024


def clean_name(name: str | None) -> str:
    """A safe file name: no directories, no control or shell characters, at most 120 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", base).strip("._") or "file"
    return base[-120:]


async def read_upload(file: UploadFile, web: WebSettings) -> tuple[str, str, bytes]:
    """Read an uploaded evidence file: (clean name, content type, bytes); 413 / 415 when refused."""
    name = clean_name(file.filename)
    suffix = PurePath(name).suffix.lower()
    ctype = next((t for t, suffixes in web.upload_types.items() if suffix in suffixes), None)
    if ctype is None:
        allowed = ", ".join(s for ss in web.upload_types.values() for s in ss)
        raise HTTPException(415, f"file type {suffix or '(none)'} not accepted; upload one of {allowed}")
    chunks, size = [], 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > web.max_upload_bytes:
            raise HTTPException(413, f"file too large: at most {web.max_upload_bytes // (1024 * 1024)} MB")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise HTTPException(422, "empty file: choose a file with content")
    if not data.startswith(MAGIC[ctype]) or (ctype == "image/webp" and data[8:12] != b"WEBP"):
        raise HTTPException(415, f"{name}: content is not {ctype}; upload a real image or PDF")
    return name, ctype, data
