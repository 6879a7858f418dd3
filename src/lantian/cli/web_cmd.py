"""``lantian serve`` and ``lantian demo``: the office dashboard and API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.jsonable import dumps


def _settings(store: Path | None, db: str | None, data_dir: Path | None = None):
    """The settings (lantian.config); a ``data_dir`` (the demo's) holds its own store and database."""
    from lantian import config

    if data_dir is None:
        return config.load(store=store, database_url=db)
    return config.load(
        store=store or data_dir / "store",
        database_url=db or f"sqlite:///{(data_dir / 'lantian.db').as_posix()}",
        data_dir=data_dir,
    )


def _run(settings, host: str, port: int, proxy: str | None = None) -> None:
    import uvicorn

    from lantian.web import create_app

    # Behind a reverse proxy, the client's address (for the login throttle) is taken from
    # X-Forwarded-For, but only from the proxy addresses given with --proxy-headers.
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy or "",
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    store: Annotated[
        Path | None, typer.Option(help="Parquet store directory (default: from config).")
    ] = None,
    db: Annotated[str | None, typer.Option(help="Database URL (default: from config).")] = None,
    proxy_headers: Annotated[
        str | None,
        typer.Option(
            "--proxy-headers",
            help="反向代理的地址（如 127.0.0.1，多个以逗号分隔）：从其 X-Forwarded-For 取客户端地址，"
            "登录限流按真实客户端计。不设则不信任任何转发头。",
        ),
    ] = None,
) -> None:
    """Serve the dashboard and the REST API (docs at /api/docs)."""
    settings = _settings(store, db)
    typer.echo(
        f"lantian: serving http://{host}:{port}/ (store {settings.store}, database {settings.database_url})",
        err=True,
    )
    _run(settings, host, port, proxy_headers)


@app.command()
def demo(
    serve_: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard after loading.")
    ] = True,
    data_dir: Annotated[Path, typer.Option("--dir", help="Data directory of the demo.")] = Path(
        "lantian-demo"
    ),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --no-serve: print the figures as JSON.")
    ] = False,
) -> None:
    """Load the bundled sample and a demo organisation with users and cases, then serve the dashboard."""
    from lantian.web.demo import DEMO_USERS, demo_settings, load_demo, summary

    settings = demo_settings(_settings(None, None, data_dir.resolve()))
    info = load_demo(settings, progress=lambda msg: typer.echo(msg, err=True))
    if not serve_:
        figures = summary(settings)
        if as_json:
            typer.echo(dumps({"demo": info, **figures}))
        else:
            _print(figures, info)
        return
    typer.echo(f"\nDashboard: http://{host}:{port}/   (API docs: http://{host}:{port}/api/docs)", err=True)
    typer.echo("Demo logins (user / password):", err=True)
    for username, password, role, unit in DEMO_USERS:
        typer.echo(f"  {username:<12} {password:<18} {role:<10} {unit or ''}", err=True)
    typer.echo(f"Settings: {info['config']} (LANTIAN_CONFIG={info['config']} lantian serve)", err=True)
    _run(settings, host, port)


def _print(figures: dict, info: dict) -> None:
    console = Console()
    t = figures["today"]
    console.print(
        f"[bold]{t['city']}[/]  {t.get('time') or '—'}  AQI [bold]{t.get('aqi', '—')}[/] "
        f"{t.get('category') or ''}  {t.get('primary_label') or ''}"
    )
    table = Table("station", "code", "AQI", "category", "primary", title="stations at the latest hour")
    for s in t.get("stations", []):
        table.add_row(
            s["name"],
            s["code"],
            str(s["aqi"] if s["aqi"] is not None else "—"),
            s.get("category_label") or "—",
            s.get("primary_label") or "—",
        )
    console.print(table)
    y = figures["year"]
    console.print(f"[bold]{y['city']} {y['year']}[/] ({y.get('start')} — {y.get('end')})")
    table = Table("figure", "value", title="this year")
    for f in y.get("figures", []):
        table.add_row(f["label"], str(f["value"]))
    for r in y.get("targets", []):
        table.add_row(
            f"{r['label']} (target {r['target']})", f"{r['actual']} · {r['status']} · {r['remaining']}"
        )
    console.print(table)
    console.print(f"cases: {info.get('cases')} · users: {', '.join(u for u in info.get('users', []))}")
