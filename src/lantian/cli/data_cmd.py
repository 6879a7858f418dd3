"""``lantian ingest``, ``lantian stations …`` and ``lantian data …``: getting data into the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lantian.cli import app
from lantian.errors import InputError
from lantian.jsonable import dumps

stations_app = typer.Typer(
    help="The station registry: import, list, register unknown stations, edit.", no_args_is_help=True
)
data_app = typer.Typer(
    help="The data store: coverage status, quarantine, bundled sample, migration, compaction.",
    no_args_is_help=True,
)
app.add_typer(stations_app, name="stations")
app.add_typer(data_app, name="data")

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Parquet store directory (default: from config).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only on stdout.")]


def _dataset(store: Path | None):
    from lantian import config
    from lantian.pipeline.store import open_dataset

    return open_dataset(config.load(store=store).store)


def _mapping(spec: str | None) -> dict[str, str] | None:
    if not spec:
        return None
    out = {}
    for part in spec.split(","):
        if "=" not in part:
            raise InputError(f"--map: {part!r} is not src=dst; write e.g. --map 监测时间=time,站点=station")
        src, dst = part.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


#: What the ingest summary shows for a file's result and format (lantian.io.dataset.FileReport).
STATUS_NAMES = {
    "ingested": "已导入",
    "already ingested": "已导入过",
    "incomplete": "部分导入（文件损坏）",
    "refused": "拒收",
    "already refused": "拒收过",
    "unrecognised": "无法识别",
    "error": "出错",
    "registry": "站点名录",
}
FORMAT_NAMES = {
    "cnemc": "全国实时发布",
    "mirror": "镜像文件",
    "prsa": "PRSA",
    "aqistudy": "城市日值",
    "generic": "通用表格",
    "stations": "站点名录",
}


def _dump(obj) -> None:
    typer.echo(dumps(obj))


def _bar(label: str | None, transient: bool, *extra: TextColumn) -> Progress:
    """The data commands' progress bar on standard error: label, bar, done/total, ``extra`` columns,
    what is being done, time elapsed."""
    columns = [TextColumn(f"[bold]{label}[/]")] if label else []
    columns += [
        BarColumn(),
        MofNCompleteColumn(),
        *extra,
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    ]
    return Progress(*columns, console=Console(stderr=True), transient=transient)


def _run_ingest(ds, paths, fmt, mapping, as_json, force=False):
    with _bar("导入", as_json, TextColumn("{task.fields[rows]:,} 行")) as bar:
        task = bar.add_task("", total=None, rows=0)

        def progress(event: dict) -> None:
            if event["event"] == "file":
                bar.update(task, total=event["total"], description=Path(event["path"]).name)
            else:
                bar.update(task, advance=1, rows=bar.tasks[task].fields["rows"] + event["rows"])

        return ds.ingest(paths, fmt=fmt, mapping=mapping, progress=progress, force=force)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (recursed).")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="auto|cnemc|mirror|prsa|aqistudy|generic")] = "auto",
    mapping: Annotated[
        str | None, typer.Option("--map", help="Column mapping src=dst,... (generic format).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Read files again even if the ingest log already has them.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest data files into the store: idempotent, incremental, atomic; nothing is dropped silently."""
    ds = _dataset(store)
    report = _run_ingest(ds, paths, fmt, _mapping(mapping), as_json, force)
    kept = _station_days(ds, as_json, rebuild=False)
    if as_json:
        _dump({**report.to_dict(), "station_days": kept})
        return
    table = Table(
        "文件",
        "格式",
        "结果",
        "读入行",
        "入库",
        "隔离",
        "重复",
        "更正",
        title=f"导入数据存储 {ds.root}",
    )
    for f in report.files:
        table.add_row(
            escape(_label(f.path)),
            FORMAT_NAMES.get(f.format, f.format) if f.format else "—",
            STATUS_NAMES.get(f.status, f.status),
            *(
                f"{v:,}"
                for v in (f.rows_read, f.rows_stored, f.rows_quarantined, f.rows_duplicate, f.rows_revised)
            ),
        )
    table.add_row(
        "[bold]合计[/]",
        "",
        "已核平" if report.balanced else "[red]未核平[/]",
        *(
            f"{v:,}"
            for v in (
                report.rows_read,
                report.rows_stored,
                report.rows_quarantined,
                report.rows_duplicate,
                report.rows_revised,
            )
        ),
    )
    console = Console()
    console.print(table)
    console.print(
        f"读入 {report.rows_read:,} 行 = 入库 {report.rows_stored:,} + 隔离 {report.rows_quarantined:,}"
        f" + 重复 {report.rows_duplicate:,}（用时 {report.seconds:.1f} 秒）"
    )
    for f in report.files:
        if f.message and f.status not in ("ingested", "already ingested"):
            console.print(
                f"[red]{escape(_label(f.path))}[/]：{STATUS_NAMES.get(f.status, f.status)}：{escape(f.message)}",
                highlight=False,
            )
    if report.stations_registered:
        console.print(
            f"已按发布文件登记 {report.stations_registered} 个站点（来源：发布文件；导入的站点名录优先）："
            "lantian stations list 可查看"
        )
    if report.skipped:
        console.print(f"已跳过（不是数据文件）：{', '.join(report.skipped)}")
    if report.rows_quarantined:
        console.print("隔离的行及原因：lantian data quarantine")
    if kept["station_days"]:
        console.print(
            f"站点日均值已更新：{kept['station_days']:,} 个站日（{kept['updated'] + kept['computed']} 个月）"
        )


def _station_days(ds, as_json: bool, rebuild: bool) -> dict:
    """Bring the kept station daily values up to date (all of them with ``rebuild``), with progress."""
    from lantian.pipeline import station_days

    with _bar(None, True) as bar:
        task = bar.add_task("站点日均值", total=None)

        def progress(event: dict) -> None:
            bar.update(
                task,
                total=event["total"],
                completed=event["index"],
                description=f"站点日均值 {event['month']}",
            )

        run = station_days.rebuild if rebuild else station_days.refresh
        return run(ds, progress=progress)


@data_app.command("rebuild")
def data_rebuild(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the kept station daily values from the stored hours (after a change of the rules or to check them)."""
    ds = _dataset(store)
    done = _station_days(ds, as_json, rebuild=True)
    if as_json:
        _dump(done)
        return
    typer.echo(f"站点日均值已重算：{done['months']} 个月，{done['station_days']:,} 个站日")


#: What the migrate and compact summaries call the store's tables (lantian.io.dataset).
TABLE_NAMES = {
    "hourly": "站点小时值",
    "city_hourly": "城市小时值",
    "daily": "日值",
    "monthly": "城市月值",
    "stations": "站点名录",
    "observed_stations": "数据中出现的站点",
    "quarantine": "隔离区",
    "ingest_log": "导入日志",
}


def _table_name(name: str) -> str:
    if name.startswith("revisions/"):
        inner = name.split("/", 1)[1]
        return f"修订记录（{TABLE_NAMES.get(inner, inner)}）"
    return TABLE_NAMES.get(name, name)


def _store_path(store: Path | None) -> Path:
    from lantian import config

    return config.load(store=store).store


@data_app.command("migrate")
def data_migrate(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Convert a store of the previous layout (monthly Parquet files) to Delta Lake tables, in place; nothing is lost, and a rerun after an interruption finishes the job."""
    from lantian.pipeline.store import migrate_store

    root = _store_path(store)
    with _bar("转换", True) as bar:
        task = bar.add_task("", total=None)

        def progress(event: dict) -> None:
            if event["event"] == "file":
                bar.update(task, total=event["total"], completed=event["index"], description=event["path"])
            elif event["event"] == "check":
                bar.update(task, completed=event["index"], description="核对行数")
            else:
                bar.update(task, description="替换旧文件")

        result = migrate_store(root, progress=progress)
    if as_json:
        _dump(result)
        return
    console = Console()
    if not result["migrated"]:
        console.print(result["message"])
        return
    table = Table(
        "数据表", "原有行数", "转换后行数", title=f"数据存储 {result['store']} 已转为 Delta Lake 表"
    )
    for name, counts in result["tables"].items():
        table.add_row(_table_name(name), f"{counts['before']:,}", f"{counts['after']:,}")
    console.print(table)
    console.print(
        f"转换了 {result['files']:,} 个旧文件，各表行数一致（用时 {result['seconds']:.1f} 秒）；"
        f"补完了 {result['journals_replayed']} 个已提交的批次，删除了 {result['temporaries_deleted']} 个未提交的临时文件。"
        "站点日均值将在下次导入或 lantian data rebuild 时重新计算。",
        highlight=False,
    )
    if result["resumed"]:
        console.print("（上次转换被中断，本次已接着完成。）")


@data_app.command("compact")
def data_compact(
    history_days: Annotated[
        int | None,
        typer.Option(
            "--history-days",
            min=1,
            help="Days of history kept readable by time (default: setting store_history_days).",
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rewrite the store's small files as large ones and delete the files no version of the last N days needs."""
    from lantian import config

    settings = config.load(store=store)
    days = history_days if history_days is not None else settings.value("store_history_days")
    ds = _dataset(store)
    with _bar("整理", as_json) as bar:
        task = bar.add_task("", total=None)

        def progress(event: dict) -> None:
            bar.update(
                task, total=event["total"], completed=event["index"], description=_table_name(event["table"])
            )

        done = ds.compact(days, progress)
    if as_json:
        _dump({"store": str(ds.root), "history_days": days, "tables": done})
        return
    table = Table("数据表", "合并为新文件", "被合并的文件", "删除的旧文件", title=f"整理数据存储 {ds.root}")
    for name, counts in done.items():
        table.add_row(
            _table_name(name),
            f"{counts['files_added']:,}",
            f"{counts['files_removed']:,}",
            f"{counts['files_deleted']:,}",
        )
    console = Console()
    console.print(table)
    console.print(
        f"保留了最近 {days} 天的历史：此前被替换的值已不能按时间读出，提交记录仍全部保留。",
        highlight=False,
    )


def _label(path: str) -> str:
    """A file by its name; a member of a zip archive as ``ARCHIVE.zip/…/MEMBER``."""
    parts = Path(path).parts
    at = next((i for i, p in enumerate(parts[:-1]) if p.lower().endswith(".zip")), None)
    return Path(path).name if at is None else "/".join(parts[at:])


@stations_app.command("import")
def stations_import(
    file: Annotated[
        Path, typer.Argument(help="National station list (监测点编码,监测点名称,城市,经度,纬度,对照点).")
    ],
    valid_from: Annotated[
        str | None, typer.Option("--valid-from", help="Date the list takes effect (YYYY-MM-DD).")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a station list into the registry."""
    day = _date(valid_from, "--valid-from")
    result = _dataset(store).import_stations(file, day)
    if as_json:
        _dump(result)
    else:
        typer.echo(
            f"imported {result['imported']} stations ({result['total']} in the registry); "
            f"{len(result['rejected'])} lines rejected"
        )
        for line, raw, why in result["rejected"]:
            typer.echo(f"  line {line}: {why}: {raw}")


@stations_app.command("list")
def stations_list(
    city: Annotated[str | None, typer.Option(help="Only this city (湘潭 or 湘潭市).")] = None,
    unknown: Annotated[
        bool, typer.Option("--unknown", help="Stations seen in data but not in the registry.")
    ] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the registry (or the unknown stations seen in ingested data)."""
    ds = _dataset(store)
    frame = ds.unknown_stations() if unknown else ds.stations()
    if city:
        from lantian.schema import city_key, city_key_expr

        frame = frame.filter(city_key_expr("city") == city_key(city))
    if as_json:
        _dump(frame.to_dicts())
        return
    table = Table(*frame.columns, title="unknown stations" if unknown else "station registry")
    for row in frame.iter_rows():
        table.add_row(*("—" if v is None else str(v) for v in row))
    Console().print(table)
    if unknown and frame.height:
        typer.echo("register them with: lantian stations register [CODE...]", err=True)


@stations_app.command("register")
def stations_register(
    codes: Annotated[
        list[str] | None, typer.Argument(help="Codes to register (default: every unknown station).")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register unknown stations with the attributes seen in the data."""
    added = _dataset(store).register_unknown(codes or None)
    if as_json:
        _dump(added.to_dicts())
    else:
        typer.echo(f"registered {added.height} stations")


@stations_app.command("edit")
def stations_edit(
    code: Annotated[str, typer.Argument(help="Station code.")],
    valid_from: Annotated[str | None, typer.Option("--valid-from")] = None,
    valid_to: Annotated[str | None, typer.Option("--valid-to", help="Last day the station counts.")] = None,
    replaced_by: Annotated[str | None, typer.Option("--replaced-by")] = None,
    control: Annotated[bool | None, typer.Option("--control/--no-control")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    district: Annotated[str | None, typer.Option("--district")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a registry entry (validity period, replacement, control flag, city, district)."""
    fields = {
        k: v
        for k, v in {
            "valid_from": _date(valid_from, "--valid-from"),
            "valid_to": _date(valid_to, "--valid-to"),
            "replaced_by": replaced_by,
            "is_control": control,
            "city": city,
            "district": district,
        }.items()
        if v is not None
    }
    if not fields:
        raise InputError("nothing to change; give e.g. --valid-to 2022-06-30 --replaced-by 3138A")
    row = _dataset(store).edit_station(code, **fields)
    if as_json:
        _dump(row.to_dicts()[0])
    else:
        typer.echo(dumps(row.to_dicts()[0], indent=None))


@data_app.command("status")
def data_status(
    city: Annotated[str | None, typer.Option(help="Only this city.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Coverage per station and month: hours present / expected, gaps."""
    from lantian.pipeline.stations import excluded_stations

    ds = _dataset(store)
    status = ds.status(city)
    log = ds.ingest_log()
    excluded = excluded_stations(ds, city)
    if as_json:
        _dump(
            {
                "store": str(ds.root),
                "files": log.height,
                "hourly": status["hourly"].to_dicts(),
                "daily": status["daily"].to_dicts(),
                "excluded_stations": excluded,
            }
        )
        return
    console = Console()
    console.print(f"store {ds.root}: {log.height} files ingested")
    t = Table(
        "station",
        "name",
        "city",
        "month",
        "hours",
        "with data",
        "expected",
        "coverage",
        "gaps",
        "missing in span",
        title="hourly coverage (natural days)",
    )
    for r in status["hourly"].iter_rows(named=True):
        t.add_row(
            r["station_code"],
            r["name"] or "—",
            r["city"] or "—",
            f"{r['month']:%Y-%m}",
            str(r["hours"]),
            str(r["hours_with_data"]),
            str(r["expected"]),
            f"{r['coverage']:.1%}",
            str(r["gaps"]),
            str(r["missing_in_span"]),
        )
    console.print(t)
    daily = status["daily"]
    if daily.height:
        t = Table("city/station", "month", "days", "expected", "coverage", title="daily coverage")
        for r in daily.iter_rows(named=True):
            t.add_row(
                r["id"], f"{r['month']:%Y-%m}", str(r["days"]), str(r["expected"]), f"{r['coverage']:.1%}"
            )
        console.print(t)
    _print_excluded(console, excluded)


def _print_excluded(console: Console, excluded: list[dict]) -> None:
    """Stations seen in the data that the city value leaves out (or leaves out on some days)."""
    if not excluded:
        return
    t = Table(
        "station",
        "name",
        "city",
        "data",
        "source",
        "why",
        title="stations with data not counted (不计入城市均值的站点)",
    )
    for r in excluded:
        t.add_row(
            r["station_code"],
            r["name"] or "—",
            r["city"] or "—",
            f"{r['first']}…{r['last']}",
            r["source"] or "—",
            r["why"],
        )
    console.print(t)


@data_app.command("quarantine")
def data_quarantine(
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option(help="Rows to print (table view).")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Rows that were not stored, with their reason and raw text."""
    q = _dataset(store).quarantine()
    if as_json:
        _dump(q.to_dicts())
        return
    t = Table("file", "line", "reason", "raw", title=f"quarantine ({q.height} rows)")
    for r in q.head(limit).iter_rows(named=True):
        t.add_row(Path(r["source"]).name, str(r["line"]), r["reason"], (r["raw"] or "")[:80])
    Console().print(t)


@data_app.command("sample")
def data_sample(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Ingest the bundled real-data sample (station list, platform releases, PRSA month, city daily)."""
    from lantian.pipeline.store import load_sample

    ds = _dataset(store)
    report = load_sample(ds)
    if as_json:
        _dump(report.to_dict())
    else:
        typer.echo(
            f"sample ingested into {ds.root}: {report.rows_read} rows read, {report.rows_stored} stored, "
            f"{report.rows_quarantined} quarantined, {report.rows_duplicate} duplicate"
        )


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{option}: {value!r} is not a date; write YYYY-MM-DD") from exc
