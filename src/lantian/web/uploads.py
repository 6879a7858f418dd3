"""Evidence uploads: size limit, accepted types, and a check that the bytes are what the name says."""

from __future__ import annotations

import re
from pathlib import PurePath

from fastapi import UploadFile

from lantian.web.i18n import web_error
from lantian.web.settings import MAGIC, WebSettings

_CHUNK = 64 * 1024
_KINDS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "application/pdf": "PDF"}


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
        allowed = [s for ss in web.upload_types.values() for s in ss]
        raise web_error(
            415,
            f"不接受 {suffix or '无扩展名'} 类型的文件；请上传以下类型之一：{'、'.join(allowed)}。",
            f"file type {suffix or '(none)'} not accepted; upload one of {', '.join(allowed)}.",
        )
    chunks, size = [], 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > web.max_upload_bytes:
            mb = web.max_upload_bytes // (1024 * 1024)
            raise web_error(
                413,
                f"文件过大：最多 {mb} MB；请压缩后重新上传。",
                f"file too large: at most {mb} MB; compress it and upload again.",
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise web_error(422, "文件是空的；请选择有内容的文件。", "empty file: choose a file with content.")
    if not data.startswith(MAGIC[ctype]) or (ctype == "image/webp" and data[8:12] != b"WEBP"):
        kind = _KINDS.get(ctype, ctype)
        raise web_error(
            415,
            f"{name}：文件内容不是 {kind}；请上传真实的图片或 PDF。",
            f"{name}: content is not {kind}; upload a real image or PDF.",
        )
    return name, ctype, data
