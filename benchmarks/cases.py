"""One benchmark case in its own process: ``python benchmarks/cases.py CASE --store DIR --out DIR ...``.

Prints one JSON object: ``seconds`` (best of ``--repeat`` runs of the timed part; loading inputs that
every tool shares is outside it unless the case is about reading), ``units`` (what was counted),
``max_rss_mb`` (peak resident memory of the whole process, :func:`peak_rss_mb`) and case details.
A separate process per case keeps the peak-memory figures apart.

``--profile`` runs the case's timed part once more, profiled, and prints
``{"profile": [{"name", "seconds", "share"}, ...], "seconds": total}`` instead (:func:`profile_call`;
the hourly AQI by its stages, :func:`aqi_stage_profile`, since Polars computes it in native threads).

The store's tables are Delta Lake tables: every direct reader (Polars scans, DuckDB, pandas) reads the
files of a table's current version, listed from its log (:func:`peers.table_files`); cases that load
their input before the timed part list the files there too.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import resource
import sys
import time
from collections import defaultdict
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


class Profiled(Exception):
    """Raised by :func:`_timed` in profile mode after the one profiled run: the case stops there."""

    def __init__(self, profile: dict):
        super().__init__("profiled")
        self.profile = profile


#: Set by ``--profile``: :func:`_timed` profiles its function once instead of timing it.
PROFILING = False


def _timed(fn, repeat: int):
    if PROFILING:
        raise Profiled(profile_call(fn))
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


# ---------------------------------------------------------------------------------------------
# Profiles (``--profile``): what a case's time is made of


#: Packages whose functions a profile names (the rest is attributed to the function that called it).
PROFILED_PACKAGES = ("lantian", "weasyprint", "xlsxwriter", "polars")
#: A function whose one child takes this share of its time or more is a wrapper: its child is named.
WRAPPER_SHARE = 0.9
#: Entries a profile gives, largest first.
PROFILE_ENTRIES = 4


def _module(filename: str) -> str:
    """Dotted module of a source file (the path after the last ``site-packages`` or ``src``); "" for
    built-ins (cProfile's ``~``)."""
    if filename.startswith("~") or filename.startswith("<"):
        return ""
    parts = list(Path(filename).with_suffix("").parts)
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    else:
        parts = parts[-1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.cache
def _qualnames(filename: str) -> dict[int, str]:
    """First line of each function of a source file (its ``def`` or first decorator) → its qualified
    name (cProfile records only the bare name)."""
    try:
        tree = ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return {}
    names: dict[int, str] = {}

    def walk(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                for line in [child.lineno, *(d.lineno for d in child.decorator_list)]:
                    names.setdefault(line, name)
                walk(child, f"{name}.<locals>.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return names


def _label(key: tuple) -> tuple[str, str]:
    """(package, dotted name) of a cProfile function key ``(file, first line, name)``."""
    filename, line, name = key
    module = _module(filename)
    qualname = _qualnames(filename).get(line, name) if module else name
    return module.split(".")[0], f"{module}.{qualname}" if module else name


def profile_entries(
    stats: dict, root: tuple, packages: tuple[str, ...] = PROFILED_PACKAGES, top: int = PROFILE_ENTRIES
) -> list[dict]:
    """The parts of ``root``'s time a profile names, from cProfile's statistics (``pstats.Stats.stats``:
    function → (calls, primitive calls, own time, cumulative time, {caller: (…, cumulative time)})).

    How they are chosen, so that each share is a part of the case's time and the parts do not overlap:

    1. The *parts* of a call are the functions of ``packages`` (lantian, WeasyPrint, XlsxWriter, Polars)
       it reaches: a function of another package (the standard library, built-ins) is looked through to
       the functions it calls, and so is a *wrapper*, a function whose one callee takes
       ``WRAPPER_SHARE`` of its time or more (a decorator, a function that hands its work to another).
    2. The first level is the parts of the case function's own calls; each is then replaced by the parts
       of *its* calls (the second level), and what it spent outside them (its own code, the standard
       library, native code, calls too small to follow) stays as ``name (own)``. A part without parts
       below it stays whole; so a ``collect`` whose work is native Polars code is one entry, next to the
       lantian functions that built its plan. Then, while one entry holds more than half of the total
       and has parts below it, it is replaced by them in the same way (one dominant part says little).
    3. A callee's time is the cumulative time of that caller-callee edge; below the first level it is
       scaled by the share of the callee's calls that came through the path (cProfile keeps edges, not
       paths). Recursive edges are not followed; edges under 0.01 % of the total are left out. Inner
       functions of decorators (``wrapper``, ``inner``) and Polars' ``polars._utils`` helpers wrap many
       different functions under one name, so they are always looked through. A wrapper whose callee's
       named parts take less than ``WRAPPER_SHARE`` of its time (``LazyFrame.collect`` around native
       code) is named itself.
    4. Module-level code (``<module>``: an import inside the measured part) is named ``import module``.

    The entries are summed by name, sorted by time, and the largest ``top`` are returned with their
    share of ``root``'s cumulative time (so the shares sum to at most 1).
    """
    children: dict[tuple, dict[tuple, float]] = defaultdict(dict)
    for callee, (_, _, _, _, callers) in stats.items():
        for caller, edge in callers.items():
            children[caller][callee] = edge[3]
    total = stats[root][3]
    if total <= 0:
        return []
    floor = total * 1e-4

    def wanted(key: tuple) -> bool:
        package, name = _label(key)
        if package not in packages or name.startswith("polars._utils."):
            return False
        return name.rsplit(".", 1)[-1] not in ("wrapper", "inner")

    def cumulative(key: tuple) -> float:
        return stats[key][3] if key in stats else 0.0

    def parts(key: tuple, seconds: float, path: frozenset) -> list[tuple[tuple, float]]:
        """The named parts of ``seconds`` spent in ``key`` (reached through ``path``)."""
        if seconds < floor:
            return []
        own = cumulative(key)
        calls = {k: v for k, v in children.get(key, {}).items() if k not in path}
        if wanted(key) and not (own and calls and max(calls.values()) >= WRAPPER_SHARE * own):
            return [(key, seconds)]
        scale = seconds / own if own else 0.0
        found: list[tuple[tuple, float]] = []
        for callee, edge in calls.items():
            found += parts(callee, min(edge, own) * scale, path | {callee})
        if wanted(key) and sum(s for _, s in found) < WRAPPER_SHARE * seconds:
            return [(key, seconds)]  # a wrapper of native or foreign code: named itself
        return found

    def below(key: tuple, seconds: float) -> list[tuple[tuple, float]]:
        own = cumulative(key)
        scale = seconds / own if own else 0.0
        found: list[tuple[tuple, float]] = []
        for callee, edge in children.get(key, {}).items():
            if callee != key:
                found += parts(callee, min(edge, own) * scale, frozenset({key, callee}))
        return found

    def expand(key: tuple, seconds: float) -> list[tuple[tuple | None, str, float]] | None:
        """``key``'s entry replaced by its parts and its own time; None when it has no parts."""
        found = below(key, seconds)
        if not found:
            return None
        out: list[tuple[tuple | None, str, float]] = [(k, name(k), s) for k, s in found]
        rest = seconds - sum(s for _, s in found)
        if rest >= floor:
            out.append((None, f"{name(key)} (own)", rest))
        return out

    def name(key: tuple) -> str:
        label = _label(key)[1]
        return f"import {label.removesuffix('.<module>')}" if label.endswith(".<module>") else label

    frontier: list[tuple[tuple | None, str, float]] = []
    for key, seconds in below(root, total):  # first level, each replaced by its parts (second level)
        frontier += expand(key, seconds) or [(key, name(key), seconds)]
    for _ in range(10):  # one dominant entry: look inside it
        key, label, seconds = max(frontier, key=lambda e: e[2], default=(None, "", 0.0))
        replaced = expand(key, seconds) if key is not None and seconds > total / 2 else None
        if replaced is None:
            break
        frontier.remove((key, label, seconds))
        frontier += replaced
    entries: dict[str, float] = defaultdict(float)
    for _, label, seconds in frontier:
        entries[label] += seconds
    ranked = sorted(entries.items(), key=lambda kv: -kv[1])[:top]
    return [{"name": label, "seconds": round(s, 4), "share": round(s / total, 4)} for label, s in ranked]


def profile_call(fn, packages: tuple[str, ...] = PROFILED_PACKAGES, top: int = PROFILE_ENTRIES) -> dict:
    """Run ``fn()`` once under cProfile: ``{"profile": entries (profile_entries), "seconds": the
    profiled call's time (profiler overhead included)}``."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    code = fn.__code__
    root = (code.co_filename, code.co_firstlineno, code.co_name)
    if root not in stats:
        raise RuntimeError(f"the profiled function {code.co_name} is not in its own profile")
    return {"profile": profile_entries(stats, root, packages, top), "seconds": round(stats[root][3], 4)}


def aqi_stage_profile(frame: pl.DataFrame) -> dict:
    """The hourly AQI of ``frame`` (``aqi_frame(frame, "hourly", "auto")``) computed stage by stage,
    each stage collected before the next, timed: Polars runs the work in native threads, which cProfile
    does not see. The stages are those of ``aqi_frame``'s plan (``lantian.calc.aqi._plan``), each
    named by the function that builds it:

    1. the inputs and the IAQI lookups (``_iaqi_of_rounded`` → ``_graded``; ``iaqi_expr`` when the
       edition grades unrounded values);
    2. the AQI and the missing-pollutant rule (``_regime_stages``);
    3. primary and exceedance pollutants and the level (``_regime_stages`` with ``_code_lists`` and
       ``_level_table``);
    4. the text outputs: pollutant codes and regime selected into the output columns, category and
       colour (``aqi_frame`` with ``_level_text``).

    Shares are of the sum of the stages (``seconds``). The staged run comes first in the process, as the
    case's call does in its own (building the stages and their IAQI tables counts in stage 1);
    ``aqi_frame_seconds`` is then ``aqi_frame`` itself on the same frame (warm: after the staged run),
    and ``matches_case`` says whether the staged frame equals its result.
    """
    from lantian.calc import aqi as A
    from lantian.standards import DEFAULT

    kind, options = "hourly", DEFAULT
    t_plan = time.perf_counter()  # building the stages (the IAQI tables included) counts in stage 1
    plan = A._plan(frame, kind, "auto", options, None)
    stages = plan.stages
    grading = "iaqi_expr" if not A._rounds_inputs(plan.regimes[-1], options) else "_iaqi_of_rounded"

    def inputs(lf):
        return lf.with_columns(**stages[0]).with_columns(**stages[1])

    steps = [
        (f"lantian.calc.aqi.{grading} (inputs, IAQI lookups)", inputs),
        ("lantian.calc.aqi._regime_stages (AQI, missing pollutants)",
         lambda lf: lf.with_columns(**stages[2]).with_columns(**stages[3])),
        ("lantian.calc.aqi._regime_stages (primary, exceedance, level)",
         lambda lf: lf.with_columns(**stages[4])),
        ("lantian.calc.aqi._level_text (codes, regime, category, colour)", plan.finish),
    ]  # fmt: skip
    current, timings, t0 = frame, [], t_plan
    for name, step in steps:
        current = step(current.lazy()).collect()
        timings.append((name, time.perf_counter() - t0))
        t0 = time.perf_counter()
    total = sum(s for _, s in timings)
    t0 = (
        time.perf_counter()
    )  # the case's own call, after the staged run (which ran first, cold, as the case does)
    expected = A.aqi_frame(frame, kind=kind, regime="auto")
    aqi_frame_seconds = time.perf_counter() - t0
    return {
        "profile": [{"name": n, "seconds": round(s, 4), "share": round(s / total, 4)} for n, s in timings],
        "seconds": round(total, 4),
        "aqi_frame_seconds": round(aqi_frame_seconds, 4),
        "matches_case": current.equals(expected),
        "staged": True,
    }


def aqi_lantian_profile(a) -> dict:
    """``aqi_lantian``'s profile: its frame (outside the measurement, as in the case) by stages."""
    return aqi_stage_profile(_hourly(a.store, a.year))


#: Cases profiled by their own function instead of cProfile (``--profile``).
STAGE_PROFILES = {"aqi_lantian": aqi_lantian_profile}


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
    ap.add_argument(
        "--profile",
        action="store_true",
        help="profile the case's timed part once and print where its time goes (not a timing)",
    )
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    try:
        if a.profile and a.case in STAGE_PROFILES:
            result = STAGE_PROFILES[a.case](a)
        elif a.profile:
            global PROFILING
            PROFILING = True
            try:
                CASES[a.case](a)
            except Profiled as done:
                result = done.profile
            else:
                result = {"unavailable": f"the case {a.case} has no timed part to profile"}
        else:
            result = CASES[a.case](a)
    except Unavailable as exc:
        result = {"unavailable": str(exc)}
    result["max_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
