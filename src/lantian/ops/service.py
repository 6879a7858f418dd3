"""The scheduler of ``lantian run``: APScheduler 3 runs a tick every ``inbox_seconds`` and each calendar
job at its time; the tick also takes up any calendar job whose period is due and not yet done.

APScheduler keeps the triggers in memory (built from the settings at every start); what is done is
kept in the database (``job_runs``, unique per job and period). APScheduler's SQLAlchemyJobStore is not
used: it stores only the next fire time, advanced before the job runs, so a crash mid-run would lose
that run; the (job, period) table makes every run idempotent and lets a restart catch up.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.ops import jobs, notify, poll
from lantian.ops.runs import Runs, runner_id
from lantian.ops.schedule import Schedule, parse_schedule

log = logging.getLogger("lantian.ops")

#: Calendar jobs: name → (setting of its schedule, schedule kind, what it is in Chinese).
CALENDAR: dict[str, tuple[str, str, str]] = {
    "escalate": ("escalate_at", "day", "逾期升级"),
    "daily": ("daily_at", "day", "空气质量日报"),
    "weekly": ("weekly_at", "week", "周调度"),
    "monthly": ("monthly_at", "month", "月考核通报"),
    "quarterly": ("quarterly_at", "quarter", "季考核讲评"),
}


@dataclass
class Job:
    name: str
    title: str
    schedule: Schedule


def calendar(settings) -> list[Job]:
    """The calendar jobs switched on by the settings (a wrong schedule is refused with its setting)."""
    out = []
    for name, (setting, kind, title) in CALENDAR.items():
        schedule = parse_schedule(settings.value(setting), kind, setting)
        if schedule is not None:
            out.append(Job(name, title, schedule))
    return out


class Service:
    """One ``lantian run`` process over the settings' database and store; ``clock`` is the office's
    time (fixed by ``--now``), run records use the system's."""

    def __init__(self, settings, db, clock: Clock = SYSTEM_CLOCK, wall: Clock = SYSTEM_CLOCK):
        self.settings = settings
        self.db = db
        self.jobs = calendar(settings)
        notify.channels(settings)  # refuse a wrong webhook URL or SMTP address before starting
        notify.smtp_login(settings)  # …and an SMTP login whose password is missing
        if settings.value("poll_url"):
            poll.check_url(settings.value("poll_url"))
        interval = settings.value("inbox_seconds")
        self.runs = Runs(db, runner_id(), interval, wall)
        self.ctx = jobs.Context(settings, db, clock, self.runs, wall)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._last_poll: float | None = None

    def start(self) -> None:
        left = self.runs.take_over()
        for item in left:
            log.warning("上次运行中断的任务将重新运行：%s", item)
        self.ctx.since()

    def run_calendar(self, job: Job) -> str | None:
        """Run ``job`` for its latest due period unless done; returns the period run (or None)."""
        due = job.schedule.last_due(self.ctx.clock.now())
        period = job.schedule.period(due)
        if not self.runs.claim(job.name, period, self.settings.value("retry_seconds")):
            return None
        log.info("开始%s（%s，%s）", job.title, job.name, period)
        try:
            if job.name == "escalate":
                result = jobs.escalate(self.ctx, period)
            else:
                result = jobs.make_report(self.ctx, job.name, period)
        except Exception as exc:  # a job's failure is recorded and shown by /healthz, never fatal
            error = f"{type(exc).__name__}: {exc}"
            log.error("%s（%s）失败：%s\n%s", job.title, period, error, traceback.format_exc())
            self.runs.finish(job.name, period, error=error)
            return period
        self.runs.finish(job.name, period, result=jobs.to_json(result))
        log.info("完成%s（%s）：%s", job.title, period, result)
        return period

    def run_poll(self) -> None:
        """Fetch ``run.poll_url`` when ``poll_seconds`` have passed since the last poll; a new release is
        written into the inbox as complete, so the inbox pass that follows takes it. A failure is
        recorded as the job ``poll``'s (shown by /healthz), never raised."""
        url = self.settings.value("poll_url")
        if not url:
            return
        now = time.monotonic()
        if self._last_poll is not None and now - self._last_poll < self.settings.value("poll_seconds"):
            return
        self._last_poll = now
        inbox = Path(self.settings.value("inbox"))
        try:
            result = poll.poll(self.db, self.settings, inbox, self.runs.wall.now())
        except Exception as exc:  # recorded and shown by /healthz; polled again at the next interval
            error = str(exc) if isinstance(exc, poll.PollError) else f"{type(exc).__name__}: {exc}"
            log.error("轮询发布地址失败：%s", error)
            with self.db.session() as s:
                self.runs.record(s, "poll", None, error)
            return
        extra = {"last_status": result["status"]}
        if result["status"] == "new":
            path = inbox / result["file"]
            stat = path.stat()
            self.ctx.seen[path] = (stat.st_size, stat.st_mtime_ns)  # written whole: take it at this pass
            extra["last_file"] = result["file"]
            log.info("轮询 %s：新发布已写入收件目录 %s（%d 字节）", poll.shown(url), result["file"], result["bytes"])
        with self.db.session() as s:
            self.runs.record(s, "poll", None, None, **extra)

    def run_inbox(self) -> None:
        try:
            result = jobs.poll_inbox(self.ctx)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.error("收件目录处理失败：%s\n%s", error, traceback.format_exc())
            with self.db.session() as s:
                self.runs.record(s, "inbox", None, error)
            return
        if result.get("files") or self._first_inbox:
            with self.db.session() as s:
                self.runs.record(s, "inbox", None, None, **{k: v for k, v in result.items() if k == "taken"})
        self._first_inbox = False

    _first_inbox = True

    def run_events(self) -> None:
        """The events written by others (交办, the warning level) and, at the first pass, the targets."""
        jobs._guarded(self.ctx, "events", jobs.scan_events)
        if self._first_events:
            self._first_events = False
            if self.settings.value("targets_file"):
                jobs._guarded(self.ctx, "targets", lambda ctx: jobs.check_targets(ctx, ctx.dataset()))

    _first_events = True

    def tick(self) -> None:
        """One pass: heartbeat, the poll of the release address, inbox, the events, every due calendar
        job, then the outbox."""
        with self._lock:
            self.runs.beat()
            self.run_poll()
            self.run_inbox()
            self.run_events()
            for job in self.jobs:
                self.run_calendar(job)
            try:
                notify.deliver(self.db, self.settings)
            except Exception as exc:
                log.error("发送通知失败：%s\n%s", exc, traceback.format_exc())
            self.runs.beat()

    def once(self) -> None:
        """``--once``: the inbox looked at twice a second apart (a file is taken when it did not change
        between the looks), so that new data are in before the reports; then each due job once."""
        self.start()
        with self._lock:
            self.run_poll()
            self.run_inbox()
        time.sleep(1)
        self.tick()

    def serve(self) -> None:
        """Run until stopped (SIGTERM/SIGINT): a tick every ``inbox_seconds``, each job also at its time."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        self.start()
        scheduler = BackgroundScheduler(timezone="Asia/Shanghai", job_defaults={"coalesce": True,
                                                                                "max_instances": 1})
        scheduler.add_job(self.tick, IntervalTrigger(seconds=self.settings.value("inbox_seconds")), id="tick",
                          misfire_grace_time=None)
        for job in self.jobs:
            s = job.schedule
            fields = {"hour": s.time.hour, "minute": s.time.minute}
            if s.kind == "week":
                fields["day_of_week"] = s.day
            elif s.kind == "month":
                fields["day"] = s.day
            elif s.kind == "quarter":
                fields.update(day=s.day, month="1,4,7,10")
            scheduler.add_job(self._locked, CronTrigger(**fields), args=[job], id=job.name,
                              misfire_grace_time=None)
            log.info("任务 %s（%s）：%s", job.name, job.title, s.describe())
        self.tick()
        scheduler.start()
        try:
            self._stop.wait()
        finally:
            scheduler.shutdown(wait=True)

    def _locked(self, job: Job) -> None:
        with self._lock:
            self.run_calendar(job)
            notify.deliver(self.db, self.settings)

    def stop(self) -> None:
        self._stop.set()
