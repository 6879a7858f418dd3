"""``lantian aqi``: AQI of a file, or of one set of concentrations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.jsonable import dumps

aqi_app = typer.Typer(help="Air Quality Index (HJ 633—2012 / HJ 633—2026).", no_args_is_help=True)
app.add_typer(aqi_app, name="aqi")


@aqi_app.command("compute")
def compute(
    input: Annotated[Path, typer.Argument(help="National-platform hourly release or generic CSV.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    kind: Annotated[str | None, typer.Option(help="hourly|daily (default: from the file)")] = None,
    regime: Annotated[str, typer.Option(help="auto|2012|2026 (auto: from each row's date)")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Compute IAQI, AQI, primary pollutants, level and category for every row of INPUT."""
    from lantian.pipeline.aqi import compute_file

    table, info = compute_file(input, kind=kind, regime=regime)
    output.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(output, datetime_format="%Y-%m-%d %H:%M:%S")
    summary = {
        **info,
        "input": str(input),
        "output": str(output),
        "withheld": int(table["aqi"].null_count()),
        "by_category": {str(k): int(v) for k, v in table["category"].value_counts().iter_rows()},
    }
    if "aqi_official" in table.columns:
        both = table.filter(table["aqi"].is_not_null() | table["aqi_official"].is_not_null())
        summary["matches_official"] = int((both["aqi"] == both["aqi_official"]).fill_null(False).sum())
        summary["rows_with_official_or_computed_aqi"] = len(both)
    if as_json:
        typer.echo(dumps(summary))
        return
    console = Console()
    console.print(f"[bold]{info['rows']}[/] rows ({info['format']}, {info['kind']}) → {output}")
    preview = Table(*[c for c in table.columns if not c.startswith("iaqi_")], title="first rows")
    for row in table.head(8).iter_rows():
        cells = dict(zip(table.columns, row, strict=True))
        preview.add_row(*["" if v is None else str(v) for k, v in cells.items() if not k.startswith("iaqi_")])
    console.print(preview)
    if "matches_official" in summary:
        console.print(f"official AQI reproduced: {summary['matches_official']} of "
                      f"{summary['rows_with_official_or_computed_aqi']} rows")


@aqi_app.command("value")
def value(
    date: Annotated[str, typer.Option(help="Date (YYYY-MM-DD) or hour label; picks the edition.")],
    kind: Annotated[str, typer.Option(help="daily|hourly")] = "daily",
    regime: Annotated[str, typer.Option(help="auto|2012|2026")] = "auto",
    so2: Annotated[float | None, typer.Option(help="SO2 µg/m³")] = None,
    no2: Annotated[float | None, typer.Option(help="NO2 µg/m³")] = None,
    co: Annotated[float | None, typer.Option(help="CO mg/m³")] = None,
    o3: Annotated[float | None, typer.Option(help="O3 1-hour (daily: max 1-hour) µg/m³")] = None,
    o3_8h: Annotated[float | None, typer.Option("--o3-8h", help="O3 8-hour (daily: MDA8) µg/m³")] = None,
    pm10: Annotated[float | None, typer.Option(help="PM10 µg/m³")] = None,
    pm25: Annotated[float | None, typer.Option(help="PM2.5 µg/m³")] = None,
    so2_24h: Annotated[float | None, typer.Option("--so2-24h", help="SO2 24-hour mean (2012 rule)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """IAQI of each pollutant given, the AQI, level, category, colour, primary pollutant and advice."""
    from lantian.errors import InputError
    from lantian.pipeline.aqi import aqi
    from lantian.standards import Options

    given = {k: v for k, v in dict(so2=so2, no2=no2, co=co, o3=o3, o3_8h=o3_8h, pm10=pm10, pm25=pm25,
                                   so2_24h=so2_24h).items() if v is not None}
    if not given:
        raise InputError("give at least one concentration, e.g. --pm25 36")
    if kind not in ("daily", "hourly"):
        raise InputError(f"--kind must be daily or hourly, got {kind!r}")
    # Only the pollutants given are graded: the AQI is the maximum of their IAQIs.
    options = Options(missing_pollutant_rule="available",
                      daily_o3_1h_in_aqi=kind == "daily" and o3 is not None and o3_8h is None)
    result = aqi(kind=kind, regime=regime, date=date, options=options, **given)
    result["inputs"] = given
    if as_json:
        typer.echo(dumps(result))
        return
    console = Console()
    table = Table("indicator", "concentration", "IAQI", title=f"{result['edition']} · {kind} · {date}")
    for name, sub in result["iaqi"].items():
        table.add_row(name, str(given.get(name, "")), "—" if sub is None else str(sub))
    console.print(table)
    primary = ", ".join(result["primary_pollutants"] or []) or "—"
    console.print(f"AQI [bold]{result['aqi']}[/]  {result['level_name']} {result['category']} "
                  f"({result['colour']} {result['colour_hex']})  primary pollutant: {primary}")
    if result["exceedance_pollutants"]:
        console.print(f"exceedance pollutants: {', '.join(result['exceedance_pollutants'])}")
    console.print(f"health effect: {result['health_effect']}")
    console.print(f"advice: {result['advice']}")
