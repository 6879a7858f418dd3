"""``lantian aqi now``: the newest hour of a city from the store, as the dashboard's today page shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli.aqi_cmd import aqi_app
from lantian.jsonable import dumps


@aqi_app.command("now")
def now(
    city: Annotated[str | None, typer.Option(help="City name (default: the office's city).")] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Parquet store directory (default: from config).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only on stdout.")] = False,
) -> None:
    """City AQI of the newest hour in the store (mean of the evaluation stations), each station's AQI."""
    from lantian import config
    from lantian.errors import NotFound
    from lantian.pipeline.assessment import open_store
    from lantian.pipeline.figures import busiest_city, city_hour

    ds = open_store(store)
    settings = config.load(store=store)
    city = city or settings.value("city") or busiest_city(ds)
    if not city:
        raise NotFound("数据存储中没有城市的小时数据；请用 --city 指明城市，或先导入数据（lantian ingest）")
    hour = city_hour(ds, city)
    if hour is None:
        raise NotFound(f"数据存储中没有 {city} 的小时数据")
    if as_json:
        typer.echo(dumps(hour.to_dict()))
        return
    v = hour.value
    console = Console()
    console.print(
        f"[bold]{hour.city}[/] {hour.time:%Y-%m-%d %H:%M} · AQI [bold]{v.get('aqi') if v.get('aqi') is not None else '—'}[/] "
        f"{hour.texts.get('category_zh', '—')} · 首要污染物 {v.get('primary_pollutants') or '—'} · "
        f"HJ 633—{v.get('regime')} · {v.get('n_stations')} 个评价站点"
    )
    t = Table("站点", "编码", "AQI", "类别", "首要污染物", "PM2.5", "PM10", "O3", "NO2", "SO2", "CO")
    for s in hour.stations:
        t.add_row(
            str(s["name"]), s["code"], *(str(s.get(k)) if s.get(k) is not None else "—"
                                         for k in ("aqi", "category", "primary_pollutants", "pm25", "pm10", "o3",
                                                   "no2", "so2", "co"))
        )
    console.print(t)
