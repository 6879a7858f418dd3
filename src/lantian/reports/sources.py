"""Where each report gets its figures: the same library calls as the commands that print them.

=========  =======================================================  =================================
Report     Library call                                             Same figures as
=========  =======================================================  =================================
daily      :func:`lantian.io.aqi_input.read_aqi_table` +            ``lantian aqi compute FILE
           :func:`lantian.calc.aqi.aqi_frame` (``kind="daily"``)     --kind daily``
weekly…   :func:`lantian.reports.assemble.build_report` (table in       ``lantian assess``, ``rank``,
annual    :mod:`lantian.reports.assemble`)                          ``targets``, ``cycle``
=========  =======================================================  =================================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lantian.errors import InputError
from lantian.reports.spec import KINDS, Document


def _day(period: str) -> dt.date:
    try:
        return dt.date.fromisoformat(period)
    except ValueError as exc:
        raise InputError(f"--period {period!r}: a daily bulletin needs a date, e.g. 2016-01-05") from exc


def _city_names(city: str) -> set[str]:
    base = city.removesuffix("市")
    return {base, f"{base}市"}


def daily_rows(path: Path, city: str, day: dt.date) -> tuple[dict | None, list[dict]]:
    """City and station rows of one day from a daily concentration table, graded as
    ``lantian aqi compute FILE --kind daily`` grades them (HJ 633 daily AQI, edition by date)."""
    from lantian.calc.aqi import aqi_frame
    from lantian.io.aqi_input import read_aqi_table

    frame, meta = read_aqi_table(path)
    if meta["kind"] != "daily":
        raise InputError(f"{path}: the daily bulletin needs daily rows (a 'date' column), not hourly ones")
    graded = aqi_frame(frame, kind="daily", regime="auto", time_col="_when")
    graded = graded.filter(pl.col("_when") == day)
    id_col = meta["id_column"]
    if id_col is None:
        raise InputError(f"{path}: add a 'city' or 'station' column to tell the rows apart")
    rows = graded.drop("date", strict=False).rename({"_when": "date"}).to_dicts()
    city_rows = [r for r in rows if id_col == "city" and str(r.get("city")) in _city_names(city)]
    if id_col == "city" and not city_rows:
        known = sorted({str(r.get("city")) for r in graded.to_dicts()})
        raise InputError(f"{path}: no row for city {city!r} on {day}; cities on that day: {known[:20]}")
    station_rows = [
        {**r, "station_code": r.get("station"), "name": r.get("station")} for r in rows if id_col == "station"
    ]
    if id_col == "station" and not station_rows:
        raise InputError(f"{path}: no station rows on {day}")
    return (city_rows[0] if city_rows else None), station_rows


def build(
    kind: str,
    city: str,
    period: str,
    lang: str = "zh",
    office: str | None = None,
    number: str = "",
    input: Path | None = None,
    **options,
) -> Document:
    """Build a report of ``kind`` for ``city`` and ``period``."""
    if kind not in KINDS:
        raise InputError(f"unknown report {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "daily":
        from lantian.reports.daily import build_daily

        day = _day(period)
        if input is None:
            from lantian.reports.assemble import daily_from_store

            return daily_from_store(options.get("store"), city, day, lang, office, number)
        city_row, station_rows = daily_rows(Path(input), city, day)
        name = city if city.endswith("市") else f"{city}市"
        return build_daily(
            name,
            day,
            city_row,
            station_rows,
            lang=lang,
            office=office,
            number=number,
            sources=[f"lantian aqi compute {input} --kind daily --output OUT.csv"],
        )
    from lantian.reports.assemble import build_report

    return build_report(kind, city, period, lang=lang, office=office, number=number, **options)
