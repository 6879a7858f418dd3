"""``lantian settings``: every setting in force, where its value came from, and how to change it."""

from __future__ import annotations

from typing import Annotated

import typer

from lantian.cli import app


@app.command("settings")
def settings_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """List every setting (lantian.config): value, source, default, environment variable, help."""
    from lantian import config
    from lantian.jsonable import dumps

    settings = config.load()
    rows = settings.rows()
    config_file = str(settings.config_file) if settings.config_file else None
    if as_json:
        typer.echo(dumps({"config_file": config_file, "settings": rows}))
        return
    typer.echo(f"配置文件：{config_file or '无（./lantian.toml 不存在，未设置 ' + config.CONFIG_ENV + '）'}")
    for r in rows:
        typer.echo(f"\n{r['key']} = {_shown(r['value'])}  （{config.SOURCES[r['source']]}）")
        typer.echo(f"    默认值：{r['default']}；环境变量：{r['env'] or '无'}；类型：{r['type']}")
        typer.echo(f"    {r['help']}")


def _shown(value) -> str:
    if value is None:
        return "（未设置）"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
