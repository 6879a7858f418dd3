"""The jobs of ``lantian run``: each takes the :class:`Context` and, for calendar jobs, the period.

* :func:`poll_inbox` — files dropped into the inbox are ingested once complete and moved to ``done/``
  or ``rejected/`` with their report; after new data: the heavy-pollution alerts and ``proposals scan``.
* :func:`escalate` — the ladder 提醒→通报→约谈→移交纪委监委 (:meth:`Workflow.escalate`), a notification per step.
* :func:`make_report` — the daily bulletin, weekly dispatch, monthly notice or quarterly review
  (:func:`lantian.reports.sources.build`, as ``lantian report``) into the archive, with its number.
* :func:`scan_events` — every tick: cases assigned (交办, from the audit log) to their unit, and a change
  of the heavy-pollution warning level of the forecast file (``[web] forecast_file``) and of the
  stored city daily AQI (also looked at after new data).
* :func:`check_targets` — after new data: a target of the targets file (``[web] targets_file``) newly
  at risk (有风险) or lost (已失守) since the last check.

Each notification goes to its routes (:func:`lantian.ops.notify.recipients`): the unit concerned (its
channels and its users') and/or the office (the settings' channels and the administrators').
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import func, select

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.errors import ConfigError, NotFound
from lantian.jsonable import dumps, to_jsonable
from lantian.ops import notify
from lantian.ops.runs import Runs, get_mark, set_mark
from lantian.schema import city_name
from lantian.store.db import Database
from lantian.store.models import ArchivedReport, AuditEntry, Case, Escalation, Organisation, User

log = logging.getLogger("lantian.ops")

#: Reports made on schedule: job name → (report kind of lantian.reports, title word).
REPORTS: dict[str, tuple[str, str]] = {
    "daily": ("daily", "空气质量日报"),
    "weekly": ("weekly", "周调度"),
    "monthly": ("monthly", "月考核通报"),
    "quarterly": ("quarterly", "季考核讲评"),
}
#: Files of the inbox that are still being written (left alone).
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
#: Ingest statuses of a file that was taken (moved to done/).
TAKEN = ("ingested", "already ingested", "registry")
#: The AQI level from which an hour is a heavy-pollution hour (重度污染, HJ 633 Table 2/Table 1: level 5).
HEAVY_LEVEL = 5


@dataclass
class Context:
    """What every job needs: the settings, the database, the office's clock, the service's runs."""

    settings: object
    db: Database
    clock: Clock
    runs: Runs
    wall: Clock = SYSTEM_CLOCK
    #: Files of the inbox seen at the last look: path → (size, mtime) (taken when unchanged).
    seen: dict = field(default_factory=dict)

    @property
    def routes(self) -> list[tuple[str, str]]:
        return notify.channels(self.settings)

    def recipients(self, s, unit_id: int | None = None, office: bool = True) -> list[tuple[str, str]]:
        """The routes of a notification to the office and/or the unit ``unit_id`` (read in ``s``)."""
        return notify.recipients(s, self.settings, unit_id, office)

    def workflow(self):
        from lantian.workflow.services import Workflow

        return Workflow.from_settings(self.db, self.settings, self.clock)

    def actor(self) -> str:
        """The account the service acts as: the setting run.actor, else the first active administrator."""
        name = self.settings.value("actor")
        if name:
            return name
        with self.db.session() as s:
            user = s.scalar(
                select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id).limit(1)
            )
        if user is None:
            raise ConfigError(
                "数据库中没有在用的管理员，lantian run 无法办理逾期升级和读取督查数据；"
                "请先 lantian init 建立本办和管理员，或用设置 run.actor 指定账号。"
            )
        return user.username

    def dataset(self):
        from lantian.pipeline.store import open_dataset

        return open_dataset(self.settings.store)

    def since(self) -> dt.datetime:
        """When this database's service first ran (office time): events before it are not notified."""
        mark = get_mark(self.db, "since")
        if mark is not None:
            return dt.datetime.fromisoformat(mark["at"])
        at = self.clock.now()
        with self.db.session() as s:
            set_mark(s, "since", {"at": at.isoformat()}, self.wall.now())
        return at


# -- the inbox -------------------------------------------------------------------------------------------


def _complete_files(ctx: Context, inbox: Path) -> list[Path]:
    """Files of the inbox whose size and modification time did not change since the last look."""
    now_seen = {}
    ready = []
    for path in sorted(inbox.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(PARTIAL_SUFFIXES):
            continue
        st = path.stat()
        now_seen[path] = (st.st_size, st.st_mtime_ns)
        if ctx.seen.get(path) == now_seen[path] and st.st_size > 0:
            ready.append(path)
    ctx.seen = now_seen
    return ready


def _move(path: Path, folder: Path, report: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    report_file = target.with_name(target.name + ".report.json")
    report_file.write_text(dumps(report), encoding="utf-8")
    shutil.move(str(path), str(target))
    return target


def poll_inbox(ctx: Context) -> dict:
    """Take the complete files of the inbox: ingest each (the ingest log makes a file taken twice a
    no-op); after new data, the alerts and the proposals scan; then move each file to ``done/`` or
    ``rejected/`` with its report. Files are moved last, so a crash before the alerts leaves them in the
    inbox, to be taken (as already ingested) and alerted on at the next look."""
    inbox = Path(ctx.settings.value("inbox"))
    inbox.mkdir(parents=True, exist_ok=True)
    files = _complete_files(ctx, inbox)
    if not files:
        return {"files": 0}
    ds = ctx.dataset()
    results = []
    for path in files:
        report = ds.ingest([path])
        statuses = [f.status for f in report.files]
        ok = bool(statuses) and all(st in TAKEN for st in statuses)
        why = (
            "、".join(statuses)
            if ok
            else "; ".join(f.message or f.status for f in report.files) or "不是数据文件"
        )
        results.append((path, ok, report.to_dict(), why))
    out: dict = {
        "files": len(files),
        "taken": [p.name for p, ok, _, _ in results if ok],
        "rejected": [p.name for p, ok, _, _ in results if not ok],
    }
    if out["taken"]:
        from lantian.pipeline import station_days

        out["station_days"] = station_days.refresh(ds)["station_days"]
        out["alerts"] = after_new_data(ctx, ds)
        out["heavy_days"] = _guarded(ctx, "events", heavy_days, ds)
        out["proposals"] = _guarded(ctx, "proposals", scan_proposals, ds)
        out["targets"] = _guarded(ctx, "targets", check_targets, ds)
        out["warning"] = _guarded(ctx, "events", check_warning, ds)
    for path, ok, data, why in results:
        target = _move(path, inbox / ("done" if ok else "rejected"), data)
        ctx.seen.pop(path, None)
        if ok:
            log.info("收件 %s 已导入（%s），移到 %s", path.name, why, target)
        else:
            log.warning("收件 %s 未导入（%s），移到 %s", path.name, why, target)
    return out


def _guarded(ctx: Context, job: str, fn, *args):
    """``fn(ctx, *args)``, its failure recorded as the job's (shown by /healthz) instead of raised."""
    try:
        value = fn(ctx, *args)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.exception("%s 失败：%s", job, error)
        with ctx.db.session() as s:
            ctx.runs.record(s, job, None, error)
        return None
    with ctx.db.session() as s:
        ctx.runs.record(s, job, None, None)
    return value


def _cities(ctx: Context, ds) -> list[str]:
    from lantian.pipeline.figures import busiest_city

    city = ctx.settings.value("city") or busiest_city(ds)
    return [city] if city else []


def after_new_data(ctx: Context, ds) -> int:
    """Heavy-pollution hours of the office's city newer than the last alerted hour: one notification
    each, written with the new watermark (a restart neither repeats nor skips one). Returns how many."""
    from lantian.pipeline.figures import graded_hours, level_texts

    added = 0
    for city in _cities(ctx, ds):
        graded = graded_hours(ds, city)
        if graded.is_empty():
            continue
        rows = graded.filter(pl.col("entity") == "city").sort("time")
        if rows.is_empty():
            continue
        latest = rows["time"].max()
        mark = get_mark(ctx.db, f"alert:{city}")
        after = dt.datetime.fromisoformat(mark["hour"]) if mark else latest - dt.timedelta(hours=24)
        heavy = rows.filter((pl.col("time") > after) & (pl.col("level") >= HEAVY_LEVEL))
        at = ctx.clock.now()
        with ctx.db.session() as s:
            for r in heavy.iter_rows(named=True):
                when = f"{r['time']:%Y-%m-%d %H}时"
                subject, text = _heavy_notice(
                    "【重度污染】", city, when, r, level_texts(r["level"], r["regime"])
                )
                added += notify.enqueue(
                    s,
                    ctx.recipients(s),
                    f"heavy-hour:{city}:{r['time']:%Y-%m-%dT%H}",
                    "heavy-hour",
                    subject,
                    text,
                    at,
                )
            set_mark(s, f"alert:{city}", {"hour": max(latest, after).isoformat()}, ctx.wall.now())
            set_mark(s, "data", {"city": city, "latest_hour": latest.isoformat()}, ctx.wall.now())
    return added


def _heavy_notice(tag: str, city: str, when: str, row: dict, texts: dict) -> tuple[str, str]:
    """Subject and text of a heavy-pollution notice of an hour or a day (``when``: 2026-04-02 10时)."""
    zh, name = texts.get("zh", {}), city_name(city)
    text = (
        f"{name} {when}空气质量指数（AQI）{row['aqi']}，{zh.get('category', '')}（{zh.get('name', '')}），"
        f"首要污染物 {row.get('primary_pollutants') or '—'}。建议：{zh.get('advice', '')}"
    )
    return f"{tag}{name} {when} AQI {row['aqi']}", text


def heavy_days(ctx: Context, ds) -> int:
    """Closed days of the office's city whose daily AQI reaches 重度污染 (HJ 633 level 5, AQI > 200), one
    notification each, once the day's last hour (24:00) is stored; a mark keeps the last day looked at,
    so a restart neither repeats nor skips one. Returns how many were written."""
    from lantian.pipeline.assessment import city_stations, last_day
    from lantian.pipeline.figures import daily_table, level_texts

    added = 0
    for city in _cities(ctx, ds):
        codes = city_stations(ds, city)["station_code"].to_list()
        latest = (
            ds.scan_hourly(stations=codes).select(pl.col("time").max()).collect().item() if codes else None
        )
        if latest is not None:  # station hours: a day is closed by its 24:00 hour
            closed = (latest - dt.timedelta(hours=1)).date() - dt.timedelta(days=0 if latest.hour == 0 else 1)
        else:  # daily values only: every stored day is closed
            closed = last_day(ds, city)
        if closed is None:
            continue
        mark = get_mark(ctx.db, f"alert-day:{city}")
        first = dt.date.fromisoformat(mark["day"]) + dt.timedelta(days=1) if mark else closed
        if first > closed:
            continue
        rows = daily_table(ds, first, closed, city=city).frame()
        heavy = rows.filter(pl.col("level") >= HEAVY_LEVEL) if "level" in rows.columns else rows.clear()
        at = ctx.clock.now()
        with ctx.db.session() as s:
            for r in heavy.iter_rows(named=True):
                texts = level_texts(r["level"], r.get("regime") or "2026")
                subject, text = _heavy_notice("【重度污染日】", city, f"{r['date']:%Y-%m-%d} 日", r, texts)
                added += notify.enqueue(
                    s,
                    ctx.recipients(s),
                    f"heavy-day:{city}:{r['date']:%Y-%m-%d}",
                    "heavy-day",
                    subject,
                    text,
                    at,
                )
            set_mark(s, f"alert-day:{city}", {"day": closed.isoformat()}, ctx.wall.now())
    return added


def scan_proposals(ctx: Context, ds) -> int:
    """``proposals scan`` over the stations of the districts known to the office; returns proposals added."""
    from lantian.workflow.proposals import find_episodes

    with ctx.db.session() as s:
        districts = set(s.scalars(select(Organisation.name).where(Organisation.kind == "district")).all())
    if not districts:
        return 0
    reg = ds.stations()
    if "district" not in reg.columns:
        return 0
    reg = reg.filter(pl.col("district").is_in(sorted(districts)))
    if reg.is_empty():
        return 0
    codes = reg["station_code"].unique().to_list()
    hourly = ds.scan_hourly(stations=codes).select("station_code", "time", "pm25", "pm10").collect()
    episodes = find_episodes(hourly, reg.select("station_code", "district", "longitude", "latitude"))
    if episodes.is_empty():
        return 0
    return len(ctx.workflow().record_proposals(ctx.actor(), episodes.to_dicts(), ctx.clock.now()))


# -- events of the supervision and of the forecast ------------------------------------------------------

#: Audit entries looked at again before the mark: a transaction that took an id below the mark may commit
#: after the mark was taken (PostgreSQL); the notification's key keeps a second look from adding anything.
AUDIT_OVERLAP = 50


def scan_events(ctx: Context) -> dict:
    """The events written by others since the last look: each case assigned (交办) to its unit, and a
    change of the warning level; each notification committed with the mark of what was looked at."""
    return {"assigned": notify_assignments(ctx), "warning": check_warning(ctx)}


def notify_assignments(ctx: Context) -> int:
    """Each 交办 of the audit log after the mark (the first time: since the service first ran): one
    notification to the unit it was given to, keyed ``assigned:<case>:<version>``. Returns rows added."""
    mark = get_mark(ctx.db, "assigned")
    since = ctx.since()
    added = 0
    with ctx.db.session() as s:
        q = select(AuditEntry).where(AuditEntry.entity == "case", AuditEntry.action == "assign")
        if mark is not None:
            q = q.where(AuditEntry.id > mark["audit_id"] - AUDIT_OVERLAP, AuditEntry.at >= since)
        else:
            q = q.where(AuditEntry.at >= since)
        entries = s.scalars(q.order_by(AuditEntry.id)).all()
        for entry in entries:
            after = entry.after or {}
            case = s.get(Case, entry.entity_id)
            unit = s.get(Organisation, after.get("unit_id")) if after.get("unit_id") else None
            if case is None or unit is None:
                continue
            deadline = after.get("deadline") or "—"
            subject = f"【交办】问题 {case.id} 交{unit.name}整改，期限 {deadline}"
            text = (
                f"{unit.name}：问题 {case.id}（{case.category}，{case.address}）已于 {entry.at:%Y-%m-%d %H:%M} "
                f"交办贵单位整改，整改期限 {deadline}。问题描述：{case.description}"
            )
            added += notify.enqueue(
                s,
                ctx.recipients(s, unit.id, office=False),
                f"assigned:{case.id}:{after.get('version')}",
                "assigned",
                subject,
                text,
                ctx.clock.now(),
                unit_id=unit.id,
                case_id=case.id,
            )
        if entries:
            top = max(entries[-1].id, mark["audit_id"] if mark else 0)
            set_mark(s, "assigned", {"audit_id": top}, ctx.wall.now())
    return added


def _level_rank(row: dict) -> int:
    from lantian.standards.warnings import SCHEMES

    codes = [lv.code for lv in SCHEMES.get(row.get("scheme"), ())]
    return codes.index(row["level"]) + 1 if row.get("level") in codes else 0


def _observed_warning(ds, city: str, today: dt.date) -> dict | None:
    """The warning level reached by the stored city daily AQI: the run of consecutive stored days with
    AQI > 200 that ends at the city's last stored day (:func:`lantian.pipeline.store_inputs.observed_run`,
    as ``lantian warn`` reads the days before a forecast), graded by the episodes of spec §8
    (:func:`lantian.calc.warnings.episodes`, the one rule of ``lantian warn``). ``None`` when the last
    stored day is older than yesterday (a past episode is no warning now) or the run reaches no level."""
    from lantian.calc.warnings import episodes
    from lantian.pipeline.figures import last_day
    from lantian.pipeline.store_inputs import OBSERVED_DAYS, observed_run
    from lantian.standards import DEFAULT

    last = last_day(ds, city=city)
    if last is None or last < today - dt.timedelta(days=1):
        return None
    run = observed_run(ds, city, last + dt.timedelta(days=1), OBSERVED_DAYS, DEFAULT)
    if run.is_empty():
        return None
    rows = [r for r in to_jsonable(episodes(run, DEFAULT).to_dicts()) if r.get("level")]
    return max(rows, key=_level_rank) if rows else None


def check_warning(ctx: Context, ds=None) -> int:
    """The heavy-pollution warning level of the office's city now: the highest level of the forecast
    file's episodes that have not ended (``[web] forecast_file``, spec §8) and of the episode under way
    in the stored city daily AQI (:func:`_observed_warning`). When it differs from the level at the last
    look (kept in ``ops_marks``), one notification to the office, keyed by city, day and level and
    committed with the mark; the sources are read again only when the forecast file, the store or the
    day changed."""
    from lantian.pipeline.store import existing_store, store_state

    path = ctx.settings.value("forecast_file")
    city = ctx.settings.value("city")
    if ds is None:
        ds = existing_store(ctx.settings.store)
    if not city or not path and ds is None:
        return 0
    today = ctx.clock.now().date()
    file = Path(path) if path else None
    if file is not None and not file.is_file():
        raise NotFound(f"预报文件 {file} 不存在；请检查设置 web.forecast_file。")
    stamp = ":".join(
        [
            f"{file.stat().st_mtime_ns}" if file else "-",
            repr(store_state(ds.root)) if ds else "-",
            today.isoformat(),
        ]
    )
    name = f"warning:{city}"
    mark = get_mark(ctx.db, name)
    if mark is not None and mark.get("stamp") == stamp:
        return 0
    candidates: list[tuple[dict, str]] = []
    if file is not None:
        from lantian.pipeline.figures import warnings

        rows = [
            r for r in warnings(file, city).rows if r.get("level") and str(r.get("end")) >= today.isoformat()
        ]
        if rows:
            candidates.append((max(rows, key=_level_rank), "forecast"))
    if ds is not None:
        seen = _observed_warning(ds, city, today)
        if seen is not None:
            candidates.append((seen, "observed"))
    top, source = max(candidates, key=lambda c: _level_rank(c[0])) if candidates else (None, None)
    level = top["level"] if top else None
    added = 0
    with ctx.db.session() as s:
        if mark is not None and mark.get("level") != level or mark is None and level is not None:
            place = city_name(city)
            sources = "、".join(
                ([f"预报（{file.name}）"] if file else []) + (["已入库的日 AQI"] if ds else [])
            )
            if top is not None:
                word = top.get("level_zh") or level
                subject = f"【预警】{place}重污染天气预警：{word}"
                if source == "observed":
                    text = (
                        f"据已入库的日 AQI，{place} {top['start']} 至 {top['end']} 连续 {top.get('days_above_200')} 天 "
                        f"AQI 超过 200（超过 300 的 {top.get('days_above_300')} 天），最高 {top.get('max_aqi')}，"
                        f"已达到{word}（{top.get('reason_zh') or ''}）。"
                    )
                else:
                    text = (
                        f"据预报（{file.name}），{place} {top['start']} 至 {top['end']} AQI 超过 200 的有 "
                        f"{top.get('days_above_200')} 天、超过 300 的有 {top.get('days_above_300')} 天，最高 "
                        f"{top.get('max_aqi')}，预警级别为{word}（{top.get('reason_zh') or ''}）。"
                    )
            else:
                subject = f"【预警】{place}重污染天气预警解除"
                text = f"据{sources}，{place} 自 {today.isoformat()} 起没有达到预警级别的重污染过程。"
            added = notify.enqueue(
                s,
                ctx.recipients(s),
                f"warning:{city}:{today.isoformat()}:{level or 'none'}",
                "warning",
                subject,
                text,
                ctx.clock.now(),
            )
        set_mark(s, name, {"level": level, "source": source, "stamp": stamp}, ctx.wall.now())
    return added


def check_targets(ctx: Context, ds) -> int:
    """Each target of the targets file (``[web] targets_file``) whose year-to-date status is 有风险
    (at risk) or 已失守 (lost) and was not so at the last check (kept in ``ops_marks``): one notification
    to the office, keyed by target, status and the day of the data. Returns rows added."""
    path = ctx.settings.value("targets_file")
    if not path:
        return 0
    from lantian.calc.targets import STATUS_NAMES, target_name
    from lantian.pipeline.figures import last_day, targets_now

    added = 0
    for city in _cities(ctx, ds):
        last = last_day(ds, city=city)
        if last is None:
            continue
        now = targets_now(ds, city, last.year, path)
        name = f"targets:{city}:{now.year}"
        before = (get_mark(ctx.db, name) or {}).get("status", {})
        status = {t["target"]: t["status"] for t in now.targets}
        place = city_name(city)
        with ctx.db.session() as s:
            for t in now.targets:
                if t["status"] not in ("at_risk", "lost") or before.get(t["target"]) == t["status"]:
                    continue
                word = STATUS_NAMES[t["status"]][0]
                subject = f"【目标{word}】{place} {now.year} 年{target_name(t['target'])}"
                text = (
                    f"截至 {now.as_of.isoformat()}，{place} {now.year} 年{target_name(t['target'])}目标"
                    f"（{t.get('limit_zh') or t['limit']}）{word}：目前 {t.get('current_zh') or t['current']}。"
                    f"{t.get('verdict_zh') or ''}"
                )
                added += notify.enqueue(
                    s,
                    ctx.recipients(s),
                    f"target:{city}:{now.year}:{t['target']}:{t['status']}:{now.as_of}",
                    "target",
                    subject,
                    text,
                    ctx.clock.now(),
                )
            set_mark(s, name, {"status": status, "as_of": now.as_of.isoformat()}, ctx.wall.now())
    return added


# -- escalation -----------------------------------------------------------------------------------------


def escalate(ctx: Context, period: str) -> dict:
    """Apply the ladder now; every step reached since the service first ran gets its notification
    (to the unit concerned and the office) in one transaction with the record that it was notified."""
    wf = ctx.workflow()
    added = wf.escalate(ctx.actor(), ctx.clock.now())
    names = {lv.code: lv.name for lv in wf.rules.ladder}
    since = ctx.since()
    queued = 0
    with ctx.db.session() as s:
        steps = s.execute(
            select(Escalation, Case, Organisation)
            .join(Case, Case.id == Escalation.case_id)
            .join(Organisation, Organisation.id == Escalation.unit_id)
            .where(Escalation.created_at >= since)
            .order_by(Escalation.id)
        ).all()
        for step, case, unit in steps:
            level = names.get(step.level, step.level)
            subject = f"【{level}】{unit.name} 问题 {case.id} 逾期未整改"
            text = (
                f"{unit.name}：问题 {case.id}（{case.category}，{case.address}）整改期限 {step.deadline.isoformat()}，"
                f"{step.reason}；自 {step.on_date.isoformat()} 起{level}。"
            )
            queued += notify.enqueue(
                s,
                ctx.recipients(s, unit.id),
                f"escalation:{case.id}:{step.level}:{step.deadline.isoformat()}",
                "escalation",
                subject,
                text,
                ctx.clock.now(),
                unit_id=unit.id,
                case_id=case.id,
            )
    return {"steps": len(added), "notifications": queued}


# -- reports --------------------------------------------------------------------------------------------


def _office(s) -> str:
    name = s.scalar(select(Organisation.name).where(Organisation.kind == "office").order_by(Organisation.id))
    return name or "蓝天办"


def _next_number(ctx: Context, s, kind: str) -> str:
    """The next document number of ``kind`` this year: ``<office>〔year〕N号``, N from 1 per kind and year."""
    year = ctx.clock.now().year
    count = s.scalar(
        select(func.count())
        .select_from(ArchivedReport)
        .where(ArchivedReport.kind == kind, ArchivedReport.number.like(f"%〔{year}〕%"))
    )
    return f"{_office(s)}〔{year}〕{count + 1}号"


def make_report(ctx: Context, job: str, period: str) -> dict:
    """Make the report of ``job`` for ``period`` into the archive and publish it, once.

    The number is the next one of its kind, put into the document before it is written; the archive
    row (unique per kind and period), which takes the number, and the notification are committed
    together after the file is in place. A report that cannot be made takes no number; a crash before
    the commit leaves no row, and the run made again gives the same number to the same file.
    """
    from lantian.reports.render import render
    from lantian.reports.sources import build

    kind, word = REPORTS[job]
    ds = ctx.dataset()
    cities = _cities(ctx, ds)
    if not cities:
        raise NotFound(f"没有可做{word}的城市：请设置 web.city（本办所在城市），或先导入数据。")
    city = cities[0]
    if kind == "daily":
        period = (dt.date.fromisoformat(period) - dt.timedelta(days=1)).isoformat()
    with ctx.db.session() as s:
        done = s.scalar(
            select(ArchivedReport).where(ArchivedReport.kind == kind, ArchivedReport.period == period)
        )
        if done is not None:
            return {"number": done.number, "path": done.path, "again": True}
        number = _next_number(ctx, s, kind)
    options: dict = {"store": ctx.settings.store, "number": number}
    if kind != "daily":
        options.update(db=ctx.settings.database_url, actor=ctx.actor())
    doc = build(kind, city=city, period=period, **options)
    archive_dir = Path(ctx.settings.value("archive_dir"))
    relative = Path(kind) / f"{period}.html"
    target = archive_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(render(doc, "html", target))
    partial.replace(target)
    at = ctx.clock.now()
    with ctx.db.session() as s:
        s.add(
            ArchivedReport(
                kind=kind,
                period=period,
                number=number,
                title=doc.title,
                path=relative.as_posix(),
                created_at=at,
                published_at=at,
            )
        )
        notify.enqueue(
            s,
            ctx.recipients(s),
            f"report:{kind}:{period}",
            "report",
            f"【{word}】{number} {doc.title}",
            f"{doc.title}（{number}）已生成：{target}",
            at,
        )
    log.info("%s %s 已生成：%s（%s）", word, period, target, number)
    return {"number": number, "path": relative.as_posix(), "title": doc.title}


def archive(db: Database) -> list[dict]:
    """The archive of scheduled reports, newest first (:func:`lantian.ops.runs.archive`)."""
    from lantian.ops.runs import archive as rows

    return rows(db)


def to_json(value):
    """``value`` with dates as ISO text (for the run's result column)."""
    return to_jsonable(value)
