"""The cycle's documents: daily patrol log, weekly dispatch, monthly assessment notice, quarterly review.

日巡查、周调度、月考核通报、季考核讲评 (issue 6). All figures are computed from the recorded history, so
a past period gives the same result whenever it is asked for. Counting rules:

* *new*: cases reported in the period (by district where they were found);
* *closed*: closing verifications (销号) in the period (by responsible unit);
* *overdue at a moment E*: assigned before E, deadline before E's day, and no rectification report
  submitted since the assignment up to E;
* *escalated*: escalation steps dated in the period (by unit and level);
* monthly work results per unit: *due* = cases whose deadline falls in the month (and has passed at the
  evaluation moment); *on time* = due cases whose report was submitted by the deadline and then accepted
  (closed) before the month ended; *overdue* = due cases without a report by the deadline;
  *repeated* = reopenings in the month; escalation steps in the month by level.

Counts are taken at the end of the period, or at ``now`` (default: the workflow's clock,
:mod:`lantian.clock`) while the period is still running. Scores: :mod:`lantian.workflow.scoring`.
The quarterly review averages the three monthly scores of each unit (2 decimals) and ranks again;
work counts are summed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lantian.errors import NotFound
from lantian.jsonable import to_jsonable
from lantian.periods import Period
from lantian.store.models import (
    Case,
    Escalation,
    Organisation,
    PatrolLog,
    Rectification,
    Reopening,
    User,
    Verification,
)
from lantian.store.models import (
    ScoringConfig as ScoringRow,
)
from lantian.workflow import rules as R
from lantian.workflow.scoring import (
    AirQualityProvider,
    AirQualityResult,
    AirQualityTable,
    ScoringConfig,
    WorkResult,
    check_air_weight,
    competition_rank,
    round2,
    score_units,
)
from lantian.workflow.services import Workflow, snapshot

NO_UNIT = "(未交办)"


def _reader(wf: Workflow, s: Session, actor: str) -> User:
    user = wf._user(s, actor)
    R.require("read", user.role)
    return user


def _units(s: Session) -> list[Organisation]:
    return list(
        s.scalars(
            select(Organisation)
            .where(Organisation.kind.in_(("district", "department")))
            .order_by(Organisation.id)
        ).all()
    )


def _submissions(s: Session) -> dict[int, list[datetime]]:
    out: dict[int, list[datetime]] = {}
    for case_id, at in s.execute(select(Rectification.case_id, Rectification.submitted_at)).all():
        out.setdefault(case_id, []).append(at)
    return out


def _overdue_at(case: Case, subs: dict[int, list[datetime]], moment: datetime) -> bool:
    if (
        case.unit_id is None
        or case.deadline is None
        or case.assigned_at is None
        or case.assigned_at >= moment
    ):
        return False
    if case.deadline >= moment.date():
        return False
    return not any(case.assigned_at <= t < moment for t in subs.get(case.id, ()))


#: The cycle's documents (Chinese, English).
KINDS: dict[str, tuple[str, str]] = {
    "daily": ("日巡查", "daily patrol log"),
    "weekly": ("周调度", "weekly dispatch"),
    "monthly": ("月考核通报", "monthly assessment notice"),
    "quarterly": ("季考核讲评", "quarterly review"),
}


@dataclass(frozen=True)
class CycleSummary(Mapping):
    """One cycle document's figures for a period: read as the mapping ``figures`` (its keys are those of
    ``lantian cycle KIND --json``); :meth:`to_dict` is the one JSON form the CLI, the API, the dashboard
    and the reports print."""

    kind: str
    period: Period
    figures: dict

    def __getitem__(self, key: str):
        return self.figures[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.figures)

    def __len__(self) -> int:
        return len(self.figures)

    def to_dict(self) -> dict:
        return to_jsonable(self.figures)


def _daily(wf: Workflow, actor: str, period: Period) -> dict:
    """日巡查: the patrol log of one day, with the cases reported and closed that day."""
    with wf._tx() as s:
        _reader(wf, s, actor)
        names = dict(s.execute(select(Organisation.id, Organisation.name)).all())
        users = dict(s.execute(select(User.id, User.username)).all())
        logs = s.scalars(select(PatrolLog).where(PatrolLog.day == period.start).order_by(PatrolLog.id)).all()
        reported = s.scalars(
            select(Case)
            .where(Case.reported_at >= period.start_time, Case.reported_at < period.end_time)
            .order_by(Case.id)
        ).all()
        closed = s.scalars(
            select(Verification.case_id)
            .where(
                Verification.outcome == "closed",
                Verification.verified_at >= period.start_time,
                Verification.verified_at < period.end_time,
            )
            .order_by(Verification.case_id)
        ).all()
        return {
            "period": period.label,
            "patrols": [
                {
                    "user": users[p.user_id],
                    "district": names[p.district_id],
                    "area": p.area,
                    "findings": p.findings,
                    "cases_found": p.cases_found,
                }
                for p in logs
            ],
            "reported": [
                {"id": c.id, "district": names[c.district_id], "category": c.category, "address": c.address}
                for c in reported
            ],
            "closed": list(closed),
        }


def _weekly(wf: Workflow, actor: str, period: Period, now: datetime | None = None) -> dict:
    """周调度: new, closed, overdue and escalated cases, in total and by unit."""
    moment = min(period.end_time, now or wf.clock.now())
    with wf._tx() as s:
        _reader(wf, s, actor)
        names = dict(s.execute(select(Organisation.id, Organisation.name)).all())
        cases = s.scalars(select(Case).order_by(Case.id)).all()
        subs = _submissions(s)
        new = [c for c in cases if period.start_time <= c.reported_at < period.end_time]
        closed_ids = s.scalars(
            select(Verification.case_id).where(
                Verification.outcome == "closed",
                Verification.verified_at >= period.start_time,
                Verification.verified_at < period.end_time,
            )
        ).all()
        by_id = {c.id: c for c in cases}
        overdue = [c for c in cases if _overdue_at(c, subs, moment)]
        steps = s.scalars(
            select(Escalation).where(Escalation.on_date >= period.start, Escalation.on_date <= period.end)
        ).all()
        units = [u.name for u in _units(s)]
        table = {
            u: {"unit": u, "new": 0, "assigned": 0, "closed": 0, "overdue": 0, "escalated": 0} for u in units
        }

        def row(unit_id):
            return table.setdefault(
                names.get(unit_id, NO_UNIT),
                {
                    "unit": names.get(unit_id, NO_UNIT),
                    "new": 0,
                    "assigned": 0,
                    "closed": 0,
                    "overdue": 0,
                    "escalated": 0,
                },
            )

        for c in new:
            row(c.district_id)["new"] += 1
        for c in cases:
            if c.assigned_at is not None and period.start_time <= c.assigned_at < period.end_time:
                row(c.unit_id)["assigned"] += 1
        for cid in closed_ids:
            row(by_id[cid].unit_id)["closed"] += 1
        for c in overdue:
            row(c.unit_id)["overdue"] += 1
        for e in steps:
            row(e.unit_id)["escalated"] += 1
        levels = Counter(e.level for e in steps)
        return {
            "period": period.label,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "totals": {
                "new": len(new),
                "closed": len(closed_ids),
                "overdue": len(overdue),
                "escalated": len(steps),
            },
            "escalations_by_level": {lv: levels.get(lv, 0) for lv in R.LEVEL_NAMES},
            "overdue_cases": [
                {"id": c.id, "unit": names[c.unit_id], "deadline": c.deadline.isoformat()} for c in overdue
            ],
            "by_unit": list(table.values()),
        }


def work_results(wf: Workflow, s: Session, period: Period, now: datetime | None = None) -> list[WorkResult]:
    """Work results of every district and department in ``period`` (counting rules in the module docstring)."""
    moment = min(period.end_time, now or wf.clock.now())
    cases = s.scalars(select(Case).where(Case.unit_id.is_not(None))).all()
    subs = _submissions(s)
    closings: dict[int, list[datetime]] = {}
    for cid, at in s.execute(
        select(Verification.case_id, Verification.verified_at).where(Verification.outcome == "closed")
    ).all():
        closings.setdefault(cid, []).append(at)
    reopen = Counter(
        cid
        for cid, at in s.execute(select(Reopening.case_id, Reopening.reopened_at)).all()
        if period.start_time <= at < period.end_time
    )
    steps = s.scalars(
        select(Escalation).where(Escalation.on_date >= period.start, Escalation.on_date <= period.end)
    ).all()
    out = []
    for unit in _units(s):
        mine = [c for c in cases if c.unit_id == unit.id]
        due = [c for c in mine if period.start <= c.deadline <= period.end and c.deadline < moment.date()]
        on_time = overdue = 0
        for c in due:
            timely = [t for t in subs.get(c.id, ()) if c.assigned_at <= t and t.date() <= c.deadline]
            if not timely:
                overdue += 1
            elif any(min(timely) <= v < period.end_time for v in closings.get(c.id, ())):
                on_time += 1
        out.append(
            WorkResult(
                unit=unit.name,
                kind=unit.kind,
                due=len(due),
                on_time=on_time,
                overdue=overdue,
                repeated=sum(reopen[c.id] for c in mine),
                escalations=dict(Counter(e.level for e in steps if e.unit_id == unit.id)),
            )
        )
    return out


# -- scoring configurations -----------------------------------------------------------------------


def _config_row(s: Session, year: int) -> ScoringRow | None:
    return s.scalar(select(ScoringRow).where(ScoringRow.year == year))


def save_scoring_config(wf: Workflow, actor: str, config: ScoringConfig, at: datetime) -> dict:
    """Store the scoring rules of ``config.year`` (admin only).

    Refused when the air-quality weight is lower than the nearest earlier year's, or higher than the
    nearest later year's already stored (the weight may only stay or grow over the years).
    """
    config.validate()
    with wf._tx() as s:
        R.require("manage", wf._user(s, actor).role)
        earlier = s.scalar(
            select(ScoringRow).where(ScoringRow.year < config.year).order_by(ScoringRow.year.desc())
        )
        later = s.scalar(select(ScoringRow).where(ScoringRow.year > config.year).order_by(ScoringRow.year))
        check_air_weight(config, ScoringConfig.from_dict(earlier.config) if earlier else None)
        if later is not None:
            check_air_weight(ScoringConfig.from_dict(later.config), config)
        row = _config_row(s, config.year)
        before = snapshot(row) if row else None
        if row is None:
            row = ScoringRow(year=config.year, created_at=at, created_by=wf._user(s, actor).id)
            s.add(row)
        row.air_quality_weight, row.config = config.air_quality_weight, config.to_dict()
        s.flush()
        wf._audit(s, actor, "scoring_config", row.id, "update" if before else "create", before, snapshot(row))
        return config.to_dict()


def scoring_config_for(wf: Workflow, year: int) -> tuple[ScoringConfig, bool]:
    """The stored configuration of ``year``, or the built-in defaults (second value False)."""
    with wf._tx() as s:
        row = _config_row(s, year)
        return (ScoringConfig.from_dict(row.config), True) if row else (ScoringConfig(year), False)


def _monthly(
    wf: Workflow,
    actor: str,
    period: Period,
    air_quality: AirQualityProvider | None = None,
    now: datetime | None = None,
) -> dict:
    """月考核通报: score and rank of every district and department for one month."""
    config, stored = scoring_config_for(wf, period.start.year)
    with wf._tx() as s:
        _reader(wf, s, actor)
        work = work_results(wf, s, period, now)
    given = air_quality(period.label) if air_quality else {}
    monitored = given.monitored if isinstance(given, AirQualityTable) else None
    air = dict(given)
    known = {w.unit for w in work if w.kind == "district"}
    if monitored is None:
        # results given by hand must name the office's districts
        unknown = sorted(set(air) - known)
        if unknown:
            raise NotFound(
                f"空气质量结果中的区县 {unknown} 不是本办的区县（{period.label}）；"
                f"本办区县：{', '.join(sorted(known))}。请改正结果文件中的区县名称。"
            )
    else:
        # the store's districts that are no unit of the office do not take part
        air = {unit: result for unit, result in air.items() if unit in known}
    scores = score_units(work, air, config, monitored)
    return {
        "period": period.label,
        "scoring": {**config.to_dict(), "source": "stored" if stored else "default"},
        "air_quality": {
            "source": "none" if not air_quality else ("store" if monitored is not None else "file"),
            "monitored": sorted(monitored) if monitored is not None else None,
        },
        "districts": scores["district"],
        "departments": scores["department"],
    }


def store_air_quality(ds, city: str, options=None) -> AirQualityProvider:
    """The districts' air-quality results of each month from the store: composite index and its change
    against the same month last year of every district of ``city`` whose stations carry a district in
    the station registry (:func:`lantian.pipeline.figures.district_assessment`). No district target is
    kept in the store, so target progress is not known (its share goes to the other sub-scores,
    :mod:`lantian.workflow.scoring`)."""
    from lantian.pipeline.figures import district_assessment
    from lantian.standards import DEFAULT

    def provider(label: str) -> AirQualityTable:
        figures = district_assessment(ds, city, label, options or DEFAULT)
        results = {
            r["district"]: AirQualityResult(
                unit=r["district"],
                composite_index=r["composite_index"],
                change_rate_pct=r["index_change_pct"],
                target_progress=None,
            )
            for r in figures.districts
            if r["composite_index"] is not None
        }
        return AirQualityTable(results, frozenset(figures.stations))

    return provider


def _quarterly(
    wf: Workflow,
    actor: str,
    period: Period,
    air_quality: AirQualityProvider | None = None,
    now: datetime | None = None,
) -> dict:
    """季考核讲评: the months of the quarter, each unit's mean monthly score, ranked again."""
    months = [_monthly(wf, actor, m, air_quality, now) for m in period.months()]
    result = {"period": period.label, "months": [m["period"] for m in months]}
    for key in ("districts", "departments"):
        per_unit: dict[str, list[dict]] = {}
        for m in months:
            for row in m[key]:
                per_unit.setdefault(row["unit"], []).append(row)
        rows = []
        for unit, items in per_unit.items():
            rows.append(
                {
                    "unit": unit,
                    "monthly_scores": [r["score"] for r in items],
                    "monthly_ranks": [r["rank"] for r in items],
                    "score": round2(sum(r["score"] for r in items) / len(items)),
                    "due": sum(r["due"] for r in items),
                    "on_time": sum(r["on_time"] for r in items),
                    "overdue": sum(r["overdue"] for r in items),
                    "repeated": sum(r["repeated"] for r in items),
                    "escalations": {lv: sum(r["escalations"][lv] for r in items) for lv in R.LEVEL_NAMES},
                }
            )
        for row, rank in zip(rows, competition_rank([r["score"] for r in rows]), strict=True):
            row["rank"] = rank
        rows.sort(key=lambda r: (r["rank"], r["unit"]))
        result[key] = rows
    return result


def daily(wf: Workflow, actor: str, period: Period) -> CycleSummary:
    """日巡查: the patrol log of one day, with the cases reported and closed that day."""
    return CycleSummary("daily", period, _daily(wf, actor, period))


def weekly(wf: Workflow, actor: str, period: Period, now: datetime | None = None) -> CycleSummary:
    """周调度: cases new, closed, overdue and escalated in the week, by unit."""
    return CycleSummary("weekly", period, _weekly(wf, actor, period, now))


def monthly(
    wf: Workflow,
    actor: str,
    period: Period,
    air_quality: AirQualityProvider | None = None,
    now: datetime | None = None,
) -> CycleSummary:
    """月考核通报: each district's and department's score and rank for the month."""
    return CycleSummary("monthly", period, _monthly(wf, actor, period, air_quality, now))


def quarterly(
    wf: Workflow,
    actor: str,
    period: Period,
    air_quality: AirQualityProvider | None = None,
    now: datetime | None = None,
) -> CycleSummary:
    """季考核讲评: each unit's mean monthly score over the quarter, ranked again."""
    return CycleSummary("quarterly", period, _quarterly(wf, actor, period, air_quality, now))
