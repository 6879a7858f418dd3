"""``lantian run`` as a service: a subprocess with an inbox, a local webhook receiver and a local SMTP
server on 127.0.0.1, its clock fixed by ``--now``; killed with SIGKILL and restarted."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from lantian import config
from lantian.clock import FixedClock
from lantian.ops.schedule import parse_schedule
from lantian.store import open_database
from lantian.store.models import ArchivedReport, JobRun, Notification
from lantian.web import create_app
from lantian.web.settings import WebSettings
from lantian.workflow.services import Workflow

ROOT = Path(__file__).resolve().parents[2]
#: The national platform's release bundled with lantian (src/lantian/data/sample/README.md: copied unchanged).
RELEASE = ROOT / "src/lantian/data/sample/cnemc/2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
HEAVY_HOUR = "2026-04-02T1000"
#: NO2 1-hour 1500 µg/m³ at every 株洲 station: IAQI = 200 + (1500 − 1200)·100/(2340 − 1200) = 226.3 → 227
#: (HJ 633—2026 Table 3, unchanged from HJ 633—2012 Table 1: NO2 1 h 1200 ↔ 200, 2340 ↔ 300; §4.2.6
#: rounds up), level 5 重度污染 (HJ 633—2026 Table 1: AQI 201–300).
HEAVY_NO2 = "1500"
HEAVY_AQI = 227
#: The office's ladder in this test (rules file, lantian.workflow.rules [escalation]): 提醒 at 2 days
#: overdue, 通报 at 4.
RULES = "[escalation]\nremind = 2\nnotify = 4\ninterview = 10\nrefer = 20\n"
DEADLINE = dt.date(2026, 4, 3)
#: Monday 2026-04-06 09:10: 3 days overdue (提醒 only), after the weekly dispatch's Monday 09:00 (2026-W14).
FIRST = "2026-04-06T09:10"
#: Tuesday 2026-04-07 09:10: 4 days overdue — 通报 is reached.
SECOND = "2026-04-07T09:10"
PASSWORD = "correct-horse-battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Webhook:
    """A chat-robot endpoint: records each POST and answers {"errcode": 0}."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"key": self.headers.get("Idempotency-Key"), "json": json.loads(body)})
                answer = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [m["json"]["text"]["content"] for m in self.received]


class _Mailbox:
    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def __init__(self) -> None:
        self.messages: list[str] = []


def _release(tmp_path: Path) -> Path:
    """The bundled release with NO2 set to HEAVY_NO2 at every 株洲 station in HEAVY_HOUR."""
    lines = RELEASE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    no2 = header.index("no2")
    out = [lines[0]]
    changed = 0
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == HEAVY_HOUR and cells[header.index("area")] == "株洲市":
            cells[no2] = HEAVY_NO2
            changed += 1
        out.append(",".join(cells))
    assert changed == 6  # the six 株洲 stations reporting at that hour in the release
    path = tmp_path / RELEASE.name
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _wait(what: str, condition, timeout: float = 90.0, process=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"lantian run ended (code {process.returncode}) while waiting for {what}: "
                        f"see its log {Path(process.args[-1]).parent}/run-*.log")
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def office(tmp_path, db_url):
    """A data directory with the office, a district, an overdue case, and the local servers."""
    home = tmp_path / "home"
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    env = {
        **os.environ,
        "LANTIAN_HOME": str(home),
        "LANTIAN_CITY": "株洲",
        "LANTIAN_RULES": str(tmp_path / "rules.toml"),
        "LANTIAN_INBOX_SECONDS": "1",
        "LANTIAN_MONTHLY_AT": "off",
        "LANTIAN_QUARTERLY_AT": "off",
        "LANTIAN_MAIL_TO": "office@zhuzhou.example.cn",
    }
    for name in ("LANTIAN_CONFIG", "LANTIAN_DATABASE_URL", "LANTIAN_STORE", "LANTIAN_WEBHOOK_URL", "LANTIAN_SMTP"):
        env.pop(name, None)
    db = open_database(db_url)
    wf = Workflow(db, clock=FixedClock(dt.datetime(2026, 3, 30, 9)))
    at = dt.datetime(2026, 3, 30, 9)
    wf.init_office("株洲市蓝天办", "boss", "王主任", PASSWORD, at)
    wf.add_unit("boss", "荷塘区", "district", at)
    case = wf.new_case("boss", source="patrol", category="扬尘", severity="medium", district="荷塘区",
                       address="红旗路工地", description="裸土未覆盖", at=at)
    wf.assign("boss", case["id"], "荷塘区", at, deadline=DEADLINE)
    webhook = _Webhook()
    mailbox = _Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    processes = []

    def start(now: str, *extra: str) -> subprocess.Popen:
        log = (tmp_path / f"run-{len(processes) + 1}.log").open("w", encoding="utf-8")
        p = subprocess.Popen(
            [sys.executable, "-c", "from lantian.cli import main; main()", "run", "--now", now,
             "--webhook", webhook.url, "--smtp", f"127.0.0.1:{smtp.port}", "--inbox", str(tmp_path / "inbox"), "--db", db_url, *extra],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
        )
        processes.append(p)
        return p

    yield {"db": db, "home": home, "inbox": tmp_path / "inbox", "webhook": webhook, "mail": mailbox,
           "start": start, "case": case["id"], "tmp": tmp_path, "db_url": db_url}
    for p in processes:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=20)
    smtp.stop()
    webhook.server.shutdown()
    db.dispose()


def _done(db, job: str, period: str) -> bool:
    with db.session() as s:
        run = s.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period))
        return run is not None and run.status in ("done", "failed")


def _state(db) -> dict:
    with db.session() as s:
        return {
            "runs": sorted((r.job, r.period, r.status, r.attempts) for r in s.scalars(select(JobRun))),
            "notifications": sorted((n.key, n.channel, n.status) for n in s.scalars(select(Notification))),
            "archive": sorted((a.kind, a.period, a.number, a.path) for a in s.scalars(select(ArchivedReport))),
        }


def _count(texts: list[str], *words: str) -> int:
    return sum(all(w in t for w in words) for t in texts)


def _healthz(office) -> dict:
    settings = config.load(database_url=office["db_url"], store=office["home"] / "store")
    app = create_app(settings, WebSettings(secret_key="s" * 40))
    with TestClient(app) as client:
        r = client.get("/healthz")
    assert r.status_code == 200
    return r.json()


@pytest.mark.slow
def test_run_ingests_alerts_escalates_archives_and_restarts_without_repeating(office):
    db, webhook, mail = office["db"], office["webhook"], office["mail"]
    first = office["start"](FIRST)
    _wait("the first escalation and weekly dispatch",
          lambda: _done(db, "escalate", "2026-04-06") and _done(db, "weekly", "2026-W14"), process=first)

    # A release dropped into the inbox is ingested and moved to done/ with its report.
    release = _release(office["tmp"])
    office["inbox"].mkdir(exist_ok=True)
    os.replace(release, office["inbox"] / release.name)
    done = office["inbox"] / "done" / release.name
    _wait("the release in done/", done.exists, process=first)
    report = json.loads(done.with_name(done.name + ".report.json").read_text(encoding="utf-8"))
    assert report["files"][0]["status"] == "ingested"
    assert report["files"][0]["rows_stored"] > 0

    # One webhook and one e-mail for the heavy hour; one each for 提醒 and for the weekly dispatch.
    _wait("the heavy-hour webhook and e-mail",
          lambda: _count(webhook.texts(), "重度污染") and len(mail.messages) >= 3, process=first)
    _wait("every pending notification sent", lambda: _pending(db) == 0, process=first)
    texts = webhook.texts()
    assert _count(texts, "重度污染", f"AQI {HEAVY_AQI}") == 1, texts
    assert _count(texts, "2026-04-02 10时") == 1
    assert _count(texts, "【提醒】", "荷塘区") == 1
    assert _count(texts, "【通报】") == 0
    assert _count(texts, "【周调度】") == 1
    assert len(mail.messages) == len(texts) == 3
    assert len({m["key"] for m in webhook.received}) == 3

    # The weekly dispatch is in the archive, with its number and file.
    with db.session() as s:
        weekly = s.scalar(select(ArchivedReport).where(ArchivedReport.kind == "weekly"))
    assert (weekly.period, weekly.number) == ("2026-W14", "株洲市蓝天办〔2026〕1号")
    html = (office["home"] / "reports" / weekly.path).read_text(encoding="utf-8")
    assert "周调度" in html and weekly.number in html

    # The daily bulletin of 2026-04-05 cannot be made (the store ends on 2026-04-03): /healthz says so.
    health = _wait("the daily bulletin's run", lambda: _done(db, "daily", "2026-04-06") and _healthz(office))
    assert health["status"] == "degraded"
    assert health["failed_jobs"] == ["daily"]
    assert health["jobs"]["daily"]["ok"] is False and health["jobs"]["daily"]["error"]
    assert health["jobs"]["weekly"]["ok"] is True and health["jobs"]["escalate"]["ok"] is True
    assert health["service"]["running"] is True
    assert health["data"]["latest_hour"] == "2026-04-03T00:00:00"
    with db.session() as s:  # the bulletin that could not be made took no number
        assert s.scalars(select(ArchivedReport).where(ArchivedReport.kind == "daily")).all() == []

    # kill -9 and restart at the same moment: nothing is repeated, nothing lost.
    before = _state(db)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    again = office["start"](FIRST)
    _wait("the restarted service's heartbeat", lambda: _beats(db, again.pid), process=again)
    time.sleep(4)  # several ticks of 1 s
    assert again.poll() is None
    assert _state(db) == before
    assert len(webhook.received) == 3 and len(mail.messages) == 3

    # A day later (restart with the clock moved): 通报 is reached, one notification each, 提醒 not again.
    again.terminate()
    again.wait(timeout=20)
    later = office["start"](SECOND)
    _wait("the second escalation", lambda: _done(db, "escalate", "2026-04-07"), process=later)
    _wait("every pending notification sent", lambda: _pending(db) == 0 and len(mail.messages) >= 4, process=later)
    texts = webhook.texts()
    assert _count(texts, "【通报】", "荷塘区") == 1
    assert _count(texts, "【提醒】") == 1
    assert _count(texts, "【周调度】") == 1
    assert _count(texts, "重度污染") == 1
    assert len(mail.messages) == len(texts) == 4
    with db.session() as s:
        assert s.scalar(select(ArchivedReport).where(ArchivedReport.kind == "weekly")).number == weekly.number
        for n in s.scalars(select(Notification)):
            assert n.status in ("sent",) and n.attempts == 1, (n.key, n.status, n.last_error)


def test_run_once_does_each_due_job_once_and_exits(office):
    db, webhook = office["db"], office["webhook"]
    for _ in range(2):
        p = office["start"](FIRST, "--once")
        assert p.wait(timeout=120) == 0, (office["tmp"] / "run-1.log").read_text(encoding="utf-8")
    assert _done(db, "escalate", "2026-04-06") and _done(db, "weekly", "2026-W14")
    texts = webhook.texts()
    assert _count(texts, "【提醒】") == 1 and _count(texts, "【周调度】") == 1 and len(texts) == 2
    assert len(office["mail"].messages) == 2


def test_run_refuses_a_wrong_schedule_with_the_setting_named(office):
    env_file = office["tmp"] / "lantian.toml"
    env_file.write_text('[run]\nweekly_at = "monday"\n', encoding="utf-8")
    p = office["start"](FIRST, "--once")
    assert p.wait(timeout=60) == 2
    log = (office["tmp"] / "run-1.log").read_text(encoding="utf-8")
    assert "run.weekly_at" in log and "mon 09:00" in log


def _pending(db) -> int:
    with db.session() as s:
        return len(s.scalars(select(Notification).where(Notification.status == "pending")).all())


def _beats(db, pid: int) -> bool:
    from lantian.ops.runs import HEARTBEAT, get_mark

    beat = get_mark(db, HEARTBEAT)
    return bool(beat) and beat["runner"].endswith(f":{pid}")


@pytest.mark.parametrize(
    ("text", "kind", "now", "period"),
    [
        # 08:30 daily: before it, the day before is the latest due.
        ("08:30", "day", dt.datetime(2026, 4, 6, 8, 29), "2026-04-05"),
        ("08:30", "day", dt.datetime(2026, 4, 6, 8, 30), "2026-04-06"),
        # Monday 09:00 weekly makes the ISO week before (2026-04-06 is the Monday of 2026-W15).
        ("mon 09:00", "week", dt.datetime(2026, 4, 6, 9, 0), "2026-W14"),
        ("mon 09:00", "week", dt.datetime(2026, 4, 6, 8, 59), "2026-W13"),
        ("mon 09:00", "week", dt.datetime(2026, 4, 12, 23, 0), "2026-W14"),
        # 3rd of the month: the month before.
        ("3 09:00", "month", dt.datetime(2026, 4, 3, 9, 0), "2026-03"),
        ("3 09:00", "month", dt.datetime(2026, 4, 2, 9, 0), "2026-02"),
        ("3 09:00", "month", dt.datetime(2026, 1, 2, 9, 0), "2025-11"),
        # 10th of a quarter's first month: the quarter before.
        ("10 09:00", "quarter", dt.datetime(2026, 4, 10, 9, 0), "2026Q1"),
        ("10 09:00", "quarter", dt.datetime(2026, 4, 9, 9, 0), "2025Q4"),
        ("10 09:00", "quarter", dt.datetime(2026, 1, 9, 9, 0), "2025Q3"),
    ],
)
def test_schedule_due_period(text, kind, now, period):
    schedule = parse_schedule(text, kind, "x")
    due = schedule.last_due(now)
    assert due <= now
    assert schedule.period(due) == period


@pytest.mark.parametrize(("text", "kind"), [("8.30", "day"), ("monday", "week"), ("31 09:00", "month"),
                                             ("xyz 09:00", "week"), ("25:00", "day")])
def test_schedule_refuses_wrong_text(text, kind):
    from lantian.errors import ConfigError

    with pytest.raises(ConfigError, match="不是有效的时间表"):
        parse_schedule(text, kind, "weekly_at")


def test_schedule_off():
    assert parse_schedule("off", "week", "weekly_at") is None
