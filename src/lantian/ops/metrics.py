"""Prometheus metrics of the service, read from the database and the store at each scrape.

:class:`OpsCollector` is a custom collector (``prometheus_client``): nothing is counted in the memory of
a process, so the web process that serves ``/metrics`` and the ``lantian run`` process that does the
work always agree, and a restart loses nothing. Every metric carries no personal data (no addresses,
names or texts): jobs, channels and statuses only.

==========================================  =========================================================
Metric                                      From
==========================================  =========================================================
``lantian_job_runs{job,status}``            ``job_runs`` (runs per job and status: done, failed,
                                            running) and, for the jobs without periods (inbox, poll,
                                            events, proposals, targets), the counts of their mark
``lantian_job_last_success_timestamp_seconds{job}``  each job's last success (``ops_marks``)
``lantian_job_last_failure_timestamp_seconds{job}``  each job's last failure
``lantian_job_ok{job}``                     1 when the job's latest run succeeded, else 0
``lantian_service_heartbeat_age_seconds``   age of the heartbeat of ``lantian run``
``lantian_data_newest_hour_timestamp_seconds``  newest hour in the store (station hours)
``lantian_data_lag_seconds``                the clock minus that hour
``lantian_ingest_files``                    files in the ingest log
``lantian_ingest_rows{outcome}``            rows read, stored, quarantined, duplicate, revised
``lantian_notifications{channel,status}``   the outbox: sent, pending, dead, unrouted
==========================================  =========================================================

Times of lantian are naive Beijing time (:mod:`lantian.clock`); they are exported as Unix seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.ops.runs import HEARTBEAT
from lantian.pipeline.store import existing_store
from lantian.store.db import Database
from lantian.store.models import JobRun, Notification, OpsMark

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
#: The ingest log's row counts exported, in the order of the accounting rows_read = stored + quarantined + duplicate.
INGEST_COLUMNS = ("rows_read", "rows_stored", "rows_quarantined", "rows_duplicate", "rows_revised")
#: Every status of the outbox (lantian.store.models.Notification), exported even when none has it.
NOTIFICATION_STATUSES = ("sent", "pending", "dead", "unrouted")

__all__ = ["CONTENT_TYPE_LATEST", "OpsCollector", "exposition"]


def epoch(value: dt.datetime) -> float:
    """Unix seconds of a naive Beijing time."""
    return value.replace(tzinfo=BEIJING).timestamp()


class OpsCollector:
    """Reads the metrics of module docstring at each ``collect()`` from ``db`` and the store at ``store``."""

    def __init__(self, db: Database, store: str | Path, clock: Clock = SYSTEM_CLOCK) -> None:
        self.db = db
        self.store = Path(store)
        self.clock = clock

    def collect(self):
        now = self.clock.now()
        with self.db.session() as s:
            runs = s.execute(select(JobRun.job, JobRun.status, func.count()).group_by(JobRun.job, JobRun.status)).all()
            marks = {m.name: dict(m.value) for m in s.scalars(select(OpsMark)).all()}
            sent = s.execute(
                select(Notification.channel, Notification.status, func.count()).group_by(
                    Notification.channel, Notification.status
                )
            ).all()
        yield from self._jobs(runs, marks)
        yield from self._service(marks, now)
        yield from self._data(now)
        yield from self._notifications(sent)

    def _jobs(self, runs, marks: dict):
        counts = GaugeMetricFamily("lantian_job_runs", "Runs of each job of lantian run by status.",
                                   labels=["job", "status"])
        periodic = set()
        for job, status, n in sorted(runs):
            counts.add_metric([job, status], n)
            periodic.add(job)
        jobs = {name[4:]: v for name, v in sorted(marks.items()) if name.startswith("job:")}
        for job, v in jobs.items():
            if job in periodic:
                continue
            for status, key in (("done", "runs_done"), ("failed", "runs_failed")):
                if key in v:
                    counts.add_metric([job, status], int(v[key]))
        yield counts
        success = GaugeMetricFamily("lantian_job_last_success_timestamp_seconds",
                                    "Last successful run of each job (Unix seconds).", labels=["job"])
        failure = GaugeMetricFamily("lantian_job_last_failure_timestamp_seconds",
                                    "Last failed run of each job (Unix seconds).", labels=["job"])
        ok = GaugeMetricFamily("lantian_job_ok", "1 when the latest run of the job succeeded, else 0.",
                               labels=["job"])
        for job, v in jobs.items():
            if v.get("last_success"):
                success.add_metric([job], epoch(dt.datetime.fromisoformat(v["last_success"])))
            if v.get("last_failure"):
                failure.add_metric([job], epoch(dt.datetime.fromisoformat(v["last_failure"])))
            ok.add_metric([job], 1 if v.get("ok", True) else 0)
        yield success
        yield failure
        yield ok

    def _service(self, marks: dict, now: dt.datetime):
        beat = marks.get(HEARTBEAT)
        if beat is None:
            return
        age = GaugeMetricFamily("lantian_service_heartbeat_age_seconds",
                                "Seconds since lantian run last wrote its heartbeat.")
        age.add_metric([], (now - dt.datetime.fromisoformat(beat["at"])).total_seconds())
        yield age

    def _data(self, now: dt.datetime):
        ds = existing_store(self.store)
        files = GaugeMetricFamily("lantian_ingest_files", "Files in the ingest log of the store.")
        rows = GaugeMetricFamily("lantian_ingest_rows", "Rows of the ingested files by outcome (ingest log).",
                                 labels=["outcome"])
        if ds is None:
            files.add_metric([], 0)
            for column in INGEST_COLUMNS:
                rows.add_metric([column.removeprefix("rows_")], 0)
            yield files
            yield rows
            return
        log = ds.ingest_log()
        files.add_metric([], log.height)
        for column in INGEST_COLUMNS:
            rows.add_metric([column.removeprefix("rows_")], int(log[column].sum() or 0) if log.height else 0)
        yield files
        yield rows
        newest = ds.scan_hourly().select(pl.col("time").max()).collect().item()
        if newest is None:
            return
        hour = GaugeMetricFamily("lantian_data_newest_hour_timestamp_seconds",
                                 "Newest hour of the stored station hours (Unix seconds).")
        hour.add_metric([], epoch(newest))
        lag = GaugeMetricFamily("lantian_data_lag_seconds", "The clock minus the newest stored hour, in seconds.")
        lag.add_metric([], (now - newest).total_seconds())
        yield hour
        yield lag

    def _notifications(self, sent):
        out = GaugeMetricFamily("lantian_notifications", "Notifications of the outbox by channel and status.",
                                labels=["channel", "status"])
        counts = {(channel, status): n for channel, status, n in sent}
        for channel in sorted({c for c, _ in counts} | {"webhook", "email"}):
            for status in NOTIFICATION_STATUSES:
                if channel == "none" and status != "unrouted" or channel != "none" and status == "unrouted":
                    continue
                out.add_metric([channel, status], counts.get((channel, status), 0))
        yield out


def exposition(db: Database, store: str | Path, clock: Clock = SYSTEM_CLOCK) -> bytes:
    """The metrics in the Prometheus text format, read now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsCollector(db, store, clock))
    return generate_latest(registry)
