"""``lantian report``: the documents the office files, in HTML, PDF, XLSX, Markdown or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lantian.cli import app

report_app = typer.Typer(
    help="Reports the office files, in the official document style (HTML, PDF, XLSX, Markdown, JSON).",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

_BINARY = ("pdf", "xlsx")

City = Annotated[str, typer.Option("--city", help="City name, e.g. 长沙 or 长沙市.")]
Period = Annotated[str, typer.Option("--period", help="The day, e.g. 2016-01-05.")]
Format = Annotated[str, typer.Option("--format", "-f", help="html|pdf|xlsx|md|json")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (default: stdout for text).")
]
Lang = Annotated[str, typer.Option("--lang", help="zh|en (en: the air-quality parts in English).")]
Office = Annotated[str | None, typer.Option("--office", help="Issuing office (default 蓝天办).")]
Number = Annotated[str, typer.Option("--number", help="Document number, e.g. 蓝天办〔2017〕1号.")]
AsJson = Annotated[bool, typer.Option("--json", help="Same as --format json, printed on stdout.")]
PeriodOf = Annotated[
    str, typer.Option("--period", help="weekly 2016-W10 | monthly 2016-07 | quarterly 2016Q3 | annual 2016.")
]
Store = Annotated[Path | None, typer.Option("--store", help="Parquet store directory (else LANTIAN_STORE).")]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Supervision database URL (else the setting database_url, the database of lantian case).",
    ),
]
Actor = Annotated[
    str | None, typer.Option("--as", envvar="LANTIAN_USER", help="User reading the supervision data.")
]
Group = Annotated[str | None, typer.Option("--group", help="Ranking group, e.g. 湖南 (as for lantian rank).")]
Groups = Annotated[Path | None, typer.Option("--groups", help="TOML file with [groups] NAME = [cities].")]
Targets = Annotated[
    Path | None, typer.Option("--targets", help="TOML file with [[targets]] (annual report).")
]
AirQuality = Annotated[
    Path | None,
    typer.Option(
        "--air-quality",
        help="District air-quality results for the scores (as for lantian cycle); else from the store.",
    ),
]


def _emit(
    kind: str,
    city: str,
    period: str,
    fmt: str,
    output: Path | None,
    as_json: bool,
    from_file: Path | None = None,
    **options,
) -> None:
    from lantian.errors import InputError
    from lantian.reports.render import FORMATS, render
    from lantian.reports.sources import build

    if as_json:
        fmt, output = "json", None
    if fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if lang := options.get("lang"):
        if lang not in ("zh", "en"):
            raise InputError(f"unknown --lang {lang!r}; choose zh or en")
    from lantian.reports.charts import cjk_font

    cjk_font()  # no CJK font: stop here with what to install, before any figure is computed
    doc = build(kind, city=city, period=period, **options)
    if from_file is not None:
        # the figures of a --input file: the same as ingesting it into a store of its own and asking that store
        def via_store(lines: list[str]) -> list[str]:
            return [f"lantian ingest --store STORE {from_file}"] + [
                f"{line} --store STORE" if line.startswith("lantian ") else line for line in lines
            ]

        rows = (doc.data.get("daily") or {}).get("rows") or []
        if rows and "city" not in doc.data:  # the JSON of a bulletin from a file has kept its city row
            doc.data["city"] = rows[0]
        if isinstance(doc.data.get("commands"), list):
            doc.data["commands"] = via_store(doc.data["commands"])
        else:
            doc.sources = via_store(doc.sources)
    if output is None and fmt in _BINARY:
        output = Path(f"{doc.city}-{kind}-{doc.period}.{fmt}")
    data = render(doc, fmt, output)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        if not data.endswith(b"\n"):
            sys.stdout.write("\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"{doc.title} → {output}", err=True)


@report_app.command("daily")
def daily(
    city: City,
    period: Period,
    fmt: Format = "html",
    output: Output = None,
    lang: Lang = "zh",
    office: Office = None,
    number: Number = "",
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="A file in any format lantian ingest takes (national-platform release, mirror file, "
            "PRSA, city daily, generic CSV of hours or daily values), instead of the store.",
        ),
    ] = None,
    store: Store = None,
    as_json: AsJson = False,
) -> None:
    """空气质量日报: city and station AQI, level, category, primary pollutant, sub-indices, health advice
    (from --input FILE, read as lantian ingest reads it, else from the store)."""
    common = {"lang": lang, "office": office, "number": number}
    if input is None:
        _emit("daily", city, period, fmt, output, as_json, input=None, store=store, **common)
        return
    import datetime as dt
    import tempfile

    from lantian.errors import InputError
    from lantian.pipeline.store_inputs import cities_in, file_store
    from lantian.schema import city_key

    try:
        day = dt.date.fromisoformat(period)
    except ValueError as exc:
        raise InputError(f"--period {period!r}: a daily bulletin needs a date, e.g. 2016-01-05") from exc
    with tempfile.TemporaryDirectory(prefix="lantian-daily-") as tmp:
        ds = file_store(input, Path(tmp) / "store", city)
        cities = cities_in(ds, day)
        if city_key(city) not in {city_key(c) for c in cities}:
            raise InputError(
                f"{input}: no row for city {city!r} on {day}; cities on that day: {cities[:20]}"
                f"（文件中没有 {city} {day} 的数据）"
            )
        _emit("daily", city, period, fmt, output, as_json, from_file=input, input=None, store=ds.root, **common)


def _period_command(kind: str, doc: str):
    def command(
        city: City,
        period: PeriodOf,
        fmt: Format = "html",
        output: Output = None,
        lang: Lang = "zh",
        office: Office = None,
        number: Number = "",
        store: Store = None,
        db: Db = None,
        actor: Actor = None,
        group: Group = None,
        groups: Groups = None,
        targets: Targets = None,
        air_quality: AirQuality = None,
        as_json: AsJson = False,
    ) -> None:
        _emit(
            kind,
            city,
            period,
            fmt,
            output,
            as_json,
            lang=lang,
            office=office,
            number=number,
            store=store,
            db=db,
            actor=actor,
            group=group,
            groups=groups,
            targets=targets,
            air_quality_file=air_quality,
        )

    command.__doc__ = doc
    report_app.command(kind)(command)


_period_command(
    "weekly",
    "周调度: air quality against last year, rankings, cases opened/closed/overdue/escalated by unit.",
)
_period_command(
    "monthly",
    "月考核通报: air quality against last year, rankings, district and department scores, cases, escalations.",
)
_period_command(
    "quarterly",
    "季度评估: six pollutants, composite index, good days, change, rank, heatmap, trends, quarterly scores.",
)
_period_command(
    "annual",
    "年度报告: six pollutants, composite index, good days, change, rank, targets, heatmap, trends.",
)
