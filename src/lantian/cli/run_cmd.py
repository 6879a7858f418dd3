"""``lantian run``: the office's rhythm as a service (inbox, escalation, reports, notifications)."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from lantian.cli import app
from lantian.jsonable import dumps


class _JsonLines(logging.Formatter):
    """One JSON object per log line: at (Beijing time), level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        from lantian.clock import SYSTEM_CLOCK

        entry = {
            "at": SYSTEM_CLOCK.now().isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return dumps(entry, indent=None)


def _logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    root = logging.getLogger("lantian")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    scheduler = logging.getLogger("apscheduler")  # its own notices (a tick skipped while one runs) are noise
    scheduler.handlers[:] = [handler]
    scheduler.setLevel(logging.ERROR)
    scheduler.propagate = False


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Run each due job once, then exit (for cron).")
    ] = False,
    now: Annotated[
        str | None, typer.Option("--now", help="Fix the office's clock (ISO Beijing time, e.g. 2026-04-06T09:10).")
    ] = None,
    inbox: Annotated[Path | None, typer.Option("--inbox", help="Inbox folder (else the setting run.inbox).")] = None,
    poll_url: Annotated[
        str | None,
        typer.Option("--poll-url", help="HTTP(S) address of the latest hourly release, fetched into the inbox."),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="Send every notification of the office to this URL.")
    ] = None,
    smtp: Annotated[str | None, typer.Option("--smtp", help="SMTP server HOST:PORT for e-mail notifications.")] = None,
    mail_to: Annotated[
        str | None, typer.Option("--mail-to", help="Addresses receiving the e-mail notifications (comma-separated).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (sqlite:///… or postgresql+psycopg://…).")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Parquet store directory.")] = None,
) -> None:
    """Run the office's schedule: ingest the inbox, escalate overdue cases, make the daily bulletin,
    weekly dispatch, monthly notice and quarterly review, send notifications (settings: lantian settings, [run])."""
    from lantian import config
    from lantian.cli.workflow_cmd import parse_when
    from lantian.clock import SYSTEM_CLOCK, FixedClock
    from lantian.ops.service import Service
    from lantian.store import open_database

    _logging()
    settings = config.load(store=store, database_url=db, inbox=inbox, poll_url=poll_url, webhook_url=webhook,
                           smtp=smtp, mail_to=mail_to)
    clock = FixedClock(parse_when(now)) if now else SYSTEM_CLOCK
    database = open_database(settings.database_url)
    try:
        service = Service(settings, database, clock)
        log = logging.getLogger("lantian.ops")
        if once:
            service.once()
            return
        signal.signal(signal.SIGTERM, lambda *_: service.stop())
        signal.signal(signal.SIGINT, lambda *_: service.stop())
        log.info(
            "lantian run 已启动：数据库 %s，收件目录 %s，每 %d 秒查看一次%s",
            database.engine.url.render_as_string(hide_password=True),
            settings.value("inbox"),
            settings.value("inbox_seconds"),
            f"，时钟固定在 {clock.now():%Y-%m-%d %H:%M}" if now else "",
        )
        if settings.value("poll_url"):
            from lantian.ops.poll import shown

            log.info("轮询发布地址 %s，每 %d 秒一次", shown(settings.value("poll_url")), settings.value("poll_seconds"))
        service.serve()
        log.info("lantian run 已停止")
    finally:
        database.dispose()


@app.command("run-status")
def run_status(
    case: Annotated[int | None, typer.Option("--case", help="Only the notifications of this case.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Notifications and reports to list.", min=1)] = 50,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (sqlite:///… or postgresql+psycopg://…).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """What lantian run has done: its heartbeat, each job's last success and failure (as /healthz),
    the reports archive and the notifications (who, what, when, delivered or not)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from lantian import config
    from lantian.jsonable import dumps
    from lantian.ops.jobs import REPORTS, archive
    from lantian.ops.notify import notifications
    from lantian.ops.runs import health
    from lantian.store import open_database

    database = open_database(config.load(database_url=db).database_url)
    try:
        data = {
            "health": health(database),
            "archive": archive(database)[:limit],
            "notifications": notifications(database, case, limit),
        }
    finally:
        database.dispose()
    if as_json:
        typer.echo(dumps(data))
        return
    console = Console()
    state = data["health"]
    service = state.get("service")
    if service is None:
        console.print("lantian run 尚未在此数据库上运行过。")
    else:
        console.print(
            f"状态 {'正常' if state['status'] == 'ok' else '[red]异常[/]'} · 进程 {service['runner']} · 心跳 "
            f"{service['heartbeat']}（{service['heartbeat_age_seconds']} 秒前{'' if service['running'] else '，已停止'}）"
        )
        jobs = Table("任务", "最近成功", "期间", "最近失败", "错误", title="任务")
        for name, v in sorted(state.get("jobs", {}).items()):
            jobs.add_row(name, v.get("last_success") or "—", v.get("last_success_period") or "—",
                         v.get("last_failure") or "—", escape((v.get("error") or "—")[:80]))
        console.print(jobs)
    words = {kind: word for kind, word in REPORTS.values()}
    reports = Table("报告", "期间", "文号", "标题", "文件", title="报告存档")
    for r in data["archive"]:
        reports.add_row(words.get(r["kind"], r["kind"]), r["period"], r["number"], r["title"] or "—", r["path"] or "—")
    console.print(reports)
    statuses = {"sent": "已送达", "pending": "待发送", "dead": "[red]未送达（死信）[/]", "unrouted": "未配置渠道"}
    sent = Table("编号", "事项", "渠道", "对象", "主题", "状态", "次数", "时间", title="通知")
    for n in data["notifications"]:
        sent.add_row(str(n["id"]), n["event_name"], n["channel"], escape(n["target"]), escape(n["subject"]),
                     statuses.get(n["status"], n["status"]), str(n["attempts"]), str(n["sent_at"] or n["created_at"]))
    console.print(sent)
