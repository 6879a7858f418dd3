"""``lantian daily | assess | rank | targets | warn``: the official figures (HJ 663, rankings, targets,
warnings). Every command prints a table, or JSON only with ``--json``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Parquet store directory (else LANTIAN_STORE).")
]
SwitchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--switch",
        "-s",
        help="Rule switch NAME=VALUE (spec §14), e.g. composite_weights=3-2-2, "
        "warning_scheme=2017, mda8_min_windows=14. Repeatable.",
    ),
]
DustOpt = Annotated[
    Path | None,
    typer.Option(
        "--dust",
        help="沙尘影响时段 CSV：city,date[,hour]，hour 为 1–24（该时结束的小时），留空为整日；"
        "按 --switch dust_deduction=day|hour 扣除 PM10、PM2.5（docs/assessment.md）。",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
EngineOpt = Annotated[
    str, typer.Option("--engine", envvar="LANTIAN_ENGINE", help="local | spark (PySpark; docs/spark.md)")
]


def _options(switches: list[str] | None):
    from dataclasses import fields

    from lantian.errors import InputError
    from lantian.standards import Options
    from lantian.standards.switches import WEIGHTS_3_2_2

    opts = Options()
    types = {f.name: f for f in fields(Options)}
    changes = {}
    for item in switches or []:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or name not in types:
            raise InputError(f"--switch {item!r}: use NAME=VALUE with NAME one of {', '.join(sorted(types))}")
        current = getattr(opts, name)
        raw = raw.strip()
        if name == "composite_weights":
            value = (
                None
                if raw.lower() in ("none", "")
                else WEIGHTS_3_2_2
                if raw == "3-2-2"
                else tuple((k, float(v)) for k, v in (kv.split(":") for kv in raw.split(",")))
            )
        elif isinstance(current, bool):
            value = raw.lower() in ("1", "true", "yes", "on")
        elif isinstance(current, int) or name == "composite_round_single_index":
            value = None if raw.lower() == "none" else int(raw)
        elif isinstance(current, tuple):
            value = tuple(x.strip() for x in raw.split(",") if x.strip())
        else:
            value = raw
        changes[name] = value
    return opts.with_(**changes)


def _date(text: str, what: str) -> dt.date:
    from lantian.errors import InputError

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{what} {text!r} is not a date; use YYYY-MM-DD") from exc


def _emit_json(obj) -> None:
    from lantian.jsonable import dumps

    typer.echo(dumps(obj))


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{round(v, 9):g}"
    return str(v)


@app.command()
def daily(
    date_from: Annotated[str, typer.Option("--from", help="First natural day YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last natural day YYYY-MM-DD.")],
    store: StoreOpt = None,
    station: Annotated[str | None, typer.Option(help="Station code.")] = None,
    city: Annotated[
        str | None, typer.Option(help="City name (evaluation stations, or city daily rows).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table to CSV.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Valid counts and why values are invalid.")
    ] = False,
    switch: SwitchOpt = None,
    engine: EngineOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """Daily means, MDA8, max 1-hour O3, IAQIs, AQI, category, primary pollutant, valid-hour counts."""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.figures import daily_table

    options = _options(switch)
    ds = open_store(store)
    result = daily_table(
        ds, _date(date_from, "--from"), _date(date_to, "--to"), station, city, options, engine
    )
    table, source = result.frame(), result.source
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(output)
    main = [
        c
        for c in (
            "date",
            "so2",
            "no2",
            "co",
            "pm10",
            "pm25",
            "o3",
            "o3_8h",
            "aqi",
            "category",
            "primary_pollutants",
        )
        if c in table.columns
    ]
    counts = [c for c in table.columns if c.startswith("n_")]
    cols = main + (counts + ["regime", "valid_day", "invalid_because"] if explain else [])
    if as_json:
        _emit_json({**result.to_dict(), "rows": table.select(cols).to_dicts()})
        return
    t = Table(*cols, title=f"daily values · {station or city} · from {source}")
    for row in table.select(cols).iter_rows():
        t.add_row(*[_fmt(v) for v in row])
    Console().print(t)
    if output:
        Console(stderr=True).print(f"written: {output}")


def _assessment_rows(row: dict) -> list[tuple[str, str, str, str, str]]:
    """One line per item; an invalid statistic (below the data-validity minimum) shows 数据不足 with its
    value in brackets and no attainment."""
    from lantian.pipeline.figures import INSUFFICIENT_ZH
    from lantian.standards import hj663

    out = []
    for it in hj663.ITEMS:
        if it.name in row:
            valid = row.get(f"valid_{it.name}")
            value = _fmt(row.get(it.name)) if valid else f"{INSUFFICIENT_ZH} ({_fmt(row.get(it.name))})"
            out.append(
                (
                    it.name,
                    value,
                    _fmt(row.get(f"limit_{it.name}")),
                    _fmt(row.get(f"attains_{it.name}")),
                    f"{row.get(f'n_{it.name}')} d · {_fmt(row.get(f'capture_{it.name}'))}%"
                    + ("" if valid else f" ({INSUFFICIENT_ZH})"),
                )
            )
    return out


@app.command()
def assess(
    city: Annotated[str, typer.Option(help="City name.")],
    period: Annotated[
        str, typer.Option(help="2022 | 2022H1 | 2022Q3 | 2022-07 | 2022-01-01..2022-03-31 | ytd")
    ],
    store: StoreOpt = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Compare with the same period last year.")
    ] = False,
    dust: DustOpt = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Days that entered each figure; invalid days.")
    ] = False,
    switch: SwitchOpt = None,
    engine: EngineOpt = "local",
    as_json: JsonOpt = False,
) -> None:
    """HJ 663 period assessment: statistics, composite index, attainment, good days, comparison."""
    import polars as pl

    from lantian.pipeline.assessment import explain_daily, open_store
    from lantian.pipeline.figures import INSUFFICIENT_ZH, assessment
    from lantian.pipeline.stations import excluded_stations

    options = _options(switch)
    res_store = open_store(store)
    res = assessment(res_store, city, period, compare, dust, options, engine)
    row = res.result
    p = res.period_obj
    detail = None
    if explain:
        ex = explain_daily(res.daily, options)
        detail = {
            "rule": f"means of valid daily values; CO P95 / O3 P90 (NumPy linear, spec §5.2) of published daily "
            f"values; validity ≥27 days per whole month (Feb 25), years ≥324 days; edition {row['regime']}",
            "invalid_days": ex.filter(~pl.col("valid_day")).select("date", "invalid_because").to_dicts(),
            "days_per_item": {k.removeprefix("n_"): v for k, v in row.items() if k.startswith("n_")},
            "excluded_stations": excluded_stations(res_store, city, p.start, p.end),
        }
    if as_json:
        _emit_json({**res.to_dict(), **({"explain": detail} if detail else {})})
        return
    console = Console()
    t = Table(
        "item",
        "value",
        "limit",
        "attains",
        "days",
        title=f"{row['city']} · {p.label} ({p.start}…{p.end}) · "
        f"GB 3095/HJ 633 {row['regime']} · from {res.source}",
    )
    for r in _assessment_rows(row):
        t.add_row(*r)
    console.print(t)
    if res.insufficient:
        console.print(
            f"[bold]{INSUFFICIENT_ZH}[/]：{res.insufficient['zh']}；不作达标判断（{res.insufficient['en']}）"
        )

    def shown(key: str, unit: str = "") -> str:
        valid = row.get("index_valid") if key == "composite_index" else row.get("valid_good_rate")
        value = f"{_fmt(row.get(key))}{unit}"
        return value if valid else f"{INSUFFICIENT_ZH} ({value})"

    console.print(
        f"composite index [bold]{shown('composite_index')}[/] (primary {row['index_primary']}); "
        f"good days {row['good_days']}/{row['valid_days']} = {shown('good_rate', '%')}; "
        f"heavy-or-worse days {row['heavy_days']}; attains all: "
        f"{_fmt(row['attains_all']) if row.get('attains_all') is not None or not res.insufficient else INSUFFICIENT_ZH}"
    )
    if compare and "index_change_pct" in row:
        console.print(
            f"same period last year: index {_fmt(row.get('composite_index_last_year'))}, change "
            f"{_fmt(row.get('index_change_pct'))}% ({_fmt(row.get('trend'))}); PM2.5 "
            f"{_fmt(row.get('pm25_last_year'))} → {_fmt(row.get('pm25'))}"
        )
    if detail:
        console.print(f"rule: {detail['rule']}")
        for d in detail["invalid_days"]:
            console.print(f"  invalid {d['date']}: {d['invalid_because']}")
        for r in detail["excluded_stations"]:
            console.print(f"  station not counted {r['station_code']} {r['name'] or ''}: {r['why']}")


RANK_BY_ZH = {
    "index": "综合指数",
    "change": "综合指数变化率",
    "pm25": "PM2.5浓度",
    "pm25_change": "PM2.5浓度变化率",
    "good_rate": "优良天数比例",
}
_CITY = [("排名", "rank"), ("城市", "city")]
#: The columns of each ranking, as a provincial notice prints it.
RANK_TABLE = {
    "index": [
        *_CITY,
        ("综合指数", "composite_index"),
        ("首要污染物", "index_primary"),
        ("PM2.5", "pm25"),
        ("优良天数比例", "good_rate"),
    ],
    "change": [
        *_CITY,
        ("综合指数", "composite_index"),
        ("上年同期", "composite_index_last_year"),
        ("变化率%", "index_change_pct"),
    ],
    "pm25": [*_CITY, ("PM2.5", "pm25"), ("综合指数", "composite_index")],
    "pm25_change": [
        *_CITY,
        ("PM2.5", "pm25"),
        ("上年同期", "pm25_last_year"),
        ("变化率%", "pm25_change_pct"),
    ],
    "good_rate": [*_CITY, ("优良天数比例", "good_rate"), ("综合指数", "composite_index")],
}


#: Decimals of the published values in a ranking (HJ 663: index 2 dp, rates and changes 1 dp).
RANK_DECIMALS = {
    "composite_index": 2,
    "composite_index_last_year": 2,
    "index_change_pct": 1,
    "pm25_change_pct": 1,
    "good_rate": 1,
    "pm25": 0,
    "pm25_last_year": 0,
}


def _rank_cell(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        return "—"
    if key == "index_primary":
        from lantian.schema import NAMES_EN  # the symbols, as notices print them

        return "、".join(NAMES_EN.get(p, p) for p in str(value).split(","))
    if key in RANK_DECIMALS:
        return f"{value:.{RANK_DECIMALS[key]}f}"
    return _fmt(value)


@app.command()
def rank(
    group: Annotated[
        str, typer.Option(help="Group name: a province (built-in, e.g. 湖南) or a group in --groups.")
    ],
    period: Annotated[str | None, typer.Option(help="Period, as for assess (not with --live).")] = None,
    store: StoreOpt = None,
    live: Annotated[
        bool,
        typer.Option("--live", help="全省看板：当日、年初至今（综合指数及其变化）和最新小时的排名。"),
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="看板的日期 YYYY-MM-DD（默认最新有数据的一天）。")
    ] = None,
    by: Annotated[str, typer.Option(help="index | change | pm25 | pm25_change | good_rate")] = "index",
    groups: Annotated[
        Path | None, typer.Option("--groups", help="TOML file with [groups] NAME = [cities].")
    ] = None,
    dust: DustOpt = None,
    switch: SwitchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank a group's cities (competition ranking with ties, spec §6.2); ``--live``: the provincial board."""
    from lantian.errors import InputError
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.figures import INSUFFICIENT_ZH, ranking

    if live:
        _board(
            open_store(store),
            group,
            _date(as_of, "--as-of") if as_of else None,
            groups,
            _options(switch),
            as_json,
        )
        return
    if period is None:
        raise InputError(
            "请用 --period 给出时段，或用 --live 查看全省看板。", en="give --period, or --live for the board."
        )
    res = ranking(open_store(store), group, period, by, groups, dust, _options(switch))
    if as_json:
        _emit_json(res.to_dict())
        return
    cols = [(h, k) for h, k in RANK_TABLE.get(by, RANK_TABLE["index"]) if not res.rows or k in res.rows[0]]
    t = Table(*[h for h, _ in cols], title=f"{group} · {res.period} · 按{RANK_BY_ZH.get(by, by)}排名")
    for r in res.rows:
        # a city with too little data is listed last with 数据不足 in place of a rank
        t.add_row(
            *[INSUFFICIENT_ZH if k == "rank" and r.get("insufficient") else _rank_cell(r, k) for _, k in cols]
        )
    console = Console()
    console.print(t)
    for r in res.rows:
        if r.get("excluded"):
            console.print(f"未排名：{r['city']}：{r['excluded']}")
    for c, why in res.not_assessed.items():
        console.print(f"未评价：{c}：{why}")


def _board(ds, group, as_of, groups, options, as_json) -> None:
    from lantian.pipeline.board import board
    from lantian.pipeline.figures import INSUFFICIENT_ZH

    res = board(ds, group, as_of, groups, options)
    if as_json:
        _emit_json(res.to_dict())
        return
    console = Console()

    def table(title, ranking, columns):
        t = Table(*[name for name, _ in columns], title=title)
        for r in ranking.rows:
            cells = [
                INSUFFICIENT_ZH if key == "rank" and r.get("insufficient") else _fmt(r.get(key))
                for _, key in columns
            ]
            t.add_row(*cells)
        console.print(t)

    index = [("排名", "rank"), ("城市", "city"), ("综合指数", "composite_index"), ("PM2.5", "pm25")]
    table(f"{group} · {res.as_of} · 当日综合指数排名", res.day, index)
    table(
        f"{group} · 年初至 {res.as_of} · 综合指数排名", res.ytd_index, [*index, ("优良天数比例", "good_rate")]
    )
    if res.ytd_change is not None:
        change = [
            ("排名", "rank"),
            ("城市", "city"),
            ("综合指数", "composite_index"),
            ("上年同期", "composite_index_last_year"),
            ("变化率%", "index_change_pct"),
        ]
        table(f"{group} · 年初至 {res.as_of} · 综合指数改善排名", res.ytd_change, change)
    if res.hour:
        t = Table("排名", "城市", "时间", "AQI", title=f"{group} · 最新小时 AQI 排名")
        for r in res.hour:
            t.add_row(_fmt(r["rank"]), r["city"], str(r["time"]), _fmt(r["aqi"]))
        console.print(t)


@app.command()
def targets(
    city: Annotated[str, typer.Option(help="City name.")],
    year: Annotated[int, typer.Option(help="Target year.")],
    targets_file: Annotated[Path, typer.Option("--targets", help="TOML file with [[targets]] entries.")],
    store: StoreOpt = None,
    switch: SwitchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Year-to-date status of a city's targets: what remains, what is lost, a verdict (zh/en)."""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.figures import STATUS_NAMES, targets_now

    res = targets_now(open_store(store), city, year, targets_file, _options(switch)).to_dict()
    if as_json:
        _emit_json(res)
        return
    t = Table(
        "target",
        "limit",
        "current",
        "status",
        "remaining",
        title=f"{res['city']} {year} targets · as of {res['as_of']}",
    )
    for s in res["targets"]:
        t.add_row(
            s["target"],
            s["limit"],
            s["current"],
            STATUS_NAMES.get(s["status"], (s["status"],))[0]
            if s["status"] == "insufficient"
            else s["status"],
            ", ".join(f"{k}={_fmt(v)}" for k, v in s["remaining"].items()),
        )
    console = Console()
    console.print(t)
    for s in res["targets"]:
        console.print(f"· {s['verdict_zh']}  {s['verdict_en']}")
    console.print(f"[bold]{res['verdict_zh']}[/]  {res['verdict_en']}")


@app.command()
def warn(
    forecast: Annotated[Path, typer.Argument(help="预报文件 CSV：city,date,aqi（逐日 AQI 预报）。")],
    store: StoreOpt = None,
    city: Annotated[str | None, typer.Option(help="只看这个城市。")] = None,
    observed_days: Annotated[
        int,
        typer.Option(
            "--observed-days", help="读取预报首日之前多少天的已存日 AQI（接续正在发生的重污染过程）。"
        ),
    ] = 7,
    forecast_only: Annotated[
        bool, typer.Option("--forecast-only", help="只按预报文件判断，不读数据存储。")
    ] = False,
    switch: SwitchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Heavy-pollution warning level per city and episode (2018 three-level scheme; 2017 via a switch),
    from the forecast continued by the stored daily AQI of the days before it."""
    from lantian import config
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.store_inputs import forecast_warnings

    ds = None
    if not forecast_only:
        # an explicit --store must exist; the default store is read when there is one
        if store is not None or Path(config.load().store).is_dir():
            ds = open_store(store)
    res = forecast_warnings(forecast, ds, city, _options(switch), observed_days)
    if as_json:
        _emit_json(res.to_dict())
        return
    cols = [c for c in _WARN_HEADERS if res.rows and c in res.rows[0]]
    t = Table(*(_WARN_HEADERS[c] for c in cols), title=f"重污染天气预警 · {res.file}")
    for r in res.rows:
        t.add_row(*[_fmt(r[c]) for c in cols])
    console = Console()
    console.print(t)
    console.print(res.note, highlight=False)


#: Column headers of the warning table (the JSON keeps the keys).
_WARN_HEADERS = {
    "city": "城市",
    "start": "开始",
    "end": "结束",
    "days_above_200": "AQI>200 天数",
    "days_above_300": "AQI>300 天数",
    "observed_days": "其中实测天数",
    "max_aqi": "最大 AQI",
    "level_zh": "预警级别",
    "reason": "依据",
    "scheme": "分级方案",
}
