"""Every report kind reads as an office's document in Chinese mode: the text of the PDF (pdftotext) and
of every cell of the XLSX holds no identifier of the code — no snake_case word, no dotted module path, no
ISO week code, no English status word, no command line.

Data: the bundled sample (rp_helpers.SAMPLE_REPORTS). What an office writes instead: targets named
优良天数比例、PM2.5年均浓度、重污染天数、臭氧、综合指数, statuses 已完成/可完成/有风险/已失守
(docs/reports.md, "Targets"), weeks as 2016年第50周（12月12日—12月18日） (lantian.periods.Period.label_zh).
"""

from __future__ import annotations

import re
import subprocess

import openpyxl
import pytest
from rp_helpers import SAMPLE_REPORTS

#: What a Chinese document must not contain, with the name of each kind of leak.
FORBIDDEN: dict[str, re.Pattern] = {
    "snake_case word": re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9])"),
    "dotted module path": re.compile(r"(?<![A-Za-z0-9])[a-z_]+(?:\.[a-z_]+){1,}(?![A-Za-z0-9])"),
    "ISO week code": re.compile(r"\d{4}-?W\d{1,2}(?!\d)"),
    "English status word": re.compile(
        r"(?<![A-Za-z])(met|lost|at[ _]risk|on[ _]track|good|valid|no[ _]data|insufficient)(?![A-Za-z])",
        re.IGNORECASE,
    ),
    "command line": re.compile(r"(?<![A-Za-z])lantian(?![A-Za-z])|--[a-z]"),
}


def leaks(text: str) -> list[str]:
    return [f"{name}: {m.group(0)!r}" for name, rx in FORBIDDEN.items() for m in rx.finditer(text)]


def test_the_patterns_catch_what_the_documents_once_printed():
    # the annual report and the monthly notice before (issue text of the reports' language)
    for text in (
        "good_days",
        "266 good / 366 valid (72.7%)",
        "lost",
        "lantian.workflow.cycle.weekly over 2016-07",
        "株洲2016-W50大气污染防治工作周调度",
        "lantian assess --city 株洲 --json",
    ):
        assert leaks(text), text
    for text in ("株洲市2016年第50周（12月12日—12月18日）", "PM₂.₅ 51 μg/m³", "HJ 633—2026", "已失守", "AQI"):
        assert not leaks(text), text


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def xlsx_text(path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(cells)


@pytest.mark.parametrize("kind", list(SAMPLE_REPORTS))
def test_pdf_text_holds_no_identifier(sample_reports, kind):
    text = pdf_text(sample_reports[kind]["pdf"])
    assert "株洲市" in text
    assert leaks(text) == []


@pytest.mark.parametrize("kind", list(SAMPLE_REPORTS))
def test_xlsx_cells_hold_no_identifier(sample_reports, kind):
    assert leaks(xlsx_text(sample_reports[kind]["xlsx"])) == []


def test_titles_masthead_and_signature(sample_reports):
    docs = {k: v["doc"] for k, v in sample_reports.items()}
    assert docs["weekly"].title == "株洲市2016年第50周（12月12日—12月18日）大气污染防治工作周调度"
    assert docs["monthly"].title == "株洲市2016年12月大气污染防治月考核通报"
    assert docs["quarterly"].title == "株洲市2016年第四季度环境空气质量季度评估"
    assert docs["annual"].title == "株洲市2016年环境空气质量年度报告"
    # one office for masthead and signature, from the setting office (default 蓝天办) with the city
    assert {d.office for d in docs.values()} == {"株洲市蓝天办"}
    first_lines = {k: pdf_text(v["pdf"]).split("\n", 2) for k, v in sample_reports.items()}
    for kind, lines in first_lines.items():
        assert lines[0].strip() == "株洲市蓝天办", kind
    # the periods are over: each document is dated the last day of its period
    assert docs["annual"].date.isoformat() == "2016-12-31"
    assert docs["weekly"].date.isoformat() == "2016-12-18"


def test_targets_named_and_judged_in_chinese(sample_reports):
    table = sample_reports["annual"]["doc"].table("targets")
    assert [r["name"] for r in table.rows] == [
        "优良天数比例",
        "PM2.5年均浓度",
        "重污染天数",
        "臭氧",
        "综合指数",
    ]
    assert {r["status"] for r in table.rows} <= {"已完成", "可完成", "有风险", "已失守"}


def test_rankings_as_notices_print_them(sample_reports):
    doc = sample_reports["annual"]["doc"]
    table = doc.table("province_rank")
    headings = [c.label for c in table.columns]
    assert headings[:3] == ["城市", "综合指数", "排名"] and "优良天数比例" in headings
    assert "综合指数变化率" in headings and any(h.startswith("PM₂.₅") for h in headings)
    # the pipeline's rankings, unchanged (lantian rank --by …, kept under data)
    assert "PM₂.₅浓度变化率" in headings
    for by in ("change", "pm25", "pm25_change", "good_rate"):
        rows = doc.data[f"rank_{by}"]["rows"]
        assert {r["city"]: r["rank"] for r in rows} == {r["name"]: r[f"{by}_rank"] for r in table.rows}
    # the city's own row is highlighted, in the PDF's HTML and in the workbook
    assert [table.rows[i]["name"] for i in table.highlight] == ["株洲"]
    book = openpyxl.load_workbook(sample_reports["annual"]["xlsx"])
    sheet = next(
        ws
        for ws in book.worksheets
        if ws.cell(1, 1).value == table.title or "排名" in str(ws.cell(1, 1).value)
    )
    bold = {str(row[0].value) for row in sheet.iter_rows(min_row=3) if row[0].value and row[0].font.bold}
    assert bold == {"株洲"}


def test_equal_ranks_are_printed_as_tied():
    from lantian.reports.figures import RankEntry, Ranking
    from lantian.reports.period import rankings_table

    # competition ranking with ties (spec §6.2): two cities of equal index share rank 1, the next is 3rd
    ranks = {
        "index": Ranking(
            "湖南", "index", [RankEntry("长沙", 1, 5.2), RankEntry("株洲", 1, 5.2), RankEntry("湘潭", 3, 5.3)]
        )
    }
    table = rankings_table(ranks, "zh", "province_rank", "排名", highlight="株洲市")
    assert [r["index_rank_text"] for r in table.rows] == ["1（并列）", "1（并列）", "3"]
    assert table.highlight == [1]
