"""Single-item indexes and the composite index (环境空气质量综合指数), spec §5.4–5.5 and §9.3.

I_i = C_i / S_i over SO2, NO2, PM10, PM2.5 (period means), CO (95th percentile of daily means) and O3
(90th percentile of MDA8); C_i are the *rounded* period statistics [C2], S_i the annual Grade II limits
(CO 24-hour, O3 8-hour) also for months [C2]. The sum is rounded once to 2 decimals with GB/T 8170;
single indexes are not rounded before summing unless ``composite_round_single_index`` says so [U].
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lantian.calc.rounding import round_half_even
from lantian.standards import DEFAULT, Limit, Options, gb3095, hj663, regime_for_day


def limits_for(end: dt.date) -> tuple[Limit, ...]:
    """GB 3095 limits of the edition in force on a period's last day (spec §0.3)."""
    from lantian.standards import limits_for_day

    return limits_for_day(end)


def denominators(end: dt.date, options: Options = DEFAULT) -> dict[str, float]:
    """S_i of the composite index for a period ending on ``end`` (spec §5.4; 2026 choice: §9.3 [U])."""
    if regime_for_day(end) == "2012":
        limits = gb3095.LIMITS_2012
    else:
        limits = {
            "transitional": gb3095.LIMITS_2026_TRANSITIONAL,
            "2012": gb3095.LIMITS_2012,
            "final": gb3095.LIMITS_2026_FINAL,
        }[options.composite_denominators_2026]
    return {p: gb3095.limit(limits, p, avg) for p, avg in hj663.DENOMINATOR_AVERAGING.items()}


def weights(options: Options = DEFAULT) -> dict[str, float]:
    """Weights of the composite index: 1 each, or the switch ``composite_weights`` (spec §5.5 [U])."""
    w = {p: 1.0 for p in hj663.INDEX_ITEMS}
    for p, value in options.composite_weights or ():
        if p not in w:
            raise ValueError(f"composite weight for unknown item {p!r}; items: {', '.join(w)}")
        w[p] = float(value)
    return w


def composite(frame: pl.LazyFrame | pl.DataFrame, end: dt.date, options: Options = DEFAULT) -> pl.LazyFrame:
    """Add ``index_<item>`` (single-item indexes), ``composite_index`` (2 dp, GB/T 8170),
    ``composite_index_exact`` and ``index_primary`` (item(s) with the largest single index, spec §5.4).

    Input columns: the rounded period statistics ``so2 no2 pm10 pm25 co o3``. Null if any is null.
    """
    dens = denominators(end, options)
    w = weights(options)
    singles = {}
    for p in hj663.INDEX_ITEMS:
        value = pl.col(p).cast(pl.Float64) / dens[p]
        if options.composite_round_single_index is not None:
            value = round_half_even(value, options.composite_round_single_index)
        singles[p] = value
    total = pl.sum_horizontal(*[singles[p] * w[p] for p in hj663.INDEX_ITEMS])
    any_null = pl.any_horizontal(*[pl.col(p).is_null() for p in hj663.INDEX_ITEMS])
    exact = pl.when(any_null).then(None).otherwise(total)
    lf = frame.lazy().with_columns(
        **{f"index_{p}": v for p, v in singles.items()}, composite_index_exact=exact
    )
    top = pl.max_horizontal(*[pl.col(f"index_{p}") for p in hj663.INDEX_ITEMS])
    return lf.with_columns(
        composite_index=round_half_even(pl.col("composite_index_exact"), hj663.INDEX_DECIMALS),
        index_primary=pl.when(any_null)
        .then(None)
        .otherwise(
            pl.concat_str(
                [pl.when(pl.col(f"index_{p}") == top).then(pl.lit(p)) for p in hj663.INDEX_ITEMS],
                separator=",",
                ignore_nulls=True,
            )
        ),
    )


def change_rate(current: pl.Expr, previous: pl.Expr) -> pl.Expr:
    """Change rate in percent, 1 decimal (GB/T 8170): (I − I₀)/I₀ × 100 (spec §6.2)."""
    return round_half_even((current - previous) / previous * 100.0, hj663.CHANGE_DECIMALS)
