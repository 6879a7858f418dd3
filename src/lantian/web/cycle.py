"""Cycle summaries and the monthly assessment table, from :mod:`lantian.workflow.cycle`."""

from __future__ import annotations

import datetime as dt

from lantian.periods import Period, parse_period
from lantian.web.auth import Principal
from lantian.workflow import cycle as wcycle
from lantian.workflow import rules as R
from lantian.workflow.scoring import air_quality_from_file


def default_period(kind: str, today: dt.date) -> str:
    """The label of the day, week, month or quarter (``kind`` daily … quarterly) that contains today."""
    return Period.containing(kind, today).label


def _air_provider(backend):
    """Air-quality results for district scores: the file of the setting ``air_quality``, if any."""
    path = backend.settings.value("air_quality")
    return air_quality_from_file(path) if path else None


def summary(backend, user: Principal, kind: str, period: str | None) -> wcycle.CycleSummary:
    """The cycle document of ``kind`` (daily, weekly, monthly, quarterly) for ``period``."""
    p = parse_period(period or default_period(kind, backend.clock.today()), kind=kind)
    wf, now = backend.workflow, backend.clock.now()
    if kind == "daily":
        return wcycle.daily(wf, user.username, p)
    if kind == "weekly":
        return wcycle.weekly(wf, user.username, p, now=now)
    if kind == "monthly":
        return wcycle.monthly(wf, user.username, p, _air_provider(backend), now=now)
    return wcycle.quarterly(wf, user.username, p, _air_provider(backend), now=now)


def monthly(backend, user: Principal, period: str | None) -> dict:
    """The monthly assessment table of districts and departments (score, rank, work results)."""
    data = summary(backend, user, "monthly", period)
    levels = list(R.LEVEL_NAMES.values())
    groups = []
    for key, label in (("districts", "区县 Districts"), ("departments", "部门 Departments")):
        rows = []
        for r in data[key]:
            rows.append(
                [
                    r["rank"],
                    r["unit"],
                    f"{r['score']:.2f}",
                    "—" if r.get("air_score") is None else f"{r['air_score']:.2f}",
                    f"{r['work_score']:.2f}",
                    r["due"],
                    r["on_time"],
                    f"{r['on_time_rate_pct']:.2f}%",
                    r["overdue"],
                    r["repeated"],
                    *[r["escalations"].get(code, 0) for code in R.LEVEL_NAMES],
                ]
            )
        headers = [
            "排名 Rank",
            "单位 Unit",
            "得分 Score",
            "空气质量 Air",
            "工作 Work",
            "到期 Due",
            "按期 On time",
            "按期率 Rate",
            "超期 Overdue",
            "反弹 Repeated",
            *levels,
        ]
        groups.append({"kind": key, "label": label, "headers": headers, "rows": rows})
    notes = (
        f"评分规则 scoring: {data['scoring'].get('source')} · 空气质量权重 air-quality weight "
        f"{data['scoring'].get('air_quality_weight')}"
    )
    return {"period": data["period"], "groups": groups, "notes": notes, "data": data.to_dict()}
