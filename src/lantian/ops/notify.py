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
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import func, select

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.errors import ConfigError
from lantian.jsonable import dumps
from lantian.store.db import Database
from lantian.store.models import Notification, Organisation, User

log = logging.getLogger("lantian.ops.notify")

EVENTS: dict[str, str] = {
    "heavy-hour": "重度污染小时",
    "heavy-day": "重度污染日",
    "escalation": "逾期升级",
    "report": "报告发布",
    "assigned": "问题交办",
    "target": "目标风险",
    "warning": "预警级别变化",
}
MAX_BACKOFF = dt.timedelta(days=1)


class DeliveryError(RuntimeError):
    """A message that could not be sent, with what was wrong and what to check (in Chinese)."""


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


#: Ways to reach the SMTP server (setting run.smtp_security).
SMTP_SECURITY = ("plain", "starttls", "ssl")


def smtp_security(settings) -> str:
    mode = (settings.value("smtp_security") or "plain").strip().lower()
    if mode not in SMTP_SECURITY:
        raise ConfigError(
            f"设置 run.smtp_security 的值 {mode!r} 不是可选值；请写 plain（明文）、starttls（端口 587 常用）"
            "或 ssl（端口 465 常用）。"
        )
    return mode


def smtp_login(settings) -> tuple[str, str] | None:
    """The (user, password) to log in to the SMTP server with, or ``None`` without ``run.smtp_user``.
    The password is read from the environment variable named by ``run.smtp_password_env``, never from
    the settings file; a missing one is refused with what to set."""
    smtp_security(settings)
    user = settings.value("smtp_user")
    if not user:
        return None
    name = settings.value("smtp_password_env") or ""
    if not name.strip():
        raise ConfigError("已设置 run.smtp_user 但 run.smtp_password_env 为空；请写出存放 SMTP 密码的环境变量名。")
    password = os.environ.get(name)
    if not password:
        raise ConfigError(
            f"已设置 run.smtp_user（{user}），但环境变量 {name} 没有设置或为空；请在 lantian run 的环境中"
            f"设置 {name}=SMTP 密码（systemd 用 EnvironmentFile=，容器用 -e 或 secret），不要把密码写进配置文件。"
        )
    return user, password


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
    mode = smtp_security(settings)
    login = smtp_login(settings)
    where = f"SMTP 服务器 {host}:{port}"
    try:
        if mode == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if mode == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"{where} 不支持 STARTTLS；请把 run.smtp_security 改为 ssl 或 plain，或换用支持的端口。")
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if login is not None:
                smtp.login(*login)
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise DeliveryError(
            f"{where} 拒绝登录（{exc.smtp_code} {reply}）：用户名或密码不对；请检查设置 run.smtp_user 和环境变量 "
            f"{settings.value('smtp_password_env')} 中的密码。"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(
            f"{where} 不接受登录（没有 AUTH，或要求先加密）；请把 run.smtp_security 设为 starttls 或 ssl，"
            "或不设置 run.smtp_user。"
        ) from exc
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{where} 的 TLS 证书未通过校验（{exc.verify_message}）；请确认主机名与证书一致，或把签发证书的 CA "
            "加入系统信任（或用环境变量 SSL_CERT_FILE 指定 CA 文件）。"
        ) from exc
    except ssl.SSLError as exc:
        raise DeliveryError(
            f"{where} 的 TLS 握手失败（{exc.reason or exc}）；请检查 run.smtp_security 与端口是否匹配"
            "（ssl 常用 465，starttls 常用 587）。"
        ) from exc


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
                why = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
                row.last_error = why[:2000]
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
        return [_row(n) for n in s.scalars(q).all()]


def _row(n: Notification) -> dict:
    return {
        "id": n.id,
        "key": n.key,
        "event": n.event,
        "event_name": EVENTS.get(n.event, n.event),
        "channel": n.channel,
        "target": n.target if n.channel != "webhook" else n.target.split("?")[0],
        "case_id": n.case_id,
        "subject": n.subject,
        "status": n.status,
        "attempts": n.attempts,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
        "last_error": n.last_error,
    }


#: Statuses of the outbox, in the order the notifications page offers them.
STATUSES: dict[str, str] = {"sent": "已送达", "pending": "待发送", "dead": "未送达（死信）", "unrouted": "未配置渠道"}


def notification_page(
    db: Database,
    event: str | None = None,
    status: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """One page of every recorded notification, newest first, of the kind ``event`` and the status
    ``status`` recorded from the day ``start`` to the day ``end`` (both included): ``items`` (as
    :func:`notifications`), ``total``, ``page``, ``pages`` and ``per_page``."""
    conditions = []
    if event:
        conditions.append(Notification.event == event)
    if status:
        conditions.append(Notification.status == status)
    if start is not None:
        conditions.append(Notification.created_at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        conditions.append(Notification.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = s.scalars(
            select(Notification).where(*conditions).order_by(Notification.id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
        items = [_row(n) for n in rows]
    return {"items": items, "total": total, "page": page, "pages": pages, "per_page": per_page}
