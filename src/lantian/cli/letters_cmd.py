"""``lantian case letter``: the 交办单 or 督办函 of a case, as PDF (or HTML), in the official document style."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lantian.cli.workflow_cmd import AsOpt, DbOpt, NowOpt, RulesOpt, _actor, case_app, parse_when, workflow
from lantian.errors import InputError

FORMATS = ("pdf", "html")


@case_app.command("letter")
def case_letter(
    case_id: Annotated[int, typer.Argument()],
    kind: Annotated[str, typer.Option("--kind", help="assign (交办单) | supervise (督办函).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write, e.g. 交办单-第12号.pdf.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf|html")] = "pdf",
    lang: Annotated[str, typer.Option("--lang", help="zh|en")] = "zh",
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    rules: RulesOpt = None,
) -> None:
    """交办单 or 督办函 of a case, issued by the office unit of the database, dated today."""
    from lantian import config
    from lantian.reports.letters import build_letter
    from lantian.reports.render import write

    if fmt not in FORMATS:
        raise InputError(f"未知的 --format {fmt!r}；可选：{'、'.join(FORMATS)}。")
    city = config.load(database_url=db).value("city") or ""
    with workflow(db, rules) as wf:
        doc = build_letter(wf, _actor(actor), case_id, kind, parse_when(now).date(), lang, city=city)
    write(doc, fmt, output)
    typer.echo(f"{doc.title} → {output}", err=True)
