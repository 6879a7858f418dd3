"""Markdown renderer for quick reading. Charts are written as PNG files beside the output file."""

from __future__ import annotations

from pathlib import Path

from lantian.reports.formatting import format_cell
from lantian.reports.html import caption, office_mark
from lantian.reports.spec import Chart, Document, Paragraph, Section, Table, en_date, heading_number, zh_date


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document, assets: Path | None = None) -> str:
    """The document as Markdown. With ``assets`` (a directory), charts are saved there as PNG and linked."""
    lines: list[str] = [f"**{office_mark(doc)}**", ""]
    if doc.number:
        lines += [doc.number, ""]
    lines += [f"# {doc.title}", ""]
    if doc.subtitle:
        lines += [doc.subtitle, ""]
    if doc.addressees:
        lines += [doc.addressees, ""]
    counters = {"table": 0, "chart": 0}

    def section(s: Section, number: tuple[int, ...]) -> None:
        sep = "" if doc.lang == "zh" else " "
        lines.extend(["#" * (len(number) + 1) + " " + heading_number(number, doc.lang) + sep + s.heading, ""])
        sub = 0
        for block in s.blocks:
            if isinstance(block, Section):
                sub += 1
                section(block, (*number, sub))
            elif isinstance(block, Paragraph):
                lines.extend([block.text, ""])
            elif isinstance(block, Table):
                counters["table"] += 1
                lines.append(f"**{caption('table', counters['table'], block.title, doc.lang)}**")
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
                    lines.extend([f"*{block.note}*", ""])
            elif isinstance(block, Chart):
                counters["chart"] += 1
                text = caption("chart", counters["chart"], block.caption or block.title, doc.lang)
                if assets is not None:
                    assets.mkdir(parents=True, exist_ok=True)
                    path = assets / f"{block.name}.png"
                    path.write_bytes(block.png)
                    lines.extend([f"![{text}]({assets.name}/{path.name})", ""])
                else:
                    lines.extend([f"*{text}*", ""])

    for i, s in enumerate(doc.sections, 1):
        section(s, (i,))
    lines += ["", doc.office, "", zh_date(doc.date) if doc.lang == "zh" else en_date(doc.date), ""]
    if doc.footnotes or doc.sources:
        lines.append("---")
        lines.append("")
        lines.extend(f"{f}  " for f in doc.footnotes)
        lines.extend(f"`{s}`  " for s in doc.sources)
        lines.append("")
    return "\n".join(lines)
