"""Year-end outlook (年度目标达成预测): the probability that each annual target is met at year end, and the
expected year-end value with an 80% interval.

Method (docs/outlook.md): the days up to the as-of date are the real ones; the rest of the year is
simulated ``n_sims`` times from the entity's own history of the same calendar days — a block bootstrap of
whole days: the remaining days are cut into blocks of ``block_days`` consecutive days; each block is copied,
day by day and with all its pollutants, from one earlier year drawn at random, shifted by up to
``jitter_days`` days (the same shift for the whole block). Blocks keep the day-to-day persistence of
pollution episodes and the season; the draw over years and shifts gives the spread. Every simulated year is
then assessed by :func:`lantian.calc.assessment.assess`, the code that assesses the real year, and each
target is judged on the published value (GB/T 8170, as :mod:`lantian.calc.targets`).

Assumptions: the rest of this year resembles the same season of the earlier years in the data (no trend:
with ``trend="none"``, the default; ``trend="last_year"`` draws only from the latest year; ``trend="linear"``
scales each drawn day of an earlier year by the entity's linear trend of annual means, per pollutant, carried
to the target year — :func:`trend_factors`); days missing in the history stay missing in the simulation (so
data capture is simulated too).

The read of the outlook (:func:`condition`): for the good-day ratio, PM2.5 and heavy days, the largest
bound N on what the rest of the year brings — further non-good days, the mean PM2.5 of the remaining days,
further heavy days — such that, among the simulated years whose rest stays within N, at least the share
``level`` (0.7 by default) meet the target, and at least one simulated year whose rest reaches N (exactly N
days; for PM2.5 a rest-of-year mean in (N − 1, N], N a whole μg/m³) still meets it. "若此后重污染天数不超过
N 天，达标概率不低于 70%" is then true of the simulated years by construction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from lantian.calc.assessment import assess, daily_aqi, day_counts
from lantian.calc.rounding import round_half_even
from lantian.periods import Period
from lantian.schema import CITY, DATE
from lantian.standards import DEFAULT, Options

#: The targets of an outlook: the assessment column each is read from, whether a higher value is better,
#: and the decimals of the published value (HJ 663: rate 1 dp, PM2.5 and O3 integers, index 2 dp).
#: The validity flag of the assessment behind each target: a simulated year short of the minimum has no
#: value for it (数据不足), as the real year would not.
VALIDITY = {
    "good_rate": "valid_good_rate",
    "pm25": "valid_pm25",
    "composite_index": "index_valid",
    "heavy_days": "valid_good_rate",
    "o3": "valid_o3",
}
#: A history year is drawn from only if it holds at least this share of the days still to come.
MIN_HISTORY_COVERAGE = 0.8
#: Below this share of simulated years with a valid value, the outlook gives no probability (数据不足).
MIN_VALID_SHARE = 0.5
TARGETS: dict[str, tuple[str, bool, int]] = {
    "good_rate": ("good_rate", True, 1),
    "pm25": ("pm25", False, 0),
    "composite_index": ("composite_index", False, 2),
    "heavy_days": ("heavy_days", False, 0),
    "o3": ("o3", False, 0),
}
TRENDS = ("none", "last_year", "linear")
#: A history year enters the linear trend of annual means if it holds at least this share of its days.
TREND_MIN_COVERAGE = 0.8
#: The rest-of-year quantity that the read of each target bounds: (column of the simulated rest, key of
#: the bound in the outlook). The composite index and O3 have none (no single quantity of the remaining
#: days decides them).
CONDITIONS: dict[str, tuple[str, str]] = {
    "good_rate": ("rest_non_good_days", "max_non_good_days"),
    "pm25": ("rest_pm25", "max_rest_pm25"),
    "heavy_days": ("rest_heavy_days", "max_heavy_days"),
}
#: The probability the read of the outlook promises unless told otherwise (setting outlook_probability_pct).
DEFAULT_LEVEL = 0.7
POLLUTANTS = ("so2", "no2", "co", "pm10", "pm25", "o3_8h")
#: Interval of the expected value: the 10th and 90th percentiles of the simulated years (80%).
LOW_Q, HIGH_Q = 0.10, 0.90


@dataclass(frozen=True)
class Method:
    n_sims: int = 200
    block_days: int = 7
    jitter_days: int = 7
    trend: str = "none"
    seed: int = 20160630


def meets(value: pl.Expr, threshold: pl.Expr, target: str) -> pl.Expr:
    """Whether a published value meets its threshold (higher-is-better for the good-day rate); no value
    (数据不足) does not meet it."""
    higher = TARGETS[target][1]
    ok = value >= threshold if higher else value <= threshold
    return ok.fill_null(False)


def _day_index(dates: np.ndarray, year: int) -> np.ndarray:
    """Day of the year counted from 0 (1 January)."""
    return (dates - np.datetime64(f"{year}-01-01")).astype("timedelta64[D]").astype(np.int64)


def trend_factors(history: pl.DataFrame, year: int, by: str = CITY) -> pl.DataFrame:
    """The factors of ``trend="linear"``: for every entity, history year and pollutant, the ratio of the
    entity's linear trend of annual means (least squares over the history years holding at least
    :data:`TREND_MIN_COVERAGE` of their days with a value) at ``year`` to the trend at that history year.
    A drawn day of history year y is multiplied by the factor of y: the days keep their season and their
    episodes, their level follows the trend to the target year. With fewer than two such years, or a trend
    not above zero at the history year, the factor is 1; a trend below zero at ``year`` counts as zero.
    One row per (``by``, ``_year``) with a column ``f_<pollutant>`` per pollutant of ``history``."""
    cols = [p for p in POLLUTANTS if p in history.columns]
    annual = (
        history.filter(pl.col(DATE) < dt.date(year, 1, 1))
        .with_columns(_year=pl.col(DATE).dt.year())
        .group_by(by, "_year")
        .agg(
            *[pl.col(p).mean().alias(f"m_{p}") for p in cols],
            *[pl.col(p).count().alias(f"n_{p}") for p in cols],
        )
        .sort(by, "_year")
    )
    rows = []
    for (entity,), part in annual.group_by([by], maintain_order=True):
        years = part["_year"].to_numpy()
        length = np.array([366 if calendar.isleap(int(y)) else 365 for y in years])
        row_factors = {p: np.ones(len(years)) for p in cols}
        for p in cols:
            means = part[f"m_{p}"].to_numpy().astype(float)
            full = (part[f"n_{p}"].to_numpy() / length >= TREND_MIN_COVERAGE) & ~np.isnan(means)
            if full.sum() < 2:
                continue
            slope, intercept = np.polyfit(years[full].astype(float), means[full], 1)
            at_target = max(slope * year + intercept, 0.0)
            at_year = slope * years.astype(float) + intercept
            row_factors[p] = np.where(at_year > 0, at_target / np.where(at_year > 0, at_year, 1.0), 1.0)
        rows.append(
            pl.DataFrame(
                {by: [entity] * len(years), "_year": years, **{f"f_{p}": row_factors[p] for p in cols}}
            )
        )
    if not rows:
        return pl.DataFrame(schema={by: pl.Utf8, "_year": pl.Int32, **{f"f_{p}": pl.Float64 for p in cols}})
    return pl.concat(rows).with_columns(pl.col("_year").cast(pl.Int32))


def simulate_rest(
    history: pl.DataFrame, year: int, as_of: dt.date, method: Method = Method(), by: str = CITY
) -> pl.DataFrame:
    """The simulated days ``as_of + 1`` … 31 December of ``year`` for every entity of ``history`` (daily
    rows of the years before ``year``): one frame with ``by`` (the entity), ``sim`` (0 … n_sims − 1),
    ``date`` (the simulated calendar day) and the six pollutants copied from the drawn days."""
    rng = np.random.default_rng(method.seed)
    end = dt.date(year, 12, 31)
    rest = pl.date_range(as_of + dt.timedelta(days=1), end, eager=True)
    if rest.is_empty():
        return pl.DataFrame()
    offsets = _day_index(rest.to_numpy(), year)
    n_rest = len(offsets)
    cols = [p for p in POLLUTANTS if p in history.columns]
    hist = history.filter(pl.col(DATE) < dt.date(year, 1, 1)).select(by, DATE, *cols).sort(by, DATE)
    hist = hist.with_columns(_year=pl.col(DATE).dt.year()).with_row_index("_row")
    n_blocks = -(-n_rest // method.block_days)
    within = np.arange(n_rest) % method.block_days
    block_of_day = np.arange(n_rest) // method.block_days
    pieces = []
    for (entity,), rows in hist.group_by([by], maintain_order=True):
        years = sorted(rows["_year"].unique().to_list())
        if method.trend == "last_year":
            years = years[-1:]
        # per year: row number of each day of that year (-1 where the day is missing)
        table = np.full((len(years), 367), -1, dtype=np.int64)
        for i, y in enumerate(years):
            part = rows.filter(pl.col("_year") == y)
            table[i, _day_index(part[DATE].to_numpy(), y)] = part["_row"].to_numpy()
            length = 366 if calendar.isleap(y) else 365
            table[i, length:] = table[i, length - 1]  # a shift past 31 December stays on 31 December
        # draw from the years that hold most of the remaining days (not a year the data only begins in)
        covered = (table[:, np.clip(offsets, 0, 366)] >= 0).mean(axis=1)
        usable = np.flatnonzero(covered >= MIN_HISTORY_COVERAGE)
        if usable.size:
            table = table[usable]
        pick_year = rng.integers(0, len(table), size=(method.n_sims, n_blocks))
        shift = rng.integers(-method.jitter_days, method.jitter_days + 1, size=(method.n_sims, n_blocks))
        # each day of a block: the drawn year, the block's first day + shift + the day's place in the block
        block_start = offsets[block_of_day * method.block_days]
        source_day = np.clip(block_start[None, :] + shift[:, block_of_day] + within[None, :], 0, 365)
        rows_drawn = table[pick_year[:, block_of_day], source_day]
        pieces.append(
            pl.DataFrame(
                {
                    by: [entity] * rows_drawn.size,
                    "sim": np.repeat(np.arange(method.n_sims, dtype=np.int32), n_rest),
                    DATE: np.tile(rest.to_numpy(), method.n_sims),
                    "_row": rows_drawn.ravel(),
                }
            )
        )
    if not pieces:
        return pl.DataFrame()
    drawn = pl.concat(pieces)
    values = hist.select("_row", *cols).with_columns(pl.col("_row").cast(pl.Int64))
    if method.trend == "linear":
        factors = trend_factors(history, year, by)
        values = (
            hist.select("_row", by, pl.col("_year").cast(pl.Int32), *cols)
            .with_columns(pl.col("_row").cast(pl.Int64))
            .join(factors, on=[by, "_year"], how="left")
            .select("_row", *[pl.col(p) * pl.col(f"f_{p}").fill_null(1.0) for p in cols])
        )
    return drawn.join(values, on="_row", how="left").drop("_row").with_columns(pl.col(DATE).cast(pl.Date))


def condition(rest: np.ndarray, met: np.ndarray, level: float = DEFAULT_LEVEL) -> dict:
    """The read of the outlook for one entity and target, from its simulated years: ``rest`` the
    rest-of-year quantity of each (NaN where it has none), ``met`` whether the year met the target.

    The bound is the largest whole number N such that

    - among the simulated years with ``rest`` ≤ N, the share meeting the target is at least ``level``, and
    - at least one simulated year with ``rest`` in (N − 1, N] (a day count: exactly N) meets the target,

    so that N is a rest the simulation shows can still be lived with, not a bound past every year that
    meets the target. ``{"max": N or None, "achieved": that share, "n_sims": years with rest ≤ N}``; ``max``
    is None when no N qualifies (not even a rest of nothing gives the level) or nothing was simulated."""
    rest = np.asarray(rest, dtype=float)
    met = np.asarray(met, dtype=bool)
    keep = ~np.isnan(rest)
    rest, met = rest[keep], met[keep]
    none = {"max": None, "achieved": None, "n_sims": 0}
    if not rest.size:
        return none
    grid = np.ceil(rest)  # rest ≤ N ⟺ ceil(rest) ≤ N for a whole N
    for bound in sorted(set(grid[met].tolist()), reverse=True):
        within = grid <= bound
        share = float(met[within].mean())
        if met[within].sum() >= level * within.sum() - 1e-9:
            return {"max": int(bound), "achieved": share, "n_sims": int(within.sum())}
    return none


def rest_of_year(sims: pl.DataFrame, key: str, options: Options = DEFAULT) -> pl.DataFrame:
    """What each simulated rest of the year brings (``key``: one simulated year of one entity): further
    non-good days (valid days with AQI > 100), further heavy days (AQI > 200) — counted by
    :func:`lantian.calc.assessment.day_counts`, as in the assessment — and the mean of the remaining days'
    PM2.5."""
    counts = day_counts(daily_aqi(sims.select(key, DATE, *POLLUTANTS), options), key, options).collect()
    pm25 = sims.group_by(key).agg(pl.col("pm25").mean().alias("rest_pm25"))
    return counts.select(
        key,
        (pl.col("valid_days") - pl.col("good_days")).alias("rest_non_good_days"),
        pl.col("heavy_days").alias("rest_heavy_days"),
    ).join(pm25, on=key, how="left")


def outlook(
    daily: pl.DataFrame,
    year: int,
    as_of: dt.date,
    thresholds: pl.DataFrame,
    method: Method = Method(),
    by: str = CITY,
    options: Options = DEFAULT,
    level: float = DEFAULT_LEVEL,
) -> pl.DataFrame:
    """The outlook of every entity of ``daily`` (daily values; nothing after ``as_of`` is read) against
    ``thresholds`` (``by``, ``target``, ``threshold``): one row per entity and target with ``ytd`` (the
    published value so far), ``expected`` (mean of the simulated years), ``low``/``high`` (80% interval),
    ``probability`` (share of simulated years meeting the threshold), ``n_sims``, and the read of
    :func:`condition` at ``level``: ``condition_max`` (the bound; None where it has none),
    ``condition_achieved`` and ``condition_n_sims``."""
    if method.trend not in TRENDS:
        raise ValueError(f"trend must be one of {', '.join(TRENDS)}")
    if not 0 < level < 1:
        raise ValueError(f"the probability level of the outlook's read must lie between 0 and 1, not {level}")
    seen = daily.filter(pl.col(DATE) <= as_of)
    ytd_days = seen.filter(pl.col(DATE).dt.year() == year)
    ytd = assess(ytd_days, Period.between(dt.date(year, 1, 1), as_of), by, options)
    sims = simulate_rest(seen, year, as_of, method, by)
    key = "_entity_sim"
    # the real days so far, once per simulated year, then the simulated rest: one year per (entity, sim)
    cols = [p for p in POLLUTANTS if p in ytd_days.columns]
    copies = ytd_days.select(by, DATE, *cols).join(
        pl.DataFrame({"sim": np.arange(method.n_sims, dtype=np.int32)}), how="cross"
    )
    parts = [copies, sims.select(copies.columns)] if not sims.is_empty() else [copies]  # the year is over
    years = pl.concat(parts, how="vertical_relaxed").with_columns(
        pl.concat_str(pl.col(by), pl.lit("\x1f"), pl.col("sim").cast(pl.Utf8)).alias(key)
    )
    entity_of = years.select(key, by, "sim").unique(key).rename({key: CITY}) if by != CITY else None
    # assessed under the city key (the statistics of one simulated year of one entity)
    one_year = years.drop(by, "sim").rename({key: CITY})
    simulated = assess(one_year, Period.of_year(year), CITY, options)
    if not sims.is_empty():
        rest = rest_of_year(
            sims.with_columns(
                pl.concat_str(pl.col(by), pl.lit("\x1f"), pl.col("sim").cast(pl.Utf8)).alias(CITY)
            ).select(CITY, DATE, *cols),
            CITY,
            options,
        )
        simulated = simulated.join(rest, on=CITY, how="left")
    if entity_of is not None:
        simulated = simulated.join(entity_of, on=CITY)
    else:
        simulated = simulated.with_columns(pl.col(CITY).str.split("\x1f").list.first())
    out = []
    for target, (column, _, decimals) in TARGETS.items():
        thr = thresholds.filter(pl.col("target") == target).select(by, "threshold")
        if thr.is_empty():
            continue
        valid = pl.col(VALIDITY[target]).fill_null(False)
        value = pl.when(valid).then(pl.col(column).cast(pl.Float64))
        rest_col = CONDITIONS.get(target, (None,))[0]
        rest_expr = (
            pl.col(rest_col).cast(pl.Float64) if rest_col in simulated.columns else pl.lit(None, pl.Float64)
        )
        per_sim = simulated.select(by, value.alias("value"), rest_expr.alias("rest")).join(thr, on=by)
        enough = pl.col("value").is_not_null().mean() >= MIN_VALID_SHARE
        summary = per_sim.group_by(by).agg(
            expected=pl.when(enough).then(pl.col("value").mean()),
            low=pl.when(enough).then(pl.col("value").quantile(LOW_Q, "linear")),
            high=pl.when(enough).then(pl.col("value").quantile(HIGH_Q, "linear")),
            probability=pl.when(enough).then(meets(pl.col("value"), pl.col("threshold"), target).mean()),
            valid_share=pl.col("value").is_not_null().mean(),
            n_sims=pl.len(),
        )
        shown = decimals + 1 if target == "heavy_days" else decimals  # an expected day count has a decimal
        reads = []
        for (entity,), part in per_sim.group_by([by]):
            met = part.select(meets(pl.col("value"), pl.col("threshold"), target))["value"].to_numpy()
            c = condition(part["rest"].fill_null(float("nan")).to_numpy(), met, level)
            reads.append(
                {
                    by: entity,
                    "condition_max": c["max"],
                    "condition_achieved": c["achieved"],
                    "condition_n_sims": c["n_sims"],
                }
            )
        read_schema = {
            by: pl.Utf8,
            "condition_max": pl.Int64,
            "condition_achieved": pl.Float64,
            "condition_n_sims": pl.Int64,
        }
        read = pl.DataFrame(reads, schema=read_schema)
        if target not in CONDITIONS:
            read = read.with_columns(
                pl.lit(None, pl.Int64).alias("condition_max"),
                pl.lit(None, pl.Float64).alias("condition_achieved"),
                pl.lit(0, pl.Int64).alias("condition_n_sims"),
            )
        rows = (
            thr.join(ytd.select(by, pl.col(column).cast(pl.Float64).alias("ytd")), on=by, how="left")
            .join(summary, on=by, how="left")
            .join(read, on=by, how="left")
            .with_columns(
                [round_half_even(pl.col(c), shown) for c in ("expected", "low", "high")],
                target=pl.lit(target),
                ytd_meets=meets(pl.col("ytd"), pl.col("threshold"), target),
            )
        )
        out.append(rows)
    columns = [
        by,
        "target",
        "threshold",
        "ytd",
        "ytd_meets",
        "expected",
        "low",
        "high",
        "probability",
        "n_sims",
        "condition_max",
        "condition_achieved",
        "condition_n_sims",
    ]
    if not out:
        return pl.DataFrame(schema={c: pl.Utf8 for c in columns})
    return pl.concat([o.select(columns) for o in out], how="vertical_relaxed").sort(by, "target")


def not_worse_than_last_year(
    daily: pl.DataFrame, year: int, by: str = CITY, options: Options = DEFAULT
) -> pl.DataFrame:
    """The default targets (只降不升): each published value of ``year`` − 1 as this year's threshold."""
    last = assess(daily, Period.of_year(year - 1), by, options)
    # a statistic of last year short of the validity minimum (数据不足) sets no threshold
    return pl.concat(
        [
            last.select(
                by,
                pl.lit(t).alias("target"),
                pl.when(pl.col(VALIDITY[t]).fill_null(False))
                .then(pl.col(c).cast(pl.Float64))
                .alias("threshold"),
            )
            for t, (c, _, _) in TARGETS.items()
        ]
    ).drop_nulls("threshold")


def brier(probability: pl.Series, outcome: pl.Series) -> float:
    """Brier score: mean squared difference of the forecast probability and the outcome (1 met, 0 not)."""
    return float(((probability.cast(pl.Float64) - outcome.cast(pl.Float64)) ** 2).mean())
