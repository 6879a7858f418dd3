"""Profiles of a pollutant for a city or a station over a period (``lantian profile``, the dashboard's
数据分析 page, ``GET /api/v1/profiles``): the mean by hour of day, weekday and month with the count of
values, and where the store holds wind, the mean by wind direction × speed (lantian.calc.profiles).

A city's profiles are those of its hourly series (the mean of its evaluation stations' valid hourly values,
:func:`lantian.calc.averaging.city_hourly`); its polar summary pools its stations' hours, each concentration
with the wind measured with it. Means are shown to one decimal more than the published concentrations
(:data:`lantian.schema.DECIMALS`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lantian.calc import profiles as calc
from lantian.calc.averaging import city_hourly
from lantian.errors import InputError, NotFound
from lantian.io.dataset import Dataset
from lantian.jsonable import to_jsonable
from lantian.periods import Period, parse_period
from lantian.pipeline.assessment import city_stations
from lantian.schema import (
    CITY,
    COMPASS_16,
    COMPASS_16_ZH,
    DECIMALS,
    NAMES_EN,
    POLLUTANTS,
    STATION,
    TIME,
    UNITS,
    city_key,
)

#: Pollutants whose hourly values the profiles take (the six 1-hour values of the store).
PROFILE_POLLUTANTS: tuple[str, ...] = POLLUTANTS

MONTHS_ZH = tuple(f"{m}月" for m in range(1, 13))


def _period(ds: Dataset, text: str, codes: list[str]) -> Period:
    as_of = None
    if str(text).strip().lower() == "ytd":
        last = ds.scan_hourly(stations=codes).select(pl.col(TIME).max()).collect().item()
        as_of = (last - dt.timedelta(hours=1)).date() if last else None
        if as_of is None:
            raise NotFound("没有小时数据，无法确定“ytd”的截止日：请先导入数据或给出具体时段（如 2016-01）")
    return parse_period(text, as_of=as_of)


def _station(ds: Dataset, station: str) -> dict:
    """The registry row of a station named by its code or its name (a code seen only in the data counts)."""
    reg = ds.stations()
    s = station.strip()
    hit = reg.filter((pl.col(STATION) == s) | (pl.col("name") == s))
    if hit.height > 1:
        hit = hit.filter(pl.col(STATION) == s)
    if hit.height == 1:
        return hit.row(0, named=True)
    if ds.scan_hourly(stations=[s]).select(pl.len()).collect().item():
        return {STATION: s, "name": None, CITY: None}
    raise NotFound(
        f"站点“{station}”不在站点表中，也没有小时数据：请用 lantian stations list 查看站点编码",
        en=f"station {station!r} is neither registered nor in the hourly data: see lantian stations list",
    )


def _rounded(v: float | None, pollutant: str) -> float | None:
    return None if v is None else round(v, DECIMALS[pollutant] + 1)


def _rows(frame: pl.DataFrame, key: str, labels: dict[int, tuple[str, str]], pollutant: str) -> list[dict]:
    return [
        {
            key: r[key],
            "label_zh": labels[r[key]][0],
            "label_en": labels[r[key]][1],
            "mean": _rounded(r["mean"], pollutant),
            "n": r["n"],
        }
        for r in frame.iter_rows(named=True)
    ]


def profiles(
    ds: Dataset, period_text: str, pollutant: str, *, city: str | None = None, station: str | None = None
) -> dict:
    """Profiles of ``pollutant`` for ``city`` or ``station`` over ``period_text`` (one JSON-ready dict)."""
    p = (pollutant or "").strip().lower().replace(".", "").replace("_", "")
    if p not in PROFILE_POLLUTANTS:
        raise InputError(
            f"不认识的污染物“{pollutant}”：可选 {'、'.join(PROFILE_POLLUTANTS)}",
            en=f"unknown pollutant {pollutant!r}: choose one of {', '.join(PROFILE_POLLUTANTS)}",
        )
    if bool(city) == bool(station):
        raise InputError(
            "请给出城市（--city）或站点（--station）之一",
            en="give either a city (--city) or a station (--station)",
        )
    if station:
        row = _station(ds, station)
        codes, name, where = [row[STATION]], row.get("name"), row.get(CITY)
        period = _period(ds, period_text, codes)
        hours = ds.scan_hourly(stations=codes, start=period.start, end=period.end)
        series = hours
    else:
        reg = city_stations(ds, city)
        if reg.is_empty():
            raise NotFound(
                f"站点表中没有城市“{city}”的站点：请先导入该城市的数据或站点表（lantian stations import）",
                en=f"no stations of {city!r} in the registry: ingest its data or its station list first",
            )
        codes, name, where = reg[STATION].to_list(), None, city_key(city)
        period = _period(ds, period_text, codes)
        hours = ds.scan_hourly(stations=codes, start=period.start, end=period.end)
        series = city_hourly(hours.select(STATION, TIME, p), reg)
        # the polar summary takes the evaluation stations' own hours (control points left out)
        evaluation = reg.filter(~pl.col("is_control").fill_null(False))[STATION].to_list()
        hours = hours.filter(pl.col(STATION).is_in(evaluation))
    t = calc.time_profiles(series, p)
    n_values = int(t["hour"]["n"].sum()) if t["hour"].height else 0
    polar = calc.polar_summary(hours, p)
    hour_labels = {h: (f"{h}时", f"{h:02d}h") for h in range(1, 25)}
    weekday_labels = {i + 1: (calc.WEEKDAYS_ZH[i], calc.WEEKDAYS_EN[i]) for i in range(7)}
    month_labels = {m: (MONTHS_ZH[m - 1], dt.date(2000, m, 1).strftime("%b")) for m in range(1, 13)}
    bins = calc.speed_bin_labels()
    return to_jsonable(
        {
            "city": where,
            "station": station and codes[0],
            "station_name": name,
            "period": period.label,
            "period_zh": period.label_zh(),
            "start": period.start,
            "end": period.end,
            "pollutant": p,
            "pollutant_name": NAMES_EN[p],
            "unit": UNITS[p],
            "n_values": n_values,
            "hour_convention": "hour-ending: hour h is the mean over (h−1):00–h:00; 24 = the hour ending at 00:00",
            "by_hour": _rows(t["hour"], "hour", hour_labels, p),
            "by_weekday": _rows(t["weekday"], "weekday", weekday_labels, p),
            "by_month": _rows(t["month"], "month", month_labels, p),
            "polar": {
                "has_wind": polar.height > 0,
                "n_values": int(polar["n"].sum()) if polar.height else 0,
                "sectors": list(COMPASS_16),
                "sectors_zh": list(COMPASS_16_ZH),
                "speed_bins": [
                    {"bin": i, "from": lo, "label": f"{bins[i]} m/s"} for i, lo in enumerate(calc.SPEED_EDGES)
                ],
                "cells": [
                    {
                        "sector": COMPASS_16[r["sector"]],
                        "sector_zh": COMPASS_16_ZH[r["sector"]],
                        "sector_index": r["sector"],
                        "speed_bin": r["speed_bin"],
                        "mean": _rounded(r["mean"], p),
                        "n": r["n"],
                    }
                    for r in polar.iter_rows(named=True)
                ],
            },
        }
    )


def analysis_scopes(ds: Dataset) -> dict:
    """What the analysis can be asked about: the registry's cities whose stations have hours, and the
    stations whose hours carry wind, each with its first and last natural day of data."""
    lf = ds.scan_hourly().select(
        STATION,
        (pl.col(TIME) - pl.duration(hours=1)).dt.date().alias("day"),
        (
            pl.col("wind_speed").is_not_null()
            & (pl.col("wind_deg").is_not_null() | pl.col("wind_dir").is_not_null())
        ).alias("wind"),
    )
    per = (
        lf.group_by(STATION)
        .agg(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"), pl.col("wind").any())
        .collect()
    )
    reg = ds.stations().select(STATION, "name", CITY)
    per = per.join(reg, on=STATION, how="left").sort(STATION)
    cities = (
        per.filter(pl.col(CITY).is_not_null())
        .group_by(CITY)
        .agg(pl.col("first").min(), pl.col("last").max())
        .sort(CITY)
    )
    windy = per.filter(pl.col("wind"))
    return to_jsonable(
        {
            "cities": cities.to_dicts(),
            "wind_stations": windy.select(STATION, "name", CITY, "first", "last").to_dicts(),
        }
    )
