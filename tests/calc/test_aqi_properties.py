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
