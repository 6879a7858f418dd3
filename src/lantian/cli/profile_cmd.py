"""``lantian profile``: a pollutant by hour of day, weekday and month, and by wind direction × speed
(lantian.pipeline.profiles)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.cli.assess_cmd import JsonOpt, StoreOpt, _emit_json, _fmt


@app.command("profile")
def profile(
    period: Annotated[str, typer.Option(help="时段，写法同 lantian assess（如 2016、2016-01、ytd）。")],
    pollutant: Annotated[str, typer.Option(help="污染物：so2、no2、co、o3、pm10、pm25。")] = "pm25",
    city: Annotated[str | None, typer.Option(help="城市（其评价站点小时均值）。")] = None,
    station: Annotated[str | None, typer.Option(help="站点编码或名称。")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """时间变化与风向风速分析：分小时（时段末小时 1–24 时）、分星期、分月的均值和数据个数，
    以及有风数据时按风向（16 方位）× 风速分档的均值。"""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.profiles import profiles

    res = profiles(open_store(store), period, pollutant, city=city, station=station)
    if as_json:
        _emit_json(res)
        return
    console = Console()
    who = (
        res["city"] if not res["station"] else f"{res['station']}（{res['station_name'] or res['station']}）"
    )
    head = f"{who} {res['period_zh']} {res['pollutant_name']}（{res['unit']}）"
    if not res["n_values"]:
        console.print(f"{head}：本时段没有小时数据。")
        return
    for key, label, title in (
        ("by_hour", "小时", "分小时均值（时段末小时）"),
        ("by_weekday", "星期", "分星期均值"),
        ("by_month", "月份", "分月均值"),
    ):
        t = Table(label, "均值", "数据个数", title=f"{head} {title}")
        for r in res[key]:
            t.add_row(r["label_zh"], _fmt(r["mean"]), str(r["n"]))
        console.print(t)
    polar = res["polar"]
    if not polar["has_wind"]:
        console.print("本时段没有风向风速数据，无风向风速分析。")
        return
    bins = polar["speed_bins"]
    cells = {(c["sector"], c["speed_bin"]): c for c in polar["cells"]}
    t = Table("风向", *[b["label"] for b in bins], title=f"{head} 按风向 × 风速的均值（数据个数）")
    for s, s_zh in zip(polar["sectors"], polar["sectors_zh"], strict=True):
        row = []
        for b in bins:
            c = cells.get((s, b["bin"]))
            row.append("—" if c is None else f"{_fmt(c['mean'])}（{c['n']}）")
        t.add_row(s_zh, *row)
    console.print(t)
