"""City ranking (城市环境空气质量排名技术规定; 变化程度排名方案 2017), spec §6.2.

Competition ranking with ties (并列, "1, 2, 2, 4") on the published values: composite index (2 dp)
ascending, PM2.5 ascending, change rate (1 dp) ascending (most improved first), good-day rate
descending. Entities without a valid value are not ranked (``rank`` null, ``excluded`` says why):
a statistic below its data-validity minimum (``valid_<column>`` false, GB 3095 Table 4 / switch
``coverage_min_pct``) is 数据不足 — listed last, as provincial notices do, never given a place.
Change ranking: entities whose every pollutant already meets Grade II are left out of the
deterioration list (spec §6.2 [C2]); they keep their place in the change ranking.
"""

from __future__ import annotations

import polars as pl

from lantian.standards import hj663

BY = tuple(hj663.RANK_COLUMN)


def rank(frame: pl.DataFrame, by: str = "index") -> pl.DataFrame:
    """Rank a frame of assessments (one row per entity). Adds ``rank``, ``excluded`` and, for
    ``by="change"``, ``deterioration_rank``. Sorted by rank, unranked rows last."""
    if by not in hj663.RANK_COLUMN:
        raise ValueError(f"rank by one of {', '.join(BY)}, got {by!r}")
    col = hj663.RANK_COLUMN[by]
    if col not in frame.columns:
        raise ValueError(
            f"ranking by {by} needs the column {col!r} (for change: compare with last year first)"
        )
    descending = hj663.RANK_ORDER[by]
    value = pl.col(col)
    reasons = [pl.when(value.is_null()).then(pl.lit(f"无{col}数值（no {col}）"))]
    if by in ("index", "change") and "index_valid" in frame.columns:
        reasons.append(
            pl.when(~pl.col("index_valid").fill_null(False)).then(
                pl.lit("数据不足：综合指数的统计量未达数据有效性要求（index statistics invalid）")
            )
        )
    validity = {"pm25": "valid_pm25", "pm25_change": "valid_pm25", "good_rate": "valid_good_rate"}.get(by)
    if validity and validity in frame.columns:
        reasons.append(
            pl.when(~pl.col(validity).fill_null(False)).then(
                pl.lit(f"数据不足：{col} 未达数据有效性要求（{col} invalid）")
            )
        )
    if by == "change" and "index_valid_last_year" in frame.columns:
        reasons.append(
            pl.when(~pl.col("index_valid_last_year").fill_null(False)).then(
                pl.lit("数据不足：去年同期的统计量未达数据有效性要求（last year's statistics invalid）")
            )
        )
    excluded = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    out = frame.with_columns(excluded=pl.when(excluded != "").then(excluded))
    out = out.with_columns(insufficient=pl.col("excluded").fill_null("").str.contains("数据不足"))
    ranked = pl.when(pl.col("excluded").is_null()).then(value)
    out = out.with_columns(rank=ranked.rank(method="min", descending=descending).cast(pl.Int32))
    if by == "change":
        attains = pl.col("attains_all").fill_null(False) if "attains_all" in out.columns else pl.lit(False)
        eligible = pl.col("rank").is_not_null() & (value > 0) & ~attains
        out = out.with_columns(
            deterioration_rank=pl.when(eligible)
            .then(value)
            .rank(method="min", descending=True)
            .cast(pl.Int32),
            deterioration_excluded=pl.when(pl.col("rank").is_not_null() & (value > 0) & attains).then(
                pl.lit("attains Grade II: not in the deterioration list")
            ),
        )
    return out.sort("rank", nulls_last=True, maintain_order=True)
