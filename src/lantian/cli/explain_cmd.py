"""``lantian explain-index``: what moves a city's composite index (docs/outlook.md, 综合指数归因)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.cli.assess_cmd import JsonOpt, StoreOpt, SwitchOpt, _emit_json, _fmt, _options
from lantian.schema import NAMES_EN as POLLUTANT_NAMES  # the symbols, as notices print them


def _primary(codes: str | None) -> str:
    if not codes:
        return "—"
    return "、".join(
        POLLUTANT_NAMES.get(c.removesuffix("_8h").removesuffix("_24h"), c) for c in codes.split(",")
    )


@app.command("explain-index")
def explain_index(
    city: Annotated[str, typer.Option(help="城市。")],
    period: Annotated[str, typer.Option(help="时段，写法同 lantian assess（如 2016、2016-07、ytd）。")],
    store: StoreOpt = None,
    days: Annotated[int, typer.Option(help="列出代价最大的天数。", min=1, max=50)] = 10,
    switch: SwitchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """综合指数归因：分污染物（及其同比变化）、分月、分站点的贡献，以及代价最大的污染日。"""
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.explain import explain_index as run

    res = run(open_store(store), city, period, _options(switch), days)
    if as_json:
        _emit_json(res)
        return
    console = Console()
    title = f"{res['city']} {res['period_zh']} 综合指数 {_fmt(res['composite_index'])}"
    if res["composite_index_last_year"] is not None:
        title += f"（上年同期 {_fmt(res['composite_index_last_year'])}）"
    t = Table("污染物", "浓度", "单项指数", "占比", "变化贡献", title=title)
    for p in res["by_pollutant"]:
        t.add_row(
            POLLUTANT_NAMES[p["pollutant"]],
            _fmt(p["value"]),
            f"{p['part']:.2f}",
            f"{p['share_pct']:.1f}%",
            "—" if p.get("change_part") is None else f"{p['change_part']:+.2f}",
        )
    console.print(t)
    if not res["index_valid"]:
        console.print("数据不足：本时段综合指数的统计量未达数据有效性要求，以上分解仅供参考。")
    if res["by_month"]:
        t = Table("月份", "综合指数", "PM2.5", "优良天数比例", "重污染天数", title="分月")
        for m in res["by_month"]:
            t.add_row(
                m["month_zh"],
                _fmt(m["composite_index"]),
                _fmt(m["pm25"]),
                _fmt(m["good_rate"]),
                _fmt(m["heavy_days"]),
            )
        console.print(t)
    if res["by_station"]:
        t = Table("站点", "名称", "PM2.5 贡献", "去掉该站后 PM2.5", "去掉该站后综合指数", title="分站点")
        for s in res["by_station"]:
            t.add_row(
                s["station"],
                s["name"] or "—",
                f"{s['part']:.1f}",
                _fmt(s["pm25_without"]),
                _fmt(s["composite_index_without"]),
            )
        console.print(t)
    t = Table(
        "日期", "AQI", "级别", "首要污染物", "综合指数代价", "优良天数比例代价", title="代价最大的污染日"
    )
    for d in res["costly_days"]:
        t.add_row(
            d["date"],
            _fmt(d["aqi"]),
            d["category"] or "—",
            _primary(d["primary"]),
            _fmt(d["index_cost"]),
            _fmt(d["good_rate_cost"]),
        )
    console.print(t)
