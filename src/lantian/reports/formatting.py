"""Display of table cells. Values arrive rounded by the pipeline; display never rounds again.

A value is written with the number of decimals its format publishes (GB/T 8170 applied by
:func:`lantian.pipeline.figures.published_text`, which leaves an already rounded value unchanged).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lantian.pipeline.figures import published_text
from lantian.reports.spec import Column
from lantian.schema import DECIMALS

DASH = "—"

#: Decimals of each numeric format (``conc``: from the pollutant of the row).
FORMAT_DECIMALS: dict[str, int] = {"int": 0, "dec1": 1, "dec2": 2, "pct1": 1, "signed_pct1": 1}


def decimals_of(column: Column, row: dict) -> int | None:
    """Decimals a cell is published with, or ``None`` for text and dates."""
    if column.fmt == "conc":
        code = column.pollutant or str(row.get(column.pollutant_key) or "")
        code = code.lower().replace(".", "").replace("-", "_")
        return DECIMALS.get(code, 0)
    return FORMAT_DECIMALS.get(column.fmt)


def _fixed(value: float | int | Decimal, decimals: int) -> str:
    return published_text(value, decimals)


def format_cell(value, column: Column, row: dict) -> str:
    """Text of one cell: ``None`` → ``—``; numbers with their published decimals."""
    if value is None:
        return DASH
    if column.fmt == "text" or isinstance(value, str):
        return str(value)
    if column.fmt == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, bool):
        return str(value)
    decimals = decimals_of(column, row)
    text = _fixed(value, decimals or 0)
    if column.fmt == "pct1":
        return f"{text}%"
    if column.fmt == "signed_pct1":
        return f"+{text}%" if Decimal(text) > 0 else f"{text}%"
    return text


def format_number(value, decimals: int, sign: bool = False, percent: bool = False) -> str:
    """A number in running text, e.g. ``format_number(-11.42, 1, sign=True, percent=True)`` → ``-11.4%``."""
    if value is None:
        return DASH
    text = _fixed(value, decimals)
    if sign and Decimal(text) > 0:
        text = "+" + text
    return text + ("%" if percent else "")
