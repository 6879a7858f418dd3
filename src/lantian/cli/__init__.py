"""The ``lantian`` command. Thin: each sub-command parses, calls the library, prints."""

from __future__ import annotations

import errno
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

_NO_SPACE = ("no space left on device", f"os error {errno.ENOSPC})", "database or disk is full")


def _disk_full_at(exc: BaseException) -> str | None:
    """Where the disk filled up, when ``exc`` (or an error it was raised from) is ENOSPC: an OSError
    with that errno, or an error of a library (Polars, PyArrow, SQLite) whose message carries it."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return str(exc.filename) if exc.filename else _output_of_command()
        text = str(exc).lower()
        if any(marker in text for marker in _NO_SPACE):
            return _output_of_command()
        exc = exc.__cause__ or exc.__context__
    return None


def _output_of_command() -> str:
    """The place the command writes to, as given on its command line (``--output``, ``--store``, ``--db``)."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        for option in ("--output", "-o", "--store", "--db"):
            if arg == option and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(option + "="):
                return arg.split("=", 1)[1]
    return "数据目录（存储、数据库或输出文件）"


def _fail(message: str, code: int) -> None:
    typer.echo(f"错误：{message}", err=True)
    sys.exit(code)


def main() -> None:
    """Console entry point: errors of lantian become a one-line message and exit code 2."""
    import os

    from lantian.errors import LantianError

    try:
        app()
    except Exception as exc:
        where = _disk_full_at(exc)
        if where is not None:
            _fail(
                f"磁盘已满（{where}）：未能再写入；已存储的数据未改变。请清理该磁盘的空间（或用 --store / "
                "--output 另指位置）后重新运行命令。",
                2,
            )
        if isinstance(exc, LantianError | OSError | UnicodeError):
            _fail(str(exc), 2)
        if os.environ.get("LANTIAN_DEBUG"):
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        typer.echo(
            f"错误：程序内部错误（{type(exc).__name__}：{first}）；设置环境变量 LANTIAN_DEBUG=1 后重新运行可看到详情，"
            "请连同详情报告此问题。",
            err=True,
        )
        sys.exit(1)
