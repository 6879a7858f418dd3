"""Properties of the IAQI (HJ 633 式1 with ceiling rounding) on every breakpoint column of both editions."""

import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lantian.calc.aqi import iaqi_expr
from lantian.standards import get
from lantian.standards._types import IAQI_STEPS

TABLES = [(r, name, t) for r in ("2012", "2026") for name, t in get(r).aqi.tables.items()]
IDS = [f"{r}-{name}" for r, name, _ in TABLES]


def exact_iaqi(table, conc: Fraction) -> int:
    """Independent oracle: 式1 on exact fractions, then ceiling (HJ 633—2012 §6.2)."""
    for lo, hi, i_lo, i_hi in table.segments:
        lo, hi = Fraction(str(lo)), Fraction(str(hi))
        if conc <= hi:
            return math.ceil(Fraction(i_hi - i_lo) / (hi - lo) * (conc - lo) + i_lo)
    return 500


def grade(table, values):
    frame = pl.DataFrame({"c": [float(v) for v in values]}, schema={"c": pl.Float64})
    return frame.select(iaqi_expr(pl.col("c"), table)).to_series().to_list()


@pytest.mark.parametrize(("regime", "name", "table"), TABLES, ids=IDS)
def test_breakpoints_give_their_iaqi_exactly(regime, name, table):
    # Continuity: a value on a breakpoint gives the same IAQI from either adjacent segment.
    assert grade(table, table.concentrations) == list(IAQI_STEPS[: len(table.concentrations)])


@pytest.mark.parametrize(("regime", "name", "table"), TABLES, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_equals_exact_fraction_ceiling_and_is_monotone(regime, name, table, data):
    decimals = 1 if name.startswith("co") else data.draw(st.integers(0, 3))
    top = int(table.top * 10**decimals)
    ints = data.draw(st.lists(st.integers(0, top), min_size=1, max_size=60))
    values = sorted(Fraction(i, 10**decimals) for i in ints)
    got = grade(table, [str(float(v)) for v in values])
    assert got == [exact_iaqi(table, v) for v in values]
    assert got == sorted(got)  # monotone non-decreasing in concentration


# The rounded path (HJ 633—2026 §4.2.2–4.2.3; 2012 with round_inputs_2012, the default) grades a value by
# one table lookup after GB/T 8170 rounding; it must equal the exact oracle on the decimal rounded half to
# even, for every column, including ties (x.5), negative, missing, non-finite and far-above-top values.
@pytest.mark.parametrize(("regime", "name", "table"), TABLES, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_rounded_lookup_equals_oracle_on_rounded_decimal(regime, name, table, data):
    from decimal import ROUND_HALF_EVEN, Decimal

    import numpy as np

    from lantian.calc.aqi import _graded, _lookup_table
    from lantian.standards import DEFAULT

    decimals = 1 if name.startswith("co") else 0
    top = int(table.top * 10**3)
    ints = data.draw(st.lists(st.integers(-2000, top + 3000), min_size=1, max_size=60))
    texts = [str(Decimal(i) / 1000) for i in ints] + [str(table.top) + ".5", "0.5", "1.5", "2.25", "1e7"]
    values = np.array([float(t) for t in texts] + [float("nan"), float("nan"), float("inf")])
    lookup, units_top = _lookup_table(table, decimals, DEFAULT.iaqi_rounding, DEFAULT.above_top_breakpoint)
    graded = _graded(pl.Series(values), lookup, units_top, decimals)
    got = [None if v < 0 else int(v) for v in graded]
    quantum = Decimal(1).scaleb(-decimals)
    want = []
    for t in texts:
        d = Decimal(t)
        rounded = Fraction(d.quantize(quantum, rounding=ROUND_HALF_EVEN))
        want.append(None if rounded < 0 else exact_iaqi(table, rounded))  # -0.001 publishes as 0
    assert got == want + [None, None, None]


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**15), 10**15), st.integers(0, 3))
def test_half_even_units_is_gbt8170_on_the_decimal(scaled_int, decimals):
    # GB/T 8170 四舍六入五成双 on the decimal text (lantian.calc.rounding module docstring).
    from decimal import ROUND_HALF_EVEN, Decimal

    import numpy as np

    from lantian.calc.rounding import half_even_units

    text = str(Decimal(scaled_int).scaleb(-9))
    got = half_even_units(np.array([float(text)]), decimals)[0]
    want = Decimal(text).scaleb(decimals).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert got == float(want)
