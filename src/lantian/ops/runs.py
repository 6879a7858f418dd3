"""Job runs keyed (job, period), the service's marks (heartbeat, each job's last success and failure)
and the health that ``/healthz`` reports. Only the database: the web interface imports this module."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.errors import ConfigError
from lantian.store.db import Database
from lantian.store.models import ArchivedReport, JobRun, OpsMark

HEARTBEAT = "heartbeat"
#: A heartbeat older than this many tick intervals means the service has stopped.
STALE_TICKS = 3


def runner_id() -> str:
    """This process: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(runner: str) -> bool:
    """Whether the process ``host:pid`` still runs (a process of another host is taken as alive)."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def get_mark(db: Database, name: str) -> dict | None:
    with db.session() as s:
        row = s.get(OpsMark, name)
        return dict(row.value) if row is not None else None


def set_mark(s, name: str, value: dict, at: dt.datetime) -> None:
    """Set the mark ``name`` in the session ``s`` (committed with it)."""
    row = s.get(OpsMark, name)
    if row is None:
        s.add(OpsMark(name=name, value=value, updated_at=at))
    else:
        row.value = value
        row.updated_at = at


@dataclass
class Runs:
    """The job runs of one service process over ``db``; run times are the system's (Beijing time)."""

    db: Database
    runner: str
    interval: int
    wall: Clock = SYSTEM_CLOCK

    def take_over(self) -> list[str]:
        """Start as the only service of this database: refused while another one beats; the runs it
        left ``running`` are marked failed (to be taken up again). Returns their ``job period``."""
        beat = get_mark(self.db, HEARTBEAT)
        now = self.wall.now()
        if beat and beat.get("runner") != self.runner:
            at = dt.datetime.fromisoformat(beat["at"])
            fresh = now - at < dt.timedelta(seconds=STALE_TICKS * max(self.interval, beat.get("interval", 0)))
            if fresh and _alive(beat["runner"]):
                raise ConfigError(
                    f"另一个 lantian run（{beat['runner']}）正在使用此数据库（{at:%Y-%m-%d %H:%M:%S} 仍有心跳）；"
                    "同一数据库只能运行一个；请先停止它，或等它的心跳过期后再启动。"
                )
        with self.db.session() as s:
            left = s.scalars(select(JobRun).where(JobRun.status == "running")).all()
            for run in left:
                # No finish time: taken up again at once, not after retry_seconds.
                run.status, run.finished_at = "failed", None
                run.error = f"进程 {run.runner} 在运行中停止，未完成；将重新运行。"
            self.beat(s)
            return [f"{r.job} {r.period}" for r in left]

    def beat(self, s=None) -> None:
        """Write the heartbeat."""
        value = {"runner": self.runner, "at": self.wall.now().isoformat(), "interval": self.interval}
        if s is not None:
            set_mark(s, HEARTBEAT, value, self.wall.now())
            return
        with self.db.session() as s2:
            set_mark(s2, HEARTBEAT, value, self.wall.now())

    def claim(self, job: str, period: str, retry_seconds: int) -> bool:
        """Take the run of ``job`` for ``period``: ``False`` when it is done, or failed less than
        ``retry_seconds`` ago."""
        now = self.wall.now()
        with self.db.session() as s:
            run = s.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period))
            if run is not None:
                if run.status == "done" or run.status == "running":
                    return False
                if run.finished_at and now - run.finished_at < dt.timedelta(seconds=retry_seconds):
                    return False
                run.status, run.runner, run.started_at = "running", self.runner, now
                run.attempts += 1
                return True
        try:
            with self.db.session() as s:
                s.add(JobRun(job=job, period=period, status="running", attempts=1, runner=self.runner,
                             started_at=now))
        except IntegrityError:
            return False
        return True

    def finish(self, job: str, period: str, result: dict | None = None, error: str | None = None) -> None:
        """Record the end of a run (``error``: it failed) and the job's last success or failure."""
        now = self.wall.now()
        with self.db.session() as s:
            run = s.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period))
            if run is not None:
                run.status = "failed" if error else "done"
                run.finished_at, run.error, run.result = now, error, result
            self.record(s, job, period, error)

    def record(self, s, job: str, period: str | None, error: str | None = None, **extra) -> None:
        """Mark ``job``'s last success or failure (jobs without periods, like the inbox, call this alone)."""
        name = f"job:{job}"
        row = s.get(OpsMark, name)
        value = dict(row.value) if row is not None else {}
        at = self.wall.now().isoformat()
        if error:
            value.update(last_failure=at, last_failure_period=period, error=error, ok=False)
        else:
            value.update(last_success=at, last_success_period=period, ok=True, error=None)
        if period is None:  # runs of a job without periods are counted here (the others in job_runs)
            counted = "runs_failed" if error else "runs_done"
            value[counted] = int(value.get(counted, 0)) + 1
        value.update(extra)
        set_mark(s, name, value, self.wall.now())


def health(db: Database, now: dt.datetime | None = None) -> dict:
    """The state of the service from the database: the heartbeat and its age, each job's last success
    and last failure (``ok`` false when the latest run failed), the age of the newest data hour.
    ``status`` is ``ok``, ``degraded`` (a job's latest run failed, or the service's heartbeat is old) or
    ``ok`` without a ``service`` entry when ``lantian run`` has never run."""
    now = now or SYSTEM_CLOCK.now()
    with db.session() as s:
        marks = {m.name: (dict(m.value), m.updated_at) for m in s.scalars(select(OpsMark)).all()}
    out: dict = {"status": "ok"}
    beat = marks.get(HEARTBEAT)
    if beat is None:
        return out
    value, _ = beat
    age = (now - dt.datetime.fromisoformat(value["at"])).total_seconds()
    alive = age < STALE_TICKS * value.get("interval", 60)
    out["service"] = {"runner": value["runner"], "heartbeat": value["at"], "heartbeat_age_seconds": int(age),
                      "running": alive}
    jobs = {name[4:]: v for name, (v, _) in marks.items() if name.startswith("job:")}
    out["jobs"] = jobs
    data = marks.get("data")
    if data is not None:
        latest = data[0].get("latest_hour")
        out["data"] = {
            **data[0],
            "age_hours": round((now - dt.datetime.fromisoformat(latest)).total_seconds() / 3600, 1)
            if latest
            else None,
        }
    failed = sorted(name for name, v in jobs.items() if not v.get("ok", True))
    if failed or not alive:
        out["status"] = "degraded"
        out["failed_jobs"] = failed
    return out


def archive(db: Database) -> list[dict]:
    """The archive of scheduled reports (``report_archive``), newest first."""
    with db.session() as s:
        rows = s.scalars(select(ArchivedReport).order_by(ArchivedReport.id.desc())).all()
        return [
            {"id": r.id, "kind": r.kind, "period": r.period, "number": r.number, "title": r.title, "path": r.path,
             "created_at": r.created_at, "published_at": r.published_at}
            for r in rows
        ]


def archived(db: Database, report_id: int) -> dict | None:
    """One report of the archive by its id (``None``: no such report)."""
    return next((r for r in archive(db) if r["id"] == report_id), None)
