"""Report fonts cannot fail silently, and each chart is drawn once per report.

What is expected (src/lantian/reports/charts.py module docstring; docs/settings.md, row ``report_font``):
the CJK font is the file of the setting ``report_font``, else fontconfig's ``Noto Sans CJK SC``, else
matplotlib's; it is registered with matplotlib by file, so a font list older than the fonts draws no
boxes; with no CJK font ``lantian report`` exits 2 (the CLI's code for lantian's errors,
src/lantian/cli/__init__.py ``main``) naming the package to install (``fonts-noto-cjk``) and the setting.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.font_manager as fm
import pytest

from lantian.io.dataset import Dataset
from lantian.io.sample import load_sample
from lantian.reports import charts
from lantian.reports.render import render
from lantian.reports.sources import build

REPORT = ("report", "annual", "--city", "株洲", "--period", "2016")
INSTALL = "apt-get install fonts-noto-cjk"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    """The bundled sample (src/lantian/data/sample/README.md): 株洲 city daily rows 2013-12 → 2017-01."""
    path = tmp_path_factory.mktemp("sample") / "store"
    load_sample(Dataset(path))
    return path


@pytest.fixture
def fresh_lookup():
    """The font is looked up once per process: forget it around each test that changes the fonts."""
    charts.locate_font.cache_clear()
    fm.fontManager._findfont_cached.cache_clear()
    yield
    charts.locate_font.cache_clear()
    fm.fontManager._findfont_cached.cache_clear()


def _is_cjk(entry) -> bool:
    return "CJK" in entry.name or "cjk" in Path(entry.fname).name.lower()


@pytest.fixture
def stale_font_list(monkeypatch, fresh_lookup):
    """matplotlib's font list as a cache written before the CJK fonts were installed: no CJK entry."""
    assert any(_is_cjk(f) for f in fm.fontManager.ttflist), "test machine needs fonts-noto-cjk"
    monkeypatch.setattr(fm.fontManager, "ttflist", [f for f in fm.fontManager.ttflist if not _is_cjk(f)])
    assert charts.matplotlib_file("Noto Sans CJK SC") is None


def _draw_capturing(caplog) -> tuple[list[str], charts.Chart]:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        chart = charts.line_chart(
            ["1月", "2月", "3月"],
            {"株洲市 PM₂.₅": [61.0, 55.0, None], "去年同期": [70.0, 58.0, 49.0]},
            name="trend_pm25",
            title="株洲市PM₂.₅月均浓度",
            ylabel="微克/立方米",
        )
        chart.svg, chart.png  # noqa: B018 - draw both forms
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return messages, chart


def test_chart_draws_every_glyph_with_a_font_list_older_than_the_fonts(stale_font_list, caplog):
    messages, chart = _draw_capturing(caplog)
    assert not [m for m in messages if "missing from font" in m or "findfont" in m], messages
    font = charts.cjk_font()
    assert font.source == "fontconfig"
    assert any(Path(f.fname) == font.path for f in fm.fontManager.ttflist)  # registered by file
    assert chart.svg.startswith(b"<?xml") and chart.png.startswith(b"\x89PNG")


def test_chart_draws_every_glyph(caplog, fresh_lookup):
    messages, _ = _draw_capturing(caplog)
    assert not [m for m in messages if "missing from font" in m or "findfont" in m], messages


def test_report_fails_with_the_instruction_when_no_cjk_font_is_found(
    stale_font_list, monkeypatch, tmp_path, sample_store, capsys
):
    """fontconfig hidden (no fc-match on PATH) and matplotlib's list without CJK fonts."""
    from lantian.cli import main

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert charts.fontconfig_file() is None
    out = tmp_path / "annual.pdf"
    monkeypatch.setattr(
        sys, "argv", ["lantian", *REPORT, "--store", str(sample_store), "-f", "pdf", "-o", str(out)]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert INSTALL in err and "report_font" in err and "Noto Sans CJK SC" in err
    assert not out.exists()


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    lantian = Path(sys.executable).with_name("lantian")
    return subprocess.run(
        [str(lantian), *args], capture_output=True, text=True, env={**os.environ, **env}, cwd=cwd, timeout=300
    )


def test_report_font_setting_to_a_missing_file_exits_2(tmp_path, sample_store):
    missing = tmp_path / "no-such-font.ttc"
    out = tmp_path / "annual.pdf"
    result = _cli(
        *REPORT, "--store", str(sample_store), "-f", "pdf", "-o", str(out),
        env={"LANTIAN_REPORT_FONT": str(missing)}, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "report_font" in result.stderr and str(missing) in result.stderr and INSTALL in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_report_font_setting_to_a_file_without_chinese_glyphs_exits_2(tmp_path, sample_store):
    latin = Path(fm.findfont(fm.FontProperties(family="DejaVu Sans")))  # bundled with matplotlib
    (tmp_path / "lantian.toml").write_text(f'report_font = "{latin.as_posix()}"\n', encoding="utf-8")
    result = _cli(*REPORT, "--store", str(sample_store), "-f", "xlsx", "-o", "a.xlsx", env={}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "report_font" in result.stderr and "不是含汉字的字体" in result.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_report_font_setting_prints_the_pdf_in_that_file(tmp_path, sample_store):
    font = charts.fontconfig_file("Noto Serif CJK SC")
    assert font is not None and "Serif" in font.name, "test machine needs fonts-noto-cjk"
    out = tmp_path / "annual.pdf"
    result = _cli(
        *REPORT, "--store", str(sample_store), "-f", "pdf", "-o", str(out),
        env={"LANTIAN_REPORT_FONT": str(font)}, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "lantian-report-font" in fonts  # src/lantian/reports/pdf.py FILE_FAMILY, the configured file


def test_each_chart_is_drawn_once_and_shared_by_the_formats(sample_store, monkeypatch):
    from matplotlib.figure import Figure

    doc = build("annual", city="株洲", period="2016", store=sample_store)
    drawn: list[str] = []
    save = Figure.savefig

    def counting(self, fname, *args, **kwargs):
        drawn.append(kwargs.get("format", ""))
        return save(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counting)
    n = len(doc.charts())
    assert n >= 2  # the annual report's calendar heatmap and trend charts (src/lantian/reports/period.py)
    assert drawn == []  # building the document draws nothing
    for fmt in ("pdf", "html", "pdf"):
        render(doc, fmt)
    assert sorted(drawn) == ["svg"] * n
    for fmt in ("xlsx", "md", "xlsx"):
        render(doc, fmt)
    assert sorted(drawn) == ["png"] * n + ["svg"] * n
