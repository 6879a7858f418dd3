"""GB/T 8170 rounding, exact on decimal values (spec §1.3; worked examples §11.4 D10–D12)."""

from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lantian.calc.rounding import round_decimal, round_half_even

# spec §11.4 D10 (→ integer), D11 (→ 1 decimal, CO), D12 (→ 2 decimals, composite index)
CASES = [
    ("2.5", 0, "2"), ("3.5", 0, "4"), ("2.51", 0, "3"), ("60.5", 0, "60"), ("61.5", 0, "62"),
    ("1.25", 1, "1.2"), ("1.35", 1, "1.4"), ("1.251", 1, "1.3"),
    ("3.055", 2, "3.06"), ("3.065", 2, "3.06"),
    # binary representation errors must not leak: 2.675 is stored as 2.67499999…
    ("2.675", 2, "2.68"), ("0.285", 2, "0.28"), ("1.005", 2, "1.0"),
]


@pytest.mark.parametrize(("value", "decimals", "expected"), CASES)
def test_worked_examples_vectorised(value, decimals, expected):
    got = pl.select(round_half_even(pl.lit(float(value)), decimals)).item()
    assert Decimal(repr(got)) == Decimal(expected)


@pytest.mark.parametrize(("value", "decimals", "expected"), CASES)
def test_worked_examples_scalar(value, decimals, expected):
    assert round_decimal(value, decimals) == Decimal(expected)
    assert round_decimal(float(value), decimals) == Decimal(expected)


def test_negative_and_null():
    out = pl.DataFrame({"x": [-2.5, -3.5, -2.51, None]}).select(round_half_even(pl.col("x"), 0))
    assert out["x"].to_list() == [-2.0, -4.0, -3.0, None]


def test_exact_means_of_hourly_values():
    # A daily mean of 24 integer hours that is exactly x.5 rounds to even (GB/T 8170 one-step rule).
    hours = [60] * 12 + [61] * 12  # mean 60.5
    mean = pl.DataFrame({"v": hours}).select(pl.col("v").mean())
    assert pl.select(round_half_even(pl.lit(mean.item()), 0)).item() == 60.0


decimal_strings = st.builds(
    lambda units, frac, digits: f"{units}.{str(frac).zfill(digits)[:digits]}",
    st.integers(min_value=0, max_value=99999),
    st.integers(min_value=0, max_value=999999),
    st.integers(min_value=1, max_value=6),
)


@given(decimal_strings, st.integers(min_value=0, max_value=3))
def test_equals_python_decimal_half_even(text, decimals):
    expected = Decimal(text).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    got = pl.select(round_half_even(pl.lit(float(text)), decimals)).item()
    assert Decimal(repr(got)).quantize(Decimal(1).scaleb(-decimals)) == expected
    assert round_decimal(text, decimals) == expected
