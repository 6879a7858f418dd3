"""Markdown renderer for quick reading. Charts are written as PNG files beside the output file."""

from __future__ import annotations

from pathlib import Path

from lantian.reports.formatting import format_cell
from lantian.reports.html import caption, office_mark
from lantian.reports.spec import Chart, Document, Paragraph, Section, Table, en_date, heading_number, zh_date

# Characters that Markdown or the HTML it may carry would read as markup: HTML's as entities, Markdown's
# with a backslash. Every text of the document (names come from users and data files) goes through
# :func:`_text`, so a name such as ``<script>`` or ``**x**`` prints as written.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN = "\\`*_[]|#"


def _text(text: object) -> str:
    out = []
    for ch in str(text):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MARKDOWN:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _escape(text: object) -> str:
    """A table cell: escaped, on one line."""
    return _text(text).replace("\r", " ").replace("\n", " ")


def _code(text: object) -> str:
    """A code span (file names of the sources): nothing inside is markup; a backquote cannot end it."""
    return "`` " + str(text).replace("`", "'").replace("\n", " ") + " ``"


def render_markdown(doc: Document, assets: Path | None = None) -> str:
    """The document as Markdown. With ``assets`` (a directory), charts are saved there as PNG and linked."""
    lines: list[str] = [f"**{_text(office_mark(doc))}**", ""]
    if doc.number:
        lines += [_text(doc.number), ""]
    lines += [f"# {_text(doc.title)}", ""]
    if doc.subtitle:
        lines += [_text(doc.subtitle), ""]
    if doc.addressees:
        lines += [_text(doc.addressees), ""]
    counters = {"table": 0, "chart": 0}

    def section(s: Section, number: tuple[int, ...]) -> None:
        sep = "" if doc.lang == "zh" else " "
        lines.extend(
            ["#" * (len(number) + 1) + " " + heading_number(number, doc.lang) + sep + _escape(s.heading), ""]
        )
        sub = 0
        for block in s.blocks:
            if isinstance(block, Section):
                sub += 1
                section(block, (*number, sub))
            elif isinstance(block, Paragraph):
                lines.extend([_text(block.text), ""])
            elif isinstance(block, Table):
                counters["table"] += 1
                lines.append(f"**{_escape(caption('table', counters['table'], block.title, doc.lang))}**")
                lines.append("")
                lines.append("| " + " | ".join(_escape(c.label) for c in block.columns) + " |")
                lines.append(
                    "|"
                    + "|".join("---" if c.fmt in ("text", "date") else "---:" for c in block.columns)
                    + "|"
                )
                for row in block.rows:
                    lines.append(
                        "| "
                        + " | ".join(_escape(format_cell(row[c.key], c, row)) for c in block.columns)
                        + " |"
                    )
                lines.append("")
                if block.note:
                    lines.extend([f"*{_escape(block.note)}*", ""])
            elif isinstance(block, Chart):
                counters["chart"] += 1
                text = _escape(caption("chart", counters["chart"], block.caption or block.title, doc.lang))
                if assets is not None:
                    assets.mkdir(parents=True, exist_ok=True)
                    path = assets / f"{block.name}.png"
                    path.write_bytes(block.png)
                    lines.extend([f"![{text}]({assets.name}/{path.name})", ""])
                else:
                    lines.extend([f"*{text}*", ""])

    for i, s in enumerate(doc.sections, 1):
        section(s, (i,))
    lines += ["", _text(doc.office), "", zh_date(doc.date) if doc.lang == "zh" else en_date(doc.date), ""]
    if doc.footnotes or doc.sources:
        lines.append("---")
        lines.append("")
        lines.extend(f"{_text(f)}  " for f in doc.footnotes)
        lines.extend(f"{_text(s)}  " for s in doc.sources)
        lines.append("")
    return "\n".join(lines)
