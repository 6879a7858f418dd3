"""``lantian outlook``: the probability of meeting each annual target at year end (docs/outlook.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.cli.assess_cmd import JsonOpt, StoreOpt, SwitchOpt, _date, _emit_json, _options


@app.command()
def outlook(
    year: Annotated[int, typer.Option(help="目标年份。")],
    store: StoreOpt = None,
    city: Annotated[str | None, typer.Option(help="城市。")] = None,
    group: Annotated[str | None, typer.Option(help="城市组：省份（如 湖南）或 --groups 中的组。")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="数据存储中的全部城市。")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD（默认：最后一天有数据的日期）。")
    ] = None,
    targets_file: Annotated[
        Path | None, typer.Option("--targets", help="年度目标 TOML 文件；不给时按“只降不升”（不劣于上年）。")
    ] = None,
    groups: Annotated[Path | None, typer.Option("--groups", help="城市组 TOML 文件。")] = None,
    sims: Annotated[int, typer.Option(help="模拟年数。", min=20, max=5000)] = 200,
    seed: Annotated[int, typer.Option(help="随机数种子（同一种子结果相同）。")] = 20160630,
    trend: Annotated[
        str,
        typer.Option(
            help="往年数据的趋势处理：none（不考虑趋势）、last_year（只取上一年）、linear（按年均值线性趋势推到目标年）。"
        ),
    ] = "none",
    switch: SwitchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """年终目标达成预测：每项目标年底达标的概率、预计年底值及其 80% 区间。"""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.outlook import Method, cities_of, condition_text, decimals
    from lantian.pipeline.outlook import outlook as run

    ds = open_store(store)
    cities = cities_of(ds, city, group, everyone, groups)
    when = _date(as_of, "--as-of") if as_of else None
    with Console(stderr=True).status(f"正在模拟 {len(cities)} 个城市的 {sims} 个年份…"):
        results = run(
            ds,
            cities,
            year,
            when,
            targets_file,
            Method(n_sims=sims, seed=seed, trend=trend),
            _options(switch),
        )
    if as_json:
        _emit_json([r.to_dict() for r in results])
        return
    console = Console()
    for r in results:
        t = Table(
            "目标",
            "目标值",
            "截至目前",
            "预计年底",
            "80% 区间",
            "达标概率",
            title=f"{r.city} {r.year}年 · 截至 {r.as_of}",
        )
        reads: list[str] = []
        for s in r.targets:
            published, shown = decimals(s["target"])

            def num(v, d):
                return "—" if v is None else f"{v:.{d}f}"

            interval = "—" if s["low"] is None else f"{num(s['low'], shown)}–{num(s['high'], shown)}"
            probability = "数据不足" if s["probability"] is None else f"{s['probability'] * 100:.0f}%"
            t.add_row(
                s["name_zh"],
                num(s["threshold"], published),
                num(s["ytd"], published),
                num(s["expected"], shown),
                interval,
                probability,
            )
            read = condition_text(s["target"], s.get("condition"))
            if read:
                reads.append(f"{s['name_zh']}：{read}")
        # the read of the outlook, one sentence per target, under the table (达标条件)
        t.caption = "\n".join(["达标条件：", *reads]) if reads else None
        t.caption_justify = "left"
        console.print(t)
