"""What moves a city's composite index over a period (``lantian explain-index``): its parts by pollutant
and the parts of its change from the same period a year before, the months, the stations (contributions to
the city mean and leave-one-station-out) and the days that cost the most (lantian.calc.explain)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from lantian.calc import assessment as calc_assess
from lantian.calc import explain as calc
from lantian.calc.averaging import city_daily as calc_city_daily
from lantian.calc.averaging import daily_values
from lantian.io.dataset import Dataset
from lantian.jsonable import to_jsonable
from lantian.pipeline import station_days
from lantian.pipeline.assessment import assess_city, city_stations
from lantian.schema import CITY, STATION, city_key
from lantian.standards import DEFAULT, Options

#: The item whose station contributions are shown (the city mean that notices discuss most).
STATION_ITEM = "pm25"


def index_parts(row: dict, options: Options = DEFAULT, last_year: dict | None = None) -> list[dict]:
    """The composite index of an assessment row by pollutant, the parts adding up to the published index
    (:func:`lantian.calc.explain.pollutant_parts`): what every chart and table of the index shows."""
    return calc.pollutant_parts(row, options, last_year)


def _row(frame: pl.DataFrame | None) -> dict | None:
    return frame.row(0, named=True) if frame is not None and frame.height else None


def _stations(ds: Dataset, city: str, period, options: Options) -> list[dict]:
    """Station contributions and leave-one-station-out, where the city value comes from station hours."""
    reg = city_stations(ds, city)
    if "is_control" in reg.columns:
        reg = reg.filter(~pl.col("is_control").fill_null(False))
    codes = reg[STATION].to_list()
    if not codes:
        return []
    hourly = ds.scan_hourly(stations=codes, start=period.start, end=period.end)
    if hourly.select(pl.len()).collect().item() == 0:
        return []
    if station_days.kept_for(options):
        per_station = station_days.station_daily(ds, period.start, period.end, codes).collect()
    else:
        per_station = (
            daily_values(hourly, by=STATION, options=options)
            .filter(pl.col("date").is_between(period.start, period.end))
            .collect()
        )
    everyone = calc_assess.assess(calc_city_daily(per_station, reg), period, CITY, options)
    row = _row(everyone)
    if row is None or row.get(STATION_ITEM) is None:
        return []
    present = sorted(per_station[STATION].unique().to_list())
    parts = calc.station_contributions(per_station, present, STATION_ITEM, row[STATION_ITEM], 0)
    names = dict(zip(reg[STATION], reg["name"] if "name" in reg.columns else reg[STATION], strict=True))
    out = []
    for part in parts:
        others = per_station.filter(pl.col(STATION) != part["station"])
        without = _row(calc_assess.assess(calc_city_daily(others, reg), period, CITY, options)) or {}
        out.append(
            {
                **part,
                "name": names.get(part["station"]),
                "composite_index_without": without.get("composite_index"),
                f"{STATION_ITEM}_without": without.get(STATION_ITEM),
            }
        )
    return out


def explain_index(
    ds: Dataset, city: str, period_text: str, options: Options = DEFAULT, top_days: int = 10
) -> dict:
    """The decomposition of ``city``'s composite index for ``period_text`` (one JSON-ready dict)."""
    res = assess_city(ds, city, period_text, compare=True, options=options)
    period, daily = res["period"], res["daily"].collect()
    row, before = _row(res["result"]), _row(res["previous"])
    months = []
    # the months are independent: two at a time (Polars runs each query outside the GIL)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assessed = list(
            pool.map(lambda month: _row(calc_assess.assess(daily, month, CITY, options)), period.months())
        )
    for month, m in zip(period.months(), assessed, strict=True):
        if m is not None:
            months.append(
                {
                    "month": month.label,
                    "month_zh": month.label_zh(),
                    "composite_index": m["composite_index"],
                    "pm25": m["pm25"],
                    "good_rate": m["good_rate"],
                    "heavy_days": m["heavy_days"],
                }
            )
    return to_jsonable(
        {
            "city": city_key(city),
            "period": period.label,
            "period_zh": period.label_zh(),
            "source": res["source"],
            "composite_index": row["composite_index"],
            "index_valid": bool(row.get("index_valid")),
            "composite_index_last_year": before["composite_index"] if before else None,
            "by_pollutant": calc.pollutant_parts(row, options, before),
            "by_month": months,
            "by_station": _stations(ds, city, period, options),
            "costly_days": calc.costly_days(daily, period, top_days, options),
        }
    )
