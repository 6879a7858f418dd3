"""GB/T 8170 rounding (数值修约), exact on decimal values — the one place rounding lives.

GB/T 8170 rounds half to even on the decimal representation (四舍六入五成双), in one step from the
unrounded value. A binary float cannot hold most decimals exactly (2.675 is stored as 2.67499…),
so rounding the float itself would round its representation error. Here every value is first
recovered as a decimal with :data:`DECIMAL_DIGITS` fractional digits (an exact integer at scale
10⁹), and the rounding is done on that integer. Values read from files (decimal strings) and means
of such values over up to a few thousand inputs are recovered exactly; see ``docs/rounding.md``.

The IAQI and AQI are not rounded this way: they are always rounded up (HJ 633—2012 §6.2,
HJ 633—2026 §4.2.6); see :mod:`lantian.calc.aqi`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import polars as pl

from lantian.schema import DECIMALS

#: Fractional digits kept when a float is read back as a decimal.
DECIMAL_DIGITS = 9
SCALE = 10**DECIMAL_DIGITS


def scaled(expr: pl.Expr) -> pl.Expr:
    """The value as an exact integer count of 10⁻⁹ units (Int64)."""
    value = expr.cast(pl.Float64)
    # NaN and ±inf (e.g. a rate over zero valid days) have no decimal value: they become null.
    return pl.when(value.is_finite()).then(value * float(SCALE)).round(0).cast(pl.Int64)


def scaled_constant(value: float | int | str) -> int:
    """A table constant at the same scale, exactly."""
    return int(Fraction(str(value)) * SCALE)


def round_half_even_scaled(expr: pl.Expr, decimals: int) -> pl.Expr:
    """GB/T 8170 rounding to ``decimals`` places, returned as an exact Int64 at scale 10⁹."""
    if not 0 <= decimals <= DECIMAL_DIGITS:
        raise ValueError(f"decimals must be between 0 and {DECIMAL_DIGITS}, got {decimals}")
    unit = 10 ** (DECIMAL_DIGITS - decimals)
    xs = scaled(expr)
    q = xs // unit  # floor division: remainder is non-negative, so negatives round symmetrically
    twice_r = (xs - q * unit) * 2
    return pl.when(twice_r > unit).then(q + 1).when(twice_r == unit).then(q + q % 2).otherwise(q) * unit


def half_even_units(values: np.ndarray, decimals: int, out: np.ndarray | None = None) -> np.ndarray:
    """GB/T 8170 rounding of a float array to ``decimals`` places, as a float count of 10⁻ᵈ units.

    Equal to ``round_half_even_scaled(x, decimals) // 10**(9 - decimals)`` for |x| < 9·10⁶, in three
    array operations: ``s = round(x·10⁹)`` is the exact decimal integer (|s| < 2⁵³), and ``s / 10⁹⁻ᵈ``
    is a correctly rounded quotient of exact integers — exactly ``k + ½`` when the decimal is a tie,
    otherwise at least 10⁻⁹ from it, far more than its rounding error (half an ulp, < 6·10⁻¹¹ below
    10⁶) — so NumPy's half-to-even ``rint`` of it is GB/T 8170 on the decimal. NaN and ±inf pass through.
    ``out``: an array to hold the result (may be ``values`` itself).
    """
    if not 0 <= decimals <= DECIMAL_DIGITS:
        raise ValueError(f"decimals must be between 0 and {DECIMAL_DIGITS}, got {decimals}")
    out = np.multiply(values, float(SCALE), out=out)
    np.rint(out, out=out)
    np.divide(out, float(10 ** (DECIMAL_DIGITS - decimals)), out=out)
    return np.rint(out, out=out)


def round_half_even(expr: pl.Expr, decimals: int) -> pl.Expr:
    """GB/T 8170 rounding of a float column to ``decimals`` places (0–9), exact on decimals.

    >>> import polars as pl
    >>> pl.select(round_half_even(pl.lit(2.675), 2)).item()
    2.68
    """
    if not 0 <= decimals <= DECIMAL_DIGITS:
        raise ValueError(f"decimals must be between 0 and {DECIMAL_DIGITS}, got {decimals}")
    unit = 10 ** (DECIMAL_DIGITS - decimals)
    xs = scaled(expr)
    q = xs // unit  # floor division: remainder is non-negative, so negatives round symmetrically
    twice_r = (xs - q * unit) * 2
    rounded = (
        pl.when(twice_r > unit).then(q + 1).when(twice_r == unit).then(q + q % 2).otherwise(q)
    )
    if decimals == 0:
        return rounded.cast(pl.Float64)
    # q·10⁻ᵈ parsed from its decimal text is the float nearest the decimal (a division by 10ᵈ may be
    # rewritten as a multiplication by 10⁻ᵈ, which is not correctly rounded: 12 × 0.1 = 1.2000000000000002).
    return (rounded.cast(pl.String) + f"e-{decimals}").cast(pl.Float64)


def round_pollutant(expr: pl.Expr, pollutant: str) -> pl.Expr:
    """Round a concentration to its published precision: integers, CO 1 decimal (HJ 633—2026 §4.2.2)."""
    return round_half_even(expr, DECIMALS[pollutant])


def round_decimal(value: Decimal | Fraction | float | int | str, decimals: int) -> Decimal:
    """Scalar GB/T 8170 rounding. Floats are taken as the decimal they print as (``repr``).

    >>> str(round_decimal("3.065", 2)), str(round_decimal(2.5, 0)), str(round_decimal("1.251", 1))
    ('3.06', '2', '1.3')
    """
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    else:
        exact = Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
