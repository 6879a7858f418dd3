"""The weekly, monthly, quarterly and annual reports from the store and the supervision database.

Every figure is a result of :mod:`lantian.pipeline.figures`, embedded unchanged (its ``to_dict()``)
under the report's ``data`` and copied field by field into the :mod:`lantian.reports.figures` views:

===========================  ==========================================  ==================================
Part                         Result                                      Same figures as
===========================  ==========================================  ==================================
period assessment            ``figures.period_report`` → ``assessment``  ``lantian assess --compare --json``
monthly trend (quarter/year) ``figures.monthly_trend``                   ``lantian assess --period YYYY-MM``
daily categories             ``figures.daily_table``                     ``lantian daily --city --json``
province ranking             ``figures.ranking``                         ``lantian rank --json``
targets (annual)             ``figures.targets_now``                     ``lantian targets --json``
outlook, index, profiles     ``lantian.reports.foresight`` (monthly,     ``lantian outlook`` / ``explain-index`` /
                             annual)                                     ``profile --json``
cases (weekly, monthly)      ``workflow.cycle.weekly``                   ``lantian cycle weekly --json``
unit scores                  ``workflow.cycle.monthly`` / ``quarterly``  ``lantian cycle monthly|quarterly``
district air quality         ``figures.district_assessment``             ``--air-quality FILE`` overrides
===========================  ==========================================  ==================================

A weekly period ``2016-W10`` is assessed as the range of its days (``2016-03-07..2016-03-13``); the
monthly notice counts the cases of its month with the same call as the weekly dispatch.

Without monitoring data — the store does not exist (the :class:`~lantian.errors.InputError` of
``open_store``) or holds no data of the city for the period (the :class:`~lantian.errors.NotFound` of the
city's assessment) — the weekly dispatch, the monthly notice and the quarterly review are still built:
one paragraph says what is missing and what to do in place of the air quality, ``data`` carries
``"air_quality": null`` and ``"air_quality_missing"`` (the reason, city and period), and the supervision
part is as usual. The annual report, an air-quality document, keeps refusing with the error.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lantian.errors import InputError, NotFound
from lantian.periods import Period, parse_period
from lantian.reports.builders import air_score_cell, build_cycle_report, build_period_report
from lantian.reports.figures import (
    CaseSummary,
    DayAQI,
    MissingAirQuality,
    PeriodFigures,
    RankEntry,
    Ranking,
    Statistic,
    TargetLine,
    UnitScore,
)
from lantian.reports.labels import t
from lantian.reports.spec import Document, Paragraph, Section
from lantian.schema import CITY_SUFFIX, city_key

#: The field of a ranking row holding the value ranked (``lantian rank --by``).
RANK_VALUE = {
    "index": "composite_index",
    "change": "index_change_pct",
    "pm25": "pm25",
    "pm25_change": "pm25_change_pct",
    "good_rate": "good_rate",
}

_STATISTIC = {"mean": "mean", 95.0: "p95", 98.0: "p98", 90.0: "p90"}


def periods(kind: str, text: str) -> tuple[str, str, str | None]:
    """Report period → (label of the document, period of ``lantian assess``, period of ``lantian cycle``)."""
    p = parse_period(text, kind=kind)
    assessed = Period.between(p.start, p.end).label if p.kind == "week" else p.label
    return p.label, assessed, None if p.kind == "year" else p.label


def _statistics(row: dict, prev: dict | None) -> list[Statistic]:
    from lantian.standards import hj663

    out = []
    for it in hj663.ITEMS:
        if it.name not in row:
            continue
        stat = _STATISTIC.get(it.percentile) if it.percentile else "mean"
        if it.name == "co":
            stat = "co_p95"
        elif it.name == "o3":
            stat = "mda8_p90"
        previous = prev.get(it.name) if prev else None
        out.append(
            Statistic(
                pollutant=it.pollutant,
                statistic=stat,
                value=row.get(it.name),
                limit=row.get(f"limit_{it.name}"),
                index=row.get(f"index_{it.name}") if it.in_index else None,
                exceedance_multiple=row.get(f"multiple_{it.name}"),
                attains=row.get(f"attains_{it.name}"),
                n_valid=row.get(f"n_{it.name}"),
                valid=row.get(f"valid_{it.name}", True) is not False,
                previous=previous,
                change_pct=row.get(f"{it.name}_change_pct") if it.name in ("pm25",) else None,
            )
        )
    return out


def _category_days(row: dict, regime: str) -> dict[int, int]:
    from lantian.standards import get

    return {lv.level: row.get(f"days_{lv.category_zh}") or 0 for lv in get(regime).aqi.levels}


def _figures(city: str, label: str, row: dict, prev: dict | None) -> PeriodFigures:
    from lantian.standards import regime_for_day

    # the edition of the assessment, or of the period's first day when the row has none
    regime = row.get("regime") or regime_for_day(dt.date.fromisoformat(str(row["start"])))
    f = PeriodFigures(
        city=city,
        period=label,
        start=dt.date.fromisoformat(str(row["start"])),
        end=dt.date.fromisoformat(str(row["end"])),
        regime=regime,
        statistics=_statistics(row, prev),
        composite_index=row.get("composite_index"),
        # the O3 item of the composite index is the MDA8 90th percentile (HJ 663 §5)
        composite_primary="o3_8h" if row.get("index_primary") == "o3" else row.get("index_primary"),
        valid_days=row.get("valid_days"),
        good_days=row.get("good_days"),
        good_rate=row.get("good_rate"),
        heavy_days=row.get("heavy_days"),
        heavy_rate=row.get("heavy_rate"),
        category_days=_category_days(row, regime),
        attainment=row.get("attains_all"),
        composite_change_pct=row.get("index_change_pct"),
        good_rate_change_pp=row.get("good_rate_change"),
    )
    if prev is not None:
        f.previous = _figures(city, str(prev.get("period")), prev, None)
    return f


def air_quality(
    ds,
    city: str,
    kind: str,
    label: str,
    assess_period: str,
    options,
    group: str | None = None,
    groups_file: Path | None = None,
    targets_file: Path | None = None,
    lang: str = "zh",
) -> tuple[PeriodFigures, dict[str, Ranking] | None, list[TargetLine] | None, dict, list[str]]:
    """The air-quality part of a period report: figures, the province rankings (``by`` → ranking),
    targets, raw results, sources."""
    from lantian.pipeline.figures import STATUS_NAMES, period_report, target_name

    res = period_report(
        ds,
        city,
        assess_period,
        monthly=kind in ("quarterly", "annual"),
        group=group,
        groups_file=groups_file,
        targets_file=targets_file if kind == "annual" else None,
        targets_year=int(label) if kind == "annual" else None,
        options=options,
    )
    a = res.assessment
    row, prev = a.result, a.previous
    figures = _figures(a.city, label, row, prev)
    figures.insufficient = a.insufficient
    data: dict = {"assess": a.to_dict()}
    sources = [f"lantian assess --city {city} --period {a.period} --compare --json"]
    figures.daily = [
        DayAQI(dt.date.fromisoformat(d["date"]), d["aqi"], d["level"], d["primary_pollutants"])
        for d in res.daily
    ]
    figures.primary_days = res.primary_days
    data["daily"] = {"rows": res.daily}
    sources.append(f"lantian daily --city {city} --from {a.start} --to {a.end} --json")
    if res.monthly is not None:
        figures.monthly = res.monthly["this_year"]
        if figures.previous is not None:
            figures.previous.monthly = res.monthly["last_year"]
        data["monthly"] = res.monthly
    ranking = None
    if res.ranking is not None:
        from lantian.pipeline.figures import ranking as rank_of

        # the notice's rankings: by composite index (the period report's), by its change, by PM2.5 and
        # by good-day ratio — each the pipeline's ranking of the group (``lantian rank --by``)
        ranking = {}
        for by, result in (
            ("index", res.ranking),
            ("change", None),
            ("pm25", None),
            ("pm25_change", None),
            ("good_rate", None),
        ):
            if result is None:
                try:
                    result = rank_of(ds, group, assess_period, by, groups_file, None, options)
                except NotFound:
                    continue
            value = RANK_VALUE[by]
            ranking[by] = Ranking(
                group=result.group,
                by=by,
                entries=[
                    RankEntry(x["city"], x["rank"], x.get(value), x.get("index_change_pct"))
                    for x in result.rows
                ],
            )
            data["rank" if by == "index" else f"rank_{by}"] = result.to_dict()
            sources.append(
                f"lantian rank --group {group} --period {result.period} --by {by}"
                + (f" --groups {groups_file}" if groups_file else "")
                + " --json"
            )
    targets = None
    if res.targets is not None:
        status = res.targets.to_dict()
        zh = lang == "zh"
        targets = [
            TargetLine(
                name=target_name(s["target"], lang),
                target=(s.get("limit_zh") or s["limit"]) if zh else s["limit"],
                actual=(s.get("current_zh") or s["current"]) if zh else s["current"],
                status=STATUS_NAMES.get(s["status"], (s["status"], s["status"]))[0 if zh else 1],
                remaining=s["verdict_zh"] if zh else s["verdict_en"],
            )
            for s in status["targets"]
        ]
        data["targets"] = status
        sources.append(f"lantian targets --city {city} --year {label} --targets {targets_file} --json")
    return figures, ranking, targets, data, sources


def daily_from_store(
    store: Path | None, city: str, day: dt.date, lang: str, office: str | None, number: str, options=None
) -> Document:
    """The daily bulletin from the store: the rows of ``lantian daily --city`` and ``--station`` for the day."""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.figures import city_stations_daily, daily_table
    from lantian.reports.daily import build_daily
    from lantian.standards import DEFAULT

    options = options or DEFAULT
    ds = open_store(store)
    rows = daily_table(ds, day, day, city=city, options=options).rows
    if not rows:
        raise InputError(f"数据存储中没有 {city} {day} 的日数据")
    city_row = rows[0]
    sources = [f"lantian daily --city {city} --from {day} --to {day} --json"]
    station_rows = city_stations_daily(ds, city, day, options)
    if station_rows:
        sources.append(f"lantian daily --station CODE --from {day} --to {day} --json")
    name = city_key(city) + CITY_SUFFIX
    doc = build_daily(
        name, day, city_row, station_rows, lang=lang, office=office, number=number, sources=sources
    )
    doc.data = {"daily": {"rows": rows}, "stations": station_rows, "commands": sources}
    return doc


#: How the city's assessment says that the store holds no data of the city for the period
#: (:func:`lantian.pipeline.assessment.city_daily`, a :class:`~lantian.errors.NotFound`).
NO_CITY_DATA = "no data for city "


def _dataset(store: Path | None, kind: str):
    """The store and ``None``; or, for a report other than the annual one, ``None`` and ``"no_store"``
    when the store directory does not exist (the :class:`~lantian.errors.InputError` of ``open_store``)."""
    from lantian import config
    from lantian.pipeline.assessment import open_store

    try:
        return open_store(store), None
    except InputError:
        if kind == "annual" or Path(config.load(store=store).store).is_dir():
            raise
        return None, "no_store"


def database_url(db: str | None) -> str | None:
    """The supervision database: ``--db``, else the setting ``database_url`` — the same database as
    ``lantian case …`` — unless it is the default SQLite file and that file does not exist yet (None)."""
    from lantian import config

    if db:
        return db
    settings = config.load()
    if settings.source("database_url") == "default" and not default_database(settings).is_file():
        return None
    return settings.database_url


def default_database(settings) -> Path:
    """The default SQLite file of the supervision database (``<data_dir>/lantian.db``)."""
    return Path(settings.data_dir) / "lantian.db"


def supervision(
    url: str,
    actor: str | None,
    kind: str,
    cycle_period: str,
    air_quality_file: Path | None = None,
    air_quality=None,
    lang: str = "zh",
    city_name: str = "",
    no_store: bool = False,
) -> tuple[CaseSummary | None, list[UnitScore], dict, list[str]]:
    """Cases, escalations and unit scores of the period from ``lantian.workflow.cycle``; the districts'
    air-quality results from ``air_quality_file`` if given, else from the provider ``air_quality``
    (:func:`lantian.workflow.cycle.store_air_quality`; ``None`` and ``no_store``: the store does not
    exist, and a district's air-quality cell says it has no monitoring data)."""
    from lantian import config
    from lantian.store import open_database
    from lantian.workflow import cycle
    from lantian.workflow import rules as R
    from lantian.workflow.rules import rules_from_settings
    from lantian.workflow.scoring import air_quality_from_file
    from lantian.workflow.services import Workflow

    if not actor:
        raise InputError("the supervision part is read as a user: give --as USERNAME (or set LANTIAN_USER)")
    provider = air_quality_from_file(air_quality_file) if air_quality_file else air_quality
    database = open_database(url)
    data: dict = {}
    sources: list[str] = []
    try:
        wf = Workflow(database, rules_from_settings(config.load()))
        period = parse_period(cycle_period, kind=kind)
        cases = None
        if kind in ("weekly", "monthly"):
            week = cycle.weekly(wf, actor, period)
            data["cycle_cases"] = week.to_dict()
            sources.append(
                f"lantian cycle weekly --period {cycle_period} --json"
                if kind == "weekly"
                else f"lantian.workflow.cycle.weekly over {cycle_period}"
            )
            escalations = [
                {"unit": r["unit"], "level": "升级督办", "reason": f"{r['escalated']}次"}
                for r in week["by_unit"]
                if r["escalated"]
            ]
            cases = CaseSummary(
                rows=[
                    {
                        "unit": r["unit"],
                        "opened": r["new"],
                        "closed": r["closed"],
                        "overdue": r["overdue"],
                        "escalated": r["escalated"],
                    }
                    for r in week["by_unit"]
                ],
                total={
                    "opened": week["totals"]["new"],
                    "closed": week["totals"]["closed"],
                    "overdue": week["totals"]["overdue"],
                    "escalated": week["totals"]["escalated"],
                },
                escalations=escalations,
            )
        scores: list[UnitScore] = []
        if kind in ("monthly", "quarterly"):
            result = (cycle.monthly if kind == "monthly" else cycle.quarterly)(wf, actor, period, provider)
            data["cycle_scores"] = result.to_dict()
            sources.append(
                f"lantian cycle {kind} --period {cycle_period}"
                + (
                    f" --air-quality {air_quality_file}"
                    if air_quality_file
                    else f" --city {city_name}"
                    if air_quality is not None
                    else ""
                )
                + " --json"
            )
            for key, unit_kind in (("districts", "district"), ("departments", "department")):
                for r in result[key]:
                    parts = (
                        {
                            "空气质量得分": air_score_cell(r, lang, no_store and not air_quality_file),
                            "工作得分": r.get("work_score"),
                        }
                        if kind == "monthly"
                        # the quarter's months as the cycle result names them (2026-10 → 10月)
                        else {
                            f"{int(m[5:7])}月": s
                            for m, s in zip(result["months"], r.get("monthly_scores", []), strict=False)
                        }
                    )
                    scores.append(UnitScore(r["unit"], unit_kind, r["score"], r["rank"], parts))
            if kind == "monthly" and cases is not None:
                steps = [
                    {
                        "unit": r["unit"],
                        "level": R.LEVEL_NAMES[code],
                        "reason": t(lang, f"本月{n}次", f"{n} this month"),
                    }
                    for key in ("districts", "departments")
                    for r in result[key]
                    for code, n in r.get("escalations", {}).items()
                    if n
                ]
                cases.escalations = steps
    finally:
        database.dispose()
    return cases, scores, data, sources


def build_report(
    kind: str,
    city: str,
    period: str,
    lang: str = "zh",
    office: str | None = None,
    number: str = "",
    store: Path | None = None,
    db: str | None = None,
    actor: str | None = None,
    group: str | None = None,
    groups: Path | None = None,
    targets: Path | None = None,
    air_quality_file: Path | None = None,
    options=None,
) -> Document:
    """A weekly dispatch, monthly notice, quarterly review or annual report from real data; without
    monitoring data of the city for the period, all but the annual report say so in place of the air
    quality (see the module docstring)."""
    from lantian.standards import DEFAULT

    label, assess_period, cycle_period = periods(kind, period)
    ds, reason = _dataset(store, kind)
    figures = ranking = target_lines = None
    data: dict = {}
    sources: list[str] = []
    foresight: list[Section] = []
    if ds is not None:
        from lantian.reports import foresight as fs

        with ThreadPoolExecutor(max_workers=1) as pool:
            # the outlook, index parts and profiles are read beside the air quality (Polars runs each
            # query outside the GIL); they are used only when the city has air quality for the period
            pending = (
                pool.submit(fs.gather, ds, city, kind, label, assess_period, options or DEFAULT, targets)
                if kind in ("monthly", "annual")
                else None
            )
            try:
                figures, ranking, target_lines, data, sources = air_quality(
                    ds, city, kind, label, assess_period, options or DEFAULT, group, groups, targets, lang
                )
            except NotFound as exc:
                if kind == "annual" or not str(exc).startswith(NO_CITY_DATA):
                    raise
                reason = "no_data"
            if figures is not None and pending is not None:
                found = pending.result()
                data.update(found.data())
                sources += found.sources
                foresight = fs.sections(found, kind, lang)
    missing = None
    if figures is None:
        p = parse_period(period, kind=kind)
        missing = MissingAirQuality(city_key(city), label, p.start, p.end, reason)
        data = {"air_quality": None, "air_quality_missing": missing.to_dict()}
    if kind == "annual":
        return build_period_report(
            kind,
            figures,
            lang,
            province_ranks=ranking,
            targets=target_lines,
            office=office,
            number=number,
            data=data,
            sources=sources,
            foresight=foresight,
        )
    url = database_url(db)
    cases, scores = None, []
    if url is not None and cycle_period is not None:
        from lantian.workflow.cycle import store_air_quality

        cases, scores, sup_data, sup_sources = supervision(
            url,
            actor,
            kind,
            cycle_period,
            air_quality_file,
            store_air_quality(ds, city, options or DEFAULT) if ds is not None else None,
            lang,
            city,
            no_store=ds is None,
        )
        data.update(sup_data)
        sources += sup_sources
    if kind == "quarterly":
        doc = build_period_report(
            kind,
            figures,
            lang,
            province_ranks=ranking,
            office=office,
            number=number,
            data=data,
            sources=sources,
            missing=missing,
        )
        if scores:
            from lantian.reports.builders import _scores_table

            section = Section("区县和部门考核得分（季度）" if lang == "zh" else "Unit scores (quarter)")
            for unit_kind in ("district", "department"):
                group_scores = [s for s in scores if s.kind == unit_kind]
                if group_scores:
                    section.add(_scores_table(group_scores, unit_kind, lang))
            doc.add(section)
    else:
        doc = build_cycle_report(
            kind,
            figures.city if figures is not None else missing.city,
            label,
            figures.start if figures is not None else missing.start,
            figures.end if figures is not None else missing.end,
            figures,
            lang,
            province_ranks=ranking,
            scores=scores,
            cases=cases,
            office=office,
            number=number,
            data=data,
            sources=sources,
            missing=missing,
            foresight=foresight,
        )
    if url is None:
        from lantian import config

        doc.add(
            Section("督查督办情况" if lang == "zh" else "Supervision").add(
                Paragraph(
                    f"本期无督查督办数据：督查数据库 {default_database(config.load())} 尚未建立"
                    "（用 lantian case new 等命令录入问题后即建立，或用 --db 指定督查数据库）。"
                    if lang == "zh"
                    else f"No supervision data: the supervision database {default_database(config.load())} "
                    "does not exist yet (it is created by lantian case new and the other case commands; "
                    "or give --db)."
                )
            )
        )
    return doc


__all__ = ["air_quality", "build_report", "database_url", "periods", "supervision"]
