"""Cycle summaries and the monthly assessment table, from :mod:`lantian.workflow.cycle`."""

from __future__ import annotations

import datetime as dt

from lantian.periods import Period, parse_period
from lantian.web.auth import Principal
from lantian.workflow import cycle as wcycle
from lantian.workflow import rules as R
from lantian.workflow.scoring import air_quality_from_file

#: English names of the escalation levels (:data:`lantian.workflow.rules.DEFAULT_LADDER`).
ESCALATIONS_EN = {"remind": "Reminded", "notify": "Notified", "interview": "Interviewed", "refer": "Referred"}


def default_period(kind: str, today: dt.date) -> str:
    """The label of the day, week, month or quarter (``kind`` daily … quarterly) that contains today."""
    return Period.containing(kind, today).label


def _air_provider(backend):
    """Air-quality results for district scores, as ``lantian report monthly`` takes them: the file of the
    setting ``air_quality`` if set, else the districts' figures from the store
    (:func:`lantian.workflow.cycle.store_air_quality`) for the office's city; none without a store."""
    path = backend.settings.value("air_quality")
    if path:
        return air_quality_from_file(path)
    ds = backend.air.dataset()
    city = backend.air.city(ds) if ds is not None else None
    return wcycle.store_air_quality(ds, city) if city else None


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
    for key, label, label_en in (("districts", "区县", "Districts"), ("departments", "部门", "Departments")):
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
            "排名",
            "单位",
            "得分",
            "空气质量",
            "工作",
            "到期",
            "按期",
            "按期率",
            "超期",
            "反弹",
            *levels,
        ]
        headers_en = ["Rank", "Unit", "Score", "Air", "Work", "Due", "On time", "Rate", "Overdue", "Repeated"]
        headers_en += [ESCALATIONS_EN.get(code, code) for code in R.LEVEL_NAMES]
        groups.append(
            {
                "kind": key,
                "label": label,
                "label_en": label_en,
                "headers": headers,
                "headers_en": headers_en,
                "rows": rows,
            }
        )
    source, weight = data["scoring"].get("source"), data["scoring"].get("air_quality_weight")
    notes = f"评分规则：{'默认规则' if source == 'default' else source} · 空气质量权重 {weight}"
    notes_en = f"Scoring: {source} rules · air-quality weight {weight}"
    return {
        "period": data["period"],
        "groups": groups,
        "notes": notes,
        "notes_en": notes_en,
        "data": data.to_dict(),
    }


def _group(
    key: str,
    label: str,
    label_en: str,
    headers: list[str],
    headers_en: list[str],
    rows: list,
    text_cols: int = 2,
) -> dict:
    """A table of a cycle page; its first ``text_cols`` columns are text, the others numbers."""
    return {
        "kind": key,
        "label": label,
        "label_en": label_en,
        "headers": headers,
        "headers_en": headers_en,
        "rows": rows,
        "text_cols": text_cols,
    }


def weekly(backend, user: Principal, period: str | None, lang: str) -> dict:
    """周调度: the week's new, closed, overdue and escalated cases by unit, with the ladder's steps."""
    data = summary(backend, user, "weekly", period)
    p = parse_period(data["period"], kind="weekly")
    totals = data["totals"]
    cards = [
        ("新增问题", "New cases", totals["new"]),
        ("销号", "Closed", totals["closed"]),
        ("超期未改", "Overdue", totals["overdue"]),
        ("本周升级", "Escalated", totals["escalated"]),
    ]
    ladder = [
        {"label": R.LEVEL_NAMES[code] if lang != "en" else ESCALATIONS_EN.get(code, code), "count": n}
        for code, n in data["escalations_by_level"].items()
    ]
    rows = [
        [r["unit"], r["new"], r["assigned"], r["closed"], r["overdue"], r["escalated"]]
        for r in data["by_unit"]
    ]
    group = _group(
        "units",
        "各单位本周情况",
        "Units this week",
        ["单位", "新增", "交办", "销号", "超期", "升级"],
        ["Unit", "New", "Assigned", "Closed", "Overdue", "Escalated"],
        rows,
        text_cols=1,
    )
    overdue = [{"id": c["id"], "unit": c["unit"], "deadline": c["deadline"]} for c in data["overdue_cases"]]
    return {
        "kind": "weekly",
        "period": data["period"],
        "title": f"{p.label_in(lang)}{'大气污染防治工作周调度' if lang != 'en' else ' — weekly dispatch'}",
        "cards": [{"label": en if lang == "en" else zh, "value": v} for zh, en, v in cards],
        "ladder": ladder,
        "groups": [group],
        "overdue": overdue,
        "data": data.to_dict(),
    }


def quarterly(backend, user: Principal, period: str | None, lang: str) -> dict:
    """季考核讲评: each unit's monthly scores and ranks, the quarter's score and rank, and its record."""
    data = summary(backend, user, "quarterly", period)
    p = parse_period(data["period"], kind="quarterly")
    months = [int(m[5:]) for m in data["months"]]
    groups = []
    for key, label, label_en in (("districts", "区县", "Districts"), ("departments", "部门", "Departments")):
        rows = [
            [
                r["rank"],
                r["unit"],
                *[
                    f"{score:.2f}（第{rank}）"
                    for score, rank in zip(r["monthly_scores"], r["monthly_ranks"], strict=True)
                ],
                f"{r['score']:.2f}",
                r["due"],
                r["on_time"],
                r["overdue"],
                r["repeated"],
                *[r["escalations"].get(code, 0) for code in R.LEVEL_NAMES],
            ]
            for r in data[key]
        ]
        headers = [
            "排名",
            "单位",
            *[f"{m}月得分（名次）" for m in months],
            "季度得分",
            "到期",
            "按期",
            "超期",
            "反弹",
        ]
        headers += list(R.LEVEL_NAMES.values())
        headers_en = [
            "Rank",
            "Unit",
            *[f"Month {m} (rank)" for m in months],
            "Quarter",
            "Due",
            "On time",
            "Overdue",
            "Repeated",
        ]
        headers_en += [ESCALATIONS_EN.get(code, code) for code in R.LEVEL_NAMES]
        groups.append(_group(key, label, label_en, headers, headers_en, rows))
    return {
        "kind": "quarterly",
        "period": data["period"],
        "title": f"{p.label_in(lang)}{'考核讲评' if lang != 'en' else ' — quarterly review'}",
        "cards": [],
        "ladder": [],
        "groups": groups,
        "overdue": [],
        "data": data.to_dict(),
    }
