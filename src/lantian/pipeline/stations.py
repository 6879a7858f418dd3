"""Stations seen in the data that a city value leaves out (``lantian assess --explain``, ``lantian data
status``): control points (对照点), hours before a station's ``valid_from`` or after its ``valid_to``, and
stations not in the registry. The rules are those of the registry (:mod:`lantian.io.stations`)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lantian.io import stations as st
from lantian.io.dataset import Dataset
from lantian.schema import natural_day_expr


def excluded_stations(
    ds: Dataset, city: str | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    """Stations with hourly data in ``start``..``end`` (natural days; all data when not given) that do not
    count toward their city's value on some of those days, with why; ``city``: only that city's."""
    hourly = ds.scan_hourly(start=start, end=end).select("station_code", day=natural_day_expr("time"))
    seen = hourly.group_by("station_code").agg(first=pl.col("day").min(), last=pl.col("day").max()).collect()
    if start is not None:
        seen = seen.with_columns(first=pl.max_horizontal("first", pl.lit(start)))
    if end is not None:
        seen = seen.with_columns(last=pl.min_horizontal("last", pl.lit(end)))
    return st.excluded(ds.stations(), seen, city)
