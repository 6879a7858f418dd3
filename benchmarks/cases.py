"""One benchmark case in its own process: ``python benchmarks/cases.py CASE --store DIR --out DIR ...``.

Prints one JSON object: ``seconds`` (best of ``--repeat`` runs of the timed part; loading inputs that
every tool shares is outside it unless the case is about reading), ``units`` (what was counted),
``max_rss_mb`` (peak resident memory of the whole process, :func:`peak_rss_mb`) and case details.
A separate process per case keeps the peak-memory figures apart.

The store's tables are Delta Lake tables: every direct reader (Polars scans, DuckDB, pandas) reads the
files of a table's current version, listed from its log (:func:`peers.table_files`); cases that load
their input before the timed part list the files there too.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers

CASES: dict = {}


class Unavailable(Exception):
    """The lantian component a case measures is not in this checkout."""


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _timed(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _scan_hourly(store: Path, year: int) -> pl.LazyFrame:
    """The hours labelled in ``year`` (natural days: labels 1 January 01:00 … 1 January 00:00 of the next
    year), six pollutants, from the hourly table's current files."""
    import datetime as dt

    files = peers.table_files(store, "hourly")
    if not files:
        raise RuntimeError(f"the store {store} holds no hourly data: generate it again")
    return (
        pl.scan_parquet(files, hive_partitioning=False)
        .filter((pl.col("time") > dt.datetime(year, 1, 1)) & (pl.col("time") <= dt.datetime(year + 1, 1, 1)))
        .select("station_code", "time", *peers.POLLUTANTS)
    )


def _hourly(store: Path, year: int) -> pl.DataFrame:
    return _scan_hourly(store, year).collect()


def _sample_index(n: int, size: int) -> np.ndarray:
    return np.sort(np.random.default_rng(0).choice(n, size=min(size, n), replace=False))


# ---------------------------------------------------------------------------------------------
# Hourly AQI


@case
def aqi_lantian(a):
    from lantian.calc.aqi import aqi_frame

    frame = _hourly(a.store, a.year)
    seconds, out = _timed(lambda: aqi_frame(frame, kind="hourly", regime="auto"), a.repeat)
    idx = _sample_index(frame.height, a.sample)
    sample = out[idx].select("station_code", "time", *peers.POLLUTANTS, "aqi")
    sample.write_parquet(a.out / "aqi_lantian_sample.parquet")
    return {"seconds": seconds, "units": frame.height, "unit": "station-hours", "values": frame.height * 6}


@case
def aqi_lantian_stream(a):
    """The hourly AQI of the store's year, streamed: a lazy scan of the hours → ``aqi_frame`` → Parquet,
    never holding the year in memory (peak memory is the figure here). The table's files are listed from
    its log before the timed part; reading them is inside it."""
    from lantian.calc.aqi import aqi_frame

    lf = _scan_hourly(a.store, a.year)
    target = a.out / "aqi_lantian_stream.parquet"
    seconds, _ = _timed(lambda: aqi_frame(lf, kind="hourly", regime="auto").sink_parquet(target), a.repeat)
    rows = pl.scan_parquet(target).select(pl.len()).collect().item()
    return {"seconds": seconds, "units": rows, "unit": "station-hours", "values": rows * 6}


@case
def aqi_pandas(a):
    frame = _hourly(a.store, a.year)
    pdf = frame.to_pandas()
    seconds, out = _timed(lambda: peers.pandas_aqi(pdf), a.repeat)
    idx = _sample_index(frame.height, a.sample)
    pl.DataFrame({"aqi": out["aqi"].to_numpy()[idx]}, nan_to_null=True).write_parquet(
        a.out / "aqi_pandas_sample.parquet"
    )
    return {"seconds": seconds, "units": frame.height, "unit": "station-hours", "values": frame.height * 6}


def _peer_rows(a, fn, name):
    frame = _hourly(a.store, a.year)
    rows = frame[_sample_index(frame.height, a.sample)].select(peers.POLLUTANTS).to_dicts()
    t0 = time.perf_counter()
    values = fn(rows)
    elapsed = time.perf_counter() - t0
    pl.DataFrame({"aqi": values}, schema={"aqi": pl.Int64}).write_parquet(
        a.out / f"aqi_{name}_sample.parquet"
    )
    scaled = elapsed / len(rows) * frame.height
    return {
        "seconds": scaled,
        "measured_seconds": elapsed,
        "sample_rows": len(rows),
        "units": frame.height,
        "unit": "station-hours",
        "values": frame.height * 6,
        "scaled": True,
    }


@case
def aqi_python_aqi(a):
    return _peer_rows(a, peers.python_aqi_rows, "python_aqi")


@case
def aqi_aqi_hub(a):
    return _peer_rows(a, peers.aqi_hub_rows, "aqi_hub")


# ---------------------------------------------------------------------------------------------
# Annual assessment of every city


@case
def annual_duckdb(a):
    seconds, out = _timed(lambda: peers.duckdb_annual(a.store, a.year), a.repeat)
    pl.from_pandas(out).write_parquet(a.out / "annual_duckdb.parquet")
    return {"seconds": seconds, "units": len(out), "unit": "cities"}


@case
def annual_pandas(a):
    seconds, out = _timed(lambda: peers.pandas_annual(a.store, a.year), a.repeat)
    pl.from_pandas(out).write_parquet(a.out / "annual_pandas.parquet")
    return {"seconds": seconds, "units": len(out), "unit": "cities"}


# ---------------------------------------------------------------------------------------------
# lantian components from the io and assessment layers (resolved when present)


#: lantian's assessment columns → the peers' names.
LANTIAN_ANNUAL = {
    "city": "city",
    "valid_days": "valid_days",
    "good_days": "good_days",
    "so2": "so2",
    "no2": "no2",
    "pm10": "pm10",
    "pm25": "pm25",
    "co": "co_p95",
    "o3": "o3_8h_p90",
    "so2_p98": "so2_p98",
    "no2_p98": "no2_p98",
    "pm10_p95": "pm10_p95",
    "pm25_p95": "pm25_p95",
    "composite_index": "composite_index",
    "good_rate": "good_rate",
}


def _lantian_annual(store: Path, year: int) -> pl.DataFrame:
    """All cities' annual assessment with lantian's library, in one lazy pass over the store:
    ``Dataset.scan_hourly`` → ``averaging.city_values`` (station daily → city daily, validity) →
    ``assessment.assess`` (daily AQI, day counts, statistics, composite index, attainment)."""
    import datetime as dt

    try:
        from lantian.calc.assessment import assess
        from lantian.calc.averaging import city_values
        from lantian.io.dataset import Dataset
        from lantian.periods import parse_period
    except ImportError as exc:
        raise Unavailable(
            "lantian's assessment (calc.assessment, calc.averaging, io.dataset) is not in this checkout"
        ) from exc
    ds = Dataset(store)
    hourly = ds.scan_hourly(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    daily = city_values(hourly, ds.stations()).collect()  # the city daily table, computed once
    result = assess(daily, parse_period(str(year)))
    return result.select([pl.col(k).alias(v) for k, v in LANTIAN_ANNUAL.items()])


@case
def annual_lantian(a):
    seconds, out = _timed(lambda: _lantian_annual(a.store, a.year), a.repeat)
    out.write_parquet(a.out / "annual_lantian.parquet")
    return {"seconds": seconds, "units": out.height, "unit": "cities"}


@case
def annual_lantian_daily(a):
    """Every city's annual assessment once the store keeps station daily values
    (``lantian.pipeline.station_days``): kept values → city daily → ``assessment.assess``. Computing the
    kept values from the hours (``station_days.rebuild``, what ingest keeps up to date) is outside the
    timed part and reported."""
    import datetime as dt

    try:
        from lantian.calc.assessment import assess
        from lantian.calc.averaging import city_daily
        from lantian.io.dataset import Dataset
        from lantian.periods import parse_period
        from lantian.pipeline import station_days
    except ImportError as exc:
        raise Unavailable("lantian.pipeline.station_days is not in this checkout") from exc
    ds = Dataset(a.store)
    t0 = time.perf_counter()
    done = station_days.rebuild(ds)
    refresh_seconds = time.perf_counter() - t0
    start, end = dt.date(a.year, 1, 1), dt.date(a.year, 12, 31)

    def annual():
        kept = station_days.station_daily(ds, start, end)
        daily = city_daily(kept, ds.stations()).collect()
        result = assess(daily, parse_period(str(a.year)))
        return result.select([pl.col(k).alias(v) for k, v in LANTIAN_ANNUAL.items()])

    seconds, out = _timed(annual, a.repeat)
    out.write_parquet(a.out / "annual_lantian_daily.parquet")
    return {
        "seconds": seconds,
        "units": out.height,
        "unit": "cities",
        "refresh_seconds": refresh_seconds,
        "refresh": done,
    }


@case
def annual_lantian_years(a):
    """Every city's annual assessment for each of ``--years`` years, streamed: the kept station daily
    values computed from the hours one month at a time (``station_days.rebuild``), then each year
    assessed from them; memory is bounded by a month of hours, not by the years."""
    try:
        from lantian.calc.assessment import assess
        from lantian.calc.averaging import city_daily
        from lantian.io.dataset import Dataset
        from lantian.periods import parse_period
        from lantian.pipeline import station_days
    except ImportError as exc:
        raise Unavailable("lantian.pipeline.station_days is not in this checkout") from exc
    import datetime as dt

    t0 = time.perf_counter()
    ds = Dataset(a.store)
    done = station_days.rebuild(ds)
    kept_seconds = time.perf_counter() - t0
    stations = ds.stations()
    rows = 0
    for y in range(a.year, a.year + a.years):
        kept = station_days.station_daily(ds, dt.date(y, 1, 1), dt.date(y, 12, 31))
        rows += assess(city_daily(kept, stations).collect(), parse_period(str(y))).height
    return {
        "seconds": time.perf_counter() - t0,
        "units": rows,
        "unit": "city-years",
        "years": a.years,
        "kept_seconds": kept_seconds,
        "station_days": done["station_days"],
    }


def _platform_files(a) -> list[Path]:
    files = sorted(a.files.glob("*.csv")) if a.files else []
    if not files:
        raise Unavailable(f"no platform files in {a.files}")
    return files


@case
def ingest_polars_csv(a):
    files = _platform_files(a)
    seconds, rows = _timed(lambda: sum(pl.read_csv(f).height for f in files), a.repeat)
    return {"seconds": seconds, "units": rows, "unit": "rows", "files": len(files)}


@case
def parse_lantian(a):
    """lantian's national-platform reader alone (parse and map to the canonical frame; no store)."""
    files = _platform_files(a)
    try:
        from lantian.io.cnemc import read_cnemc
    except ImportError as exc:
        raise Unavailable("lantian.io.cnemc is not in this checkout") from exc
    seconds, rows = _timed(lambda: sum(read_cnemc(f)[0].height for f in files), a.repeat)
    return {"seconds": seconds, "units": rows, "unit": "rows", "files": len(files)}


def _dataset():
    try:
        from lantian.io.dataset import Dataset
    except ImportError as exc:
        raise Unavailable("lantian.io.dataset is not in this checkout") from exc
    return Dataset


@case
def ingest_lantian(a):
    import shutil

    files = _platform_files(a)
    Dataset = _dataset()
    target = a.out / "ingest_store"

    def once():
        shutil.rmtree(target, ignore_errors=True)
        return Dataset(target).ingest(files)

    seconds, report = _timed(once, a.repeat)
    rows = getattr(report, "rows_stored", None) or getattr(report, "rows_read", None)
    return {"seconds": seconds, "units": rows, "unit": "rows", "files": len(files)}


def _refresh_setup(a):
    """A store holding every hour before T (T = 12:00 of the store's last day), the platform file of
    hour T, and the city daily values of the closed days (the state a refresh service keeps)."""
    import datetime as dt

    from lantian.calc.averaging import city_values
    from lantian.pipeline.synth import platform_frame

    Dataset = _dataset()
    source = Dataset(a.store)
    last = source.scan_hourly().select(pl.col("time").max()).collect().item()
    t = dt.datetime.combine((last - dt.timedelta(hours=1)).date(), dt.time(12))
    target = a.out / "refresh_store"
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    copy = Dataset(target)
    copy.replace_registry(source.stations())
    for f in source.table_files("hourly"):  # one file at a time: memory bounded by a file
        part = pl.read_parquet(f).filter(pl.col("time") < t)
        copy.load_rows("hourly", part)
    window = source.scan_hourly(start=t - dt.timedelta(hours=30), end=t).collect()
    release = platform_frame(window.select("station_code", "time", *peers.POLLUTANTS), source.stations())
    new_file = a.out / f"cnemc_{t:%Y%m%d%H}.csv"
    release.filter(pl.col("timepoint") == t.strftime("%Y-%m-%dT%H:%M:%S")).write_csv(new_file)
    ds = Dataset(target)
    today = (t - dt.timedelta(hours=1)).date()
    year_start = dt.date(today.year, 1, 1)
    closed = city_values(ds.scan_hourly(start=year_start, end=today - dt.timedelta(days=1)), ds.stations())
    return ds, t, today, new_file, closed.collect()


@case
def refresh_lantian(a):
    """One new hour: ingest its platform file, then the city AQI of the hour and every city's
    year-to-date figures (closed days from the kept city daily values, today from the store)."""
    import datetime as dt

    try:
        from lantian.calc.aqi import aqi_frame
        from lantian.calc.assessment import assess
        from lantian.calc.averaging import city_hourly, city_values
        from lantian.periods import parse_period
    except ImportError as exc:
        raise Unavailable(
            "lantian's assessment (calc.assessment, calc.averaging) is not in this checkout"
        ) from exc
    ds, t, today, new_file, closed = _refresh_setup(a)
    stations = ds.stations()

    def refresh():
        report = ds.ingest([new_file])
        hour = ds.scan_hourly(start=t, end=t)
        city_aqi = aqi_frame(city_hourly(hour, stations), kind="hourly").collect()
        today_daily = city_values(ds.scan_hourly(start=today, end=today), stations).collect()
        daily = pl.concat([closed, today_daily], how="diagonal_relaxed")
        ytd = assess(daily, parse_period(f"{dt.date(today.year, 1, 1)}..{today}"))
        return report, city_aqi, ytd

    seconds, (report, city_aqi, ytd) = _timed(refresh, 1)
    return {
        "seconds": seconds,
        "units": ytd.height,
        "unit": "cities",
        "hour": t.isoformat(),
        "rows_ingested": getattr(report, "rows_stored", None),
        "city_aqi_rows": city_aqi.height,
    }


# ---------------------------------------------------------------------------------------------
# Reports

#: The annual report measured: one city of the bundled sample (src/lantian/data/sample: city daily
#: values 2013-12 → 2017-01), so the year has a year before it, monthly trends and every chart.
REPORT_CITY, REPORT_YEAR = "株洲", "2016"


def _report_store(out: Path) -> Path:
    try:
        from lantian.io.dataset import Dataset
        from lantian.io.sample import load_sample
    except ImportError as exc:
        raise Unavailable("lantian.io.sample (the bundled sample) is not in this checkout") from exc
    from lantian.io.dataset import old_layout
    from lantian.io.delta import is_table

    store = out / "report_sample_store"
    if old_layout(store):  # written before the store's tables were Delta tables: load it again
        import shutil

        shutil.rmtree(store)
    if not is_table(store / "stations"):
        load_sample(Dataset(store))
    return store


def _report_annual(a, fmt: str) -> dict:
    """One annual report, built and rendered in ``fmt`` in this process (the library calls of
    ``lantian report annual``; imports outside the timed part), then the same command as a process of
    its own (``process_seconds``: start-up and imports included, what an office waits for)."""
    import subprocess

    try:
        from lantian.reports.render import render
        from lantian.reports.sources import build
    except ImportError as exc:
        raise Unavailable("lantian.reports is not in this checkout") from exc
    import importlib

    for module in ("lantian.reports.charts", "lantian.reports.html", f"lantian.reports.{fmt}",
                   "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
                   "weasyprint" if fmt == "pdf" else "xlsxwriter"):  # fmt: skip
        importlib.import_module(module)  # imported before the clock starts

    store = _report_store(a.out)

    def once():
        doc = build("annual", city=REPORT_CITY, period=REPORT_YEAR, store=store)
        return doc, render(doc, fmt)

    seconds, (doc, data) = _timed(once, a.repeat)
    target = a.out / f"report_annual.{fmt}"
    target.write_bytes(data)
    command = [sys.executable, "-c", "from lantian.cli import main; main()", "report", "annual", "--city", REPORT_CITY, "--period", REPORT_YEAR,
               "--store", str(store), "--format", fmt, "--output", str(a.out / f"report_annual_cli.{fmt}")]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    process_seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"lantian report annual --format {fmt} failed: {proc.stderr.strip()[-500:]}")
    return {
        "seconds": seconds,
        "units": 1,
        "unit": "report",
        "format": fmt,
        "city": REPORT_CITY,
        "period": REPORT_YEAR,
        "bytes": len(data),
        "charts": len(doc.charts()),
        "tables": len(doc.tables()),
        "process_seconds": process_seconds,
    }


@case
def report_annual_pdf(a):
    return _report_annual(a, "pdf")


@case
def report_annual_xlsx(a):
    return _report_annual(a, "xlsx")


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB: ``VmHWM`` (reset by ``exec``, unlike ``ru_maxrss``,
    which Linux carries over from the parent), else ``getrusage``."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--sample", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--files", type=Path)
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    try:
        result = CASES[a.case](a)
    except Unavailable as exc:
        result = {"unavailable": str(exc)}
    result["max_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
