"""lantian's benchmark suite: one command, the same synthetic national data for every tool.

``lantian bench [--quick] [--json] [--output docs/benchmarks.md]`` (or ``python benchmarks/run.py``).

1. Generates (or reuses, under ``--workdir``) a synthetic store with :mod:`lantian.pipeline.synth`.
2. Runs every case of ``benchmarks/cases.py`` in its own process (time of the timed part, peak RSS).
3. Checks results: lantian's hourly AQI against an exact-fraction oracle on a subsample (must be
   exact); the annual figures of lantian, DuckDB SQL and pandas against each other (must be equal
   after GB/T 8170 rounding; the tolerance on the rounded published figures is zero).
4. Prints a table of ratios (peer time / lantian time: > 1 means lantian is faster) and targets.
5. For every missed time target, runs its lantian case once more, profiled (``cases.py NAME --profile``,
   not counted in the timings), and gives by how much the target is missed and where the time goes.

Ratios, not absolute times, are the headline: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402


@dataclass
class Config:
    stations: int
    cities: int
    years: int = 1
    start: int = 2025
    days: int | None = None
    sample: int = 20000
    repeat: int = 1
    cnemc_hours: int = 24
    ten_year: bool = False
    seed: int = 1

    @property
    def key(self) -> str:
        days = f"-d{self.days}" if self.days else ""
        return f"s{self.stations}-c{self.cities}-y{self.years}-{self.start}{days}-h{self.cnemc_hours}-seed{self.seed}"


QUICK = Config(stations=1900, cities=340, days=61, sample=5000, repeat=3, cnemc_hours=24)
FULL = Config(stations=1900, cities=340, sample=20000, repeat=3, cnemc_hours=168, ten_year=True)


@dataclass
class Result:
    benchmark: str
    tool: str
    seconds: float | None
    max_rss_mb: float | None
    detail: dict = field(default_factory=dict)
    ratio: float | None = None  # peer seconds / lantian seconds (lantian rows: None)
    note: str = ""


def machine() -> dict:
    mem_gb = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {"python": platform.python_version(), "polars": pl.__version__}
    for mod in ("duckdb", "pandas", "pyarrow", "pyspark"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = None
    return {"nproc": os.cpu_count(), "memory_gb": mem_gb, "cpu": cpu, "os": platform.platform(), **versions}


def ensure_store(cfg: Config, workdir: Path) -> tuple[Path, Path]:
    """Generate the synthetic store (once per configuration, in a separate process so that this one
    stays small) and return (store, platform files dir). A store kept from an earlier run is reused when
    it is complete (``done.json``) and its tables are Delta tables; one in the layout before them
    (``lantian.io.dataset.old_layout``), or one whose generation did not finish, is generated again."""
    import shutil

    root = workdir / cfg.key
    store, files = root / "store", root / "cnemc"
    marker = root / "done.json"
    if not (marker.exists() and is_delta_store(store)):
        marker.unlink(missing_ok=True)
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(files, ignore_errors=True)
        args = {
            "store": str(store),
            "stations": cfg.stations,
            "cities": cfg.cities,
            "years": cfg.years,
            "start": cfg.start,
            "seed": cfg.seed,
            "cnemc_files": str(files) if cfg.cnemc_hours else None,
            "cnemc_hours": cfg.cnemc_hours,
            "days": cfg.days,
        }
        code = (
            "import json, sys; from lantian.pipeline.synth import generate; "
            "print(json.dumps(generate(**json.loads(sys.argv[1])).as_dict()))"
        )
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"synthetic data generation failed: {proc.stderr.strip()[-2000:]}")
        marker.write_text(proc.stdout.strip().splitlines()[-1])
    return store, files


def is_delta_store(store: Path) -> bool:
    """Whether ``store`` is a synthetic store in the current layout: its ``stations/`` and ``hourly/``
    are Delta tables and nothing of the layout before them is there."""
    from lantian.io.dataset import old_layout
    from lantian.io.delta import is_table

    return not old_layout(store) and is_table(store / "stations") and is_table(store / "hourly")


def run_case(
    name: str,
    store: Path,
    out: Path,
    cfg: Config,
    files: Path | None = None,
    years: int = 1,
    timeout: float = 3600,
    repeat: int | None = None,
    profile: bool = False,
) -> dict:
    """Run a case ``cfg.repeat`` times (``repeat`` overrides), each in a process of its own; with
    ``profile``, once, profiled (``cases.py NAME --profile``: where the time goes, not a timing)."""
    cmd = [
        sys.executable,
        str(HERE / "cases.py"),
        name,
        "--store",
        str(store),
        "--out",
        str(out),
        "--year",
        str(cfg.start),
        "--years",
        str(years),
        "--sample",
        str(cfg.sample),
        "--repeat",
        "1",
    ]
    if files is not None:
        cmd += ["--files", str(files)]
    if profile:
        proc = subprocess.run([*cmd, "--profile"], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
        return json.loads(proc.stdout.strip().splitlines()[-1])
    runs: list[dict] = []
    for _ in range(cfg.repeat if repeat is None else repeat):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return combine_runs(runs)


def combine_runs(runs: list[dict]) -> dict:
    """One case's repetitions (each its own process): the median time, its spread and the largest peak."""
    timed = [r for r in runs if r.get("seconds") is not None]
    if not timed:
        return runs[-1]
    seconds = sorted(r["seconds"] for r in timed)
    out = dict(timed[-1])
    out["seconds"] = statistics.median(seconds)
    out["runs"] = seconds
    out["max_rss_mb"] = (
        max(r["max_rss_mb"] for r in timed if r.get("max_rss_mb") is not None)
        if any(r.get("max_rss_mb") is not None for r in timed)
        else None
    )
    return out


# ---------------------------------------------------------------------------------------------
# Checks


def check_aqi(out: Path) -> dict:
    """lantian vs the exact oracle on the subsample (must be exact); peers' agreement for information."""
    lan = pl.read_parquet(out / "aqi_lantian_sample.parquet")
    oracle = [peers.oracle_aqi(r)[0] for r in lan.select(peers.POLLUTANTS).to_dicts()]
    want = pl.Series("oracle", oracle, dtype=pl.Int64)
    result = {"sample_rows": lan.height}

    def agree(got: pl.Series) -> int:
        return int(((got == want) | (got.is_null() & want.is_null())).fill_null(False).sum())

    result["lantian_mismatches"] = lan.height - agree(lan["aqi"])
    for name in ("pandas", "python_aqi", "aqi_hub"):
        path = out / f"aqi_{name}_sample.parquet"
        if path.exists():
            got = pl.read_parquet(path)["aqi"].cast(pl.Int64)
            result[f"{name}_agreement_pct"] = round(100 * agree(got) / lan.height, 2)
    return result


ANNUAL_COLUMNS = (
    "valid_days",
    "good_days",
    "so2",
    "no2",
    "pm10",
    "pm25",
    "co_p95",
    "o3_8h_p90",
    "so2_p98",
    "no2_p98",
    "pm10_p95",
    "pm25_p95",
    "composite_index",
    "good_rate",
)


def check_annual(out: Path) -> dict:
    """Every tool's annual figures equal as published decimals (tolerance 0 at the published precision)."""
    frames = {}
    for name in ("lantian", "lantian_daily", "duckdb", "pandas"):
        path = out / f"annual_{name}.parquet"
        if path.exists():
            frames[name] = (
                pl.read_parquet(path)
                .select(pl.col("city").str.strip_suffix("市"), *ANNUAL_COLUMNS)
                .sort("city")
                .with_columns([pl.col(c).cast(pl.Float64) for c in ANNUAL_COLUMNS])
            )
    result: dict = {"tools": sorted(frames)}
    names = sorted(frames)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            fa, fb = frames[a], frames[b]
            joined = fa.join(fb, on="city", how="full", suffix="_b", coalesce=True)
            bad = {}
            for c in ANNUAL_COLUMNS:
                # Published figures are decimals (≤ 2 dp): compared as such, so 4.27 and its binary
                # neighbour 4.2700000000000005 are the same figure; any decimal difference counts.
                joined = joined.with_columns(pl.col(c).round(6), pl.col(f"{c}_b").round(6))
                diff = joined.filter(
                    ~(
                        (pl.col(c) == pl.col(f"{c}_b")) | (pl.col(c).is_null() & pl.col(f"{c}_b").is_null())
                    ).fill_null(False)
                )
                if diff.height:
                    bad[c] = diff.height
            result[f"{a}_vs_{b}"] = {"cities": joined.height, "differing_cells": bad}
    pairs = [v for k, v in result.items() if "_vs_" in k]
    result["agree"] = bool(pairs) and all(not v["differing_cells"] for v in pairs)
    return result


# ---------------------------------------------------------------------------------------------
# Run


def _ratio(peer: dict, ours: dict) -> float | None:
    if "seconds" in peer and "seconds" in ours and ours["seconds"]:
        return peer["seconds"] / ours["seconds"]
    return None


#: Cases that read no synthetic store (the report cases use the bundled sample).
STORE_FREE_CASES = frozenset({"report_annual_pdf", "report_annual_xlsx"})
#: Every case the suite runs, in order (``--case`` picks some of them).
CASE_NAMES = (
    "aqi_lantian",
    "aqi_lantian_stream",
    "aqi_python_aqi",
    "aqi_aqi_hub",
    "aqi_pandas",
    "annual_lantian",
    "annual_lantian_daily",
    "annual_duckdb",
    "annual_pandas",
    "ingest_lantian",
    "ingest_polars_csv",
    "parse_lantian",
    "refresh_lantian",
    "report_annual_pdf",
    "report_annual_xlsx",
    "annual_lantian_years",
)


def run(
    quick: bool = False,
    workdir: Path | None = None,
    progress=None,
    config: Config | None = None,
    only: list[str] | tuple[str, ...] | None = None,
) -> dict:
    """Run the suite, or only the cases named in ``only`` (names of :data:`CASE_NAMES`)."""
    unknown = sorted(set(only or ()) - set(CASE_NAMES))
    if unknown:
        raise ValueError(f"unknown benchmark case(s) {', '.join(unknown)}; cases: {', '.join(CASE_NAMES)}")
    selected = set(only) if only else set(CASE_NAMES)
    cfg = config or (QUICK if quick else FULL)
    workdir = Path(workdir or os.environ.get("LANTIAN_BENCH_DIR", ".bench"))
    started = dt.datetime.now()
    say = progress or (lambda msg: None)
    if selected - STORE_FREE_CASES:
        say(f"synthetic store {cfg.key}")
        store, files = ensure_store(cfg, workdir)
    else:
        store, files = workdir / cfg.key / "store", None
    out = workdir / cfg.key / "results"
    results: list[Result] = []
    raw: dict[str, dict] = {}

    def case(name: str, bench: str, tool: str, **kw) -> dict:
        if name not in selected:
            return {}
        say(f"{bench}: {tool}")
        r = run_case(name, store if "store" not in kw else kw.pop("store"), out, cfg, **kw)
        raw[name] = r
        note = r.get("error") or (f"not measured: {r['unavailable']}" if "unavailable" in r else "")
        rss = r.get("max_rss_mb") if "seconds" in r else None
        results.append(Result(bench, tool, r.get("seconds"), rss, r, note=note))
        return r

    def peer(name: str, bench: str, tool: str, ours: dict, **kw) -> dict:
        r = case(name, bench, tool, **kw)
        if r:
            results[-1].ratio = _ratio(r, ours)
        return r

    checks: dict = {}
    ours = case("aqi_lantian", "hourly AQI", "lantian")
    for name, tool in (
        ("aqi_python_aqi", "python-aqi (per call, scaled)"),
        ("aqi_aqi_hub", "aqi-hub (per call, scaled)"),
        ("aqi_pandas", "pandas (np.interp + ceil)"),
    ):
        peer(name, "hourly AQI", tool, ours)
    if "seconds" in ours:
        checks["hourly_aqi"] = check_aqi(out)
    case("aqi_lantian_stream", "hourly AQI", "lantian, streamed from the store to Parquet")

    ours = case("annual_lantian", "annual assessment, all cities", "lantian")
    kept = case(
        "annual_lantian_daily", "annual assessment, all cities", "lantian (kept station daily values)"
    )
    if kept.get("refresh_seconds") is not None:
        results[-1].note = results[-1].note or (
            f"kept values computed from the hours in {kept['refresh_seconds']:.1f} s (outside the timing)"
        )
    for name, tool in (("annual_duckdb", "DuckDB SQL"), ("annual_pandas", "pandas")):
        peer(name, "annual assessment, all cities", tool, ours)
    if {"annual_lantian", "annual_lantian_daily", "annual_duckdb", "annual_pandas"} & set(raw):
        checks["annual"] = check_annual(out)

    ours = case("ingest_lantian", "ingest platform files", "lantian", files=files)
    r = peer("ingest_polars_csv", "ingest platform files", "bare polars.read_csv", ours, files=files)
    parse = case(
        "parse_lantian", "ingest platform files", "lantian read_cnemc (parse only, no store)", files=files
    )
    if parse:
        results[-1].note = results[-1].note or (
            f"{100 * r['seconds'] / parse['seconds']:.0f} % of bare polars.read_csv speed"
            if r.get("seconds") and parse.get("seconds")
            else ""
        )

    case("refresh_lantian", "refresh after one new hour", "lantian", files=files)

    for fmt in ("pdf", "xlsx"):
        r = case(f"report_annual_{fmt}", f"report annual {fmt}", "lantian")
        if r.get("process_seconds") is not None:
            results[-1].note = results[-1].note or (
                f"as a command (start-up included): {r['process_seconds']:.2f} s"
            )

    ten_year = cfg.ten_year and "annual_lantian_years" in selected
    if ten_year and "seconds" not in raw.get("annual_lantian", {"seconds": None}):
        results.append(
            Result(
                "ten-year national assessment",
                "lantian",
                None,
                None,
                {},
                note="not measured: needs lantian's annual assessment",
            )
        )
    elif ten_year:
        ten = Config(
            stations=cfg.stations,
            cities=cfg.cities,
            years=10,
            start=cfg.start - 9,
            cnemc_hours=0,
            seed=cfg.seed,
            repeat=1,
        )
        say(f"synthetic store {ten.key} (ten years)")
        ten_store, _ = ensure_store(ten, workdir)
        # one run: ten years take minutes; its figure is a single measurement (said in the table's note)
        r = run_case("annual_lantian_years", ten_store, out, ten, years=10, timeout=7200, repeat=1)
        raw["annual_lantian_years"] = r
        note = r.get("error") or (f"not measured: {r['unavailable']}" if "unavailable" in r else "")
        results.append(
            Result(
                "ten-year national assessment",
                "lantian (streamed)",
                r.get("seconds"),
                r.get("max_rss_mb"),
                r,
                note=note or "one run",
            )
        )

    if ten_year and "annual_lantian_years" in selected:
        double = Config(
            stations=2
            * cfg.stations,  # twice the stations in the same cities (the synthetic names are real ones)
            cities=cfg.cities,
            years=1,
            start=cfg.start,
            cnemc_hours=0,
            seed=cfg.seed,
            repeat=1,
        )
        say(f"synthetic store {double.key} (twice the national network)")
        double_store, _ = ensure_store(double, workdir)
        r = run_case("annual_lantian_years", double_store, out, double, years=1, timeout=7200, repeat=1)
        raw["annual_lantian_double"] = r
        note = r.get("error") or (f"not measured: {r['unavailable']}" if "unavailable" in r else "")
        results.append(
            Result(
                f"annual assessment, twice the national network ({double.stations} stations)",
                "lantian (streamed)",
                r.get("seconds"),
                r.get("max_rss_mb"),
                r,
                note=note,
            )
        )

    summary = {
        "command": "lantian bench" + (" --quick" if quick else ""),
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round((dt.datetime.now() - started).total_seconds(), 1),
        "machine": machine(),
        "data": _data_summary(workdir, cfg),
        "results": [r.__dict__ for r in results],
        "checks": checks,
    }
    summary["targets"] = targets(raw, checks)
    summary["profiles"] = profile_missed(
        summary["targets"], raw, quick=quick, say=say, store=store, files=files, out=out, cfg=cfg
    )
    return summary


#: Cases that read the national-platform files.
FILE_CASES = frozenset({"ingest_lantian", "parse_lantian", "refresh_lantian"})
#: Whether ``--quick`` profiles the missed targets too (the profile runs fit in its three minutes).
PROFILE_QUICK = True


def profile_missed(
    rows: list[dict], raw: dict, *, quick: bool, say, store: Path, files: Path | None, out: Path, cfg: Config
) -> dict[str, dict]:
    """Profile the lantian case of every missed time target once (each case once, however many targets
    it misses) and write each row's ``profile``: the profile's entries, or why there are none."""
    profiles: dict[str, dict] = {}
    for row in rows:
        name = row.get("case")
        if row["met"] is not False or not name:
            continue
        if quick and not PROFILE_QUICK:
            row["profile"] = {"note": "profiled in full runs"}
            continue
        if name not in profiles:
            say(f"profile: {name}")
            profiles[name] = run_case(
                name, store, out, cfg, files=files if name in FILE_CASES else None, profile=True
            )
        row["profile"] = {**profiles[name], "case": name, "case_seconds": raw.get(name, {}).get("seconds")}
    return profiles


def _data_summary(workdir: Path, cfg: Config) -> dict:
    """What the synthetic store holds (nothing when only cases without it ran)."""
    marker = workdir / cfg.key / "done.json"
    summary = json.loads(marker.read_text()) if marker.exists() else {}
    return {
        "stations": 0,
        "cities": 0,
        "years": [],
        "rows": 0,
        "platform_files": 0,
        **summary,
        "config": cfg.key,
    }


#: A target's unit → its kind of goal (how "short by" is computed, :func:`short_by`).
KINDS = {"×": "ratio", "%": "percentage", "s": "time", "GB": "memory", "": "count"}


def short_by(row: dict, value: float | None) -> str:
    """By how much a missed target falls short ("" when met or not measured): a ratio or percentage
    goal (at least ``limit``) goal / measured, a time or memory goal (at most ``limit``) measured /
    goal, e.g. "3.9×" (two decimals under 1.1×, none from 10×); a count goal (``limit`` 0: no mismatches) the count over it, e.g. "+12"."""
    if row["met"] is not False or value is None or row["limit"] is None:
        return ""
    kind, limit = row["kind"], row["limit"]
    if kind == "count":
        return f"+{value - limit:g}" if value > limit else ""
    if kind in ("ratio", "percentage"):
        if value <= 0:
            return "∞"
        factor = limit / value
    else:
        factor = value / limit
    if factor < 1.1:
        return f"{factor:.2f}×"
    return f"{factor:.1f}×" if factor < 10 else f"{factor:,.0f}×"


def targets(raw: dict, checks: dict) -> list[dict]:
    """The suite's targets, measured; each with ``short_by`` (:func:`short_by`) and, once
    :func:`profile_missed` ran, ``profile`` for a missed time target."""

    def sec(name):
        return raw.get(name, {}).get("seconds")

    def ratio(peer, ours):
        return sec(peer) / sec(ours) if sec(peer) and sec(ours) else None

    rows = []

    def add(name, value, goal, met, unit="", cases=(), limit=None, case=None):
        """One target: ``limit`` is the goal's number (``goal`` its text), ``case`` the lantian case
        whose time it is (profiled when the target is missed; None for checks and peak memory)."""
        if any(c not in raw for c in cases):  # a case left out with --case
            return
        row = {
            "target": name,
            "measured": None if value is None else round(value, 3),
            "goal": goal,
            "unit": unit,
            "met": bool(met) if value is not None else None,
            "kind": KINDS[unit],
            "limit": limit,
            "case": case,
        }
        row["short_by"] = short_by(row, value)
        rows.append(row)

    r = ratio("aqi_pandas", "aqi_lantian")
    add(
        "hourly AQI vs pandas (np.interp + ceil)",
        r,
        "≥ 3×",
        r is not None and r >= 3,
        "×",
        ("aqi_pandas", "aqi_lantian"),
        limit=3,
        case="aqi_lantian",
    )
    r = ratio("aqi_python_aqi", "aqi_lantian")
    add(
        "hourly AQI vs python-aqi (per value)",
        r,
        "≥ 300×",
        r is not None and r >= 300,
        "×",
        ("aqi_python_aqi", "aqi_lantian"),
        limit=300,
        case="aqi_lantian",
    )
    r = ratio("aqi_aqi_hub", "aqi_lantian")
    add(
        "hourly AQI vs aqi-hub (per value)",
        r,
        "≥ 100×",
        r is not None and r >= 100,
        "×",
        ("aqi_aqi_hub", "aqi_lantian"),
        limit=100,
        case="aqi_lantian",
    )
    m = checks.get("hourly_aqi", {}).get("lantian_mismatches")
    add("hourly AQI exact (mismatches vs oracle)", m, "0", m == 0, "", ("aqi_lantian",), limit=0)
    mb = raw.get("aqi_lantian_stream", {}).get("max_rss_mb")
    add(
        "hourly AQI of a national year (streamed), peak memory",
        None if mb is None else mb / 1024,
        "≤ 1.5 GB",
        mb is not None and mb / 1024 <= 1.5,
        "GB",
        ("aqi_lantian_stream",),
        limit=1.5,
    )
    r = ratio("annual_duckdb", "annual_lantian")
    add(
        "annual assessment from hours vs DuckDB SQL",
        r,
        "≥ 1.5×",
        r is not None and r >= 1.5,
        "×",
        ("annual_duckdb", "annual_lantian"),
        limit=1.5,
        case="annual_lantian",
    )
    s = sec("annual_lantian_daily")
    add(
        "annual assessment from stored station daily values",
        s,
        "≤ 0.5 s",
        s is not None and s <= 0.5,
        "s",
        ("annual_lantian_daily",),
        limit=0.5,
        case="annual_lantian_daily",
    )
    ann = checks.get("annual", {})
    differing = sum(sum(v["differing_cells"].values()) for k, v in ann.items() if "_vs_" in k)
    add(
        f"annual figures agree ({', '.join(ann.get('tools', []))}): differing cells",
        differing,
        "0 (every tool)",
        ann.get("agree") and len(ann.get("tools", [])) >= 3,
        "",
        ("annual_lantian", "annual_duckdb", "annual_pandas"),
        limit=0,
    )
    r = ratio("ingest_polars_csv", "ingest_lantian")
    add(
        "ingest speed vs bare polars.read_csv",
        None if r is None else r * 100,
        "≥ 50 %",
        r is not None and r >= 0.5,
        "%",
        ("ingest_polars_csv", "ingest_lantian"),
        limit=50,
        case="ingest_lantian",
    )
    s = sec("refresh_lantian")
    add(
        "one new hour → city AQI + year-to-date of every city",
        s,
        "≤ 0.3 s",
        s is not None and s <= 0.3,
        "s",
        ("refresh_lantian",),
        limit=0.3,
        case="refresh_lantian",
    )
    for fmt in ("pdf", "xlsx"):
        s = sec(f"report_annual_{fmt}")
        add(
            f"annual report {fmt.upper()}, one city",
            s,
            "≤ 3 s",
            s is not None and s <= 3,
            "s",
            (f"report_annual_{fmt}",),
            limit=3,
            case=f"report_annual_{fmt}",
        )
    if "annual_lantian_double" in raw:
        mb = raw["annual_lantian_double"].get("max_rss_mb")
        add(
            "annual assessment, twice the national network, peak memory",
            None if mb is None else mb / 1024,
            "≤ 3 GB",
            mb is not None and mb / 1024 <= 3,
            "GB",
            limit=3,
        )
    if "annual_lantian_years" in raw:
        mb = raw["annual_lantian_years"].get("max_rss_mb")
        add(
            "ten-year national assessment, peak memory",
            None if mb is None else mb / 1024,
            "≤ 3 GB",
            mb is not None and mb / 1024 <= 3,
            "GB",
            limit=3,
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Output


def _fmt(v, digits=3):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def table_rows(summary: dict) -> list[list[str]]:
    rows = []
    for r in summary["results"]:
        d = r["detail"]
        per = ""
        if r["seconds"] and d.get("values"):
            per = f"{r['seconds'] / d['values'] * 1e9:,.0f} ns/value"
        elif r["seconds"] and d.get("units"):
            per = f"{d['units']:,} {d.get('unit', '')}"
        runs = d.get("runs") or []
        spread = (
            f"{_fmt(runs[0])}–{_fmt(runs[-1])} ({len(runs)} runs)"
            if len(runs) > 1
            else ("1 run" if runs else "")
        )
        rows.append(
            [
                r["benchmark"],
                r["tool"],
                _fmt(r["seconds"]),
                spread,
                per,
                _fmt(r["max_rss_mb"], 4) if r["max_rss_mb"] else "—",
                "" if r["ratio"] is None else f"{r['ratio']:,.3g}×",
                r["note"],
            ]
        )
    return rows


INTRO = """\
`lantian bench` runs every tool on the same synthetic national data (`lantian synth`: stations and cities
shaped on real monitoring data, see `src/lantian/pipeline/synth.py`), each case three times, each time in a
process of its own (the table gives the median and the spread, min–max; the ten-year case runs once), and
checks the results while it measures. Ratios, not absolute times, are the headline: the machines are
shared and noisy. "lantian faster by" is the peer's time divided by lantian's (above 1: lantian is faster).

- **hourly AQI**: every station-hour, six pollutants. lantian: `lantian.calc.aqi.aqi_frame(frame, "hourly")`.
  python-aqi (`aqi.to_aqi`, algorithm `mep`) and aqi-hub (`cal_aqi_cn`) are called once per station-hour on
  a random subsample and their time is scaled to the full count; pandas is a vectorised `np.interp` + `ceil`.
  lantian's results on the subsample must equal an exact-fraction oracle (`benchmarks/peers.py`).
- **annual assessment**: all cities (daily validity, MDA8, percentiles, composite index, good-day rate),
  read from the store's Delta tables; lantian against the same statistics hand-written in DuckDB SQL (with
  all its threads) and pandas, which read the Parquet files of each table's current version, listed from
  its Delta log inside the timed part. The rounded figures must be equal (tolerance 0). "kept station
  daily values": the same assessment once the store keeps station daily values
  (`lantian.pipeline.station_days`, kept up to date by ingest); its figures must equal the ones from the
  hours.
- **ingest**: the synthetic national-platform hourly files into a fresh store, against bare `polars.read_csv`.
- **refresh**: one new hour arrives: city AQI of the hour and year-to-date figures of every city.
- **report annual pdf / xlsx**: `lantian report annual` of one city (株洲 2016, the bundled sample: a year
  with the year before it, monthly trends, three charts), built and rendered in the case's process after
  its imports; the note gives the same command run as a process of its own (start-up included).
  `lantian bench --case report_annual_pdf --case report_annual_xlsx` runs these two alone.
- **peak RSS**: peak resident set size (`VmHWM`) of the case's own process, interpreter and imports included.

Synthetic data: `lantian synth --store DIR --stations 1900 --cities 340 --years 1 --start 2025
[--cnemc-files DIR] [--seed 1]` writes two Delta Lake tables, `DIR/hourly/` (canonical hourly frames,
partitioned by label year and month: `label_year=YYYY/label_month=M/part-*.parquet`, with the commit
log `_delta_log/`) and `DIR/stations/` (registry with control points), and, optionally,
national-platform hourly release files. Every reader takes a table's current files from its log
(`Dataset.table_files`), never a glob of the directory, which would also read files a newer version
replaced. A store kept in `--workdir` in the layout before Delta tables is generated again.
Monthly empirical quantiles, diurnal profiles, day-to-day and hour-to-hour persistence, cross-pollutant
correlation and outage lengths are fitted from PRSA Beijing; each city's seasonal level relative to
Beijing from the daily values of 365 real cities (aqistudy); isolated gaps from the national-platform
files. The fit (`benchmarks/fit_synth_params.py`) is stored in `src/lantian/data/synth_params.json`.

Reproduce: `pip install -e '.[bench]'` then the command below (`--quick` for a run under 3 minutes;
`--json` for machine-readable output). Data and results are kept under `.bench/` (`--workdir`)."""

HEADERS = [
    "benchmark",
    "tool",
    "seconds (median)",
    "spread (min–max)",
    "per unit",
    "peak RSS MB",
    "lantian faster by",
    "note",
]


TARGET_HEADERS = ["target", "measured", "goal", "met", "short by", "where the time goes"]

TARGETS_INTRO = """\
"short by": goal / measured for a ratio or percentage goal, measured / goal for a time or memory goal.
"where the time goes": for a missed time target, its lantian case run once more, profiled, after the timed
runs (`benchmarks/cases.py CASE --profile`, not counted in the timings): the largest parts and their
share of the profiled run (`cases.profile_entries`: the case function's calls and theirs, by cumulative
time under cProfile); the hourly AQI by the stages of `aqi_frame` collected one after another
(`cases.aqi_stage_profile`: Polars computes them in native threads, which cProfile does not see), with
the staged run's total against the case's own time."""


def where_time_goes(row: dict) -> str:
    """The profile of a missed target as a table cell: up to four parts with their shares."""
    profile = row.get("profile")
    if not profile:
        return "peak memory: not a time profile" if row["met"] is False and row["kind"] == "memory" else ""
    if "note" in profile:
        return profile["note"]
    if "error" in profile or "unavailable" in profile:
        return f"not profiled: {profile.get('error') or profile.get('unavailable')}"
    parts = "; ".join(f"`{e['name']}` {100 * e['share']:.0f} %" for e in profile["profile"])
    if profile.get("staged"):
        own = profile.get("case_seconds")
        against = f" vs the case's {_fmt(own)} s" if own else ""
        parts += f" (staged run {_fmt(profile['seconds'])} s{against})"
    return parts


def print_table(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(
        *HEADERS,
        title=f"lantian bench — {summary['data']['stations']} stations, "
        f"{summary['data']['cities']} cities, {summary['data']['rows']:,} station-hours",
    )
    for row in table_rows(summary):
        t.add_row(*row)
    console.print(t)
    tt = Table(*TARGET_HEADERS, title="targets")
    for r in summary["targets"]:
        tt.add_row(
            r["target"],
            f"{_fmt(r['measured'])} {r['unit']}",
            r["goal"],
            {True: "[green]yes[/]", False: "[red]no[/]", None: "—"}[r["met"]],
            r.get("short_by", ""),
            where_time_goes(r).replace("`", ""),
        )
    console.print(tt)


def markdown(summary: dict) -> str:
    m = summary["machine"]
    lines = [
        "# Benchmarks",
        "",
        INTRO,
        "",
        "## Latest full run",
        "",
        f"Command: `{summary['command']}` (run from the project root; started {summary['started']}, "
        f"{summary['wall_seconds']} s wall time).",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB memory, {m['os']}; Python {m['python']}, "
        f"Polars {m['polars']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, PyArrow {m['pyarrow']}.",
        "",
        f"Data: synthetic national store (`lantian synth`), {summary['data']['stations']} stations in "
        f"{summary['data']['cities']} cities, years {summary['data']['years']}, "
        f"{summary['data']['rows']:,} station-hours; {summary['data']['platform_files']} national-platform "
        "hourly files for the ingest and refresh cases.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in table_rows(summary)]
    lines += ["", "## Targets", "", TARGETS_INTRO, "", "| " + " | ".join(TARGET_HEADERS) + " |"]
    lines.append("|" + "---|" * len(TARGET_HEADERS))
    for r in summary["targets"]:
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        cells = [r["target"], f"{_fmt(r['measured'])} {r['unit']}", r["goal"], met, r.get("short_by", "")]
        cells.append(where_time_goes(r))
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += [
        "",
        "## Checks",
        "",
        "```json",
        json.dumps(summary["checks"], indent=2, ensure_ascii=False),
        "```",
        "",
        "## Annual statistics as hand-written for the peers",
        "",
        peers.ANNUAL_DEFINITION,
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="lantian benchmark suite")
    ap.add_argument("--quick", action="store_true", help="smaller run (< 3 min on 2 cores)")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    ap.add_argument("--output", type=Path, help="write the Markdown report here (e.g. docs/benchmarks.md)")
    ap.add_argument(
        "--workdir", type=Path, default=None, help="where stores and results are kept (default .bench)"
    )
    ap.add_argument(
        "--case",
        action="append",
        choices=CASE_NAMES,
        metavar="CASE",
        help=f"run only this case (repeatable): {', '.join(CASE_NAMES)}",
    )
    a = ap.parse_args(argv)
    say = None if a.json else (lambda msg: print(f"· {msg}", file=sys.stderr))
    if a.case and a.output:
        ap.error("--output writes the report of the whole suite: run it without --case")
    summary = run(quick=a.quick, workdir=a.workdir, progress=say, only=a.case)
    summary["command"] = "lantian bench " + " ".join(shlex.quote(x) for x in (argv or sys.argv[1:]))
    if a.output:
        a.output.parent.mkdir(parents=True, exist_ok=True)
        text = markdown(summary)
        if a.output.exists():  # a hand-written "## Notes" section (analysis of the run) is kept
            old = a.output.read_text(encoding="utf-8")
            if "\n## Notes" in old:
                text = text.rstrip("\n") + "\n\n" + old[old.index("\n## Notes") + 1 :]
        a.output.write_text(text, encoding="utf-8")
    if a.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        print_table(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
