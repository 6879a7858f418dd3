"""Heavy-pollution warning levels from a daily AQI forecast (spec §8; schemes in
:mod:`lantian.standards.warnings`).

Each city's forecast is cut into episodes: runs of consecutive days with AQI > 200. Each episode
gets the highest level whose conditions it meets (days > 200, days > 300, or AQI reaching 500).
"""

from __future__ import annotations

import polars as pl

from lantian.schema import CITY, DATE
from lantian.standards import DEFAULT, Options
from lantian.standards.warnings import HEAVY_ABOVE, SCHEMES, SEVERE_ABOVE


def episodes(forecast: pl.DataFrame | pl.LazyFrame, options: Options = DEFAULT) -> pl.DataFrame:
    """One row per city and episode: ``start end days_above_200 days_above_300 max_aqi level
    level_zh reason source``; cities with no day above 200 get one row with level null ("no warning")."""
    scheme = SCHEMES[options.warning_scheme]
    lf = forecast.lazy().select(
        pl.col(CITY).cast(pl.String), pl.col(DATE).cast(pl.Date), pl.col("aqi").cast(pl.Int64)
    )
    lf = lf.sort(CITY, DATE).with_columns(heavy=pl.col("aqi") > HEAVY_ABOVE)
    gap = pl.col(DATE).diff().dt.total_days().fill_null(1) != 1
    lf = lf.with_columns(
        run=((pl.col("heavy") != pl.col("heavy").shift(1)) | gap).fill_null(True).cum_sum().over(CITY)
    )
    runs = (
        lf.filter(pl.col("heavy"))
        .group_by(CITY, "run")
        .agg(
            start=pl.col(DATE).min(),
            end=pl.col(DATE).max(),
            days_above_200=pl.len().cast(pl.Int32),
            days_above_300=(pl.col("aqi") > SEVERE_ABOVE).sum().cast(pl.Int32),
            max_aqi=pl.col("aqi").max(),
        )
    )
    level = pl.lit(None, pl.String)
    level_zh = pl.lit(None, pl.String)
    reason = pl.lit(None, pl.String)
    reason_zh = pl.lit(None, pl.String)
    for lv in scheme:  # ascending: the highest level met wins
        met = (pl.col("days_above_200") >= lv.days_above_200) & (
            pl.col("days_above_300") >= lv.days_above_300
        )
        why = f"{lv.days_above_200}+ days AQI > {HEAVY_ABOVE}" + (
            f" and {lv.days_above_300}+ days AQI > {SEVERE_ABOVE}" if lv.days_above_300 else ""
        )
        why_zh = f"AQI>{HEAVY_ABOVE}持续{lv.days_above_200}天及以上" + (
            f"且AQI>{SEVERE_ABOVE}达{lv.days_above_300}天及以上" if lv.days_above_300 else ""
        )
        text, text_zh = pl.lit(why), pl.lit(why_zh)
        if lv.or_aqi_reaches is not None:
            reaches = pl.col("max_aqi") >= lv.or_aqi_reaches
            text = pl.when(met).then(text).otherwise(pl.lit(f"AQI reaches {lv.or_aqi_reaches}"))
            text_zh = pl.when(met).then(text_zh).otherwise(pl.lit(f"AQI达到{lv.or_aqi_reaches}"))
            met = met | reaches
        level = pl.when(met).then(pl.lit(lv.code)).otherwise(level)
        level_zh = pl.when(met).then(pl.lit(lv.name_zh)).otherwise(level_zh)
        reason = pl.when(met).then(text).otherwise(reason)
        reason_zh = pl.when(met).then(text_zh).otherwise(reason_zh)
    runs = runs.with_columns(
        level=level,
        level_zh=level_zh,
        reason=reason,
        reason_zh=reason_zh,
        scheme=pl.lit(options.warning_scheme),
    )
    cities = lf.select(CITY).unique()
    quiet = cities.join(runs.select(CITY), on=CITY, how="anti").with_columns(
        reason=pl.lit(f"no day with AQI > {HEAVY_ABOVE}"), scheme=pl.lit(options.warning_scheme)
    )
    out = pl.concat([runs.drop("run"), quiet], how="diagonal_relaxed").collect()
    return out.with_columns(
        pl.when(pl.col("level").is_null() & pl.col("days_above_200").is_not_null())
        .then(pl.lit("below the lowest level of the scheme"))
        .otherwise(pl.col("reason"))
        .alias("reason")
    ).sort(CITY, "start", nulls_last=True)


def level_of(aqis: list[int], options: Options = DEFAULT) -> str | None:
    """Warning level of one consecutive forecast sequence (the highest over its episodes)."""
    import datetime as dt

    day0 = dt.date(2000, 1, 1)
    frame = pl.DataFrame(
        {CITY: ["x"] * len(aqis), DATE: [day0 + dt.timedelta(days=i) for i in range(len(aqis))], "aqi": aqis}
    )
    eps = episodes(frame, options)
    order = {lv.code: lv.rank for lv in SCHEMES[options.warning_scheme]}
    levels = [lv for lv in eps["level"].to_list() if lv is not None]
    return max(levels, key=order.__getitem__) if levels else None
