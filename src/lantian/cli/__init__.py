"""The ``lantian`` command. Thin: each sub-command parses, calls the library, prints."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="lantian",
    help="lantian (蓝天): official air-quality figures and the Blue-Sky Office's supervision cycle.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Sub-command modules register themselves on ``app`` when imported.
from lantian.cli import _modules  # noqa: E402,F401


def main() -> None:
    """Console entry point: errors of lantian become a one-line message and exit code 2."""
    import os

    from lantian.errors import LantianError

    try:
        app()
    except LantianError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (OSError, UnicodeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        if os.environ.get("LANTIAN_DEBUG"):
            raise
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (set LANTIAN_DEBUG=1 for details)", err=True)
        sys.exit(1)
