"""Charts rendered on the server with matplotlib (SVG for HTML/PDF, PNG for XLSX/Markdown).

Chinese text uses the Noto CJK fonts (Debian ``fonts-noto-cjk``); text in the SVG is stored as
outlines so the pages do not depend on the reader's fonts. Category colours are the HJ 633
Appendix A Table A.1 colours, read from :mod:`lantian.standards`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from lantian.reports.spec import Chart
from lantian.standards import get, level_colours, regime_for_day

CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "DejaVu Sans"]
MISSING_COLOUR = "#D9D9D9"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(
        {
            "font.family": CJK_FAMILIES,
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "lantian",
            "font.size": 9,
        }
    )
    return plt


def _finish(fig, name: str, title: str, caption: str = "") -> Chart:
    plt = _plt()
    svg, png = io.BytesIO(), io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.savefig(png, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return Chart(name=name, title=title, svg=svg.getvalue(), png=png.getvalue(), caption=caption)


def category_names(lang: str, regime: str) -> tuple[str, ...]:
    """Categories of AQI levels 1–6 in an edition (HJ 633—2012 Table 2 / HJ 633—2026 Table 1)."""
    levels = get(regime).aqi.levels
    return tuple(lv.category_zh if lang == "zh" else lv.category_en for lv in levels)


def _days_regime(days: Iterable[dt.date]) -> str:
    """The edition whose level colours and categories a chart of these days shows: that of the days;
    a chart spanning both editions needs them to agree (they do: HJ 633—2026 Appendix A keeps the
    colours, Table 1 the categories)."""
    regimes = sorted({regime_for_day(d) for d in days})
    legends = {(tuple(level_colours(r).items()), category_names("zh", r), category_names("en", r)) for r in regimes}
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

    plt = _plt()
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
    fig, ax = plt.subplots(figsize=(8.0, 0.32 * len(months) + 1.3))
    ax.pcolormesh(grid, cmap=cmap, vmin=-0.5, vmax=7.5, edgecolors="white", linewidth=1.2)
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
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
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
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
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
