"""Sections shared by the period reports: air quality of the period, change, rank, targets, charts.

Used by the quarterly review and the annual report (whole), and by the weekly dispatch and the
monthly notice (air-quality part). Every number is a field of a :mod:`lantian.reports.figures` view.
"""

from __future__ import annotations

from lantian.errors import InputError
from lantian.periods import parse_period
from lantian.reports import charts
from lantian.reports.figures import PeriodFigures, Ranking, TargetLine
from lantian.reports.formatting import format_number
from lantian.reports.labels import STATISTIC_EN, STATISTIC_ZH, city_full_name, pollutant, pollutants, t, unit
from lantian.reports.spec import Column, Paragraph, Section, Table
from lantian.standards import get


def _conc(value, code: str) -> str:
    return format_number(value, 1 if code == "co" else 0)


def _change_words(pct, lang: str) -> str:
    if pct is None:
        return ""
    if lang == "zh":
        if pct > 0:
            return f"同比上升{format_number(pct, 1)}%"
        if pct < 0:
            return f"同比下降{format_number(-pct, 1)}%"
        return "与上年同期持平"
    if pct > 0:
        return f"up {format_number(pct, 1)}% on the same period last year"
    if pct < 0:
        return f"down {format_number(-pct, 1)}% on the same period last year"
    return "unchanged from the same period last year"


def summary_paragraphs(
    f: PeriodFigures,
    label: str,
    lang: str,
    rank: Ranking | None = None,
    ranks: dict[str, Ranking] | None = None,
) -> list[Paragraph]:
    """The opening paragraphs: composite index, good days, heavy days, PM2.5, attainment, ranks."""
    out: list[str] = []
    city = city_full_name(f.city)
    ci = format_number(f.composite_index, 2)
    change = _change_words(f.composite_change_pct, lang)
    if lang == "zh":
        s = f"{label}，{city}环境空气质量综合指数为{ci}"
        s += f"，{change}" if change else ""
        if f.composite_primary:
            s += f"，单项指数最大的污染物为{pollutant(f.composite_primary, 'zh')}"
        out.append(s + "。")
        s = f"有效监测天数{f.valid_days}天，优良天数{f.good_days}天，优良天数比例为{format_number(f.good_rate, 1)}%"
        if f.good_rate_change_pp is not None:
            pp = f.good_rate_change_pp
            s += "，同比上升" if pp > 0 else "，同比下降" if pp < 0 else "，同比持平"
            s += f"{format_number(abs(pp), 1)}个百分点" if pp else ""
        s += f"；重度及以上污染天数{f.heavy_days}天。"
        out.append(s)
    else:
        s = f"In {label}, the composite air quality index of {city} was {ci}"
        s += f", {change}" if change else ""
        if f.composite_primary:
            s += f"; the largest single-item index was that of {pollutant(f.composite_primary, 'en')}"
        out.append(s + ".")
        s = (
            f"Of {f.valid_days} valid days, {f.good_days} were good or excellent (good-day rate "
            f"{format_number(f.good_rate, 1)}%"
        )
        if f.good_rate_change_pp is not None:
            s += f", {format_number(f.good_rate_change_pp, 1, sign=True)} percentage points on last year"
        s += f"); {f.heavy_days} days were heavily polluted or worse."
        out.append(s)
    pm = next((x for x in f.statistics if x.pollutant == "pm25" and x.statistic == "mean"), None)
    if pm is not None:
        change = _change_words(pm.change_pct, lang)
        out.append(
            t(
                lang,
                f"细颗粒物（PM₂.₅）平均浓度为{_conc(pm.value, 'pm25')}微克/立方米"
                + (f"，{change}" if change else "")
                + "。",
                f"The PM2.5 mean was {_conc(pm.value, 'pm25')} μg/m³"
                + (f", {change}" if change else "")
                + ".",
            )
        )
    if f.insufficient:
        out.append(
            t(
                lang,
                f"本期有效监测数据不足（{f.insufficient['zh']}），各项统计结果仅供参考，不作达标判断。",
                f"Insufficient data this period ({f.insufficient['en']}): the statistics are not valid and "
                "no attainment is judged.",
            )
        )
    if f.attainment is not None:
        out.append(
            t(
                lang,
                "六项污染物均达到国家环境空气质量二级标准。"
                if f.attainment
                else "六项污染物未全部达到国家环境空气质量二级标准（超标项目见表）。",
                "All six pollutants met the Grade II standard."
                if f.attainment
                else "Not all six pollutants met the Grade II standard (see the table).",
            )
        )
    ranks = ranks or ({rank.by: rank} if rank is not None else {})
    said_zh, said_en = [], []
    for by, zh, en, _ in RANKINGS:
        r = ranks.get(by)
        entry = r.position(f.city) if r is not None else None
        if entry is None or entry.rank is None:
            continue
        tied = [x.rank for x in r.entries].count(entry.rank) > 1
        said_zh.append(f"{zh.split('（')[0]}排名{'并列' if tied else ''}第{entry.rank}位")
        said_en.append(f"{en.split(' (')[0].lower()} {'tied ' if tied else ''}{entry.rank}")
    if said_zh:
        first = next(iter(ranks.values()))
        out.append(
            t(
                lang,
                f"在{first.group}{len(first.entries)}个城市中，{'，'.join(said_zh)}。",
                f"Among the {len(first.entries)} cities of {first.group}: {', '.join(said_en)}.",
            )
        )
    return [Paragraph(s) for s in out]


def statistics_table(f: PeriodFigures, lang: str, name: str = "pollutants") -> Table:
    rows = []
    for s in f.statistics:
        if not s.valid:
            verdict = t(lang, "数据不足", "insufficient data")
        elif s.attains is None:
            verdict = None
        else:
            verdict = t(lang, "达标" if s.attains else "超标", "meets" if s.attains else "exceeds")
        rows.append(
            {
                "pollutant": s.pollutant,
                "name": pollutant(s.pollutant, lang),
                "statistic": (STATISTIC_ZH if lang == "zh" else STATISTIC_EN).get(s.statistic, s.statistic),
                "value": s.value,
                "unit": unit(s.pollutant),
                "limit": s.limit,
                "index": s.index,
                "exceedance": s.exceedance_multiple,
                "attains": verdict,
                "previous": s.previous,
                "change": s.change_pct,
            }
        )
    columns = [
        Column("name", t(lang, "污染物", "Pollutant")),
        Column("statistic", t(lang, "评价指标", "Statistic")),
        Column("value", t(lang, "浓度", "Value"), "conc"),
        Column("unit", t(lang, "单位", "Unit")),
        Column("limit", t(lang, "二级标准限值", "Grade II limit"), "conc"),
        Column("index", t(lang, "单项指数", "Single index"), "dec2"),
        Column("exceedance", t(lang, "超标倍数", "Exceedance multiple"), "dec2"),
        Column("attains", t(lang, "达标情况", "Attainment")),
    ]
    if f.previous is not None:
        columns += [
            Column("previous", t(lang, "上年同期", "Last year"), "conc"),
            Column("change", t(lang, "变化率", "Change"), "signed_pct1"),
        ]
    return Table(
        name,
        t(lang, f"{city_full_name(f.city)}六项污染物浓度及评价", f"Six pollutants, {city_full_name(f.city)}"),
        columns,
        rows,
        note=t(
            lang,
            "单项指数、综合指数依据城市环境空气质量排名技术规定；变化率为与上年同期相比。",
            "Indices per the city ranking rules; change against the same period last year.",
        ),
    )


def days_table(f: PeriodFigures, lang: str, name: str = "categories") -> Table:
    levels = get(f.regime).aqi.levels
    rows = []
    prev = f.previous.category_days if f.previous is not None else {}
    for lv in levels:
        rows.append(
            {
                "level": lv.level,
                "level_name": lv.name_zh if lang == "zh" else f"Level {lv.level}",
                "category": lv.category_zh if lang == "zh" else lv.category_en,
                "days": f.category_days.get(lv.level, 0),
                "previous": prev.get(lv.level, 0) if f.previous is not None else None,
            }
        )
    columns = [
        Column("level_name", t(lang, "级别", "Level")),
        Column("category", t(lang, "类别", "Category")),
        Column("days", t(lang, "天数", "Days"), "int"),
    ]
    if f.previous is not None:
        columns.append(Column("previous", t(lang, "上年同期天数", "Days last year"), "int"))
    return Table(name, t(lang, "空气质量级别天数", "Days by AQI category"), columns, rows)


def indicator_table(f: PeriodFigures, lang: str, name: str = "indicators") -> Table:
    """Headline indicators, this period against the same period last year."""
    p = f.previous
    rows = [
        {
            "item": t(lang, "综合指数", "Composite index"),
            "fmt": "dec2",
            "value": f.composite_index,
            "previous": p.composite_index if p else None,
            "change": f.composite_change_pct,
        },
        {
            "item": t(lang, "有效监测天数", "Valid days"),
            "value": f.valid_days,
            "previous": p.valid_days if p else None,
            "change": None,
        },
        {
            "item": t(lang, "优良天数", "Good days"),
            "value": f.good_days,
            "previous": p.good_days if p else None,
            "change": None,
        },
        {
            "item": t(lang, "优良天数比例（%）", "Good-day rate (%)"),
            "value": f.good_rate,
            "previous": p.good_rate if p else None,
            "change": None,
        },
        {
            "item": t(lang, "重度及以上污染天数", "Heavy-or-worse days"),
            "value": f.heavy_days,
            "previous": p.heavy_days if p else None,
            "change": None,
        },
    ]
    # one numeric column per kind keeps number formats exact in XLSX
    table_rows = []
    for r in rows:
        is_index = r.get("fmt") == "dec2"
        is_rate = "%" in r["item"]
        table_rows.append(
            {
                "item": r["item"],
                "index": r["value"] if is_index else None,
                "rate": r["value"] if is_rate else None,
                "count": r["value"] if not (is_index or is_rate) else None,
                "prev_index": r["previous"] if is_index else None,
                "prev_rate": r["previous"] if is_rate else None,
                "prev_count": r["previous"] if not (is_index or is_rate) else None,
                "change": r["change"],
            }
        )
    columns = [
        Column("item", t(lang, "指标", "Indicator")),
        Column("index", t(lang, "指数", "Index"), "dec2"),
        Column("rate", t(lang, "比例", "Rate"), "pct1"),
        Column("count", t(lang, "天数", "Days"), "int"),
    ]
    if p is not None:
        columns += [
            Column("prev_index", t(lang, "上年同期指数", "Index last year"), "dec2"),
            Column("prev_rate", t(lang, "上年同期比例", "Rate last year"), "pct1"),
            Column("prev_count", t(lang, "上年同期天数", "Days last year"), "int"),
            Column("change", t(lang, "综合指数变化率", "Index change"), "signed_pct1"),
        ]
    return Table(name, t(lang, "主要指标", "Headline indicators"), columns, table_rows)


def ranking_table(rank: Ranking, lang: str, name: str, title: str, highlight: str | None = None) -> Table:
    has_change = any(e.change_pct is not None for e in rank.entries)
    value_fmt = {
        "index": "dec2",
        "change": "signed_pct1",
        "pm25": "int",
        "pm25_change": "signed_pct1",
        "good_rate": "pct1",
    }.get(rank.by, "dec2")
    rows = [
        {
            "rank": e.rank,
            "name": e.name + (" ★" if highlight and rank.position(highlight) is e else ""),
            "value": e.value,
            "change": e.change_pct,
        }
        for e in rank.entries
    ]
    by_label = {
        "index": t(lang, "综合指数", "Composite index"),
        "change": t(lang, "综合指数变化率", "Index change"),
        "pm25": t(lang, "PM₂.₅浓度", "PM2.5"),
        "pm25_change": t(lang, "PM₂.₅浓度变化率", "PM2.5 change"),
        "good_rate": t(lang, "优良天数比例", "Good-day rate"),
    }.get(rank.by, rank.by)
    columns = [
        Column("rank", t(lang, "排名", "Rank"), "int"),
        Column("name", t(lang, "名称", "Name")),
        Column("value", by_label, value_fmt),
    ]
    if has_change and rank.by != "change":
        columns.append(Column("change", t(lang, "变化率", "Change"), "signed_pct1"))
    return Table(name, title, columns, rows)


#: The rankings of a provincial notice, in its column order: (``by`` of ``lantian rank``, heading zh, en,
#: the row field of the value, its format).
RANKINGS: tuple[tuple[str, str, str, str], ...] = (
    ("index", "综合指数", "Composite index", "dec2"),
    ("change", "综合指数变化率", "Index change", "signed_pct1"),
    ("pm25", "PM₂.₅浓度（μg/m³）", "PM2.5 (μg/m³)", "int"),
    ("pm25_change", "PM₂.₅浓度变化率", "PM2.5 change", "signed_pct1"),
    ("good_rate", "优良天数比例", "Good-day ratio", "pct1"),
)


def rank_text(rank: int | None, tied: bool, lang: str) -> str | None:
    """A rank as a notice prints it: 3, or 3（并列） when another member has the same rank."""
    if rank is None:
        return None
    return f"{rank}{t(lang, '（并列）', ' (tied)')}" if tied else str(rank)


def rankings_table(
    ranks: dict[str, Ranking], lang: str, name: str, title: str, highlight: str | None = None
) -> Table:
    """One table of the group's members with each ranking of ``ranks`` (``by`` → the pipeline's ranking):
    value and rank side by side, ties as 并列, rows in the order of the first ranking, the city's own row
    highlighted."""
    order = [by for by, *_ in RANKINGS if by in ranks]
    first = ranks[order[0]]
    rows, highlight_rows = [], []
    for i, e in enumerate(first.entries):
        row: dict = {"name": e.name}
        for by in order:
            r = ranks[by]
            mine = r.position(e.name)
            ties = [x.rank for x in r.entries]
            rank = mine.rank if mine is not None else None
            row[f"{by}_value"] = mine.value if mine is not None else None
            row[f"{by}_rank"] = rank
            row[f"{by}_rank_text"] = rank_text(rank, rank is not None and ties.count(rank) > 1, lang)
        # the ranks of the first ranking, as ``lantian rank`` prints them
        row["rank"], row["value"] = row[f"{order[0]}_rank"], row[f"{order[0]}_value"]
        rows.append(row)
        if highlight and first.position(highlight) is e:
            highlight_rows.append(i)
    columns = [Column("name", t(lang, "城市", "City"))]
    for by, zh, en, fmt in RANKINGS:
        if by in ranks:
            columns += [
                Column(f"{by}_value", t(lang, zh, en), fmt),
                Column(f"{by}_rank_text", t(lang, "排名", "Rank")),
            ]
    return Table(
        name,
        title,
        columns,
        rows,
        note=t(
            lang,
            "综合指数、PM₂.₅浓度越低排名越前，变化率越低（改善越多）排名越前，优良天数比例越高排名越前；"
            "数值相同者排名并列。",
            "Lower index, PM2.5 and change rank first, higher good-day ratio ranks first; equal values tie.",
        ),
        highlight=highlight_rows,
    )


def targets_table(lines: list[TargetLine], lang: str, name: str = "targets") -> Table:
    return Table(
        name,
        t(lang, "年度目标完成情况", "Annual targets"),
        [
            Column("name", t(lang, "目标", "Target")),
            Column("target", t(lang, "目标值", "Goal")),
            Column("actual", t(lang, "完成情况", "Actual")),
            Column("status", t(lang, "状态", "Status")),
            Column("remaining", t(lang, "余量", "Remaining")),
        ],
        [
            {
                "name": x.name,
                "target": x.target,
                "actual": x.actual,
                "status": x.status,
                "remaining": x.remaining,
            }
            for x in lines
        ],
    )


def _label(period: str, lang: str) -> str:
    """The period as a document writes it (2016年12月, 2016年第四季度), or as given if it is no period."""
    try:
        return parse_period(period).label_in(lang)
    except InputError:  # a label that is no period text is printed as given
        return period


def chart_section(f: PeriodFigures, lang: str, heading: str | None = None) -> Section | None:
    """Calendar heatmap of daily categories and monthly trends against last year."""
    blocks = []
    if f.daily:
        blocks.append(
            charts.calendar_heatmap(
                [(d.date, d.level) for d in f.daily],
                name="calendar",
                title=t(
                    lang,
                    f"{city_full_name(f.city)}{_label(f.period, lang)}逐日空气质量类别",
                    f"Daily AQI category, {city_full_name(f.city)}, {_label(f.period, lang)}",
                ),
                lang=lang,
            )
        )
    if f.monthly and len(f.monthly) > 1:
        months = list(f.monthly)
        labels = [m[-2:].lstrip("0") + t(lang, "月", "") for m in months]
        prev_monthly = f.previous.monthly if f.previous is not None else {}
        prev_keys = list(prev_monthly)
        for key, ylabel, title in (
            ("pm25", "μg/m³", t(lang, "PM₂.₅月均浓度", "Monthly PM2.5")),
            (
                "composite_index",
                t(lang, "综合指数", "index"),
                t(lang, "月综合指数", "Monthly composite index"),
            ),
        ):
            series = {t(lang, f"{f.period[:4]}年", f.period[:4]): [f.monthly[m].get(key) for m in months]}
            if prev_keys:
                last = str(int(f.period[:4]) - 1)
                series[t(lang, f"{last}年", last)] = [
                    prev_monthly[prev_keys[i]].get(key) if i < len(prev_keys) else None
                    for i in range(len(months))
                ]
            blocks.append(charts.line_chart(labels, series, name=f"trend_{key}", title=title, ylabel=ylabel))
    if not blocks:
        return None
    return Section(heading or t(lang, "逐日空气质量与变化趋势", "Daily categories and trends")).add(*blocks)


def primary_days_paragraph(f: PeriodFigures, lang: str) -> Paragraph | None:
    if not f.primary_days:
        return None
    parts = sorted(f.primary_days.items(), key=lambda kv: -kv[1])
    if lang == "zh":
        text = (
            "以各污染物为首要污染物的天数："
            + "，".join(f"{pollutant(k, 'zh')}{v}天" for k, v in parts)
            + "。"
        )
    else:
        text = "Days by primary pollutant: " + ", ".join(f"{pollutant(k, 'en')} {v}" for k, v in parts) + "."
    return Paragraph(text)


__all__ = [
    "chart_section",
    "days_table",
    "indicator_table",
    "pollutants",
    "primary_days_paragraph",
    "ranking_table",
    "statistics_table",
    "summary_paragraphs",
    "targets_table",
]
