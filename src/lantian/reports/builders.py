"""Builders of the period reports: quarterly review, annual report, weekly dispatch, monthly notice.

Each takes the views of :mod:`lantian.reports.figures` (filled from the pipeline and workflow
results) and returns a :class:`~lantian.reports.spec.Document`.
The supervision parts (scores, cases, escalations) are in Chinese only; ``lang="en"`` translates the
air-quality parts.
"""

from __future__ import annotations

import calendar
import datetime as dt

from lantian.errors import InputError
from lantian.periods import parse_period
from lantian.reports import period as P
from lantian.reports.figures import (
    CaseSummary,
    MissingAirQuality,
    PeriodFigures,
    Ranking,
    TargetLine,
    UnitScore,
)
from lantian.reports.labels import (
    KIND_TITLE_EN,
    KIND_TITLE_ZH,
    city_full_name,
    issue_date,
    office_name,
    source_lines,
    t,
)
from lantian.reports.spec import (
    Column,
    Document,
    Paragraph,
    Section,
    Table,
)
from lantian.schema import CITY_SUFFIX, city_key

ESCALATION_ORDER = ("提醒", "通报", "约谈", "移交纪委监委")


def period_label(kind: str, period: str, lang: str) -> str:
    """``2016`` → 2016年; ``2016Q4`` → 2016年第四季度; ``2016-12`` → 2016年12月; ``2016-W50`` →
    2016年第50周（12月12日—12月18日） (``Period.label_zh``, ``label_en``); a period not of ``kind`` as given."""
    if kind not in ("annual", "quarterly", "monthly", "weekly"):
        return period
    try:
        return parse_period(period, kind=kind).label_in(lang)
    except InputError:
        return period


def _document(
    kind: str,
    city: str,
    period: str,
    lang: str,
    office: str | None,
    number: str,
    issued: dt.date | None,
    end: dt.date,
    data: dict,
    sources: list[str] | None,
) -> Document:
    label = period_label(kind, period, lang)
    name = city_full_name(city)
    return Document(
        kind=kind,
        title=t(lang, f"{name}{label}{KIND_TITLE_ZH[kind]}", f"{name} {KIND_TITLE_EN[kind]}, {label}"),
        city=name,
        period=period,
        # the period's end once it is over, else today: never a date still to come
        date=issued or issue_date(end),
        lang=lang,
        office=office_name(city, office, lang),
        number=number,
        addressees=t(lang, "各区县（市）人民政府，市直有关单位：", ""),
        # the commands that print the same figures stay in the JSON form; the document names its sources
        data={**data, "commands": list(sources or [])},
        sources=source_lines(list(sources or []), lang),
    )


def _air_quality_sections(
    doc: Document,
    f: PeriodFigures,
    lang: str,
    province_rank: Ranking | None,
    county_rank: Ranking | None,
    targets: list[TargetLine] | None,
    charts: bool,
    province_ranks: dict[str, Ranking] | None = None,
    foresight: list[Section] | None = None,
) -> None:
    if province_ranks and province_rank is None:
        province_rank = province_ranks.get("index") or next(iter(province_ranks.values()))
    label = period_label(doc.kind, doc.period, lang)
    overview = Section(t(lang, "环境空气质量总体状况", "Overall air quality"))
    overview.add(
        *P.summary_paragraphs(f, label, lang, province_rank, province_ranks), P.indicator_table(f, lang)
    )
    doc.add(overview)
    doc.add(
        Section(t(lang, "六项污染物浓度及达标情况", "Six pollutants and attainment")).add(
            P.statistics_table(f, lang)
        )
    )
    days = Section(t(lang, "优良天数及污染天数", "Good and polluted days")).add(P.days_table(f, lang))
    para = P.primary_days_paragraph(f, lang)
    if para:
        days.add(para)
    doc.add(days)
    if province_rank is not None or county_rank is not None:
        rank = Section(t(lang, "排名情况", "Rankings"))
        if province_ranks:
            rank.add(
                P.rankings_table(
                    province_ranks,
                    lang,
                    "province_rank",
                    t(
                        lang,
                        f"{province_rank.group}城市环境空气质量排名",
                        f"Ranking of the cities of {province_rank.group}",
                    ),
                    highlight=f.city,
                )
            )
        elif province_rank is not None:
            rank.add(
                P.ranking_table(
                    province_rank,
                    lang,
                    "province_rank",
                    t(
                        lang,
                        f"{province_rank.group}城市环境空气质量排名",
                        f"Ranking of the cities of {province_rank.group}",
                    ),
                    highlight=f.city,
                )
            )
        if county_rank is not None:
            rank.add(
                P.ranking_table(
                    county_rank,
                    lang,
                    "county_rank",
                    t(lang, f"{f.city}各区县（市）环境空气质量排名", f"Ranking of the counties of {f.city}"),
                )
            )
        doc.add(rank)
    if targets:
        doc.add(Section(t(lang, "目标完成情况", "Targets")).add(P.targets_table(targets, lang)))
    if charts:
        section = P.chart_section(f, lang)
        if section is not None:
            doc.add(section)
    # the outlook, what moves the index and the profiles (lantian.reports.foresight)
    doc.add(*(foresight or []))


#: How the missing-data paragraph names the document it is in.
_THIS_DOCUMENT = {
    "weekly": ("本期周调度", "this dispatch"),
    "monthly": ("本通报", "this notice"),
    "quarterly": ("本季度评估", "this review"),
    "annual": ("本报告", "this report"),
}


def missing_air_quality_section(missing: MissingAirQuality, kind: str, lang: str = "zh") -> Section:
    """The air-quality part of a report whose city has no monitoring data for the period: one paragraph
    that says what is missing and what to do (ingest the data, then build the document again)."""
    name = city_key(missing.city) + CITY_SUFFIX
    try:
        label = parse_period(missing.period, kind=kind).label_in(lang)
    except InputError:
        label = missing.period
    this_zh, this_en = _THIS_DOCUMENT.get(kind, ("本文件", "this document"))
    if missing.reason == "no_store":
        zh = f"尚未建立监测数据存储，没有{name}{label}的监测数据"
        en = f"No monitoring data store has been set up yet, so there is no monitoring data of {name} for {label}"
    else:
        zh = f"数据存储中没有{name}{label}的监测数据"
        en = f"The data store holds no monitoring data of {name} for {label}"
    return Section(t(lang, "环境空气质量状况", "Air quality")).add(
        Paragraph(
            t(
                lang,
                f"{zh}，本期空气质量情况暂缺；导入监测数据（lantian ingest）后重新生成{this_zh}。",
                f"{en}; the air-quality part of this period is missing. "
                f"Ingest the monitoring data (lantian ingest) and generate {this_en} again.",
            )
        )
    )


def build_period_report(
    kind: str,
    figures: PeriodFigures | None,
    lang: str = "zh",
    province_rank: Ranking | None = None,
    county_rank: Ranking | None = None,
    targets: list[TargetLine] | None = None,
    province_ranks: dict[str, Ranking] | None = None,
    office: str | None = None,
    number: str = "",
    issued: dt.date | None = None,
    data: dict | None = None,
    sources: list[str] | None = None,
    missing: MissingAirQuality | None = None,
    foresight: list[Section] | None = None,
) -> Document:
    """Quarterly review or annual report: statistics, composite index, good days and categories,
    change against last year, rank, attainment, calendar heatmap and trends; without ``figures``, the
    paragraph of ``missing`` (:func:`missing_air_quality_section`) in their place."""
    if figures is not None:
        doc = _document(
            kind, figures.city, figures.period, lang, office, number, issued, figures.end, data or {}, sources
        )
        _air_quality_sections(
            doc,
            figures,
            lang,
            province_rank,
            county_rank,
            targets,
            charts=True,
            province_ranks=province_ranks,
            foresight=foresight,
        )
        return doc
    if missing is None:
        raise InputError(
            f"a {kind} report needs the air-quality figures of its period or the reason they are missing"
        )
    doc = _document(
        kind, missing.city, missing.period, lang, office, number, issued, missing.end, data or {}, sources
    )
    doc.add(missing_air_quality_section(missing, kind, lang))
    return doc


#: Why a district has no air-quality score (``air_quality_note`` of ``lantian cycle monthly``).
AIR_QUALITY_NOTES: dict[str, tuple[str, str]] = {
    "no_station": ("（无监测站点）", "(no monitoring station)"),
    "no_data": ("（站点本月无数据）", "(no station data this month)"),
    "no_result": ("（未提供空气质量结果）", "(no air-quality result given)"),
    # the report's own reason when the store does not exist (no result could be read at all)
    "no_store": ("（无监测数据）", "(no monitoring data)"),
}


def air_score_cell(row: dict, lang: str = "zh", no_store: bool = False) -> float | str | None:
    """The air-quality score of a unit's row in the monthly notice: the score, or for a district
    without one the reason (无监测站点 …; with ``no_store``, the store does not exist: 无监测数据);
    ``None`` for a department (no air-quality part)."""
    if row.get("air_score") is not None:
        return row["air_score"]
    note = row.get("air_quality_note")
    if no_store and note is not None:
        note = "no_store"
    return t(lang, *AIR_QUALITY_NOTES[note]) if note in AIR_QUALITY_NOTES else None


def _air_notes_paragraph(scores: list[UnitScore], lang: str) -> Paragraph | None:
    """What the notice says of districts scored without air quality (their score is the work part)."""
    texts = {t(lang, *v): k for k, v in AIR_QUALITY_NOTES.items()}
    by_note: dict[str, list[str]] = {}
    for s in scores:
        cell = s.parts.get("空气质量得分")
        if isinstance(cell, str) and cell in texts:
            by_note.setdefault(texts[cell], []).append(s.unit)
    if not by_note:
        return None
    zh = {
        "no_station": "无监测站点",
        "no_data": "站点本月无监测数据",
        "no_result": "未提供空气质量结果",
        "no_store": "无监测数据",
    }
    en = {
        "no_station": "have no monitoring station",
        "no_data": "have no station data this month",
        "no_result": "have no air-quality result",
        "no_store": "have no monitoring data",
    }
    parts_zh = [f"{'、'.join(units)}{zh[k]}" for k, units in by_note.items()]
    parts_en = [f"{', '.join(units)} {en[k]}" for k, units in by_note.items()]
    return Paragraph(
        t(
            lang,
            f"{'；'.join(parts_zh)}，空气质量不计分，得分为工作得分。",
            f"{'; '.join(parts_en)}: no air-quality score, the score is the work score.",
        )
    )


#: The parts of a unit's score in English (the notice's columns are named by the scoring's Chinese parts).
SCORE_PARTS_EN = {"空气质量得分": "Air-quality score", "工作得分": "Work score"}


def _part_en(part: str) -> str:
    """A score part's column in English: its name, or a month of the quarter (10月 → Oct)."""
    if part.endswith("月") and part[:-1].isdigit():
        return calendar.month_abbr[int(part[:-1])]
    return SCORE_PARTS_EN.get(part, part)


def _scores_table(scores: list[UnitScore], kind: str, lang: str) -> Table:
    parts = list(dict.fromkeys(k for s in scores for k in s.parts))
    rows = [
        {"rank": s.rank, "unit": s.unit, "score": s.score, **{p: s.parts.get(p) for p in parts}}
        for s in scores
    ]
    title = {
        "district": t(lang, "区县（市）考核得分及排名", "District scores"),
        "department": t(lang, "市直部门考核得分及排名", "Department scores"),
    }[kind]
    return Table(
        f"{kind}_scores",
        title,
        [
            Column("rank", t(lang, "排名", "Rank"), "int"),
            Column("unit", t(lang, "单位", "Unit")),
            Column("score", t(lang, "得分", "Score"), "dec2"),
            *[Column(p, t(lang, p, _part_en(p)), "dec2") for p in parts],
        ],
        rows,
    )


def _cases_sections(cases: CaseSummary, lang: str) -> list[Section]:
    out = []
    cols = [
        ("opened", "新增", "Opened"),
        ("closed", "办结（销号）", "Closed"),
        ("overdue", "超期", "Overdue"),
        ("escalated", "升级督办", "Escalated"),
    ]
    rows = [{"unit": r.get("unit"), **{k: r.get(k) for k, _, _ in cols}} for r in cases.rows]
    if cases.total:
        rows.append({"unit": t(lang, "合计", "Total"), **{k: cases.total.get(k) for k, _, _ in cols}})
    section = Section(t(lang, "问题交办及整改情况", "Cases"))
    if cases.total:
        tot = cases.total
        section.add(
            Paragraph(
                t(
                    lang,
                    f"本期新增交办问题{tot.get('opened', 0)}件，办结{tot.get('closed', 0)}件，超期未整改{tot.get('overdue', 0)}件，"
                    f"升级督办{tot.get('escalated', 0)}件。",
                    f"{tot.get('opened', 0)} cases opened, {tot.get('closed', 0)} closed, {tot.get('overdue', 0)} overdue, "
                    f"{tot.get('escalated', 0)} escalated.",
                )
            )
        )
    section.add(
        Table(
            "cases",
            t(lang, "各单位问题办理情况", "Cases by unit"),
            [
                Column("unit", t(lang, "单位", "Unit")),
                *[Column(k, t(lang, zh, en), "int") for k, zh, en in cols],
            ],
            rows,
        )
    )
    out.append(section)
    esc = Section(t(lang, "提醒、通报、约谈单位", "Units reminded, notified or summoned"))
    if cases.escalations:
        order = {name: i for i, name in enumerate(ESCALATION_ORDER)}
        items = sorted(cases.escalations, key=lambda e: (-order.get(e.get("level"), -1), e.get("unit") or ""))
        for level in reversed(ESCALATION_ORDER):
            units = sorted({e.get("unit") for e in items if e.get("level") == level and e.get("unit")})
            if units:
                esc.add(Paragraph(t(lang, f"{level}：{'、'.join(units)}。", f"{level}: {', '.join(units)}.")))
        esc.add(
            Table(
                "escalations",
                t(lang, "升级督办明细", "Escalation steps"),
                [
                    Column("unit", t(lang, "单位", "Unit")),
                    Column("level", t(lang, "措施", "Step")),
                    Column("case", t(lang, "问题编号", "Case")),
                    Column("date", t(lang, "日期", "Date"), "date"),
                    Column("reason", t(lang, "原因", "Reason")),
                ],
                [{k: e.get(k) for k in ("unit", "level", "case", "date", "reason")} for e in items],
            )
        )
    else:
        esc.add(Paragraph(t(lang, "本期无需提醒、通报或约谈的单位。", "No unit reached an escalation step.")))
    out.append(esc)
    return out


def build_cycle_report(
    kind: str,
    city: str,
    period: str,
    start: dt.date,
    end: dt.date,
    figures: PeriodFigures | None,
    lang: str = "zh",
    province_rank: Ranking | None = None,
    county_rank: Ranking | None = None,
    targets: list[TargetLine] | None = None,
    scores: list[UnitScore] | None = None,
    cases: CaseSummary | None = None,
    province_ranks: dict[str, Ranking] | None = None,
    office: str | None = None,
    number: str = "",
    issued: dt.date | None = None,
    data: dict | None = None,
    sources: list[str] | None = None,
    missing: MissingAirQuality | None = None,
    foresight: list[Section] | None = None,
) -> Document:
    """Weekly dispatch (周调度) or monthly assessment notice (月考核通报): air quality against
    targets and last year, rankings, unit scores and ranks, cases and escalations; without ``figures``,
    the paragraph of ``missing`` (:func:`missing_air_quality_section`) in place of the air quality."""
    doc = _document(kind, city, period, lang, office, number, issued, end, data or {}, sources)
    if figures is not None:
        _air_quality_sections(
            doc,
            figures,
            lang,
            province_rank,
            county_rank,
            targets,
            charts=kind != "weekly",
            province_ranks=province_ranks,
            foresight=foresight,
        )
    elif missing is not None:
        doc.add(missing_air_quality_section(missing, kind, lang))
    if scores:
        section = Section(t(lang, "区县和部门考核得分", "Unit scores"))
        for unit_kind in ("district", "department"):
            group = [s for s in scores if s.kind == unit_kind]
            if group:
                section.add(_scores_table(group, unit_kind, lang))
                if unit_kind == "district" and (note := _air_notes_paragraph(group, lang)) is not None:
                    section.add(note)
        doc.add(section)
    if cases is not None:
        doc.add(*_cases_sections(cases, lang))
    return doc
