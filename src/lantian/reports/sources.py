"""Where each report gets its figures: the same library calls as the commands that print them.

=========  =======================================================  =================================
Report     Library call                                             Same figures as
=========  =======================================================  =================================
daily      :func:`lantian.pipeline.aqi.daily_rows`                  ``lantian aqi compute FILE
                                                                    --kind daily``
weekly…   :func:`lantian.reports.assemble.build_report` (table in       ``lantian assess``, ``rank``,
annual    :mod:`lantian.reports.assemble`)                          ``targets``, ``cycle``
=========  =======================================================  =================================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lantian.errors import InputError
from lantian.reports.spec import KINDS, Document
from lantian.schema import city_name


def _day(period: str) -> dt.date:
    try:
        return dt.date.fromisoformat(period)
    except ValueError as exc:
        raise InputError(f"--period {period!r}: a daily bulletin needs a date, e.g. 2016-01-05") from exc


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
        from lantian.pipeline.aqi import daily_rows

        city_row, station_rows = daily_rows(Path(input), city, day)
        name = city_name(city)
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
