"""Fetching the latest hourly release from an HTTP(S) address (``run.poll_url``) into the inbox.

Each poll is one GET with ``If-None-Match`` (the last ``ETag``) and ``If-Modified-Since`` (the last
``Last-Modified``): a server that honours them answers ``304 Not Modified`` and nothing is read. A body
whose sha256 is that of the last release taken is dropped as well (a server that ignores the
conditional headers, or a release re-published unchanged). A new body is written into the inbox under
a temporary name and renamed into place, so the inbox flow (:func:`lantian.ops.jobs.poll_inbox`) takes
it as complete: the same ingest, the same ``done/`` and ``rejected/`` reports, the same alerts.

What was taken is kept in the mark ``poll`` (``ops_marks``): the address, its ``ETag`` and
``Last-Modified``, the body's sha256 and the file written. The mark is written after the file is in the
inbox, so a crash in between writes the same body again at the next poll, and the ingest log (by sha256)
makes that second copy a no-op.

A connection refused, a timeout, an HTTP error (404, 500 …) or an unreadable answer raises
:class:`PollError` with what was wrong and what to do; the service records it as a failure of the job
``poll`` (shown by ``/healthz``) and polls again at the next interval.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from lantian.errors import ConfigError, LantianError
from lantian.ops.runs import get_mark, set_mark

MARK = "poll"
#: Largest body taken (a national-platform hourly release of a province is a few MB).
MAX_BYTES = 200 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class PollError(LantianError):
    """The poll did not get a release: the message says what was wrong and what to check."""


def check_url(url: str) -> str:
    """``url`` if it is an http(s) address, else a :class:`ConfigError` naming the setting."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"设置 run.poll_url 的值 {url!r} 不是 http(s) 地址；请写成 https://主机/路径 的形式，或不设置以关闭轮询。"
        )
    return url


def shown(url: str) -> str:
    """``url`` without its query (which may carry a key) for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def file_name(url: str, headers: Message, digest: str) -> str:
    """The inbox name of a body: the ``Content-Disposition`` file name, else the last part of the
    address's path (readers take the release's period from its name), else ``release-<sha256>.csv``."""
    name = headers.get_filename() or ""
    if not name:
        name = urllib.parse.unquote(Path(urllib.parse.urlsplit(url).path).name)
    name = _SAFE_NAME.sub("_", Path(name).name).strip("._")
    return name or f"release-{digest[:12]}.csv"


def _free(inbox: Path, name: str, digest: str) -> Path:
    """``inbox/name``, or ``inbox/<stem>.<sha>.<suffix>`` when a file of that name waits there."""
    target = inbox / name
    if not target.exists():
        return target
    stem, dot, suffix = name.partition(".")
    return inbox / f"{stem}.{digest[:12]}{dot}{suffix}"


def _reason(exc: BaseException, url: str, timeout: int) -> str:
    where = shown(url)
    if isinstance(exc, urllib.error.HTTPError):
        return (
            f"获取 {where} 失败：服务器回答 HTTP {exc.code} {exc.reason}；"
            + ("请检查设置 run.poll_url 的地址是否正确。" if exc.code in (401, 403, 404, 410)
               else "服务器出错，将在下一次轮询时再试；持续出现请联系数据发布方。")
        )
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return (f"获取 {where} 失败：{timeout} 秒内没有回答（超时）；将在下一次轮询时再试，"
                "服务器一向较慢时可调大设置 run.poll_timeout。")
    if isinstance(reason, ConnectionRefusedError):
        return f"获取 {where} 失败：连接被拒绝（服务器没有在该端口提供服务）；请检查设置 run.poll_url 的主机和端口。"
    if isinstance(reason, socket.gaierror):
        return f"获取 {where} 失败：找不到主机（{reason}）；请检查设置 run.poll_url 的主机名和本机的域名解析。"
    return f"获取 {where} 失败：{type(reason).__name__}: {reason}；将在下一次轮询时再试。"


def poll(db, settings, inbox: Path, wall_now, timeout: int | None = None) -> dict:
    """One poll of ``run.poll_url`` into ``inbox``. Returns ``{"status": "new", "file": …}`` when a new
    release was written, ``"not modified"`` (304) or ``"unchanged"`` (same sha256) otherwise; raises
    :class:`PollError` when no answer was had."""
    url = check_url(settings.value("poll_url"))
    timeout = timeout or settings.value("poll_timeout")
    mark = get_mark(db, MARK) or {}
    same = mark.get("url") == url
    headers = {"User-Agent": "lantian", "Accept": "*/*"}
    if same and mark.get("etag"):
        headers["If-None-Match"] = mark["etag"]
    if same and mark.get("last_modified"):
        headers["If-Modified-Since"] = mark["last_modified"]
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            answer = response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return {"status": "not modified"}
        raise PollError(_reason(exc, url, timeout)) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PollError(_reason(exc, url, timeout)) from exc
    if len(body) > MAX_BYTES:
        raise PollError(f"获取 {shown(url)} 的内容超过 {MAX_BYTES // (1024 * 1024)} MB，不像小时发布文件；请检查设置 run.poll_url。")
    if not body:
        raise PollError(f"获取 {shown(url)} 得到空内容；数据发布方可能尚未发布，将在下一次轮询时再试。")
    digest = hashlib.sha256(body).hexdigest()
    value = {"url": url, "etag": answer.get("ETag"), "last_modified": answer.get("Last-Modified"),
             "sha256": digest}
    if same and mark.get("sha256") == digest:
        with db.session() as s:
            set_mark(s, MARK, {**mark, **value}, wall_now)
        return {"status": "unchanged", "sha256": digest}
    inbox.mkdir(parents=True, exist_ok=True)
    target = _free(inbox, file_name(url, answer, digest), digest)
    partial = inbox / f".{target.name}.part"
    partial.write_bytes(body)
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    partial.replace(target)
    with db.session() as s:
        set_mark(s, MARK, {**value, "file": target.name}, wall_now)
    return {"status": "new", "file": target.name, "sha256": digest, "bytes": len(body)}
