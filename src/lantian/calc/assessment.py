"""Period assessment (HJ 663): daily AQI and day counts, period statistics with validity, single-item
and composite indexes, attainment, exceedance multiples, data capture and year-on-year comparison.

Input: a daily frame (station or city) — ``date``, ``so2 no2 co pm10 pm25`` daily means, ``o3_8h``
(MDA8), optional ``o3`` (daily maximum 1-hour). City daily frames from any source are accepted as
they are. Rounding happens at the points spec §1.3, §5.2–5.4 and §10 give, always with GB/T 8170.
"""

from __future__ import annotations

import polars as pl

from lantian.calc import dust as dust_calc
from lantian.calc.aqi import aqi_frame
from lantian.calc.indices import composite, limits_for
from lantian.calc.rounding import round_half_even, round_pollutant
from lantian.periods import Period
from lantian.schema import CATEGORIES_ZH, CITY, DATE
from lantian.standards import DEFAULT, Options, gb3095, hj663, regime_for_day

SIX = ("so2", "no2", "co", "pm10", "pm25", "o3_8h")

#: Period kinds made of whole calendar months: GB 3095 Table 4 minimums (≥ 27 days a month, 25 in
#: February; years ≥ 324 days). Every other kind (range, ytd, week, day) also needs the coverage
#: minimum of the switch ``coverage_min_pct``.
WHOLE_MONTH_KINDS = ("month", "quarter", "half", "year")


def coverage_minimum(period: Period, options: Options = DEFAULT) -> int | None:
    """Valid days a statistic of ``period`` needs by the switch ``coverage_min_pct`` (``None`` for a month,
    quarter, half or year, whose minimums are GB 3095's): ⌈pct × days / 100⌉, at least 1."""
    if period.kind in WHOLE_MONTH_KINDS:
        return None
    return max(1, -(-options.coverage_min_pct * period.days // 100))


def _monthly_minimum(month: pl.Expr) -> pl.Expr:
    rules = gb3095.VALIDITY_2012
    return (
        pl.when(month == 2)
        .then(gb3095.minimum(rules, "monthly_feb"))
        .otherwise(gb3095.minimum(rules, "monthly"))
    )


def in_period(frame: pl.LazyFrame | pl.DataFrame, period: Period) -> pl.LazyFrame:
    return frame.lazy().filter(pl.col(DATE).is_between(period.start, period.end))


def daily_aqi(daily: pl.LazyFrame | pl.DataFrame, options: Options = DEFAULT) -> pl.LazyFrame:
    """Daily AQI per row with the edition of each day (HJ 633—2012 / —2026) and ``valid_day``.

    Valid day (spec §10): 2026 regime — an AQI could be published; 2012 regime — all six daily
    statistics valid (switch ``valid_day_2012="all_six"``, default [U]) or an AQI determinable.
    """
    lf = daily.lazy()
    names = lf.collect_schema().names()
    lf = lf.with_columns([pl.lit(None, pl.Float64).alias(p) for p in SIX if p not in names])
    graded = aqi_frame(lf, kind="daily", regime="auto", options=options, time_col=DATE)
    all_six = pl.all_horizontal(*[pl.col(p).is_not_null() for p in SIX])
    if options.valid_day_2012 == "all_six":
        valid12 = all_six & pl.col("aqi").is_not_null()
    else:
        valid12 = pl.col("aqi").is_not_null()
    return graded.with_columns(
        valid_day=pl.when(pl.col("regime") == "2012").then(valid12).otherwise(pl.col("aqi").is_not_null())
    )


def day_counts(daily_aqi: pl.LazyFrame, by: str = CITY, options: Options = DEFAULT) -> pl.LazyFrame:
    """Valid days, good days (AQI ≤ 100), good-day rate (%, 1 dp), heavy-or-worse days (AQI > 200) and
    their rate, days per category (spec §10)."""
    days = (
        dust_calc.good_rate_days(daily_aqi, options)
        if "dust_day" in daily_aqi.collect_schema().names()
        else daily_aqi
    )
    valid = pl.col("valid_day")
    aqi = pl.col("aqi")
    aggs = [
        pl.len().alias("days"),
        valid.sum().cast(pl.Int32).alias("valid_days"),
        (valid & (aqi <= hj663.GOOD_DAY_MAX_AQI)).sum().cast(pl.Int32).alias("good_days"),
        (valid & (aqi > hj663.HEAVY_DAY_ABOVE_AQI)).sum().cast(pl.Int32).alias("heavy_days"),
    ]
    for i, name in enumerate(CATEGORIES_ZH, start=1):
        aggs.append((valid & (pl.col("level") == i)).sum().cast(pl.Int32).alias(f"days_{name}"))
    rate = pl.col("good_days") / pl.col("valid_days") * 100.0
    heavy = pl.col("heavy_days") / pl.col("valid_days") * 100.0
    ok = pl.col("valid_days") > 0
    return (
        days.group_by(by)
        .agg(aggs)
        .with_columns(
            good_rate=pl.when(ok).then(round_half_even(rate, hj663.RATE_DECIMALS)),
            heavy_rate=pl.when(ok).then(round_half_even(heavy, hj663.RATE_DECIMALS)),
        )
    )


def _items(period: Period) -> list[hj663.Item]:
    return [i for i in hj663.ITEMS if period.is_annual or not i.annual_only]


def period_statistics(
    daily: pl.LazyFrame | pl.DataFrame, period: Period, by: str = CITY, options: Options = DEFAULT
) -> pl.LazyFrame:
    """Period statistics per entity: for every item its exact value ``<item>_exact``, its published
    value ``<item>`` (GB/T 8170: integers, CO 1 dp), ``n_<item>`` valid days, ``valid_<item>``
    (GB 3095 Table 4: ≥ 27 days in every whole month, 25 in February; years also ≥ 324 days; the same
    rule for the CO/O3 percentiles [U]; a period not made of whole months — range, year to date, week —
    also needs :func:`coverage_minimum` days, switch ``coverage_min_pct``) and ``capture_<item>`` (% of
    the period's days, 1 dp).

    Means are of the valid daily values; percentiles (spec §5.2, NumPy linear, D4–D6) are of the
    published daily values (switch ``percentile_rounded_inputs``, default True [U]).
    """
    lf = in_period(daily, period)
    names = lf.collect_schema().names()
    lf = lf.with_columns([pl.lit(None, pl.Float64).alias(p) for p in SIX if p not in names])
    items = _items(period)
    aggs = []
    for it in items:
        v = pl.col(it.pollutant).cast(pl.Float64)
        if it.statistic == "mean":
            stat = v.mean()
        else:
            src = round_pollutant(v, it.pollutant) if options.percentile_rounded_inputs else v
            stat = src.quantile(it.percentile / 100.0, interpolation=hj663.PERCENTILE_METHOD)
        aggs += [stat.alias(f"{it.name}_exact"), v.is_not_null().sum().cast(pl.Int32).alias(f"n_{it.name}")]
    stats = lf.group_by(by).agg(aggs)

    # Monthly validity of every whole month of the period (GB 3095 Table 4).
    whole = [(m.start.year, m.start.month) for m in period.whole_months()]
    pollutants = sorted({it.pollutant for it in items})
    monthly = lf.group_by(by, pl.col(DATE).dt.year().alias("_y"), pl.col(DATE).dt.month().alias("_m")).agg(
        [pl.col(p).is_not_null().sum().alias(p) for p in pollutants]
    )
    months = pl.LazyFrame(
        {"_y": [y for y, _ in whole], "_m": [m for _, m in whole]}, schema={"_y": pl.Int32, "_m": pl.Int8}
    )
    entities = lf.select(by).unique()
    grid = entities.join(months, how="cross").join(
        monthly.with_columns(pl.col("_y").cast(pl.Int32), pl.col("_m").cast(pl.Int8)),
        on=[by, "_y", "_m"],
        how="left",
    )
    short = grid.group_by(by).agg(
        [
            (pl.col(p).fill_null(0) < _monthly_minimum(pl.col("_m"))).sum().alias(f"_short_{p}")
            for p in pollutants
        ]
        + [pl.len().alias("_months")]
    )
    out = stats.join(short, on=by, how="left")
    annual_min = gb3095.minimum(gb3095.VALIDITY_2012, "annual")
    coverage_min = coverage_minimum(period, options)
    cols = []
    for it in items:
        decimals = hj663.ITEM_DECIMALS.get(it.name.split("_")[0], 0)
        n = pl.col(f"n_{it.name}")
        valid = pl.col(f"_short_{it.pollutant}").fill_null(0) == 0
        if period.is_annual:
            valid = valid & (n >= annual_min)
        if coverage_min is not None:
            valid = valid & (n >= coverage_min)
        valid = valid & (n > 0)
        cols += [
            round_half_even(pl.col(f"{it.name}_exact"), decimals).alias(it.name),
            valid.alias(f"valid_{it.name}"),
            round_half_even(n / period.days * 100.0, hj663.RATE_DECIMALS).alias(f"capture_{it.name}"),
        ]
    return out.with_columns(cols).drop([c for c in out.collect_schema().names() if c.startswith("_")])


def attainment(stats: pl.LazyFrame, period: Period, options: Options = DEFAULT) -> pl.LazyFrame:
    """Attainment per item (published value ≤ limit, 修约值比较法 [U]), exceedance multiple (C − S)/S
    (2 dp, exceeding items only [U]) and overall attainment (all six index items; with the annual
    percentile items too when ``annual_attainment_percentiles``), spec §5.3. Limits: the GB 3095
    edition in force on the period's last day, Grade II.

    An invalid statistic (``valid_<item>`` false: below the data-validity minimum) gives no attainment
    (``attains_<item>`` and ``multiple_<item>`` null), and ``attains_all`` is null unless every item it
    judges is valid: too little data is 数据不足, not a verdict."""
    limits = limits_for(period.end)
    cols = []
    names = stats.collect_schema().names()
    items = [it for it in _items(period) if it.name in names]
    for it in items:
        s = gb3095.limit(limits, it.limit_pollutant, it.limit_averaging)
        c = pl.col(it.name)
        ok = pl.col(f"valid_{it.name}").fill_null(False) if f"valid_{it.name}" in names else pl.lit(True)
        cols += [
            pl.lit(s).alias(f"limit_{it.name}"),
            pl.when(ok).then(c <= s).alias(f"attains_{it.name}"),
            pl.when(ok & (c > s))
            .then(round_half_even((c - s) / s, hj663.MULTIPLE_DECIMALS))
            .alias(f"multiple_{it.name}"),
        ]
    lf = stats.with_columns(cols)
    overall = [it.name for it in items if it.in_index]
    if period.is_annual and options.annual_attainment_percentiles:
        overall += [it.name for it in items if it.annual_only]
    return lf.with_columns(
        attains_all=pl.when(pl.all_horizontal(*[pl.col(f"attains_{n}").is_not_null() for n in overall])).then(
            pl.all_horizontal(*[pl.col(f"attains_{n}") for n in overall])
        ),
        exceeding=pl.concat_str(
            [pl.when(~pl.col(f"attains_{n}")).then(pl.lit(n)) for n in overall],
            separator=",",
            ignore_nulls=True,
        ),
    )


def days_valid(graded: pl.LazyFrame, period: Period, by: str = CITY, options: Options = DEFAULT) -> pl.LazyFrame:
    """Whether the day counts of each entity (good-day rate, heavy days) rest on enough valid days:
    the statistics' rule applied to the valid days (every whole month ≥ 27, February ≥ 25; years
    ≥ 324; other periods ≥ :func:`coverage_minimum`). Column ``valid_good_rate``."""
    whole = [(m.start.year, m.start.month) for m in period.whole_months()]
    valid = pl.col("valid_day").fill_null(False)
    monthly = graded.group_by(by, pl.col(DATE).dt.year().alias("_y"), pl.col(DATE).dt.month().alias("_m")).agg(
        valid.sum().alias("_n")
    )
    months = pl.LazyFrame(
        {"_y": [y for y, _ in whole], "_m": [m for _, m in whole]}, schema={"_y": pl.Int32, "_m": pl.Int8}
    )
    grid = (
        graded.select(by)
        .unique()
        .join(months, how="cross")
        .join(
            monthly.with_columns(pl.col("_y").cast(pl.Int32), pl.col("_m").cast(pl.Int8)),
            on=[by, "_y", "_m"],
            how="left",
        )
    )
    short = grid.group_by(by).agg((pl.col("_n").fill_null(0) < _monthly_minimum(pl.col("_m"))).sum().alias("_short"))
    total = graded.group_by(by).agg(valid.sum().alias("_valid"))
    ok = (pl.col("_short").fill_null(0) == 0) & (pl.col("_valid") > 0)
    if period.is_annual:
        ok = ok & (pl.col("_valid") >= gb3095.minimum(gb3095.VALIDITY_2012, "annual"))
    coverage_min = coverage_minimum(period, options)
    if coverage_min is not None:
        ok = ok & (pl.col("_valid") >= coverage_min)
    return total.join(short, on=by, how="left").select(by, ok.alias("valid_good_rate"))


def assess(
    daily: pl.LazyFrame | pl.DataFrame,
    period: Period,
    by: str = CITY,
    options: Options = DEFAULT,
    dust_days: pl.LazyFrame | pl.DataFrame | None = None,
    dust_pm_daily: pl.LazyFrame | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The full assessment of ``period`` for every entity of a daily frame (one row per entity).

    Day counts use the daily AQI with dust days kept (unless switched); statistics and the composite
    index use PM values with the dust deducted (spec §7) when ``dust_days`` (``by``, ``date``, optional
    ``hour``) is given: whole days, or with ``dust_deduction="hour"`` the dust hours, whose effect
    ``dust_pm_daily`` carries (PM daily values recomputed without them, :func:`lantian.calc.dust.deduct`).
    """
    lf = in_period(daily, period)
    lf = dust_calc.mark_dust_days(lf, dust_days, by)
    graded = daily_aqi(lf, options).collect().lazy()
    counts = day_counts(graded, by, options)
    stats_input = dust_calc.deduct(lf, options, dust_pm_daily, by) if dust_days is not None else lf
    stats = period_statistics(stats_input, period, by, options)
    stats = composite(stats, period.end, options)
    stats = attainment(stats, period, options)
    dust_n = lf.group_by(by).agg(pl.col("dust_day").sum().cast(pl.Int32).alias("dust_days"))
    out = (
        counts.join(stats, on=by, how="full", coalesce=True)
        .join(dust_n, on=by, how="left")
        .join(days_valid(graded, period, by, options), on=by, how="left")
    )
    valid_index = pl.all_horizontal(*[pl.col(f"valid_{p}") for p in hj663.INDEX_ITEMS])
    coverage_min = coverage_minimum(period, options)
    out = out.with_columns(
        period=pl.lit(period.label),
        start=pl.lit(period.start),
        end=pl.lit(period.end),
        regime=pl.lit(regime_for_day(period.end)),
        index_valid=valid_index,
        period_days=pl.lit(period.days, pl.Int32),
        coverage_min_days=pl.lit(coverage_min, pl.Int32),
        valid_good_rate=pl.col("valid_good_rate").fill_null(False),
    ).with_columns(
        # every figure of the period rests on enough data (else the period is 数据不足)
        data_sufficient=pl.col("index_valid").fill_null(False) & pl.col("valid_good_rate"),
    )
    return out.collect().sort(by)


def compare(current: pl.DataFrame, previous: pl.DataFrame, by: str = CITY) -> pl.DataFrame:
    """Year-on-year comparison: change rate of the composite index (% 1 dp, from the published
    2-dp values, spec §6.2, D7), of the PM2.5 mean, and the good-day rate change (percentage points);
    ``trend`` improved / deteriorated / unchanged (by the index change)."""
    from lantian.calc.indices import change_rate

    keep = ["composite_index", "pm25", "pm10", "good_rate", "index_valid"]
    prev = previous.select(by, *[pl.col(c).alias(f"{c}_last_year") for c in keep if c in previous.columns])
    out = current.join(prev, on=by, how="left")
    ch = pl.col("index_change_pct")
    return out.with_columns(
        index_change_pct=change_rate(pl.col("composite_index"), pl.col("composite_index_last_year")),
        pm25_change_pct=change_rate(pl.col("pm25"), pl.col("pm25_last_year")),
        good_rate_change=round_half_even(
            pl.col("good_rate") - pl.col("good_rate_last_year"), hj663.RATE_DECIMALS
        ),
    ).with_columns(
        trend=pl.when(ch < 0)
        .then(pl.lit("improved"))
        .when(ch > 0)
        .then(pl.lit("deteriorated"))
        .when(ch == 0)
        .then(pl.lit("unchanged"))
    )
