"""The foresight parts of the monthly notice and the annual report: the year-end outlook, what moves the
composite index, and the pollutants' diurnal, weekday and monthly profiles.

Every figure is a result of the pipeline, embedded unchanged under the report's ``data`` and copied into
the tables; nothing is computed here:

============================  =========================================  ===============================================
Part                          Result (``data`` key)                      Same figures as
============================  =========================================  ===============================================
年终目标达成预测              ``pipeline.outlook.outlook`` (``outlook``)  ``lantian outlook --city C --year Y --as-of D --json``
综合指数归因                  ``pipeline.explain.explain_index``          ``lantian explain-index --city C --period P --json``
                              (``explain``)
浓度时间变化特征              ``pipeline.profiles.profiles``              ``lantian profile --city C --period P --pollutant X --json``
                              (``profiles``: pollutant → result)
============================  =========================================  ===============================================

The outlook is given only while the year is running: the monthly notice of a month before December gives
it as of the month's end (or the last day with data, if earlier); the annual report of a year whose data
end before 31 December gives it as of that last day; a finished year has none. The profiles need station
hours; a city known only by its daily values has none, and the part is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from lantian.errors import InputError, NotFound
from lantian.periods import parse_period
from lantian.reports import charts
from lantian.reports.labels import pollutant, pollutants, t
from lantian.reports.spec import Column, Paragraph, Section, Table

#: The pollutants whose profiles the reports show: the two that decide most notices.
PROFILE_POLLUTANTS: tuple[str, ...] = ("pm25", "o3")
#: The costliest days a report lists (the explain-index default).
COSTLY_DAYS = 10


@dataclass
class Foresight:
    """The pipeline results of the foresight parts of one report (``None``: the part is not given)."""

    outlook: dict | None = None
    explain: dict | None = None
    profiles: dict[str, dict] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def data(self) -> dict:
        out: dict = {}
        if self.outlook is not None:
            out["outlook"] = self.outlook
        if self.explain is not None:
            out["explain"] = self.explain
        if self.profiles:
            out["profiles"] = self.profiles
        return out


def outlook_date(kind: str, period_text: str, last: dt.date | None) -> dt.date | None:
    """The as-of date of the report's outlook, or ``None`` when the year is over (see the module text)."""
    p = parse_period(period_text, kind=kind)
    year_end = dt.date(p.end.year, 12, 31)
    if last is None or last < p.start:
        return None
    end = min(p.end, last)
    return end if end < year_end else None


def gather(
    ds,
    city: str,
    kind: str,
    label: str,
    assess_period: str,
    options,
    targets_file: Path | None = None,
) -> Foresight:
    """The pipeline results of the foresight parts of a monthly notice or an annual report of ``city``."""
    from lantian.pipeline.assessment import last_day
    from lantian.pipeline.explain import explain_index
    from lantian.pipeline.outlook import outlook
    from lantian.pipeline.profiles import profiles

    out = Foresight()
    as_of = outlook_date(kind, label, last_day(ds, city))
    if as_of is not None:
        try:
            (res,) = outlook(ds, [city], as_of.year, as_of, targets_file, options=options)
        except NotFound:  # no earlier years to draw from
            res = None
        if res is not None:
            out.outlook = res.to_dict()
            out.sources.append(
                f"lantian outlook --city {city} --year {as_of.year} --as-of {as_of}"
                + (f" --targets {targets_file}" if targets_file else "")
                + " --json"
            )
    out.explain = explain_index(ds, city, assess_period, options, COSTLY_DAYS)
    out.sources.append(f"lantian explain-index --city {city} --period {assess_period} --json")
    for code in PROFILE_POLLUTANTS:
        try:
            res = profiles(ds, assess_period, code, city=city)
        except (NotFound, InputError):  # no stations with hours: a city known by its daily values only
            break
        if res["n_values"]:
            out.profiles[code] = res
            out.sources.append(
                f"lantian profile --city {city} --period {assess_period} --pollutant {code} --json"
            )
    return out


# -- layout ----------------------------------------------------------------------------------------------


def _outlook_section(res: dict, lang: str) -> Section:
    from lantian.pipeline.figures import published_text
    from lantian.pipeline.outlook import condition_text, decimals

    rows = []
    reads = []
    for s in res["targets"]:
        published, shown = decimals(s["target"])
        name = s["name_zh"] if lang == "zh" else s["name_en"]
        rows.append(
            {
                "target": name,
                "threshold": published_text(s["threshold"], published),
                "ytd": published_text(s["ytd"], published),
                "expected": published_text(s["expected"], shown),
                "interval": "—"
                if s["low"] is None
                else f"{published_text(s['low'], shown)}–{published_text(s['high'], shown)}",
                "probability": t(lang, "数据不足", "insufficient data")
                if s["probability"] is None
                else f"{s['probability'] * 100:.0f}%",
            }
        )
        read = condition_text(s["target"], s.get("condition"), lang)
        if read:
            reads.append(f"{name}{t(lang, '：', ': ')}{read}")
    n_sims = res["targets"][0]["n_sims"] if res["targets"] else 0
    as_of = dt.date.fromisoformat(res["as_of"])
    section = Section(t(lang, "年终目标达成预测", "Year-end outlook"))
    section.add(
        Paragraph(
            t(
                lang,
                f"以截至{as_of.month}月{as_of.day}日的实测数据，加上由本市往年同期数据模拟的全年其余日子"
                f"（{n_sims}次模拟），预测{res['year']}年各项目标年底达标的概率；"
                "未给出年度目标时按“只降不升”（不劣于上年）。",
                f"The measured days to {as_of.isoformat()} and the rest of {res['year']} simulated {n_sims} times "
                "from the city's own earlier years give the probability of meeting each "
                "target at year end; without targets, not worse than last year.",
            )
        ),
        Table(
            "outlook",
            t(lang, f"{res['year']}年目标年底达标概率", f"Probability of meeting the {res['year']} targets"),
            [
                Column("target", t(lang, "目标", "Target")),
                Column("threshold", t(lang, "目标值", "Target value")),
                Column("ytd", t(lang, "截至目前", "So far")),
                Column("expected", t(lang, "预计年底", "Expected")),
                Column("interval", t(lang, "80%区间", "80% interval")),
                Column("probability", t(lang, "达标概率", "Probability")),
            ],
            rows,
        ),
    )
    if reads:
        section.add(
            Paragraph(t(lang, "达标条件：", "What it takes: ") + t(lang, "；", "; ").join(reads) + "。")
        )
    return section


def _explain_section(res: dict, kind: str, lang: str) -> Section:
    from lantian.pipeline.figures import published_text

    section = Section(t(lang, "综合指数归因", "What moves the composite index"))
    last = res.get("composite_index_last_year")
    text = t(
        lang,
        f"{res['period_zh']}综合指数为{published_text(res['composite_index'], 2)}"
        + (f"，上年同期为{published_text(last, 2)}" if last is not None else "")
        + "；各污染物单项指数之和即综合指数（HJ 663），同比变化按污染物分解，各项之和等于综合指数的变化。",
        f"The composite index of {res['period']} is {published_text(res['composite_index'], 2)}"
        + (f" ({published_text(last, 2)} a year before)" if last is not None else "")
        + "; it is the sum of the pollutants' single indexes (HJ 663), and its change splits by pollutant.",
    )
    if not res.get("index_valid"):
        text += t(
            lang,
            "本时段统计量未达数据有效性要求，分解仅供参考。",
            " The statistics fall short of the validity minimum.",
        )
    section.add(Paragraph(text))
    rows = [
        {
            "pollutant": p["pollutant"],
            # the O3 item of the index is the MDA8 90th percentile (HJ 663 §5)
            "name": pollutant("o3_8h" if p["pollutant"] == "o3" else p["pollutant"], lang),
            "value": p["value"],
            "part": p["part"],
            "share_pct": p["share_pct"],
            "change_part": p.get("change_part"),
        }
        for p in res["by_pollutant"]
    ]
    if rows:
        section.add(
            Table(
                "index_parts",
                t(lang, "综合指数分污染物构成", "The composite index by pollutant"),
                [
                    Column("name", t(lang, "污染物", "Pollutant")),
                    Column("value", t(lang, "浓度", "Concentration"), "conc"),
                    Column("part", t(lang, "单项指数", "Single index"), "dec2"),
                    Column("share_pct", t(lang, "占比", "Share"), "pct1"),
                    Column("change_part", t(lang, "同比变化贡献", "Part of the change"), "dec2"),
                ],
                rows,
            )
        )
    if kind == "annual" and len(res["by_month"]) > 1:
        section.add(
            Table(
                "index_months",
                t(lang, "分月综合指数及主要指标", "The months"),
                [
                    Column("month", t(lang, "月份", "Month")),
                    Column("composite_index", t(lang, "综合指数", "Composite index"), "dec2"),
                    Column("pm25", t(lang, "PM₂.₅浓度", "PM2.5"), "int"),
                    Column("good_rate", t(lang, "优良天数比例", "Good-day ratio"), "pct1"),
                    Column("heavy_days", t(lang, "重污染天数", "Heavy days"), "int"),
                ],
                [
                    {
                        "month": m["month_zh"] if lang == "zh" else m["month"],
                        **{k: m[k] for k in ("composite_index", "pm25", "good_rate", "heavy_days")},
                    }
                    for m in res["by_month"]
                ],
            )
        )
    days = [d for d in res["costly_days"] if d["aqi"] is not None]
    if days:
        section.add(
            Table(
                "costly_days",
                t(lang, "代价最大的污染日", "The days that cost the most"),
                [
                    Column("date", t(lang, "日期", "Date"), "date"),
                    Column("aqi", "AQI", "int"),
                    Column("category", t(lang, "类别", "Category")),
                    Column("primary", t(lang, "首要污染物", "Primary pollutant")),
                    Column("index_cost", t(lang, "综合指数代价", "Index points"), "dec2"),
                    Column(
                        "good_rate_cost", t(lang, "优良天数比例代价（百分点）", "Good-day ratio (pp)"), "dec1"
                    ),
                ],
                [
                    {
                        "date": d["date"],
                        "aqi": d["aqi"],
                        "category": d["category"],
                        "primary": pollutants(d["primary"], lang) if d["primary"] else "—",
                        "index_cost": d["index_cost"],
                        "good_rate_cost": d["good_rate_cost"],
                    }
                    for d in days
                ],
                note=t(
                    lang,
                    "综合指数代价：含该日与不含该日的本时段综合指数之差；优良天数比例代价：该日若为优良天，优良天数比例可提高的百分点。",
                    "Index points: the period's index with the day minus without it; good-day ratio: the points "
                    "the ratio would gain had the day been good.",
                ),
            )
        )
    return section


#: The profiles a report shows: key of the result, key of a row, title (zh, en), row heading (zh, en).
_PROFILES = (
    ("by_hour", "hour", ("分小时", "By hour"), ("时段", "Hour")),
    ("by_weekday", "weekday", ("分星期", "By weekday"), ("星期", "Weekday")),
    ("by_month", "month", ("分月", "By month"), ("月份", "Month")),
)


def _profiles_section(res: dict[str, dict], kind: str, lang: str) -> Section:
    codes = list(res)
    first = res[codes[0]]
    shown = [p for p in _PROFILES if p[0] != "by_month" or kind == "annual"]
    section = Section(t(lang, "浓度时间变化特征", "Profiles over the day, the week and the year"))
    panels = []
    for key, row_key, (zh, en), _ in shown:
        labels = [r["label_zh"] if lang == "zh" else r["label_en"] for r in first[key]]
        series = {}
        for c in codes:
            means = {r[row_key]: r["mean"] for r in res[c][key]}
            series[pollutant(c, lang)] = [means.get(r[row_key]) for r in first[key]]
        panels.append((t(lang, zh, en), labels, series))
    section.add(
        charts.profile_chart(
            panels,
            name="profiles",
            title=t(lang, "污染物浓度时间变化", "Concentration profiles"),
            ylabel="μg/m³",
        )
    )
    # the chart right under the heading (a heading keeps with the figure after it), the words below it
    section.add(
        Paragraph(
            t(
                lang,
                f"{first['period_zh']}{'、'.join(pollutant(c, 'zh') for c in codes)}小时浓度按时段的平均值"
                "（城市评价点位小时均值；时段末小时，1时为0:00—1:00；不套用统计有效性要求）。",
                f"Mean hourly concentrations of {', '.join(pollutant(c, 'en') for c in codes)} in {first['period']} "
                "by hour of day (hour-ending), weekday and month; no validity minimum applies.",
            )
        )
    )
    # the hours in two halves side by side (12 rows: a table that stays on one page)
    hours = {c: {r["hour"]: r for r in res[c]["by_hour"]} for c in codes}
    hour_rows = []
    for h in range(1, 13):
        row = {}
        for half, hour in (("a", h), ("b", h + 12)):
            row[f"hour_{half}"] = t(lang, f"{hour}时", f"{hour:02d}h")
            for c in codes:
                row[f"{c}_{half}"] = hours[c].get(hour, {}).get("mean")
        hour_rows.append(row)
    section.add(
        Table(
            "profile_hours",
            t(lang, "分小时平均浓度（μg/m³）", "Mean by hour of day (μg/m³)"),
            [
                c
                for half in ("a", "b")
                for c in (
                    Column(f"hour_{half}", t(lang, "时段", "Hour")),
                    *[Column(f"{code}_{half}", pollutant(code, lang), "dec1") for code in codes],
                )
            ],
            hour_rows,
        )
    )
    for key, row_key, (zh, en), (head_zh, head_en) in shown[1:]:
        rows = []
        for r in first[key]:
            row = {"label": r["label_zh"] if lang == "zh" else r["label_en"]}
            for c in codes:
                hit = next((x for x in res[c][key] if x[row_key] == r[row_key]), None)
                row[c] = hit["mean"] if hit else None
            rows.append(row)
        section.add(
            Table(
                f"profile_{row_key}s",
                t(lang, f"{zh}平均浓度（μg/m³）", f"Mean {en.lower()} (μg/m³)"),
                [
                    Column("label", t(lang, head_zh, head_en)),
                    *[Column(c, pollutant(c, lang), "dec1") for c in codes],
                ],
                rows,
            )
        )
    return section


def sections(f: Foresight, kind: str, lang: str) -> list[Section]:
    """The foresight sections of a report, in the order the notice reads them."""
    out = []
    if f.outlook is not None and f.outlook["targets"]:
        out.append(_outlook_section(f.outlook, lang))
    if f.explain is not None and f.explain.get("composite_index") is not None:
        out.append(_explain_section(f.explain, kind, lang))
    if f.profiles:
        out.append(_profiles_section(f.profiles, kind, lang))
    return out


__all__ = ["Foresight", "gather", "outlook_date", "sections"]
