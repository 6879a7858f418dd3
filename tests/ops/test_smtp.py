"""E-mail notifications through an SMTP server that asks for a login, in plain text, with STARTTLS and
over TLS (``run.smtp_security``, ``run.smtp_user``, the password in the environment variable named by
``run.smtp_password_env``): aiosmtpd on 127.0.0.1 with an authenticator. A wrong password is a failed
delivery recorded with its reason in Chinese and retried; the right one delivers."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from lantian import config
from lantian.clock import SYSTEM_CLOCK, FixedClock
from lantian.errors import ConfigError
from lantian.ops import notify
from lantian.store import open_database

USER, PASSWORD = "lantianban@zhuzhou.example.cn", "s3cret-smtp-pass"
ENV = "LANTIAN_TEST_SMTP_PASSWORD"
#: aiosmtpd warns when it asks for a login without TLS: the plain-text case is tested on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    """Accepts mail from a logged-in client only; records each message and whether it came over TLS."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.logins: list[tuple[str, bool]] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        self.logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"text": envelope.content.decode("utf-8", "replace"), "tls": server.transport.get_extra_info("ssl_object") is not None,
                              "login": session.auth_data.login if session.authenticated else None})
        return "250 OK"


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through SSL_CERT_FILE)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _server(mailbox: _Mailbox, mode: str, certificate=None) -> Controller:
    kwargs: dict = {"authenticator": mailbox.authenticate, "auth_required": True}
    if mode == "plain":
        kwargs["auth_require_tls"] = False
    else:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        kwargs["ssl_context" if mode == "ssl" else "tls_context"] = context
        if mode == "starttls":
            kwargs["require_starttls"] = True
        else:  # TLS from the first byte: aiosmtpd's check for STARTTLS before AUTH does not apply
            kwargs["auth_require_tls"] = False
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), **kwargs)
    controller.start()
    return controller


def _settings(tmp_path, port: int, mode: str, **values):
    return config.load(database_url="sqlite://", store=tmp_path / "store", smtp=f"127.0.0.1:{port}",
                       mail_to="office@zhuzhou.example.cn", smtp_security=mode, smtp_user=USER,
                       smtp_password_env=ENV, retry_seconds=60, notify_attempts=3, **values)


def _queue(db, settings) -> None:
    with db.session() as s:
        notify.enqueue(s, notify.channels(settings), "report:weekly:2026-W14", "report", "【周调度】株洲市蓝天办〔2026〕1号",
                       "周调度已生成。", dt.datetime(2026, 4, 6, 9))


def test_a_wrong_password_is_a_failed_delivery_with_its_reason_then_retried(db, tmp_path, monkeypatch):
    mailbox = _Mailbox()
    server = _server(mailbox, "plain")
    try:
        settings = _settings(tmp_path, server.port, "plain")
        monkeypatch.setenv(ENV, "wrong-password")
        _queue(db, settings)
        wall = FixedClock(SYSTEM_CLOCK.now() + dt.timedelta(seconds=1))  # rows are stamped by the system clock
        assert notify.deliver(db, settings, wall, timeout=5) == {"sent": 0, "failed": 1, "dead": 0}
        [row] = notify.notifications(db)
        assert (row["status"], row["attempts"]) == ("pending", 1)
        assert "拒绝登录" in row["last_error"] and "用户名或密码不对" in row["last_error"]
        assert "535" in row["last_error"] and ENV in row["last_error"] and "run.smtp_user" in row["last_error"]
        # smtplib tries each mechanism the server offers (PLAIN, then LOGIN); every one was refused.
        assert mailbox.logins and all(who == USER and not ok for who, ok in mailbox.logins)
        assert mailbox.messages == []
        # The password is corrected in the environment: the retry after retry_seconds delivers.
        monkeypatch.setenv(ENV, PASSWORD)
        assert notify.deliver(db, settings, wall, timeout=5) == {"sent": 0, "failed": 0, "dead": 0}  # waits 60 s
        wall.set(wall.now() + dt.timedelta(seconds=61))
        assert notify.deliver(db, settings, wall, timeout=5) == {"sent": 1, "failed": 0, "dead": 0}
        [row] = notify.notifications(db)
        assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
        [message] = mailbox.messages
        assert message["login"] == USER.encode() and not message["tls"]
        assert "Subject: =?utf-8?" in message["text"] or "周调度" in message["text"]
    finally:
        server.stop()


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_a_login_over_tls_delivers(db, tmp_path, monkeypatch, certificate, mode):
    mailbox = _Mailbox()
    server = _server(mailbox, mode, certificate)
    try:
        monkeypatch.setenv(ENV, PASSWORD)
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        settings = _settings(tmp_path, server.port, mode)
        _queue(db, settings)
        wall = FixedClock(SYSTEM_CLOCK.now() + dt.timedelta(seconds=1))
        assert notify.deliver(db, settings, wall, timeout=10) == {"sent": 1, "failed": 0, "dead": 0}
        [message] = mailbox.messages
        assert message["tls"] and message["login"] == USER.encode()
    finally:
        server.stop()


def test_an_untrusted_certificate_is_a_failed_delivery_saying_so(db, tmp_path, monkeypatch, certificate):
    mailbox = _Mailbox()
    server = _server(mailbox, "ssl", certificate)
    try:
        monkeypatch.setenv(ENV, PASSWORD)
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
        settings = _settings(tmp_path, server.port, "ssl")
        _queue(db, settings)
        wall = FixedClock(SYSTEM_CLOCK.now() + dt.timedelta(seconds=1))
        assert notify.deliver(db, settings, wall, timeout=10)["failed"] == 1
        [row] = notify.notifications(db)
        assert "TLS 证书未通过校验" in row["last_error"] and mailbox.messages == []
    finally:
        server.stop()


def test_a_login_without_its_password_in_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(ConfigError, match=f"环境变量 {ENV} 没有设置"):
        notify.smtp_login(_settings(tmp_path, 25, "starttls"))
    with pytest.raises(ConfigError, match="run.smtp_security"):
        notify.smtp_login(_settings(tmp_path, 25, "tls1.3"))
    monkeypatch.setenv(ENV, PASSWORD)
    assert notify.smtp_login(_settings(tmp_path, 25, "ssl")) == (USER, PASSWORD)
