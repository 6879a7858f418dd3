"""HTML renderer (Jinja2). The PDF renderer prints this HTML with WeasyPrint."""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata

import jinja2

from lantian.reports.formatting import format_cell
from lantian.reports.spec import Chart, Document, Paragraph, Section, Table, en_date, heading_number, zh_date
from lantian.standards import level_colours, regime_for_day

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("lantian.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

LABELS = {
    "zh": {"table": "表", "chart": "图", "sources": "数据来源："},
    "en": {"table": "Table", "chart": "Figure", "sources": "Sources:"},
}


def office_mark(doc: Document) -> str:
    """发文机关标志: the same words as the signature (发文机关署名); the builders name the office with the
    city's full name (:func:`lantian.reports.labels.office_name`), a hand-made document gets it here."""
    from lantian.schema import city_key

    if doc.lang == "zh":
        return doc.office if doc.office.startswith(city_key(doc.city)) else f"{doc.city}{doc.office}"
    return doc.office if doc.office.startswith(city_key(doc.city)) else f"{doc.city} {doc.office}"


def caption(kind: str, n: int, title: str, lang: str) -> str:
    label = LABELS[lang][kind]
    return f"{label}{n} {title}" if lang == "zh" else f"{label} {n}. {title}"


def level_css(day: dt.date) -> str:
    """CSS of the category cells (``td.cat-N``) in the level colours of the edition in force on ``day``
    (HJ 633 Appendix A Table A.1); white text on levels 4–6."""
    return "\n".join(
        f"td.cat-{level} {{ background: {hex_}; {'color: #fff; ' if level >= 4 else ''}}}"
        for level, hex_ in level_colours(regime_for_day(day)).items()
    )


def _cell_class(column, row) -> str:
    cls = "text" if column.fmt in ("text", "date") else "num"
    if column.key == "category" and isinstance(row.get("level"), int):
        cls += f" cat-{row['level']}"
    return cls


#: Width of the A4 text block in characters of the table font (156 mm at 9.5 pt ≈ 46 CJK characters).
TEXT_BLOCK_CHARS = 46
#: A text column wider than this many characters wraps (a note, a verdict); others keep one line.
WRAP_CHARS = 14
#: A column whose cells are at most this wide never wraps (names, statuses, numbers).
NOWRAP_CHARS = 9


def text_width(text: str) -> float:
    """Width of ``text`` in CJK character widths: full-width characters 1, others about 0.55."""
    # ambiguous-width characters (μ, ³, °) are drawn full width by the CJK font
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.55 for ch in text)


def nowrap_columns(columns, cells: list[list[dict]]) -> set[int]:
    """The columns whose every cell is short enough to stay on one line (:data:`NOWRAP_CHARS`)."""
    return {
        i
        for i in range(len(columns))
        if max((text_width(row[i]["text"]) for row in cells), default=0.0) <= NOWRAP_CHARS
    }


def column_widths(columns, cells: list[list[dict]]) -> tuple[list[float], bool]:
    """Column widths in percent of the table from the content (a heading may take two lines, a long
    text wraps at :data:`WRAP_CHARS`), and whether the table needs the smaller font to fit the page."""
    need = []
    for i, c in enumerate(columns):
        body = max((text_width(row[i]["text"]) for row in cells), default=0.0)
        head = text_width(c.label)
        width = max(body, head / 2 if head > 4 else head, 2.0)
        need.append(min(width, WRAP_CHARS) + 1.2)  # + the cell's padding
    total = sum(need)
    return [round(100 * n / total, 1) for n in need], total > TEXT_BLOCK_CHARS


def layout(doc: Document) -> list[dict]:
    """The document as nested dicts ready for the template, with numbered headings, tables, charts."""
    counters = {"table": 0, "chart": 0}

    def convert(section: Section, number: tuple[int, ...]) -> dict:
        out = {
            "type": "section",
            "level": len(number),
            "number": heading_number(number, doc.lang) + ("" if doc.lang == "zh" else " "),
            "heading": section.heading,
            "blocks": [],
        }
        sub = 0
        for block in section.blocks:
            if isinstance(block, Section):
                sub += 1
                out["blocks"].append(convert(block, (*number, sub)))
            elif isinstance(block, Paragraph):
                out["blocks"].append({"type": "paragraph", "text": block.text})
            elif isinstance(block, Table):
                counters["table"] += 1
                cells = [
                    [
                        {"text": format_cell(row[c.key], c, row), "cls": _cell_class(c, row)}
                        for c in block.columns
                    ]
                    for row in block.rows
                ]
                widths, wide = column_widths(block.columns, cells)
                for i in nowrap_columns(block.columns, cells):
                    for row in cells:
                        row[i]["cls"] += " nowrap"
                out["blocks"].append(
                    {
                        "type": "table",
                        "name": block.name,
                        "caption": caption("table", counters["table"], block.title, doc.lang),
                        "columns": block.columns,
                        "widths": widths,
                        "wide": wide,
                        # a table of up to 12 rows is kept on one page; a longer one may break between rows
                        "short": len(block.rows) <= 12,
                        "highlight": set(block.highlight),
                        "cells": cells,
                        "note": block.note,
                    }
                )
            elif isinstance(block, Chart):
                counters["chart"] += 1
                out["blocks"].append(
                    {
                        "type": "chart",
                        "name": block.name,
                        "title": block.title,
                        "caption": caption(
                            "chart", counters["chart"], block.caption or block.title, doc.lang
                        ),
                        "svg_b64": base64.b64encode(block.svg).decode("ascii"),
                    }
                )
        return out

    return [convert(s, (i,)) for i, s in enumerate(doc.sections, 1)]


def render_html(doc: Document) -> str:
    """The document as one self-contained HTML page (charts inlined as SVG data URIs)."""
    template = _ENV.get_template("document.html.j2")
    return template.render(
        doc=doc,
        sections=layout(doc),
        office_mark=office_mark(doc),
        date_text=zh_date(doc.date) if doc.lang == "zh" else en_date(doc.date),
        labels=LABELS[doc.lang],
        level_css=level_css(doc.date),
    )
