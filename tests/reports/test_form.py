"""The form of the reports: numbering, number display, and the five renderers on one document."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import openpyxl
import pytest
from PIL import Image

from lantian.reports import charts
from lantian.reports.formatting import format_cell
from lantian.reports.render import render, write
from lantian.reports.spec import Column, Document, Paragraph, Section, Table, heading_number, zh_numeral
from lantian.reports.xlsx import sheet_names


def test_chinese_section_numbers():
    # GB/T 9704—2012 §7.3.3: first-level headings 一、 second-level （一）
    assert [zh_numeral(n) for n in (1, 2, 9, 10, 11, 20, 21, 99)] == [
        "一",
        "二",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]
    assert heading_number((3,), "zh") == "三、"
    assert heading_number((3, 2), "zh") == "（二）"
    assert heading_number((3, 2), "en") == "3.2"


@pytest.mark.parametrize(
    ("value", "fmt", "pollutant", "text"),
    [
        # standards.md §11.4 D11/D12 (GB/T 8170): 1.35 → 1.4 (CO, one decimal); 3.055 → 3.06; 3.065 → 3.06
        (1.35, "conc", "co", "1.4"),
        (1.25, "conc", "co", "1.2"),
        (53.0, "conc", "pm25", "53"),
        (3.055, "dec2", None, "3.06"),
        (3.065, "dec2", None, "3.06"),
        (93.1, "pct1", None, "93.1%"),
        (-11.4, "signed_pct1", None, "-11.4%"),
        (5.0, "signed_pct1", None, "+5.0%"),
        (0.0, "signed_pct1", None, "0.0%"),
        (None, "int", None, "—"),
    ],
)
def test_cell_display(value, fmt, pollutant, text):
    column = Column("v", "v", fmt)
    assert format_cell(value, column, {"v": value, "pollutant": pollutant}) == text


def _document(lang: str = "zh") -> Document:
    days = [(dt.date(2016, 1, 1) + dt.timedelta(d), (d % 6) + 1 if d % 17 else None) for d in range(366)]
    table = Table(
        "stats",
        "六项污染物浓度" if lang == "zh" else "Six pollutants",
        [
            Column("name", "污染物"),
            Column("value", "浓度", "conc"),
            Column("change", "变化率", "signed_pct1"),
            Column("good", "优良率", "pct1"),
            Column("index", "综合指数", "dec2"),
            Column("days", "天数", "int"),
        ],
        [
            {
                "pollutant": "co",
                "name": "CO",
                "value": 1.4,
                "change": -11.4,
                "good": 93.1,
                "index": 3.06,
                "days": 300,
            },
            {
                "pollutant": "pm25",
                "name": "PM2.5",
                "value": 53,
                "change": 5.0,
                "good": None,
                "index": 4.21,
                "days": 12,
            },
        ],
    )
    doc = Document(
        kind="annual",
        title="长沙市2016年环境空气质量年度报告",
        city="长沙市",
        period="2016",
        date=dt.date(2017, 1, 10),
        lang=lang,
        number="蓝天办〔2017〕1号",
        addressees="各区县（市）人民政府：",
        data={"answer": 42},
        sources=["lantian assess --json"],
    )
    doc.add(
        Section("总体状况").add(
            Paragraph("全市环境空气质量总体改善。"),
            table,
            Section("优良天数").add(Paragraph("优良天数为300天。")),
        ),
        Section("每日空气质量").add(charts.calendar_heatmap(days, title="每日类别", lang=lang)),
    )
    return doc


def test_every_format_renders(tmp_path):
    doc = _document()
    for fmt in ("html", "pdf", "xlsx", "md", "json"):
        out = write(doc, fmt, tmp_path / f"r.{fmt}")
        assert out.stat().st_size > 200, fmt
    html = (tmp_path / "r.html").read_text()
    assert "一、总体状况" in html and "（一）优良天数" in html and "长沙市蓝天办" in html
    assert "data:image/svg+xml;base64," in html
    md = (tmp_path / "r.md").read_text()
    assert "## 一、总体状况" in md and "| CO | 1.4 | -11.4% | 93.1% | 3.06 | 300 |" in md
    assert (tmp_path / "r_charts" / "calendar.png").is_file()
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["tables"]["stats"]["rows"][0]["value"] == 1.4
    assert data["data"] == {"answer": 42}


def test_pdf_pages_have_text_and_ink(tmp_path):
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(_document(), "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for needle in (
        "长沙市蓝天办",
        "蓝天办〔2017〕1号",
        "一、总体状况",
        "（一）优良天数",
        "二、每日空气质量",
        "表1 六项污染物浓度",
        "图1 每日类别",
        "93.1%",
        "-11.4%",
        "3.06",
        "2017年1月10日",
    ):
        assert needle in text, needle
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    for page in pages:
        gray = Image.open(page).convert("L")
        dark = sum(gray.histogram()[:200])
        assert dark > 0.002 * gray.width * gray.height, f"{page.name} is blank"


def test_xlsx_one_sheet_per_table_with_number_formats(tmp_path):
    doc = _document()
    path = write(doc, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    names = sheet_names(doc)
    assert wb.sheetnames == ["报告", names["stats"], "图表"]
    ws = wb[names["stats"]]
    header = [c.value for c in ws[2]]
    assert header == ["污染物", "浓度", "变化率", "优良率", "综合指数", "天数"]
    co, pm = list(ws.iter_rows(min_row=3, max_row=4))
    assert co[1].value == 1.4 and co[1].number_format == "0.0"
    assert pm[1].value == 53 and pm[1].number_format == "0"
    assert co[2].value == pytest.approx(-0.114) and co[2].number_format == "+0.0%;-0.0%;0.0%"
    assert co[3].value == pytest.approx(0.931) and co[3].number_format == "0.0%"
    assert co[4].value == 3.06 and co[4].number_format == "0.00"
    assert isinstance(co[5].value, int) and co[5].number_format == "0"
    assert pm[3].value is None
    cover = [r[0] for r in wb["报告"].iter_rows(values_only=True)]
    assert "一、总体状况" in cover and "（一）优良天数" in cover


def test_english_numbering(tmp_path):
    doc = _document("en")
    html = render(doc, "html").decode()
    assert "Table 1. Six pollutants" in html and "1. 总体状况" in html and "1.1 优良天数" in html


def test_bad_format_is_an_error():
    from lantian.errors import InputError

    with pytest.raises(InputError, match="choose one of"):
        render(_document(), "docx")
