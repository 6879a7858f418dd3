"""``lantian synth`` (synthetic national data) and ``lantian bench`` (the benchmark suite)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from lantian.cli import app
from lantian.errors import InputError
from lantian.jsonable import dumps


@app.command()
def synth(
    store: Annotated[
        Path, typer.Option("--store", help="Store directory to write (Delta tables hourly/ + stations/).")
    ],
    stations: Annotated[int, typer.Option(help="Number of stations.")] = 1900,
    cities: Annotated[int, typer.Option(help="Number of cities (at most 365).")] = 340,
    years: Annotated[int, typer.Option(help="Number of calendar years.")] = 1,
    start: Annotated[int, typer.Option(help="First year.")] = 2025,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 1,
    days: Annotated[int | None, typer.Option(help="Keep only the first DAYS days of each year.")] = None,
    cnemc_files: Annotated[
        Path | None,
        typer.Option(
            "--cnemc-files", help="Also write national-platform release files (one CSV per hour) here."
        ),
    ] = None,
    cnemc_hours: Annotated[int, typer.Option(help="Hours written as platform files.")] = 168,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary only.")] = False,
) -> None:
    """Generate synthetic national hourly data shaped on real monitoring data (docs/benchmarks.md)."""
    from rich.progress import Progress

    from lantian.pipeline.synth import generate

    with Progress(transient=True, console=_stderr_console(), disable=as_json) as bar:
        task = bar.add_task("generating", total=None)
        report = generate(
            store,
            stations=stations,
            cities=cities,
            years=years,
            start=start,
            seed=seed,
            cnemc_files=cnemc_files,
            cnemc_hours=cnemc_hours,
            days=days,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    summary = report.as_dict()
    if as_json:
        typer.echo(dumps(summary, indent=None))
        return
    typer.echo(
        f"{summary['rows']:,} station-hours of {summary['stations']} stations in {summary['cities']} "
        f"cities, years {summary['years']} → {store}"
        + (f"; {summary['platform_files']} platform files → {cnemc_files}" if cnemc_files else "")
    )


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _runner_path() -> Path:
    """benchmarks/run.py: $LANTIAN_BENCHMARKS, ./benchmarks, or the source checkout lantian runs from."""
    candidates = []
    if os.environ.get("LANTIAN_BENCHMARKS"):
        candidates.append(Path(os.environ["LANTIAN_BENCHMARKS"]) / "run.py")
    candidates.append(Path.cwd() / "benchmarks" / "run.py")
    candidates.append(Path(__file__).resolve().parents[3] / "benchmarks" / "run.py")
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(
        "benchmarks/run.py not found; run from a lantian source checkout or set LANTIAN_BENCHMARKS "
        "to its benchmarks/ directory"
    )


def load_runner():
    """Import benchmarks/run.py (the peers it measures are imported only there, lazily)."""
    path = _runner_path()
    spec = importlib.util.spec_from_file_location("lantian_benchmarks_run", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Smaller run: under 3 minutes on 2 cores.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the Markdown report (docs/benchmarks.md).")
    ] = None,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Where data and results are kept (.bench).")
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option(
            "--case",
            help="Run only this case (repeatable), e.g. report_annual_pdf report_annual_xlsx; "
            "every case is listed by python benchmarks/run.py --help.",
        ),
    ] = None,
) -> None:
    """Benchmark lantian against python-aqi, aqi-hub, pandas and DuckDB on synthetic national data."""
    runner = load_runner()
    unknown = sorted(set(case or ()) - set(runner.CASE_NAMES))
    if unknown:
        raise InputError(
            f"没有名为 {', '.join(unknown)} 的基准测试用例；用例有：{', '.join(runner.CASE_NAMES)}"
        )
    peers_needed = not case or set(case) - runner.STORE_FREE_CASES
    for mod in ("duckdb", "pandas", "aqi", "aqi_hub") if peers_needed else ():
        if importlib.util.find_spec(mod) is None:
            raise InputError(
                f"the benchmark needs {mod!r}; install the peers with: pip install 'lantian[bench]'"
            )
    if case and output:
        raise InputError("--output 写出整套基准测试的报告：请去掉 --case 后运行")
    argv = [
        *[arg for name in case or () for arg in ("--case", name)],
        *(["--quick"] if quick else []),
        *(["--json"] if as_json else []),
        *(["--output", str(output)] if output else []),
        *(["--workdir", str(workdir)] if workdir else []),
    ]
    raise typer.Exit(runner.main(argv))
