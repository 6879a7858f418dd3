"""The form of a report: an official document made of numbered sections, paragraphs, tables and charts.

A :class:`Document` is what every builder returns and every renderer reads. It holds no numbers of
its own making: builders copy the figures of the pipeline and workflow results into tables, and keep
the results themselves in :attr:`Document.data` (the JSON renderer writes them unchanged).

The layout follows the elements of GB/T 9704—2012 (党政机关公文格式): issuing office (发文机关标志),
document number (发文字号), title (标题), addressees (主送机关), body with first-level headings
``一、`` and second-level ``（一）``, signature office (发文机关署名) and date (成文日期).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

#: Cell formats. ``pct1`` holds a percentage number (93.1 means 93.1 %), ``signed_pct1`` a change rate
#: in percent shown with its sign, ``conc`` a concentration whose decimals follow the pollutant of the
#: row (CO one decimal, the others integers; HJ 633—2026 §4.2.2).
Fmt = Literal["text", "int", "dec1", "dec2", "pct1", "signed_pct1", "conc", "date"]
FORMATS: tuple[str, ...] = ("text", "int", "dec1", "dec2", "pct1", "signed_pct1", "conc", "date")

#: The report kinds, in the order of their period length.
KINDS: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "annual")

DEFAULT_OFFICE_ZH = "蓝天办"
DEFAULT_OFFICE_EN = "Blue-Sky Office"


@dataclass(frozen=True)
class Column:
    """One column of a table: the row key it reads, its headings and its number format."""

    key: str
    label: str
    fmt: Fmt = "text"
    #: for ``conc``: the row key holding the pollutant code that decides the decimals
    pollutant_key: str = "pollutant"
    #: for ``conc``: the pollutant of the whole column (instead of ``pollutant_key``)
    pollutant: str | None = None

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"column {self.key!r}: unknown format {self.fmt!r}; use one of {FORMATS}")


@dataclass
class Table:
    """A titled table (表): columns and rows of plain values (``None`` is shown as a dash)."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    note: str = ""
    #: indices of the rows to highlight (the city's own row in a ranking)
    highlight: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = {c.key for c in self.columns}
        for i, row in enumerate(self.rows):
            missing = keys - set(row)
            if missing:
                raise ValueError(f"table {self.name!r} row {i}: missing {sorted(missing)}")

    def column(self, key: str) -> list:
        """The values of one column, in row order."""
        return [row[key] for row in self.rows]


@dataclass
class Chart:
    """A chart rendered on the server: SVG for HTML/PDF, PNG for XLSX and Markdown."""

    name: str
    title: str
    svg: bytes
    png: bytes
    caption: str = ""


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Table | Chart


@dataclass
class Section:
    """A numbered section. Nested sections are numbered ``（一）`` (zh) or ``1.1`` (en)."""

    heading: str
    blocks: list[Block | Section] = field(default_factory=list)

    def add(self, *blocks: Block | Section) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    """A finished report, independent of its output format."""

    kind: str
    title: str
    city: str
    period: str
    date: dt.date
    lang: str = "zh"
    office: str = DEFAULT_OFFICE_ZH
    number: str = ""
    addressees: str = ""
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    #: the pipeline/workflow results the tables were filled from (JSON-ready)
    data: dict = field(default_factory=dict)
    #: the command lines that print the same figures with ``--json``
    sources: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown report kind {self.kind!r}; use one of {KINDS}")
        if self.lang not in ("zh", "en"):
            raise ValueError(f"unknown language {self.lang!r}; use zh or en")

    def add(self, *sections: Section) -> Document:
        self.sections.extend(sections)
        return self

    def walk(self):
        """Every block of the document, depth first, as ``(number, block)`` pairs."""
        for i, section in enumerate(self.sections, 1):
            yield from _walk(section, (i,))

    def tables(self) -> list[Table]:
        return [b for _, b in self.walk() if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for _, b in self.walk() if isinstance(b, Chart)]

    def table(self, name: str) -> Table:
        for t in self.tables():
            if t.name == name:
                return t
        raise KeyError(f"no table {name!r}; tables: {[t.name for t in self.tables()]}")


def _walk(section: Section, number: tuple[int, ...]):
    yield number, section
    sub = 0
    for block in section.blocks:
        if isinstance(block, Section):
            sub += 1
            yield from _walk(block, (*number, sub))
        else:
            yield number, block


_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """Chinese numeral for section numbers 1–99: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一."""
    if not 1 <= n <= 99:
        raise ValueError(f"section number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _ZH_DIGITS[ones]
    head = "" if tens == 1 else _ZH_DIGITS[tens]
    return head + "十" + (_ZH_DIGITS[ones] if ones else "")


def heading_number(number: tuple[int, ...], lang: str) -> str:
    """Number of a heading: ``一、`` / ``（一）`` / ``1.`` in Chinese; ``1.`` / ``1.2`` in English."""
    if lang == "zh":
        if len(number) == 1:
            return f"{zh_numeral(number[0])}、"
        if len(number) == 2:
            return f"（{zh_numeral(number[1])}）"
        return f"{number[-1]}."
    return ".".join(str(n) for n in number) + ("." if len(number) == 1 else "")


def zh_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals (GB/T 9704—2012 §7.3.5.3): 2016年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def en_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
