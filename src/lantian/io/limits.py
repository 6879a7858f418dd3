"""Physical plausibility limits of stored concentrations, shared by the store's validation and the readers.

Above these a value is an instrument or transcription error, not air: the highest hourly PM10 of dust
storms stays below 10 000 µg/m³. Negative concentrations are never air either.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from lantian import config

MAX_UG = 10_000.0  # µg/m³
MAX_CO = 1_000.0  # mg/m³
CO_COLUMNS = ("co", "co_24h")


#: Plausible ranges of the meteorological values (lantian.schema.METEOROLOGY): beyond the records of
#: surface stations (-89 °C … 57 °C, sea-level pressure 870–1085 hPa, about 300 mm of rain in an hour).
METEOROLOGY_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (-90.0, 60.0),
    "pressure": (300.0, 1100.0),
    "dew_point": (-100.0, 60.0),
    "rain": (0.0, 500.0),
    "wind_deg": (0.0, 360.0),
    "wind_speed": (0.0, 120.0),
}


def value_conditions(columns: list[str]) -> list[tuple[pl.Expr, pl.Expr]]:
    """``(condition, reason)`` pairs that reject a row with an implausible value in one of ``columns``
    (a concentration, or a meteorological value outside :data:`METEOROLOGY_RANGES`)."""
    return list(_value_conditions(tuple(columns)))


def value_screen(columns: list[str]) -> pl.Expr:
    """A boolean expression true on every row where one of :func:`value_conditions` holds: the smallest
    concentration negative, the largest of those with one limit above it, or a NaN (which compares
    greater than any number, so ``NaN > limit`` holds); the meteorological conditions as they are.
    Cheaper than testing every condition of every column."""
    return _value_screen(tuple(columns))


@functools.lru_cache(maxsize=256)
def _value_screen(columns: tuple[str, ...]) -> pl.Expr:
    conc = [c for c in columns if c not in METEOROLOGY_RANGES]
    parts = [cond for cond, _ in _value_conditions(tuple(c for c in columns if c in METEOROLOGY_RANGES))]
    if conc:
        parts.append((pl.min_horizontal(conc) < 0) | pl.sum_horizontal(conc).is_nan())
    for limit in (MAX_UG, MAX_CO):
        group = [c for c in conc if (MAX_CO if c in CO_COLUMNS else MAX_UG) == limit]
        if group:
            parts.append(pl.max_horizontal(group) > limit)
    return pl.any_horizontal([p.fill_null(False) for p in parts]) if parts else pl.lit(False)


@functools.lru_cache(maxsize=256)
def _value_conditions(columns: tuple[str, ...]) -> tuple[tuple[pl.Expr, pl.Expr], ...]:
    conditions = []
    for c in columns:
        if c in METEOROLOGY_RANGES:
            lo, hi = METEOROLOGY_RANGES[c]
            conditions.append(
                (
                    (pl.col(c) < lo) | (pl.col(c) > hi),
                    pl.format(
                        "implausible value in {} (outside {}–{}): {}",
                        pl.lit(c),
                        pl.lit(lo),
                        pl.lit(hi),
                        pl.col(c),
                    ),
                )
            )
            continue
        conditions.append((pl.col(c) < 0, pl.format("negative value in {}: {}", pl.lit(c), pl.col(c))))
        limit = MAX_CO if c in CO_COLUMNS else MAX_UG
        conditions.append(
            (pl.col(c) > limit, pl.format("physically impossible value in {}: {}", pl.lit(c), pl.col(c)))
        )
    return tuple(conditions)


# -- input limits: what no real monitoring file reaches, refused before it can exhaust memory ---------------
# Settings of the [ingest] table (lantian.config.REGISTRY): max_columns, max_line_chars,
# max_decompressed_mib, max_gzip_ratio; the constants are their defaults.

#: Columns of a table (a national release has about 30, a wide generic table a few dozen).
MAX_COLUMNS: int = config.SETTINGS["max_columns"].default
#: Characters of one line (a release line is about 200).
MAX_LINE_CHARS: int = config.SETTINGS["max_line_chars"].default
#: Bytes a gzip file may decompress to, and the largest ratio of decompressed to compressed size once
#: the output passes ``RATIO_FROM_BYTES`` (monitoring CSVs compress about 5–15×).
MAX_DECOMPRESSED_BYTES: int = config.SETTINGS["max_decompressed_mib"].default * 1024**2
MAX_RATIO: int = config.SETTINGS["max_gzip_ratio"].default
RATIO_FROM_BYTES = 16 * 1024**2


@dataclass(frozen=True)
class InputLimits:
    """The input limits in force."""

    max_columns: int = MAX_COLUMNS
    max_line_chars: int = MAX_LINE_CHARS
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES
    max_ratio: int = MAX_RATIO


def in_force() -> InputLimits:
    """The limits of the settings in force (environment, lantian.toml, defaults), read at each file."""
    settings = config.load()
    return InputLimits(
        max_columns=settings.value("max_columns"),
        max_line_chars=settings.value("max_line_chars"),
        max_decompressed_bytes=settings.value("max_decompressed_mib") * 1024**2,
        max_ratio=settings.value("max_gzip_ratio"),
    )
