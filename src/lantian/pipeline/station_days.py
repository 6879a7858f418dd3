"""Station daily values kept as data: computed from the stored hours once, updated as hours arrive.

Every station's daily statistics (GB 3095 Table 4: ``so2 no2 co pm10 pm25`` means, ``o3`` the daily
maximum 1-hour value, ``o3_8h`` the MDA8, their ``n_*`` valid counts — :func:`lantian.calc.averaging.
daily_values`, default averaging switches) are kept in the store's derived table ``station_daily``, one
part per month of natural days. A part's state records what it was computed from: the identity of the
two hourly partitions its days read (the month's and the next month's, which holds the last day's
24:00 hour) and the latest ``ingested_at`` among their hours.

- :func:`refresh` brings every part up to date: a part whose hourly partitions did not change is
  kept; one whose partitions changed recomputes exactly the station-days with an hour ingested since
  its state's ``ingested_at`` (an ingest stamps every row it stores or revises), others are kept; a
  part without a state, or computed with other switches, is recomputed whole. ``lantian ingest`` (and
  the service's inbox) call it after each ingest; readers call it before they read, so a store written
  by any means, or a refresh killed half-way, is never read stale.
- :func:`rebuild` recomputes every part from the hours (``lantian data rebuild``).
- :func:`station_daily` reads the table; :func:`city_values` is
  :func:`lantian.calc.averaging.city_values` on it (the same figures as from the hours, by test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import polars as pl

from lantian.calc.averaging import city_daily, daily_values
from lantian.calc.averaging import city_values as city_values_from_hours
from lantian.io.dataset import Dataset
from lantian.periods import Period
from lantian.schema import DATE, STATION, natural_day_expr
from lantian.standards import DEFAULT, Options

TABLE = "station_daily"
#: The averaging switches the table is computed with; other values are computed from the hours.
SWITCHES = ("mda8_min_windows", "city_aggregation_order")
VALUES = ("so2", "no2", "co", "pm10", "pm25", "o3", "o3_8h")
SCHEMA = {
    STATION: pl.String(),
    DATE: pl.Date(),
    **{p: pl.Float64() for p in VALUES},
    **{f"n_{p}": pl.Int32() for p in VALUES},
    "o3_8h_by_exception": pl.Boolean(),
}


def _switches(options: Options) -> dict:
    return {name: getattr(options, name) for name in SWITCHES}


def kept_for(options: Options) -> bool:
    """Whether the table holds the values these switches give (else they come from the hours)."""
    return _switches(options) == _switches(DEFAULT)


def _days(month: int) -> tuple[dt.date, dt.date]:
    """First and last day of the month ``YYYYMM``."""
    p = Period.of_month(*divmod(month, 100))
    return p.start, p.end


def _next(month: int) -> int:
    """The month ``YYYYMM`` after ``month``."""
    after = _days(month)[1] + dt.timedelta(days=1)
    return after.year * 100 + after.month


def _day_months(label_months: Iterable[int]) -> list[int]:
    """Months of natural days with hours: a label month's hours belong to its own days, and its first
    label (01 00:00) to the last day of the month before."""
    out = set()
    for m in label_months:
        out.add(m)
        year, mm = divmod(m, 100)
        out.add((year - 1) * 100 + 12 if mm == 1 else m - 1)
    return sorted(out)


def _sources(ds: Dataset, month: int) -> list:
    return [ds.hourly_stamp(month), ds.hourly_stamp(_next(month))]


def _compute(ds: Dataset, month: int, keys: pl.DataFrame | None = None) -> pl.DataFrame:
    """Station daily values of the month's natural days (only the station-days ``keys`` when given)."""
    first, last = _days(month)
    hours = ds.scan_hourly(start=first, end=last)
    if keys is not None:
        hours = (
            hours.with_columns(natural_day_expr().alias("_day"))
            .join(keys.lazy().rename({DATE: "_day"}), on=[STATION, "_day"], how="semi")
            .drop("_day")
        )
    out = daily_values(hours, by=STATION, options=DEFAULT).filter(pl.col(DATE).is_between(first, last))
    return _conform(out.collect())


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    cols = [
        (pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)) for c, t in SCHEMA.items()
    ]
    return frame.select(cols).sort(STATION, DATE)


def _watermark(ds: Dataset, month: int) -> str | None:
    first, last = _days(month)
    latest = ds.scan_hourly(start=first, end=last).select(pl.col("ingested_at").max()).collect().item()
    return latest.isoformat() if latest is not None else None


def _touched(ds: Dataset, month: int, since: str | None) -> pl.DataFrame:
    """Station-days of the month with an hour ingested after ``since`` (all with hours if None): every
    ingest stamps its rows later than all rows before them (``Dataset._next_stamp``)."""
    first, last = _days(month)
    hours = ds.scan_hourly(start=first, end=last)
    if since is not None:
        hours = hours.filter(pl.col("ingested_at") > dt.datetime.fromisoformat(since))
    return hours.select(STATION, natural_day_expr().alias(DATE)).unique().collect()


def _stale(ds: Dataset) -> list[int]:
    """Months whose part is missing, computed with other switches or from other hourly partitions."""
    out = []
    for month in _day_months(ds.hourly_months()):
        state = ds.derived_state(TABLE, month)
        if (
            state is None
            or state.get("switches") != _switches(DEFAULT)
            or state["sources"] != _sources(ds, month)
        ):
            out.append(month)
    return out


def refresh(ds: Dataset, progress: Callable[[dict], None] | None = None, rebuild: bool = False) -> dict:
    """Bring the table up to date with the stored hours (module docstring); returns what was done:
    ``{"months": parts checked, "kept": unchanged, "updated": parts updated in place, "computed": parts
    computed whole, "station_days": station-days computed}``."""
    done = {"months": 0, "kept": 0, "updated": 0, "computed": 0, "station_days": 0}
    if not rebuild and not _stale(ds):  # the common case: nothing to do, and no lock taken
        done["months"] = done["kept"] = len(_day_months(ds.hourly_months()))
        return done
    with ds.maintaining():
        months = _day_months(ds.hourly_months())
        for index, month in enumerate(months):
            if progress:
                progress(
                    {
                        "event": "month",
                        "month": f"{month // 100}-{month % 100:02d}",
                        "index": index,
                        "total": len(months),
                    }
                )
            done["months"] += 1
            sources = _sources(ds, month)
            state = None if rebuild else ds.derived_state(TABLE, month)
            current = state is not None and state.get("switches") == _switches(DEFAULT)
            if current and state["sources"] == sources:
                done["kept"] += 1
                continue
            old = ds.read_derived(TABLE, month) if current else None
            if old is not None:
                keys = _touched(ds, month, state.get("ingested_at"))
                if keys.height:
                    fresh = _compute(ds, month, keys)
                    frame = _conform(
                        pl.concat(
                            [old.join(keys, on=[STATION, DATE], how="anti"), fresh], how="diagonal_relaxed"
                        )
                    )
                    done["updated"] += 1
                    done["station_days"] += keys.height
                else:  # a neighbouring month's hours changed, none of this month's days
                    frame = old
                    done["kept"] += 1
            else:
                frame = _compute(ds, month)
                done["computed"] += 1
                done["station_days"] += frame.height
            ds.write_derived(
                TABLE,
                month,
                frame,
                {
                    "sources": sources,
                    "ingested_at": _watermark(ds, month),
                    "switches": _switches(DEFAULT),
                },
            )
    return done


def rebuild(ds: Dataset, progress: Callable[[dict], None] | None = None) -> dict:
    """Recompute every part of the table from the hours."""
    return refresh(ds, progress=progress, rebuild=True)


def _months_between(start: dt.date, end: dt.date) -> list[int]:
    return [m.start.year * 100 + m.start.month for m in Period("range", start, end, "").months()]


def station_daily(
    ds: Dataset, start: dt.date, end: dt.date, stations: list[str] | None = None
) -> pl.LazyFrame:
    """The kept station daily values of ``start``…``end`` (brought up to date first)."""
    refresh(ds)
    lf = ds.scan_derived(TABLE, _months_between(start, end), SCHEMA).filter(
        pl.col(DATE).is_between(start, end)
    )
    if stations is not None:
        lf = lf.filter(pl.col(STATION).is_in(stations))
    return lf


def city_values(
    ds: Dataset,
    stations: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    options: Options = DEFAULT,
) -> pl.LazyFrame:
    """City daily values of the registry ``stations`` (their ``city`` column) for ``start``…``end``:
    from the kept station daily values with the default averaging switches, else from the hours."""
    codes = stations[STATION].to_list()
    if kept_for(options):
        return city_daily(station_daily(ds, start, end, codes), stations)
    hourly = ds.scan_hourly(stations=codes, start=start, end=end)
    return city_values_from_hours(hourly, stations, options).filter(pl.col(DATE).is_between(start, end))
