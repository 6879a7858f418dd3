"""What moves the composite index (综合指数归因): its parts by pollutant and the parts of its change, the
stations' contributions to a city mean, and the days that cost the most.

Every part is shown in the published rounding and the parts add up exactly to the published total: the
exact parts are rounded by the largest-remainder method (Hamilton), which gives each part its rounded-down
value and the leftover units, one each, to the parts with the largest remainders — the total being the
published value (GB/T 8170) itself.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import polars as pl

from lantian.calc.assessment import assess, daily_aqi, in_period
from lantian.calc.indices import weights
from lantian.calc.rounding import round_decimal
from lantian.periods import Period
from lantian.schema import CITY, DATE, STATION
from lantian.standards import DEFAULT, Options, hj663

INDEX_DECIMALS = hj663.INDEX_DECIMALS


def apportion(parts: list[float], total: float | Decimal, decimals: int) -> list[Decimal]:
    """``parts`` rounded to ``decimals`` so that they add up exactly to ``total`` (largest remainder).

    The parts are first scaled to the total (their own sum may differ from it by the rounding of the
    total); a part keeps its sign.

    >>> [str(x) for x in apportion([1.005, 2.005, 0.99], 4.0, 2)]
    ['1.01', '2.00', '0.99']
    """
    total = Decimal(str(total))
    exact = [Decimal(repr(float(p))) for p in parts]
    s = sum(exact)
    if s != 0:
        exact = [p * total / s for p in exact]
    unit = Decimal(1).scaleb(-decimals)
    floors = [(p / unit).to_integral_value(ROUND_FLOOR) for p in exact]
    left = int((total / unit).to_integral_value() - sum(floors))
    order = sorted(range(len(exact)), key=lambda i: exact[i] / unit - floors[i], reverse=True)
    for i in order[: max(left, 0)]:
        floors[i] += 1
    return [(f * unit).quantize(unit) for f in floors]


def pollutant_parts(row: dict, options: Options = DEFAULT, last_year: dict | None = None) -> list[dict]:
    """The composite index of an assessment row by pollutant: weight × single index, its share, and its
    part apportioned to the published index (parts add up to it); with ``last_year`` (the same period's
    row a year before) each pollutant's part of the change."""
    w = weights(options)
    items = hj663.INDEX_ITEMS
    if row.get("composite_index") is None or any(row.get(f"index_{p}") is None for p in items):
        return []
    exact = [w[p] * row[f"index_{p}"] for p in items]
    shown = apportion(exact, row["composite_index"], INDEX_DECIMALS)
    total = sum(exact)
    out = [
        {
            "pollutant": p,
            "value": row[p],
            "index": e,
            "part": s,
            "share_pct": round_decimal(e / total * 100, 1),
        }
        for p, e, s in zip(items, exact, shown, strict=True)
    ]
    if last_year and last_year.get("composite_index") is not None:
        before = [w[p] * last_year[f"index_{p}"] for p in items]
        change = Decimal(str(row["composite_index"])) - Decimal(str(last_year["composite_index"]))
        deltas = [a - b for a, b in zip(exact, before, strict=True)]
        parts = apportion(deltas, change, INDEX_DECIMALS) if any(deltas) else [Decimal(0)] * len(items)
        for o, p, b in zip(out, parts, [last_year[q] for q in items], strict=True):
            o["value_last_year"] = b
            o["change_part"] = p
    return out


def station_contributions(
    station_daily: pl.DataFrame, stations: list[str], item: str, published: float, decimals: int
) -> list[dict]:
    """Each station's contribution to the city's period mean of ``item`` (a mean of daily values):
    on each day the city value is the mean of the valid station values, so a station contributes its
    value divided by the day's number of valid stations; over the days the contributions add up to the
    city mean, and apportioned to the published value they add up to it exactly."""
    frame = station_daily.filter(pl.col(STATION).is_in(stations)).select(STATION, DATE, item).drop_nulls(item)
    per_day = frame.with_columns(n=pl.len().over(DATE))
    days = per_day[DATE].n_unique()
    contrib = (
        per_day.group_by(STATION)
        .agg((pl.col(item) / pl.col("n")).sum().alias("c"), pl.len().alias("days"))
        .with_columns(pl.col("c") / days)
        .sort(STATION)
    )
    shown = apportion(contrib["c"].to_list(), published, decimals + 1)
    return [
        {"station": s, "contribution": c, "part": p, "days": d}
        for s, c, p, d in zip(contrib[STATION], contrib["c"], shown, contrib["days"], strict=True)
    ]


def costly_days(
    daily: pl.DataFrame, period: Period, n: int = 10, options: Options = DEFAULT, by: str = CITY
) -> list[dict]:
    """The ``n`` days of the period with the highest AQI and what each cost: in index points, the
    period's composite index with the day minus the index without it (exact, shown 2 dp); in good-day
    ratio, the percentage points the ratio would gain had the day been good (0 for a good day)."""
    base = assess(daily, period, by, options).row(0, named=True)
    graded = daily_aqi(in_period(daily, period), options).collect()
    top = graded.filter(pl.col("aqi").is_not_null()).sort(["aqi", DATE], descending=[True, False]).head(n)
    # the period without each of the days, all assessed at once (one entity per day left out)
    days = top[DATE].to_list()
    variants = [
        daily.filter(pl.col(DATE) != d).with_columns(pl.lit(str(i)).alias(by)) for i, d in enumerate(days)
    ]
    assessed = assess(pl.concat(variants, how="vertical_relaxed"), period, by, options) if variants else None
    withouts = {r[by]: r for r in assessed.iter_rows(named=True)} if assessed is not None else {}
    out = []
    for i, day in enumerate(top.iter_rows(named=True)):
        without = withouts.get(str(i), {"composite_index_exact": None})
        cost = None
        if base["composite_index_exact"] is not None and without["composite_index_exact"] is not None:
            cost = round_decimal(
                base["composite_index_exact"] - without["composite_index_exact"], INDEX_DECIMALS
            )
        good = day["aqi"] <= hj663.GOOD_DAY_MAX_AQI
        gain = Decimal(0)
        if not good and base["valid_days"]:
            gain = round_decimal(
                (base["good_days"] + 1) / base["valid_days"] * 100, hj663.RATE_DECIMALS
            ) - Decimal(str(base["good_rate"]))
        out.append(
            {
                "date": day[DATE],
                "aqi": day["aqi"],
                "primary": day["primary_pollutants"],
                "category": day["category"],
                "index_cost": cost,
                "good_rate_cost": gain,
            }
        )
    return out
