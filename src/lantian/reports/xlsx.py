"""XLSX renderer (XlsxWriter): a cover sheet with the text, one sheet per table, one sheet of charts.

Cells hold numbers, not text, with the published decimals as the number format: integers ``0``,
one decimal ``0.0``, indices ``0.00``, rates as percentages ``0.0%`` (the cell holds 0.931 for
93.1 %), change rates ``+0.0%;-0.0%;0.0%``, concentrations by pollutant (CO ``0.0``, others ``0``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from lantian.pipeline.figures import published
from lantian.reports.formatting import decimals_of
from lantian.reports.html import caption, office_mark
from lantian.reports.spec import Chart, Document, Paragraph, Section, Table, en_date, heading_number, zh_date
from lantian.standards import level_colours

_INVALID = re.compile(r"[\[\]:*?/\\]")
LEVEL_COLOURS = tuple(level_colours("2012").values())  # HJ 633 Appendix A Table A.1, same in 2026
COVER = {"zh": "报告", "en": "Report"}
CHARTS = {"zh": "图表", "en": "Charts"}


def sheet_names(doc: Document) -> dict[str, str]:
    """Sheet name of every table (``表1 标题`` cut to Excel's 31 characters, unique)."""
    names: dict[str, str] = {}
    used = {COVER[doc.lang].lower(), CHARTS[doc.lang].lower()}
    for i, table in enumerate(doc.tables(), 1):
        base = _INVALID.sub("_", caption("table", i, table.title, doc.lang))[:31].strip("' ")
        name, n = base, 2
        while name.lower() in used:
            suffix = f"~{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name.lower())
        names[table.name] = name
    return names


def _number_format(fmt: str, decimals: int | None) -> str | None:
    if fmt == "pct1":
        return "0.0%"
    if fmt == "signed_pct1":
        return "+0.0%;-0.0%;0.0%"
    if fmt == "date":
        return "yyyy-mm-dd"
    if decimals is None:
        return None
    return "0" if decimals == 0 else "0." + "0" * decimals


def cell_value(value, fmt: str, decimals: int | None):
    """The value written to the cell: rounded number (rates as fractions), text, or date."""
    if value is None or isinstance(value, bool):
        return value
    if fmt == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if decimals is None or isinstance(value, str | dt.date):
        return value
    rounded = published(value, decimals)
    if fmt in ("pct1", "signed_pct1"):
        return float(rounded / Decimal(100))
    return int(rounded) if decimals == 0 else float(rounded)


def render_xlsx(doc: Document) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
    font = "Noto Sans CJK SC"
    base = {"font_name": font, "font_size": 10}
    f_title = wb.add_format({**base, "bold": True, "font_size": 14})
    f_office = wb.add_format({**base, "bold": True, "font_size": 16, "font_color": "#DD0000"})
    f_h1 = wb.add_format({**base, "bold": True, "font_size": 12})
    f_h2 = wb.add_format({**base, "bold": True})
    f_text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
    f_head = wb.add_format(
        {
            **base,
            "bold": True,
            "bg_color": "#F2F2F2",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    formats: dict[tuple[str | None, int | None, bool], object] = {}

    def cell_format(num_format: str | None, level: int | None = None, bold: bool = False):
        key = (num_format, level, bold)
        if key not in formats:
            spec = {**base, "border": 1}
            if bold:  # the city's own row (Table.highlight), as the PDF shades it
                spec.update(bold=True, bg_color="#EEF4FB")
            if num_format:
                spec["num_format"] = num_format
            if level:
                spec["bg_color"] = LEVEL_COLOURS[level - 1]
                if level >= 4:
                    spec["font_color"] = "#FFFFFF"
            formats[key] = wb.add_format(spec)
        return formats[key]

    names = sheet_names(doc)
    cover = wb.add_worksheet(COVER[doc.lang])
    cover.set_column(0, 0, 110)
    r = 0
    cover.write(r, 0, office_mark(doc), f_office)
    r += 1
    if doc.number:
        cover.write(r, 0, doc.number, f_text)
        r += 1
    cover.write(r, 0, doc.title, f_title)
    r += 1
    if doc.subtitle:
        cover.write(r, 0, doc.subtitle, f_text)
        r += 1
    if doc.addressees:
        cover.write(r, 0, doc.addressees, f_text)
        r += 1
    tables = iter(range(1, 10_000))

    def write_section(section: Section, number: tuple[int, ...]) -> None:
        nonlocal r
        sep = "" if doc.lang == "zh" else " "
        cover.write(
            r, 0, heading_number(number, doc.lang) + sep + section.heading, f_h1 if len(number) == 1 else f_h2
        )
        r += 1
        sub = 0
        for block in section.blocks:
            if isinstance(block, Section):
                sub += 1
                write_section(block, (*number, sub))
            elif isinstance(block, Paragraph):
                cover.write(r, 0, block.text, f_text)
                r += 1
            elif isinstance(block, Table):
                n = next(tables)
                cover.write_url(
                    r,
                    0,
                    f"internal:'{names[block.name]}'!A1",
                    string=caption("table", n, block.title, doc.lang),
                )
                r += 1

    for i, section in enumerate(doc.sections, 1):
        write_section(section, (i,))
    r += 1
    cover.write(r, 0, doc.office, f_text)
    cover.write(r + 1, 0, zh_date(doc.date) if doc.lang == "zh" else en_date(doc.date), f_text)
    r += 3
    for line in [*doc.footnotes, *doc.sources]:
        cover.write(r, 0, line, f_text)
        r += 1

    for table in doc.tables():
        ws = wb.add_worksheet(names[table.name])
        ws.write(0, 0, names[table.name], f_title)
        for j, col in enumerate(table.columns):
            ws.write(1, j, col.label, f_head)
            width = max(len(col.label) * 2 + 2, 10)
            ws.set_column(j, j, min(width, 40))
        marked = set(table.highlight or ())
        for i, row in enumerate(table.rows, start=2):
            for j, col in enumerate(table.columns):
                decimals = decimals_of(col, row)
                value = cell_value(row[col.key], col.fmt, decimals)
                level = row.get("level") if col.key == "category" else None
                fmt = cell_format(
                    _number_format(col.fmt, decimals),
                    level if isinstance(level, int) else None,
                    (i - 2) in marked,
                )
                if value is None:
                    ws.write_blank(i, j, None, fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), fmt)
                else:
                    ws.write(i, j, value, fmt)
        ws.freeze_panes(2, 0)
        if table.note:
            ws.write(len(table.rows) + 3, 0, table.note, f_text)

    charts: list[Chart] = doc.charts()
    if charts:
        ws = wb.add_worksheet(CHARTS[doc.lang])
        row = 0
        for n, chart in enumerate(charts, 1):
            ws.write(row, 0, caption("chart", n, chart.caption or chart.title, doc.lang), f_h2)
            ws.insert_image(
                row + 1,
                0,
                f"{chart.name}.png",
                {"image_data": io.BytesIO(chart.png), "x_scale": 0.5, "y_scale": 0.5},
            )
            row += 32
    wb.close()
    return buf.getvalue()
