"""One entry point for every output format."""

from __future__ import annotations

from pathlib import Path

from lantian.errors import InputError
from lantian.reports.spec import Document

FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "md", "json")


def render(doc: Document, fmt: str, output: Path | None = None) -> bytes:
    """The document in ``fmt`` (html, pdf, xlsx, md, json) as bytes.

    For Markdown with an ``output`` file, charts are written as PNG files to ``<stem>_charts/``.
    """
    if fmt == "html":
        from lantian.reports.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from lantian.reports.pdf import render_pdf

        return render_pdf(doc)
    if fmt == "xlsx":
        from lantian.reports.xlsx import render_xlsx

        return render_xlsx(doc)
    if fmt == "md":
        from lantian.reports.markdown import render_markdown

        assets = output.with_name(f"{output.stem}_charts") if output is not None else None
        return render_markdown(doc, assets).encode("utf-8")
    if fmt == "json":
        from lantian.reports.jsonout import render_json

        return render_json(doc).encode("utf-8")
    raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write(doc: Document, fmt: str, output: Path) -> Path:
    """Render and write to ``output`` (parent directories are created)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(render(doc, fmt, output))
    return output
