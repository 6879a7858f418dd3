"""Pages as an office prints them: no page carries a lone line or a lone heading (widow/orphan control and
keep-with-next, templates/document.css), and the daily bulletin of a city of up to 12 stations is one A4
page — the 2026 sample city 株洲 has 6 stations reporting on 2026-04-02 (src/lantian/data/sample/README.md:
the national platform's hours of 2026-04-01..03)."""

from __future__ import annotations

import re
import subprocess

import pytest
from rp_helpers import SAMPLE_REPORTS

#: A numbered heading of GB/T 9704—2012 (一、 or （一）) — a page of nothing else is a lone heading.
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
#: The page number of the foot (— n —), not part of the page's text.
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")


def pages(path) -> list[list[str]]:
    """The non-empty lines of each page of a PDF, without the page number."""
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    out = []
    for n in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        out.append([ln for ln in text.splitlines() if ln.strip() and not PAGE_NUMBER.match(ln)])
    return out


def lone(lines: list[str]) -> bool:
    """A page whose text is one line, or only headings."""
    return len(lines) <= 1 or all(HEADING.match(ln) for ln in lines)


def test_the_check_finds_a_lone_line_and_a_lone_heading():
    assert lone(["  第二页仅剩的一行。"]) and lone(["  五、目标完成情况", "  （一）优良天数"]) and lone([])
    assert not lone(["  五、目标完成情况", "  表5 年度目标完成情况"])


@pytest.mark.parametrize("kind", list(SAMPLE_REPORTS))
def test_no_page_is_a_lone_line_or_heading(sample_reports, kind):
    for n, lines in enumerate(pages(sample_reports[kind]["pdf"]), 1):
        assert not lone(lines), f"{kind} page {n}: {lines}"


def test_daily_bulletin_of_the_sample_city_is_one_page(sample_reports):
    doc = sample_reports["daily"]["doc"]
    assert 1 <= len(doc.table("stations").rows) <= 12
    assert len(pages(sample_reports["daily"]["pdf"])) == 1


def test_column_widths_follow_the_content():
    from lantian.reports.html import column_widths, nowrap_columns, text_width
    from lantian.reports.spec import Column

    columns = [Column("name", "点位名称"), Column("aqi", "AQI", "int"), Column("note", "说明")]
    cells = [
        [
            {"text": "天台山庄"},
            {"text": "43"},
            {"text": "空气质量令人满意，基本无空气污染，各类人群可正常活动。"},
        ]
    ]
    widths, wide = column_widths(columns, cells)
    assert text_width("天台山庄") == 4 and not wide
    # the station name keeps its four characters on one line; the long text takes the room and wraps
    assert nowrap_columns(columns, cells) == {0, 1}
    assert widths[2] > widths[0] > widths[1]


def test_daily_bulletin_of_a_twelve_station_city_is_one_page(tmp_path):
    """Beijing's 12 PRSA stations (../shared/data/README.md, prsa-beijing/), a day of 严重污染 (2016-12-20):
    the longest station table the bulletin prints for a city of up to 12 stations."""
    from lantian.io.dataset import Dataset
    from lantian.reports.render import write
    from lantian.reports.sources import build
    from shared_paths import SHARED_DATA

    store = tmp_path / "store"
    Dataset(store).ingest([SHARED_DATA / "prsa-beijing"])
    doc = build("daily", city="北京", period="2016-12-20", store=store)
    assert len(doc.table("stations").rows) == 12
    assert len(pages(write(doc, "pdf", tmp_path / "daily.pdf"))) == 1
