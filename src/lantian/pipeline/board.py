"""Where we stand: the provincial board (全省城市排名看板) — every city of a group for one day and for the
year to date, ranked by composite index and by its change as the provincial notices rank them, and, where
the store has station hours, by the AQI of the newest hour. Each ranking is :func:`figures.ranking` itself:
the board and ``lantian rank`` give the same rows for the same period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lantian.errors import NotFound
from lantian.io.dataset import Dataset
from lantian.jsonable import to_jsonable
from lantian.pipeline import figures
from lantian.pipeline.assessment import group_members, last_day
from lantian.standards import DEFAULT, Options


@dataclass(frozen=True)
class Board(figures._Result):
    group: str
    as_of: dt.date
    #: the day ``as_of``, ranked by its composite index
    day: figures.Ranking
    #: 1 January … ``as_of``, ranked by composite index and by its change from the same days last year
    ytd_index: figures.Ranking
    ytd_change: figures.Ranking | None
    #: the newest hour of each city with station hours, ranked by AQI (low first; ties share a rank)
    hour: list[dict]


def _hours(ds: Dataset, cities: list[str]) -> list[dict]:
    rows = []
    for city in cities:
        now = figures.city_hour(ds, city)
        if now is not None and now.value.get("aqi") is not None:
            rows.append(
                {"city": now.city, "time": now.time, **{k: now.value.get(k) for k in ("aqi", "level")}}
            )
    if not rows:
        return []
    frame = (
        pl.DataFrame(rows).with_columns(rank=pl.col("aqi").rank("min").cast(pl.Int32)).sort("rank", "city")
    )
    return to_jsonable(frame.to_dicts())


def board(
    ds: Dataset,
    group: str,
    as_of: dt.date | None = None,
    groups_file: str | Path | None = None,
    options: Options = DEFAULT,
) -> Board:
    """The board of ``group`` as of ``as_of`` (default: the newest day with data among its cities)."""
    cities = group_members(ds, group, groups_file)
    if as_of is None:
        days = [d for d in (last_day(ds, c) for c in cities) if d is not None]
        if not days:
            raise NotFound(
                f"{group} 的城市在数据存储中均无数据；请先用 lantian ingest 导入。",
                en=f"no city of {group} has data in the store; ingest data first (lantian ingest).",
            )
        as_of = max(days)
    ytd = f"{as_of.year}-01-01..{as_of.isoformat()}"
    try:
        change = figures.ranking(ds, group, ytd, "change", groups_file, None, options)
    except NotFound:
        change = None  # no data a year before
    return Board(
        group=group,
        as_of=as_of,
        day=figures.ranking(ds, group, as_of.isoformat(), "index", groups_file, None, options),
        ytd_index=figures.ranking(ds, group, ytd, "index", groups_file, None, options),
        ytd_change=change,
        hour=_hours(ds, cities),
    )
