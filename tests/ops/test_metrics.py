"""Prometheus metrics at ``/metrics``, scraped in-process after a run of the service: read from the
database and the store at scrape time, so they agree with what the ``lantian run`` process recorded."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from test_run import FIRST, PASSWORD, RULES, _release, _Webhook

from lantian import config
from lantian.clock import FixedClock
from lantian.ops.metrics import epoch
from lantian.ops.runs import health
from lantian.ops.service import Service
from lantian.store import open_database
from lantian.web import create_app
from lantian.web.settings import WebSettings
from lantian.workflow.services import Workflow


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


def _scrape(client) -> dict[tuple[str, tuple], float]:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_after_a_run_agree_with_the_database_and_the_store(db, db_url, tmp_path):
    hook = _Webhook()
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    at = dt.datetime(2026, 3, 30, 9)
    wf = Workflow(db, clock=FixedClock(at))
    wf.init_office("株洲市蓝天办", "boss", "王主任", PASSWORD, at)
    settings = config.load(
        database_url=db_url, store=tmp_path / "store", inbox=tmp_path / "inbox", archive_dir=tmp_path / "reports",
        city="株洲", webhook_url=hook.url, rules_file=tmp_path / "rules.toml", monthly_at="off", quarterly_at="off",
    )
    now = dt.datetime.fromisoformat(FIRST)
    release = _release(tmp_path)
    (tmp_path / "inbox").mkdir()
    os.replace(release, tmp_path / "inbox" / release.name)
    service = Service(settings, db, FixedClock(now))
    service.once()  # the release, then escalate, the daily bulletin (fails: no data of 04-05) and the weekly
    app = create_app(settings, WebSettings(secret_key="s" * 40), clock=FixedClock(now))
    try:
        with TestClient(app) as client:  # no login: metrics are open, like /healthz
            m = _scrape(client)
    finally:
        hook.server.shutdown()

    # Runs by job and status (job_runs): escalate and weekly done, daily failed (tests/ops/test_run.py: the
    # store ends on 2026-04-03, so the bulletin of 2026-04-05 cannot be made).
    assert m[("lantian_job_runs", (("job", "weekly"), ("status", "done")))] == 1
    assert m[("lantian_job_runs", (("job", "escalate"), ("status", "done")))] == 1
    assert m[("lantian_job_runs", (("job", "daily"), ("status", "failed")))] == 1
    assert m[("lantian_job_runs", (("job", "inbox"), ("status", "done")))] >= 1  # counted in its mark
    assert m[("lantian_job_ok", (("job", "daily"),))] == 0 and m[("lantian_job_ok", (("job", "weekly"),))] == 1
    jobs = health(db)["jobs"]
    assert m[("lantian_job_last_success_timestamp_seconds", (("job", "weekly"),))] == epoch(
        dt.datetime.fromisoformat(jobs["weekly"]["last_success"]))
    assert m[("lantian_job_last_failure_timestamp_seconds", (("job", "daily"),))] == epoch(
        dt.datetime.fromisoformat(jobs["daily"]["last_failure"]))
    # Data lag: the newest stored hour is 2026-04-03 00:00 (the release's last hour, test_run.py's health check);
    # the clock says 2026-04-06 09:10, 3 days 9 h 10 min later.
    assert m[("lantian_data_newest_hour_timestamp_seconds", ())] == epoch(dt.datetime(2026, 4, 3, 0, 0))
    assert m[("lantian_data_lag_seconds", ())] == 3 * 86400 + 9 * 3600 + 10 * 60
    # Ingest counts: those of the report written beside the file in done/.
    report = json.loads((tmp_path / "inbox" / "done" / f"{release.name}.report.json").read_text(encoding="utf-8"))
    totals = report["totals"]
    assert m[("lantian_ingest_files", ())] == 1
    for outcome in ("read", "stored", "quarantined", "duplicate"):
        assert m[("lantian_ingest_rows", (("outcome", outcome),))] == totals[f"rows_{outcome}"], outcome
    assert totals["rows_stored"] > 0
    # Notifications: what the robot received was sent (the heavy hour and the weekly dispatch; no case is
    # overdue in this office); none pending or dead.
    assert m[("lantian_notifications", (("channel", "webhook"), ("status", "sent")))] == len(hook.received) == 2
    assert m[("lantian_notifications", (("channel", "webhook"), ("status", "pending")))] == 0
    assert m[("lantian_notifications", (("channel", "webhook"), ("status", "dead")))] == 0
    assert m[("lantian_notifications", (("channel", "email"), ("status", "sent")))] == 0
    assert ("lantian_service_heartbeat_age_seconds", ()) in m


def test_metrics_of_a_fresh_office_are_zero_and_carry_no_personal_data(db, db_url, tmp_path):
    settings = config.load(database_url=db_url, store=tmp_path / "store")
    with TestClient(create_app(settings, WebSettings(secret_key="s" * 40))) as client:
        r = client.get("/metrics")
        m = _scrape(client)
    assert m[("lantian_ingest_files", ())] == 0
    assert m[("lantian_notifications", (("channel", "webhook"), ("status", "sent")))] == 0
    assert ("lantian_data_lag_seconds", ()) not in m  # no data: no lag to report
    assert "@" not in r.text and "http" not in r.text.replace("# HELP", "")
