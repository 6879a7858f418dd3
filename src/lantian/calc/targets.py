"""Annual targets (考核目标): year-to-date status, what remains, lost targets, verdicts (zh/en).

Every figure is judged as it will be published: good-day rate 1 dp, PM2.5 and O3 integers, composite
index 2 dp, all with GB/T 8170 (spec §1.3, §5.4, §10). The rest of the year is assumed to consist of
valid days. Budgets are what can still be afforded while keeping the target reachable:

- good days: non-good days still affordable = remaining days − good days still needed;
- PM2.5 annual mean ≤ T: the published mean stays ≤ T while the exact mean is below the rounding
  boundary B (the smallest value that rounds above T); the rest-of-year mean must stay below
  (B·(n + r) − Σ) / r;
- O3 90th percentile ≤ T: with n days the percentile is X(s) + f·(X(s+1) − X(s)), s = ⌊1 + 0.9·(n − 1)⌋;
  it is certainly ≤ T while at most n − s − 1 days exceed T, and certainly lost once n − s + 1 or more do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from lantian.calc.rounding import round_decimal
from lantian.standards import hj663


@dataclass(frozen=True)
class Targets:
    """One city's targets for one year (all optional)."""

    city: str
    year: int
    good_rate_min: float | None = None  # percent
    good_days_min: int | None = None
    pm25_max: float | None = None
    pm10_max: float | None = None
    composite_max: float | str | None = None  # number or "last_year"
    heavy_days_max: int | None = None
    o3_max: float | None = None
    notes: str = ""


@dataclass
class TargetStatus:
    target: str
    limit: str
    current: str
    status: str  # "met", "on_track", "at_risk", "lost", "no_data", "insufficient"
    remaining: dict = field(default_factory=dict)
    verdict_zh: str = ""
    verdict_en: str = ""
    #: ``limit`` and ``current`` as a Chinese document prints them
    limit_zh: str = ""
    current_zh: str = ""


def _boundary_above(limit: float, decimals: int) -> Decimal:
    """Smallest exact value whose GB/T 8170 rounding exceeds ``limit`` (e.g. 37 → 37.5 since 37.5 → 38)."""
    half = Decimal(5).scaleb(-(decimals + 1))
    b = Decimal(str(limit)) + half
    return b if round_decimal(b, decimals) > Decimal(str(limit)) else b + Decimal(1).scaleb(-9)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def evaluate(
    targets: Targets,
    as_of: dt.date,
    valid_days: int,
    good_days: int,
    heavy_days: int,
    pm25_sum: float | None,
    pm25_n: int,
    pm25_published: float | None,
    o3_values: list[float],
    composite_index: float | None,
    last_year_composite: float | None,
    insufficient: tuple[str, str] | None = None,
) -> list[TargetStatus]:
    """Status of every target given the year-to-date figures up to ``as_of`` (inclusive).

    ``insufficient``: the year to date lacks the data-validity minimum (GB 3095 Table 4; switch
    ``coverage_min_pct``), with what is missing in Chinese and English. Every target is then
    ``insufficient`` (数据不足): no verdict rests on too few days."""
    out = _evaluate(targets, as_of, valid_days, good_days, heavy_days, pm25_sum, pm25_n, pm25_published,
                    o3_values, composite_index, last_year_composite)
    if insufficient is not None:
        zh, en = insufficient
        for st in out:
            st.status = "insufficient"
            st.verdict_zh = f"数据不足（{zh}），不作目标判断。"
            st.verdict_en = f"Insufficient data ({en}): no verdict on this target."
    return out


def _evaluate(
    targets: Targets,
    as_of: dt.date,
    valid_days: int,
    good_days: int,
    heavy_days: int,
    pm25_sum: float | None,
    pm25_n: int,
    pm25_published: float | None,
    o3_values: list[float],
    composite_index: float | None,
    last_year_composite: float | None,
) -> list[TargetStatus]:
    remaining = (dt.date(targets.year, 12, 31) - as_of).days
    out: list[TargetStatus] = []
    final = remaining <= 0
    nongood = valid_days - good_days

    if targets.good_rate_min is not None or targets.good_days_min is not None:
        year_valid = valid_days + remaining
        need_options = []
        if targets.good_rate_min is not None:
            need_options.append(
                ("rate", math.ceil(Decimal(str(targets.good_rate_min)) / 100 * year_valid - Decimal("1e-12")))
            )
        if targets.good_days_min is not None:
            need_options.append(("days", int(targets.good_days_min)))
        need = min(n for _, n in need_options)  # either form of the target suffices
        still = max(0, need - good_days)
        budget = remaining - still
        rate = (
            round_decimal(Decimal(good_days) / Decimal(valid_days) * 100, hj663.RATE_DECIMALS)
            if valid_days
            else None
        )
        forms, forms_zh = [], []
        if targets.good_rate_min is not None:
            forms.append(f"≥ {targets.good_rate_min}%")
            forms_zh.append(f"≥{targets.good_rate_min}%")
        if targets.good_days_min is not None:
            forms.append(f"≥ {targets.good_days_min} days")
            forms_zh.append(f"≥{targets.good_days_min}天")
        limit = " or ".join(forms)
        if good_days >= need:
            status = "met"
        elif budget < 0:
            status = "lost"
        else:
            status = "at_risk" if budget < max(1, remaining // 10) else "on_track"
        zh = {
            "met": f"优良天数已达 {good_days} 天，目标已实现。",
            "lost": f"优良天数目标已无法实现：还需 {still} 个优良天，但全年仅剩 {remaining} 天。",
        }.get(status, f"目前优良天数 {good_days} 天（优良率 {rate}%）；全年还可承受 {budget} 个非优良天。")
        en = {
            "met": f"{good_days} good days already: the target is met.",
            "lost": f"Good-day target lost: {still} more good days needed but only {remaining} days remain.",
        }.get(
            status,
            f"{good_days} good days so far ({rate}%); the city can afford {budget} more non-good days this year.",
        )
        out.append(
            TargetStatus(
                "good_days",
                limit,
                f"{good_days} good days of {valid_days} valid ({rate}%)",
                status,
                {
                    "good_days_needed": need,
                    "good_days_still_needed": still,
                    "non_good_days_affordable": max(budget, 0),
                    "non_good_days_so_far": nongood,
                    "days_remaining": remaining,
                },
                zh,
                en,
                limit_zh="或".join(forms_zh),
                current_zh=f"{rate}%（有效{valid_days}天，优良{good_days}天）" if rate is not None else "—",
            )
        )

    if targets.pm25_max is not None:
        if pm25_n == 0 or pm25_sum is None:
            out.append(
                TargetStatus(
                    "pm25",
                    f"≤ {targets.pm25_max}",
                    "—",
                    "no_data",
                    {},
                    "暂无 PM2.5 数据。",
                    "No PM2.5 data yet.",
                    limit_zh=f"≤{targets.pm25_max}微克/立方米",
                    current_zh="—",
                )
            )
        else:
            bound = float(_boundary_above(targets.pm25_max, 0))
            n_year = pm25_n + remaining
            if remaining > 0:
                allowed = (bound * n_year - pm25_sum) / remaining
                allowed_txt = float(round_decimal(math.floor(allowed * 10) / 10, 1))
            else:
                allowed = None
                allowed_txt = None
            current_ok = pm25_published is not None and pm25_published <= targets.pm25_max
            if final:
                status = "met" if current_ok else "lost"
            elif allowed is not None and allowed <= 0:
                status = "lost"
            else:
                status = "on_track" if current_ok else "at_risk"
            zh = (
                "PM2.5 目标已无法实现。"
                if status == "lost"
                else f"PM2.5 年均浓度目前 {pm25_published} μg/m³；其余 {remaining} 天平均须低于 {allowed_txt} μg/m³。"
                if remaining > 0
                else f"PM2.5 年均浓度 {pm25_published} μg/m³。"
            )
            en = (
                "PM2.5 target lost."
                if status == "lost"
                else f"PM2.5 mean so far {pm25_published} μg/m³; the remaining {remaining} days must average below "
                f"{allowed_txt} μg/m³."
                if remaining > 0
                else f"PM2.5 annual mean {pm25_published} μg/m³."
            )
            out.append(
                TargetStatus(
                    "pm25",
                    f"≤ {targets.pm25_max} μg/m³",
                    f"{pm25_published}",
                    status,
                    {"rest_of_year_mean_below": allowed_txt, "days_remaining": remaining},
                    zh,
                    en,
                    limit_zh=f"≤{targets.pm25_max}微克/立方米",
                    current_zh=f"{pm25_published}微克/立方米",
                )
            )

    if targets.heavy_days_max is not None:
        left = targets.heavy_days_max - heavy_days
        status = "lost" if left < 0 else ("met" if final else ("at_risk" if left == 0 else "on_track"))
        zh = (
            f"重污染天数 {heavy_days} 天，已超过上限 {targets.heavy_days_max} 天。"
            if left < 0
            else f"重污染天数 {heavy_days} 天，还可承受 {left} 天。"
        )
        en = (
            f"{heavy_days} heavy-pollution days: above the cap of {targets.heavy_days_max}."
            if left < 0
            else f"{heavy_days} heavy-pollution days; {left} more can be afforded."
        )
        out.append(
            TargetStatus(
                "heavy_days",
                f"≤ {targets.heavy_days_max}",
                str(heavy_days),
                status,
                {"heavy_days_affordable": max(left, 0)},
                zh,
                en,
                limit_zh=f"≤{targets.heavy_days_max}天",
                current_zh=f"{heavy_days}天",
            )
        )

    if targets.o3_max is not None:
        n_year = len(o3_values) + remaining
        s = math.floor(1 + 0.9 * (n_year - 1)) if n_year else 0
        over = sum(1 for v in o3_values if v > targets.o3_max)
        safe = n_year - s - 1  # at most this many days above T keeps X(s+1) ≤ T
        certain_loss = n_year - s + 1  # this many days above T make X(s) > T
        if over >= certain_loss:
            status = "lost"
        elif final:
            status = "met" if over <= safe else "at_risk"
        else:
            status = "on_track" if over <= safe else "at_risk"
        left = max(safe - over, 0)
        zh = (
            "臭氧目标已无法实现。"
            if status == "lost"
            else f"臭氧日最大8小时超过 {targets.o3_max} 的天数 {over} 天；还可承受 {left} 天。"
        )
        en = (
            "O3 target lost."
            if status == "lost"
            else f"{over} days with MDA8 above {targets.o3_max}; {left} more can be afforded."
        )
        out.append(
            TargetStatus(
                "o3",
                f"P90 ≤ {targets.o3_max} μg/m³",
                f"{over} days with MDA8 above {targets.o3_max} μg/m³",
                status,
                {"days_above_affordable": left, "days_above_so_far": over},
                zh,
                en,
                limit_zh=f"日最大8小时平均第90百分位数≤{targets.o3_max}微克/立方米",
                current_zh=f"日最大8小时平均超过{targets.o3_max}微克/立方米{over}天",
            )
        )

    if targets.composite_max is not None:
        cap = last_year_composite if targets.composite_max == "last_year" else float(targets.composite_max)
        if cap is None or composite_index is None:
            out.append(
                TargetStatus(
                    "composite_index",
                    str(targets.composite_max),
                    "—",
                    "no_data",
                    {},
                    "综合指数或去年基数缺失。",
                    "Composite index or last year's value missing.",
                    limit_zh="不高于上年" if targets.composite_max == "last_year" else f"≤{targets.composite_max}",
                    current_zh="—",
                )
            )
        else:
            ok = composite_index <= cap
            status = ("met" if ok else "lost") if final else ("on_track" if ok else "at_risk")
            zh = f"综合指数目前 {composite_index}（目标 ≤ {cap}）。"
            en = f"Composite index so far {composite_index} (target ≤ {cap})."
            out.append(
                TargetStatus(
                    "composite_index",
                    f"≤ {cap}",
                    str(composite_index),
                    status,
                    {"margin": float(round_decimal(cap - composite_index, 2))},
                    zh,
                    en,
                    limit_zh=(f"不高于上年（{cap}）" if targets.composite_max == "last_year" else f"≤{cap}"),
                    current_zh=str(composite_index),
                )
            )
    return out


#: The targets as offices name them (Chinese, English).
TARGET_NAMES: dict[str, tuple[str, str]] = {
    "good_days": ("优良天数比例", "Good-day ratio"),
    "pm25": ("PM2.5年均浓度", "PM2.5 annual mean"),
    "heavy_days": ("重污染天数", "Heavy-pollution days"),
    "o3": ("臭氧", "O3"),
    "composite_index": ("综合指数", "Composite index"),
}
#: Target statuses (Chinese, English): 已完成 the target is reached and cannot be lost any more (year over,
#: or good days already enough); 可完成 the figures so far meet it with room to spare; 有风险 it is still
#: reachable but the figures so far miss it or the room is nearly used up; 已失守 it can no longer be reached.
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "met": ("已完成", "met"),
    "on_track": ("可完成", "on track"),
    "at_risk": ("有风险", "at risk"),
    "lost": ("已失守", "lost"),
    "no_data": ("无数据", "no data"),
    "insufficient": ("数据不足", "insufficient data"),
}


def target_name(target: str, lang: str = "zh") -> str:
    return TARGET_NAMES.get(target, (target, target))[1 if lang == "en" else 0]


def verdict(statuses: list[TargetStatus]) -> tuple[str, str]:
    """One-sentence overall verdict in Chinese and English."""
    short = [s for s in statuses if s.status == "insufficient"]
    if short:
        return (
            short[0].verdict_zh.replace("不作目标判断", "各项目标暂不作判断"),
            short[0].verdict_en.replace("no verdict on this target", "no verdict on the targets"),
        )
    lost = [s.target for s in statuses if s.status == "lost"]
    risk = [s.target for s in statuses if s.status == "at_risk"]

    def names(targets: list[str], lang: str) -> str:
        return ("、" if lang == "zh" else ", ").join(target_name(t, lang) for t in targets)

    if lost:
        return (f"已失守目标：{names(lost, 'zh')}。", f"Targets already lost: {names(lost, 'en')}.")
    if risk:
        return (
            f"有风险的目标：{names(risk, 'zh')}，需加大管控力度。",
            f"Targets at risk: {names(risk, 'en')}; stronger measures are needed.",
        )
    return ("各项目标目前均在正常轨道上。", "All targets are on track.")
