"""Polling an HTTP(S) address for the latest hourly release (``run.poll_url``, ``lantian run --poll-url``),
against a local http.server on 127.0.0.1: a new release goes through the inbox (ingest, done/ with its
report, the heavy-hour alert), the same release is not taken twice (ETag / If-Modified-Since, sha256),
and a refused connection, a 404, a 500 or a timeout is a failed run of the job ``poll`` shown by
/healthz, never a crash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from test_run import FIRST, HEAVY_AQI, _count, _pending, _release, office  # noqa: F401 (the fixture)

from lantian import config
from lantian.clock import FixedClock
from lantian.errors import ConfigError
from lantian.ops import notify, poll
from lantian.ops.runs import health
from lantian.ops.service import Service
from lantian.store import open_database
from lantian.web import create_app
from lantian.web.settings import WebSettings

OFF = {name: "off" for name in ("escalate_at", "daily_at", "weekly_at", "monthly_at", "quarterly_at")}


class _Releases:
    """The data publisher: ``/release/<name>`` with ETag and Last-Modified (304 when they match),
    ``/plain/<name>`` ignoring the conditional headers, ``/missing`` 404, ``/broken`` 500, ``/slow``
    answering after 3 s. Records each request's path and conditional headers."""

    def __init__(self, body: bytes, name: str) -> None:
        self.body, self.name = body, name
        self.requests: list[dict] = []
        this = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                this.requests.append({"path": self.path, "if_none_match": self.headers.get("If-None-Match"),
                                      "if_modified_since": self.headers.get("If-Modified-Since")})
                etag = '"' + hashlib.sha256(this.body).hexdigest()[:16] + '"'
                modified = formatdate(1775000000, usegmt=True)
                if self.path == "/missing":
                    return self._answer(404, b"not found")
                if self.path == "/broken":
                    return self._answer(500, b"oops")
                if self.path == "/slow":
                    time.sleep(3)
                    return self._answer(200, this.body)
                if self.path == f"/release/{this.name}":
                    if self.headers.get("If-None-Match") == etag:
                        return self._answer(304, b"")
                    return self._answer(200, this.body, {"ETag": etag, "Last-Modified": modified})
                if self.path == "/plain/latest":
                    return self._answer(200, this.body, {"Content-Disposition": f'attachment; filename="{this.name}"'})
                return self._answer(404, b"not found")

            def _answer(self, status, body, headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Type", "text/csv; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def publisher(tmp_path):
    release = _release(tmp_path)  # the bundled release with the heavy hour of tests/ops/test_run.py
    server = _Releases(release.read_bytes(), release.name)
    yield server
    server.server.shutdown()


def _service(tmp_path, db_url, db, url, **values) -> Service:
    settings = config.load(database_url=db_url, store=tmp_path / "store", inbox=tmp_path / "inbox", city="株洲",
                           poll_url=url, poll_seconds=1, poll_timeout=1, **{**OFF, **values})
    service = Service(settings, db, FixedClock(dt.datetime.fromisoformat(FIRST)))
    service.start()
    return service


def _tick(service: Service) -> None:
    service._last_poll = None  # the interval has passed
    service.tick()


def test_a_polled_release_is_ingested_alerted_on_and_not_taken_twice(tmp_path, db_url, db, publisher):
    url = f"{publisher.base}/release/{publisher.name}"
    service = _service(tmp_path, db_url, db, url)
    _tick(service)
    done = tmp_path / "inbox" / "done" / publisher.name
    assert done.is_file() and done.read_bytes() == publisher.body
    report = json.loads(done.with_name(done.name + ".report.json").read_text(encoding="utf-8"))
    assert report["files"][0]["status"] == "ingested" and report["files"][0]["rows_stored"] > 0
    [alert] = [n for n in notify.notifications(db) if n["event"] == "heavy-hour"]
    assert f"AQI {HEAVY_AQI}" in alert["subject"]
    # Again: the server answers 304 to the ETag sent back; nothing is written.
    _tick(service)
    assert publisher.requests[-1]["if_none_match"] and publisher.requests[-1]["if_modified_since"]
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["done"]
    assert len(list((tmp_path / "inbox" / "done").iterdir())) == 2  # the file and its report
    state = health(db)
    assert state["jobs"]["poll"]["ok"] is True and state["jobs"]["poll"]["last_status"] == "not modified"
    assert len([n for n in notify.notifications(db) if n["event"] == "heavy-hour"]) == 1


def test_a_server_ignoring_conditional_requests_is_deduplicated_by_sha256(tmp_path, db_url, db, publisher):
    service = _service(tmp_path, db_url, db, f"{publisher.base}/plain/latest")
    _tick(service)
    _tick(service)
    assert [r["path"] for r in publisher.requests] == ["/plain/latest"] * 2
    done = sorted(p.name for p in (tmp_path / "inbox" / "done").iterdir())
    assert done == [publisher.name, f"{publisher.name}.report.json"]  # the name of Content-Disposition
    assert health(db)["jobs"]["poll"]["last_status"] == "unchanged"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing", ("HTTP 404", "run.poll_url")),
        ("/broken", ("HTTP 500", "下一次轮询")),
        ("/slow", ("超时", "run.poll_timeout")),
        (None, ("连接被拒绝", "run.poll_url")),
    ],
)
def test_a_poll_that_fails_is_a_failed_run_shown_by_healthz(tmp_path, db_url, db, publisher, path, words):
    url = f"{publisher.base}{path}" if path else f"http://127.0.0.1:{_closed_port()}/latest.csv"
    service = _service(tmp_path, db_url, db, url)
    _tick(service)  # must not raise
    settings = config.load(database_url=db_url, store=tmp_path / "store")
    with TestClient(create_app(settings, WebSettings(secret_key="s" * 40))) as client:
        state = client.get("/healthz").json()
    assert state["status"] == "degraded" and state["failed_jobs"] == ["poll"]
    error = state["jobs"]["poll"]["error"]
    assert all(w in error for w in words), error
    assert state["jobs"]["poll"]["runs_failed"] == 1
    assert not (tmp_path / "inbox").exists() or not any((tmp_path / "inbox").iterdir())
    # The next poll that succeeds clears the failure.
    service.settings = service.ctx.settings = service.settings.with_values(
        "argument", {"poll_url": f"{publisher.base}/release/{publisher.name}"}, keep_configured=False)
    _tick(service)
    assert health(db)["jobs"]["poll"]["ok"] is True


def test_a_wrong_poll_url_is_refused_before_starting(tmp_path, db_url, db):
    with pytest.raises(ConfigError, match="run.poll_url"):
        _service(tmp_path, db_url, db, "ftp://data.example.cn/latest.csv")
    assert poll.shown("https://data.example.cn/x.csv?key=secret") == "https://data.example.cn/x.csv"


@pytest.mark.slow
def test_lantian_run_once_with_poll_url_takes_the_release(office, publisher):  # noqa: F811 (the fixture)
    url = f"{publisher.base}/release/{publisher.name}"
    p = office["start"](FIRST, "--once", "--poll-url", url)
    assert p.wait(timeout=120) == 0, (office["tmp"] / "run-1.log").read_text(encoding="utf-8")
    assert (office["inbox"] / "done" / publisher.name).is_file()
    assert _count(office["webhook"].texts(), "重度污染", f"AQI {HEAVY_AQI}") == 1
    assert _pending(office["db"]) == 0
    p = office["start"](FIRST, "--once", "--poll-url", url)
    assert p.wait(timeout=120) == 0
    assert publisher.requests[-1]["if_none_match"]  # the second run asked with the ETag: 304
    assert _count(office["webhook"].texts(), "重度污染") == 1
