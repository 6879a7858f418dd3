"""Notifications through an outbox: written with the decision, sent afterwards, never twice.

:func:`enqueue` adds one row per channel in the caller's transaction — the transaction that records the
escalation step, the alert's watermark or the report's publication — so either both the decision and
its notification are stored or neither is. :func:`deliver` sends the pending rows: a webhook as a JSON
POST of the shape enterprise chat robots accept (企业微信/钉钉 ``{"msgtype": "text", "text": {"content":
…}}``) with the key in the ``Idempotency-Key`` header, an e-mail through SMTP with a ``Message-ID`` made
from the key (so a receiver can drop a copy). A failed send is tried again after ``retry_seconds`` ×
2^(attempt−1); after ``notify_attempts`` failures the row is kept as ``dead`` (the dead-letter record).

Delivery is at least once: a crash between a successful send and recording it sends that one message
again on restart, carrying the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.errors import ConfigError
from lantian.jsonable import dumps
from lantian.store.db import Database
from lantian.store.models import Notification, Organisation, User

log = logging.getLogger("lantian.ops.notify")

EVENTS: dict[str, str] = {
    "heavy-hour": "重度污染小时",
    "escalation": "逾期升级",
    "report": "报告发布",
    "assigned": "问题交办",
    "target": "目标风险",
    "warning": "预警级别变化",
}
MAX_BACKOFF = dt.timedelta(days=1)


def channels(settings) -> list[tuple[str, str]]:
    """The office's channels from the settings: (``webhook``, URL) and (``email``, addresses)."""
    out = []
    if url := settings.value("webhook_url"):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"设置 run.webhook_url 的值 {url!r} 不是 http(s) 地址；请写成 https://… 的形式。")
        out.append(("webhook", url))
    smtp, to = settings.value("smtp"), settings.value("mail_to")
    if smtp:
        smtp_address(smtp)
        if not to:
            raise ConfigError("已设置 run.smtp 但没有收件人；请设置 run.mail_to（多个地址用逗号分隔）。")
        out.append(("email", ",".join(a.strip() for a in to.split(",") if a.strip())))
    return out


def _own(row, smtp: bool) -> list[tuple[str, str]]:
    out = []
    if row.webhook_url:
        out.append(("webhook", row.webhook_url))
    if row.email and smtp:
        out.append(("email", row.email))
    return out


def recipients(s, settings, unit_id: int | None = None, office: bool = True) -> list[tuple[str, str]]:
    """The routes of a notification, read in the session ``s``: with ``office`` the office's channels
    (:func:`channels`) and those of its active administrators; with ``unit_id`` the channels of that unit
    and of its active users. E-mail addresses of units and users are routed only when ``run.smtp`` is set.
    A route given twice (the same robot or address) is kept once."""
    smtp = bool(settings.value("smtp"))
    out: list[tuple[str, str]] = []
    if office:
        out += channels(settings)
        admins = s.scalars(select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id))
        for user in admins:
            out += _own(user, smtp)
    if unit_id is not None:
        unit = s.get(Organisation, unit_id)
        if unit is not None:
            out += _own(unit, smtp)
        members = s.scalars(select(User).where(User.unit_id == unit_id, User.active.is_(True)).order_by(User.id))
        for user in members:
            out += _own(user, smtp)
    return list(dict.fromkeys(out))


def smtp_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"SMTP 服务器 {text!r} 不是 HOST:PORT；请写成如 smtp.example.cn:25 的形式。")
    return host, int(port)


def enqueue(
    s,
    routes: list[tuple[str, str]],
    key: str,
    event: str,
    subject: str,
    text: str,
    at: dt.datetime,
    unit_id: int | None = None,
    case_id: int | None = None,
) -> int:
    """Record the notification ``key`` for each route in the session ``s`` (nothing for a route that
    has it already); without routes it is recorded as ``unrouted``. Returns the rows added."""
    added = 0
    for channel, target in routes or [("none", "-")]:
        exists = s.scalar(
            select(Notification.id).where(
                Notification.key == key, Notification.channel == channel, Notification.target == target
            )
        )
        if exists is not None:
            continue
        s.add(
            Notification(
                key=key,
                event=event,
                channel=channel,
                target=target,
                unit_id=unit_id,
                case_id=case_id,
                subject=subject,
                body=text,
                status="pending" if channel != "none" else "unrouted",
                attempts=0,
                created_at=at,
                next_attempt_at=SYSTEM_CLOCK.now(),
            )
        )
        s.flush()
        added += 1
    return added


def _webhook(url: str, row: Notification, timeout: float) -> None:
    payload = {"msgtype": "text", "text": {"content": f"{row.subject}\n{row.body}"}}
    request = urllib.request.Request(
        url,
        data=dumps(payload, indent=None).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8",
                 "Idempotency-Key": urllib.parse.quote(row.key, safe=":-_.")},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(4096)
    # Chat robots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise RuntimeError(f"机器人拒收：errcode {answer.get('errcode')} {answer.get('errmsg', '')}")


def _email(settings, to: str, row: Notification, timeout: float) -> None:
    host, port = smtp_address(settings.value("smtp"))
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = settings.value("mail_from")
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    digest = hashlib.sha256(row.key.encode("utf-8")).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@lantian>"
    message.set_content(row.body)
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        smtp.send_message(message)


def deliver(db: Database, settings, wall: Clock = SYSTEM_CLOCK, timeout: float = 10.0) -> dict:
    """Send every pending notification that is due; returns counts of sent, failed and dead."""
    attempts = settings.value("notify_attempts")
    base = settings.value("retry_seconds")
    counts = {"sent": 0, "failed": 0, "dead": 0}
    with db.session() as s:
        due = s.scalars(
            select(Notification.id)
            .where(Notification.status == "pending", Notification.next_attempt_at <= wall.now())
            .order_by(Notification.id)
        ).all()
    for nid in due:
        with db.session() as s:
            row = s.get(Notification, nid)
            if row is None or row.status != "pending":
                continue
            try:
                if row.channel == "webhook":
                    _webhook(row.target, row, timeout)
                elif row.channel == "email":
                    _email(settings, row.target, row, timeout)
                else:
                    raise RuntimeError(f"未知的通知渠道 {row.channel}")
            except Exception as exc:  # any failure of one message is recorded on it; the others go on
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= attempts:
                    row.status = "dead"
                    counts["dead"] += 1
                    log.error("通知 %s（%s → %s）发送 %d 次均失败，记为死信：%s", row.key, row.channel,
                              row.target, row.attempts, row.last_error)
                else:
                    wait = min(dt.timedelta(seconds=base * 2 ** (row.attempts - 1)), MAX_BACKOFF)
                    row.next_attempt_at = wall.now() + wait
                    counts["failed"] += 1
                    log.warning("通知 %s（%s）发送失败（第 %d 次），%d 秒后重试：%s", row.key, row.channel,
                                row.attempts, int(wait.total_seconds()), row.last_error)
                continue
            row.attempts += 1
            row.status, row.sent_at, row.last_error = "sent", wall.now(), None
            counts["sent"] += 1
            log.info("通知 %s 已发送（%s）", row.key, row.channel)
    return counts


def notifications(db: Database, case_id: int | None = None, limit: int = 200) -> list[dict]:
    """The recorded notifications, newest first (of one case with ``case_id``)."""
    with db.session() as s:
        q = select(Notification).order_by(Notification.id.desc()).limit(limit)
        if case_id is not None:
            q = q.where(Notification.case_id == case_id)
        return [
            {
                "id": n.id,
                "key": n.key,
                "event": n.event,
                "event_name": EVENTS.get(n.event, n.event),
                "channel": n.channel,
                "target": n.target if n.channel != "webhook" else n.target.split("?")[0],
                "subject": n.subject,
                "status": n.status,
                "attempts": n.attempts,
                "created_at": n.created_at,
                "sent_at": n.sent_at,
                "last_error": n.last_error,
            }
            for n in s.scalars(q).all()
        ]
