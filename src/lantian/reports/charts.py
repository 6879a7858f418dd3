"""Charts rendered on the server with matplotlib (SVG for HTML/PDF, PNG for XLSX/Markdown).

Chinese text needs a CJK font, located explicitly (:func:`cjk_font`): the file of the setting
``report_font``, else the file fontconfig gives for ``Noto Sans CJK SC`` (Debian ``fonts-noto-cjk``),
else the one matplotlib's font list knows. It is registered with matplotlib by file (so a font cache
older than the fonts does not matter); without one the report fails with what to install, rather
than draw the Chinese text as boxes. Text in the SVG is stored as outlines so the pages do not
depend on the reader's fonts.

Each chart is drawn once, when a renderer first asks for it as SVG or as PNG, and kept: the formats
of one report share it, and a format that does not show charts draws nothing. Category colours are
the HJ 633 Appendix A Table A.1 colours, read from :mod:`lantian.standards`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lantian.errors import ConfigError
from lantian.reports.spec import Chart
from lantian.standards import get, level_colours, regime_for_day

#: The family looked for when no font file is configured (fontconfig, then matplotlib).
CJK_FAMILY = "Noto Sans CJK SC"
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC"]
#: Characters a report font must draw (names, units and categories of the reports).
CJK_PROBE = "株洲市空气质量优良轻度污染年月日综合指数微克每立方米"
FONT_PACKAGE = "fonts-noto-cjk"
MISSING_COLOUR = "#D9D9D9"


@dataclass(frozen=True)
class CJKFont:
    """The CJK font of the reports: its file, the family name matplotlib reads in it, where it was found."""

    path: Path
    family: str
    source: str  # setting / fontconfig / matplotlib


def _draws_chinese(path: Path) -> bool:
    """The font file opens and has a glyph for every character of :data:`CJK_PROBE`."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in CJK_PROBE)


def _family(path: Path) -> str:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(path)).get_name()


def fontconfig_file(family: str = CJK_FAMILY) -> Path | None:
    """The file fontconfig chooses for ``family`` (``fc-match``), or ``None`` without fontconfig. Note
    that fontconfig answers with some font for any family: the caller checks it draws Chinese."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", family], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.stdout.strip()
    return Path(text) if out.returncode == 0 and text else None


def matplotlib_file(family: str = CJK_FAMILY) -> Path | None:
    """The file matplotlib's font list holds for ``family`` (no fallback to another family)."""
    from matplotlib import font_manager

    try:
        return Path(
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        )
    except ValueError:
        return None


def _missing_font_error() -> ConfigError:
    return ConfigError(
        f"报告需要中文字体，但 fontconfig 和 matplotlib 都没有找到 {CJK_FAMILY}：请安装字体"
        f"（Debian/Ubuntu：apt-get install {FONT_PACKAGE}），或用设置 report_font（环境变量 "
        "LANTIAN_REPORT_FONT，或 lantian.toml 中的 report_font）指定一个含汉字的字体文件；"
        "未生成报告，以免图表中的汉字显示为方框。",
        en=f"Reports need a Chinese font, but neither fontconfig nor matplotlib has {CJK_FAMILY}: install it "
        f"(Debian/Ubuntu: apt-get install {FONT_PACKAGE}) or name a font file with Chinese glyphs in the "
        "setting report_font (LANTIAN_REPORT_FONT); no report was written, so that no chart shows boxes.",
    )


@functools.lru_cache(maxsize=8)
def locate_font(configured: str | None) -> CJKFont:
    """The CJK font: the configured file (checked), else fontconfig's, else matplotlib's
    :data:`CJK_FAMILIES`; :class:`ConfigError` saying what to install or set when there is none."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"设置 report_font 指向的字体文件 {path} 不存在：请改为一个已有的中文字体文件"
                f"（如 fc-match -f '%{{file}}' '{CJK_FAMILY}' 给出的文件），或删除该设置改用系统字体"
                f"（apt-get install {FONT_PACKAGE}）。",
                en=f"The font file {path} of the setting report_font does not exist: name an existing font "
                f"file with Chinese glyphs, or remove the setting to use the system font "
                f"(apt-get install {FONT_PACKAGE}).",
            )
        if not _draws_chinese(path):
            raise ConfigError(
                f"设置 report_font 指向的文件 {path} 不是含汉字的字体（无法打开，或缺少“{CJK_PROBE[:4]}”等字形）："
                f"请改为中文字体文件（如 Noto Sans CJK SC，apt-get install {FONT_PACKAGE}）。",
                en=f"The file {path} of the setting report_font is not a font with Chinese glyphs: name a "
                f"Chinese font file (e.g. Noto Sans CJK SC, apt-get install {FONT_PACKAGE}).",
            )
        return CJKFont(path, _family(path), "setting")
    found = fontconfig_file(CJK_FAMILY)
    if found is not None and found.is_file() and _draws_chinese(found):
        return CJKFont(found, _family(found), "fontconfig")
    for family in CJK_FAMILIES:
        found = matplotlib_file(family)
        if found is not None and found.is_file() and _draws_chinese(found):
            return CJKFont(found, _family(found), "matplotlib")
    raise _missing_font_error()


def cjk_font() -> CJKFont:
    """The CJK font of the settings in force (:func:`locate_font`, looked up once per process)."""
    from lantian import config

    configured = config.load().value("report_font")
    return locate_font(str(configured) if configured else None)


def register_font(font: CJKFont) -> None:
    """Add the font file to matplotlib's font list (unless there) and make it the charts' family."""
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(Path(f.fname) == font.path for f in manager.ttflist):
        manager.addfont(str(font.path))
    matplotlib.rcParams.update(
        {
            # DejaVu Sans (bundled with matplotlib) for the few signs CJK fonts lack, e.g. the ₂.₅ of PM₂.₅
            "font.family": [font.family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "lantian",
            "font.size": 9,
        }
    )


def _figure(figsize: tuple[float, float]):
    """A new figure (not kept by pyplot) with one axes, in the registered CJK font."""
    from matplotlib.figure import Figure

    register_font(cjk_font())
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


class DrawnChart(Chart):
    """A :class:`Chart` whose SVG and PNG are drawn from its figure when first read, then kept."""

    def __init__(self, fig, name: str, title: str, caption: str = "") -> None:
        self._fig = fig
        self._svg: bytes | None = None
        self._png: bytes | None = None
        super().__init__(name=name, title=title, svg=None, png=None, caption=caption)

    def _save(self, fmt: str, **options) -> bytes:
        if self._fig is None:
            raise ValueError(f"chart {self.name}: its figure was released before it was drawn as {fmt}")
        buf = io.BytesIO()
        self._fig.savefig(buf, format=fmt, bbox_inches="tight", **options)
        return buf.getvalue()

    @property
    def svg(self) -> bytes:
        if self._svg is None:
            self._svg = self._save("svg", dpi=200, metadata={"Date": None})
            if self._png is not None:
                self._fig = None
        return self._svg

    @svg.setter
    def svg(self, value: bytes | None) -> None:
        if value is not None:
            self._svg = value

    @property
    def png(self) -> bytes:
        if self._png is None:
            self._png = self._save("png", dpi=150)
            if self._svg is not None:
                self._fig = None
        return self._png

    @png.setter
    def png(self, value: bytes | None) -> None:
        if value is not None:
            self._png = value


def _finish(fig, name: str, title: str, caption: str = "") -> Chart:
    return DrawnChart(fig, name, title, caption)


def category_names(lang: str, regime: str) -> tuple[str, ...]:
    """Categories of AQI levels 1–6 in an edition (HJ 633—2012 Table 2 / HJ 633—2026 Table 1)."""
    levels = get(regime).aqi.levels
    return tuple(lv.category_zh if lang == "zh" else lv.category_en for lv in levels)


def _days_regime(days: Iterable[dt.date]) -> str:
    """The edition whose level colours and categories a chart of these days shows: that of the days;
    a chart spanning both editions needs them to agree (they do: HJ 633—2026 Appendix A keeps the
    colours, Table 1 the categories)."""
    regimes = sorted({regime_for_day(d) for d in days})
    legends = {
        (tuple(level_colours(r).items()), category_names("zh", r), category_names("en", r)) for r in regimes
    }
    if len(legends) > 1:
        raise ValueError(f"the days span editions {regimes} whose level colours or categories differ")
    return regimes[-1]


def calendar_heatmap(
    days: Iterable[tuple[dt.date, int | None]],
    name: str = "calendar",
    title: str = "",
    lang: str = "zh",
    caption: str = "",
) -> Chart:
    """Calendar of daily AQI levels: one row per month of the data, one column per day of month.

    ``days`` are ``(date, level)`` pairs (level 1–6, ``None`` when no AQI was published that day).
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    by_day = dict(days)
    if not by_day:
        raise ValueError("calendar heatmap needs at least one day")
    first, last = min(by_day), max(by_day)
    months: list[tuple[int, int]] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    # cell codes: 0 = no such day, 1..6 = level, 7 = missing
    grid = [[0] * 31 for _ in months]
    for i, (yy, mm) in enumerate(months):
        for d in range(1, calendar.monthrange(yy, mm)[1] + 1):
            level = by_day.get(dt.date(yy, mm, d))
            grid[i][d - 1] = level if isinstance(level, int) and 1 <= level <= 6 else 7
    regime = _days_regime(by_day)
    colours = level_colours(regime)
    cmap = ListedColormap(["#FFFFFF", *colours.values(), MISSING_COLOUR])
    fig, ax = _figure((8.0, 0.32 * len(months) + 1.3))
    # the 372 cells as one embedded image (at the SVG's 200 dpi), not 372 vector paths to draw
    ax.pcolormesh(grid, cmap=cmap, vmin=-0.5, vmax=7.5, edgecolors="white", linewidth=1.2, rasterized=True)
    ax.invert_yaxis()
    ax.set_aspect("equal")
    ax.set_xticks([d - 0.5 for d in (1, 5, 10, 15, 20, 25, 30)], [str(d) for d in (1, 5, 10, 15, 20, 25, 30)])
    labels = [f"{yy}年{mm}月" if lang == "zh" else f"{calendar.month_abbr[mm]} {yy}" for yy, mm in months]
    ax.set_yticks([i + 0.5 for i in range(len(months))], labels)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    names = category_names(lang, regime)
    handles = [Patch(color=c, label=n) for c, n in zip(colours.values(), names, strict=True)]
    handles.append(Patch(color=MISSING_COLOUR, label="无有效数据" if lang == "zh" else "no valid AQI"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.04 if len(months) > 3 else -0.25),
        ncol=7,
        frameon=False,
        fontsize=8,
        handlelength=1.2,
        columnspacing=1.0,
    )
    if title:
        ax.set_title(title, fontsize=11)
    return _finish(fig, name, title, caption)


def line_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    name: str,
    title: str = "",
    ylabel: str = "",
    caption: str = "",
) -> Chart:
    """Lines over a shared axis, e.g. monthly PM2.5 this year against last year (gaps for ``None``)."""
    fig, ax = _figure((7.5, 3.2))
    styles = ["-o", "--s", ":^", "-.d"]
    for i, (label, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else float(v) for v in values]
        ax.plot(range(len(x_labels)), ys, styles[i % len(styles)], label=label, linewidth=1.6, markersize=4)
    ax.set_xticks(range(len(x_labels)), list(x_labels))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title, fontsize=11)
    return _finish(fig, name, title, caption)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    name: str,
    levels: Sequence[int | None] | None = None,
    title: str = "",
    ylabel: str = "",
    caption: str = "",
    regime: str = "",
) -> Chart:
    """Bars, coloured by AQI level when ``levels`` is given (e.g. station AQI of the day), in the
    colours of the edition ``regime`` (required with ``levels``)."""
    if levels and not regime:
        raise ValueError("bar_chart: levels need the regime ('2012' or '2026') whose colours they take")
    fig, ax = _figure((7.5, 3.2))
    ys = [0.0 if v is None else float(v) for v in values]
    if levels:
        colours = level_colours(regime)
        fill = [colours[lv] if lv else MISSING_COLOUR for lv in levels]
    else:
        fill = "#4472C4"
    bars = ax.bar(range(len(labels)), ys, color=fill, edgecolor="#555555", linewidth=0.5)
    for bar, v in zip(bars, values, strict=True):
        text = "—" if v is None else (f"{v:g}" if isinstance(v, int | float) else str(v))
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=7,
            xytext=(0, 1),
            textcoords="offset points",
        )
    ax.set_xticks(
        range(len(labels)),
        list(labels),
        rotation=30 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
    )
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=11)
    return _finish(fig, name, title, caption)


def profile_chart(
    panels: Sequence[tuple[str, Sequence[str], dict[str, Sequence[float | None]]]],
    name: str,
    title: str = "",
    ylabel: str = "",
    caption: str = "",
) -> Chart:
    """Profiles side by side, e.g. by hour of day, weekday and month: one panel per ``(title, x labels,
    {series: values})``, the series drawn as lines with gaps for ``None``; one figure, drawn once."""
    from matplotlib.figure import Figure

    register_font(cjk_font())
    widths = [max(len(labels), 9) for _, labels, _ in panels]
    fig = Figure(figsize=(7.5, 2.6))
    axes = fig.subplots(1, len(panels), gridspec_kw={"width_ratios": widths}, squeeze=False)[0]
    styles = ["-o", "--s", ":^", "-.d"]
    for ax, (panel_title, labels, series) in zip(axes, panels, strict=True):
        for i, (label, values) in enumerate(series.items()):
            ys = [float("nan") if v is None else float(v) for v in values]
            ax.plot(
                range(len(labels)), ys, styles[i % len(styles)], label=label, linewidth=1.3, markersize=2.5
            )
        step = 3 if len(labels) > 12 else 2 if len(labels) > 8 else 1
        ticks = list(range(0, len(labels), step))
        ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=7, rotation=45 if len(labels) >= 7 else 0)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(panel_title, fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return _finish(fig, name, title, caption)
