"""The pieces of ``lantian run`` in-process: run claims across a crash, a second service refused, the
outbox's once-only rows and its dead letters, the inbox's rejected files."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from sqlalchemy import select

from lantian import config
from lantian.clock import SYSTEM_CLOCK, FixedClock
from lantian.errors import ConfigError
from lantian.ops import jobs, notify
from lantian.ops.runs import HEARTBEAT, Runs, health, runner_id, set_mark
from lantian.store import open_database
from lantian.store.models import JobRun, Notification

WALL = dt.datetime(2026, 4, 6, 9, 0)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


def _dead_pid() -> int:
    """A process id no process has (the highest possible, above /proc/sys/kernel/pid_max's default)."""
    return 4_194_304 + 7


def test_a_run_left_by_a_killed_process_is_taken_up_again_and_a_done_run_is_not(db):
    wall = FixedClock(WALL)
    dead = Runs(db, f"{socket.gethostname()}:{_dead_pid()}", 1, wall)
    dead.take_over()
    assert dead.claim("weekly", "2026-W14", retry_seconds=300)  # …and the process is killed mid-run
    dead.claim("escalate", "2026-04-06", 300)
    dead.finish("escalate", "2026-04-06", result={"steps": 1})
    me = Runs(db, runner_id(), 1, wall)
    assert me.take_over() == ["weekly 2026-W14"]
    assert me.claim("weekly", "2026-W14", retry_seconds=300)  # at once: it did not fail, it was cut short
    assert not me.claim("escalate", "2026-04-06", retry_seconds=0)
    me.finish("weekly", "2026-W14", result={"number": "1"})
    with db.session() as s:
        run = s.scalar(select(JobRun).where(JobRun.job == "weekly"))
        assert (run.status, run.attempts, run.runner) == ("done", 2, runner_id())


def test_a_second_service_on_the_same_database_is_refused_while_the_first_beats(db):
    wall = FixedClock(WALL)
    with db.session() as s:
        # This test process stands for the live service: its pid exists.
        set_mark(s, HEARTBEAT, {"runner": runner_id(), "at": WALL.isoformat(), "interval": 30}, WALL)
    other = Runs(db, f"{socket.gethostname()}:{_dead_pid()}", 30, wall)
    with pytest.raises(ConfigError, match="另一个 lantian run"):
        other.take_over()
    wall.set(WALL + dt.timedelta(seconds=91))  # 3 intervals without a beat: the first one has stopped
    other.take_over()


def test_a_failed_job_is_retried_only_after_retry_seconds_and_health_shows_it(db):
    wall = FixedClock(WALL)
    runs = Runs(db, runner_id(), 30, wall)
    runs.take_over()
    assert runs.claim("daily", "2026-04-06", 300)
    runs.finish("daily", "2026-04-06", error="NotFound: 数据存储中没有 2026-04-05 的数据")
    assert not runs.claim("daily", "2026-04-06", 300)
    state = health(db, WALL)
    assert state["status"] == "degraded" and state["failed_jobs"] == ["daily"]
    assert state["jobs"]["daily"]["error"].startswith("NotFound")
    wall.set(WALL + dt.timedelta(seconds=301))
    assert runs.claim("daily", "2026-04-06", 300)
    runs.finish("daily", "2026-04-06", result={})
    assert health(db, WALL + dt.timedelta(seconds=302))["status"] == "degraded"  # no beat for 302 s > 3 × 30
    runs.beat()
    assert health(db, WALL + dt.timedelta(seconds=302))["status"] == "ok"


def test_health_without_the_service_is_ok(db):
    assert health(db) == {"status": "ok"}


def _settings(tmp_path, **values):
    return config.load(database_url="sqlite://", store=tmp_path / "store", **values)


def test_the_outbox_records_a_notification_once_per_key_and_channel(db, tmp_path):
    routes = [("webhook", "http://127.0.0.1:9/hook"), ("email", "office@example.cn")]
    for _ in range(2):
        with db.session() as s:
            notify.enqueue(s, routes, "escalation:1:remind:2026-04-03", "escalation", "【提醒】", "…", WALL)
    with db.session() as s:
        rows = s.scalars(select(Notification)).all()
        assert sorted((n.channel, n.status) for n in rows) == [("email", "pending"), ("webhook", "pending")]


def test_without_a_channel_a_notification_is_recorded_as_unrouted(db):
    with db.session() as s:
        assert notify.enqueue(s, [], "report:weekly:2026-W14", "report", "【周调度】", "…", WALL) == 1
    assert [n["status"] for n in notify.notifications(db)] == ["unrouted"]


def test_a_webhook_that_keeps_failing_ends_as_a_dead_letter(db, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    settings = _settings(tmp_path, webhook_url=f"http://127.0.0.1:{port}/hook", notify_attempts=2,
                         retry_seconds=60)
    with db.session() as s:
        notify.enqueue(s, notify.channels(settings), "heavy-hour:株洲:2026-04-02T10", "heavy-hour", "【重度污染】",
                       "…", WALL)
    wall = FixedClock(SYSTEM_CLOCK.now() + dt.timedelta(seconds=1))  # the outbox stamps rows by the system clock
    assert notify.deliver(db, settings, wall, timeout=2) == {"sent": 0, "failed": 1, "dead": 0}
    assert notify.deliver(db, settings, wall, timeout=2) == {"sent": 0, "failed": 0, "dead": 0}  # waits 60 s
    wall.set(wall.now() + dt.timedelta(seconds=61))
    assert notify.deliver(db, settings, wall, timeout=2) == {"sent": 0, "failed": 0, "dead": 1}
    [row] = notify.notifications(db)
    assert (row["status"], row["attempts"]) == ("dead", 2)
    assert "Connection refused" in row["last_error"] or "URLError" in row["last_error"]


@pytest.mark.parametrize(
    ("values", "message"),
    [({"webhook_url": "ftp://x"}, "不是 http"), ({"smtp": "mail.example.cn"}, "HOST:PORT"),
     ({"smtp": "mail.example.cn:25"}, "run.mail_to")],
)
def test_wrong_channel_settings_are_refused_with_what_to_do(tmp_path, values, message):
    with pytest.raises(ConfigError, match=message):
        notify.channels(_settings(tmp_path, **values))


def test_an_inbox_file_that_is_no_data_is_moved_to_rejected_with_its_report(db, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = _settings(tmp_path, inbox=inbox)
    ctx = jobs.Context(settings, db, FixedClock(WALL), Runs(db, runner_id(), 1))
    (inbox / "notes.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    assert jobs.poll_inbox(ctx) == {"files": 0}  # first look: not yet known to be complete
    (inbox / "upload.csv.part").write_text("still coming", encoding="utf-8")
    result = jobs.poll_inbox(ctx)
    assert result["rejected"] == ["notes.csv"] and result["taken"] == []
    assert (inbox / "upload.csv.part").exists()
    report = json.loads((inbox / "rejected" / "notes.csv.report.json").read_text(encoding="utf-8"))
    assert report["files"][0]["status"] not in jobs.TAKEN
    assert (inbox / "rejected" / "notes.csv").exists() and not (inbox / "notes.csv").exists()


def test_a_crash_between_ingest_and_alert_leaves_the_file_to_be_taken_and_alerted_later(db, tmp_path, monkeypatch):
    from test_run import HEAVY_AQI, _release

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = _settings(tmp_path, inbox=inbox, city="株洲", webhook_url="http://127.0.0.1:9/hook")
    ctx = jobs.Context(settings, db, FixedClock(WALL), Runs(db, runner_id(), 1))
    release = _release(tmp_path)
    release.replace(inbox / release.name)
    jobs.poll_inbox(ctx)  # first look

    def crash(*_):
        raise KeyboardInterrupt  # stands for the process dying here

    real = jobs.after_new_data
    monkeypatch.setattr(jobs, "after_new_data", crash)
    with pytest.raises(KeyboardInterrupt):
        jobs.poll_inbox(ctx)
    assert (inbox / release.name).exists()  # ingested, not moved
    monkeypatch.setattr(jobs, "after_new_data", real)
    ctx.seen = {}  # a new process
    jobs.poll_inbox(ctx)
    result = jobs.poll_inbox(ctx)
    assert result["taken"] == [release.name] and result["alerts"] == 1
    report = json.loads((inbox / "done" / f"{release.name}.report.json").read_text(encoding="utf-8"))
    assert report["files"][0]["status"] == "already ingested"
    [row] = notify.notifications(db)
    assert row["event"] == "heavy-hour" and f"AQI {HEAVY_AQI}" in row["subject"]
