"""ECharts options (plain JSON, no functions) for the dashboard's charts."""

from __future__ import annotations

import bisect
import datetime as dt

from lantian.standards import get as get_regime
from lantian.standards import level_colours, regime_for_day


def text_colour(level: int | None) -> str:
    """Readable text on a level colour: dark on green and yellow, white on the others."""
    return "#1d2733" if level in (1, 2, None) else "#ffffff"


def level_colour(row: dict, missing: str) -> str:
    """Colour of a row's AQI level: the ``colour`` the pipeline gave it, else its ``level`` in its
    ``regime`` (HJ 633 Appendix A Table A.1); ``missing`` without a level."""
    if row.get("colour"):
        return row["colour"]
    level, regime = row.get("level"), row.get("regime")
    return level_colours(regime).get(level, missing) if level and regime else missing


def level_pieces(lang: str, regime: str) -> list[dict]:
    """Legend pieces of the six levels of an edition (HJ 633—2012 Table 2 / HJ 633—2026 Table 1)."""
    return [
        {"value": lv.level, "label": lv.category_en if lang == "en" else lv.category_zh, "color": lv.hex}
        for lv in get_regime(regime).aqi.levels
    ]


def last_24h(rows: list[dict], lang: str) -> dict:
    """Bar chart of the city's hourly AQI (bars coloured by level) with PM2.5 as a line."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["AQI", "PM2.5"], "top": 0},
        "grid": {"left": 40, "right": 40, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [r["label"] for r in rows]},
        "yAxis": [{"type": "value", "name": "AQI"}, {"type": "value", "name": "µg/m³"}],
        "series": [
            {
                "name": "AQI",
                "type": "bar",
                "data": [{"value": r["aqi"], "itemStyle": {"color": level_colour(r, "#bbb")}} for r in rows],
            },
            {
                "name": "PM2.5",
                "type": "line",
                "yAxisIndex": 1,
                "data": [r["pm25"] for r in rows],
                "color": "#1f6fb2",
            },
        ],
    }


def station_map(stations: list[dict], lang: str) -> dict:
    """Scatter of the stations on longitude/latitude, coloured by AQI level, sized by AQI."""
    data = [
        {
            "name": s["name"],
            "value": [s["longitude"], s["latitude"], s["aqi"]],
            "itemStyle": {"color": level_colour(s, "#999"), "borderColor": "#333"},
            "symbolSize": 12 + min(int(s["aqi"] or 0), 300) / 12,
        }
        for s in stations
        if s.get("longitude") is not None and s.get("latitude") is not None
    ]
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 40},
        "xAxis": {"type": "value", "scale": True, "name": "经度" if lang == "zh" else "lon"},
        "yAxis": {"type": "value", "scale": True, "name": "纬度" if lang == "zh" else "lat"},
        "series": [
            {
                "type": "scatter",
                "data": data,
                "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 10},
            }
        ],
    }


def calendar(days: list[tuple[str, int | None]], year: int, lang: str) -> dict:
    """Calendar heatmap of daily categories for one year, in the legend of the edition of its last day
    (the 2012 and 2026 editions share colours and categories)."""
    last = max((d for d, _ in days), default=f"{year}-12-31")
    regime = regime_for_day(dt.date.fromisoformat(last))
    return {
        "animation": False,
        "tooltip": {},
        "visualMap": {
            "type": "piecewise",
            "orient": "horizontal",
            "left": "center",
            "top": 0,
            "pieces": level_pieces(lang, regime),
        },
        "calendar": {
            "top": 60,
            "left": 40,
            "right": 20,
            "cellSize": ["auto", 16],
            "range": str(year),
            "dayLabel": {"nameMap": "ZH" if lang == "zh" else "EN", "firstDay": 1},
            "monthLabel": {"nameMap": "ZH" if lang == "zh" else "EN"},
            "yearLabel": {"show": False},
        },
        "series": [
            {"type": "heatmap", "coordinateSystem": "calendar", "data": [[d, lv] for d, lv in days if lv]}
        ],
    }


def composition(parts: list[tuple[str, float, str]], lang: str) -> dict:
    """Pie of the single-item indexes that add up to the composite index; ``parts`` are (name, index,
    index as published). Every label shows the item's whole name and its published index (never cut to
    "N…"): labels outside on two short lines, room left for them around the ring, overlapping labels
    moved apart; the legend sits below the ring."""
    return {
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {
            "bottom": 0,
            "left": "center",
            "itemWidth": 14,
            "itemHeight": 10,
            "textStyle": {"fontSize": 11},
        },
        "series": [
            {
                "type": "pie",
                "radius": ["24%", "44%"],
                "center": ["50%", "44%"],
                "avoidLabelOverlap": True,
                "minShowLabelAngle": 0,
                "data": [
                    {
                        "name": n,
                        "value": v,
                        "label": {"formatter": "{b}\n" + text},
                        "tooltip": {"formatter": "{b}: " + text + " ({d}%)"},
                    }
                    for n, v, text in parts
                ],
                "label": {
                    "show": True,
                    "position": "outside",
                    "overflow": "none",
                    "fontSize": 11,
                    "lineHeight": 14,
                },
                "labelLine": {"show": True, "length": 6, "length2": 6},
                "labelLayout": {"hideOverlap": False},
            }
        ],
    }


def trend(labels: list[str], this_year: list, last_year: list, names: tuple[str, str], unit: str) -> dict:
    """Lines of a monthly figure this year and last year."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(names), "top": 0},
        "grid": {"left": 45, "right": 20, "top": 45, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {"name": names[0], "type": "line", "data": this_year, "color": "#1f6fb2"},
            {
                "name": names[1],
                "type": "line",
                "data": last_year,
                "color": "#9aa5b1",
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def profile(labels: list[str], means: list, name: str, unit: str, kind: str) -> dict:
    """A profile (mean by hour of day, weekday or month) as a line (``kind="line"``) or bar chart."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 45, "right": 15, "top": 30, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": unit, "scale": kind == "line"},
        "series": [
            {"name": name, "type": kind, "data": means, "color": "#1f6fb2", "showSymbol": kind != "line"}
        ],
    }


#: Colour ramp of the wind polar plot, low → high mean concentration.
_RAMP = ((0x2E, 0x7D, 0x32), (0xF9, 0xA8, 0x25), (0xC6, 0x28, 0x28))


def _ramp(x: float) -> str:
    x = min(max(x, 0.0), 1.0) * (len(_RAMP) - 1)
    i = min(int(x), len(_RAMP) - 2)
    f = x - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_RAMP[i], _RAMP[i + 1], strict=True)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def wind_scale(cells: list[dict]) -> dict:
    """The lowest, median and highest cell means of a wind polar plot, with the colours they get."""
    means = sorted(c["mean"] for c in cells if c["mean"] is not None)
    lo, hi = (means[0], means[-1]) if means else (None, None)
    mid = means[len(means) // 2] if means else None
    return {
        "low": lo,
        "median": mid,
        "high": hi,
        "low_colour": _ramp(0.0),
        "high_colour": _ramp(1.0),
        "scale": "quantile",
    }


def quantile_position(value: float, ordered: list[float]) -> float:
    """Where ``value`` stands among the sorted cell means, 0 (lowest) … 1 (highest), ties at their middle
    rank: the polar plot is coloured by rank, so that a few extreme cells do not wash out the others."""
    if len(ordered) < 2:
        return 0.5
    below = bisect.bisect_left(ordered, value)
    ties = bisect.bisect_right(ordered, value) - below
    return (below + (ties - 1) / 2) / (len(ordered) - 1)


def wind_polar(cells: list[dict], sectors: list[str], bins: list[dict], unit: str, lang: str) -> dict:
    """Mean concentration by wind direction (angle, 16 sectors, north at the top, clockwise) × wind speed
    (rings, the lowest bin innermost): one ring segment per cell, coloured by the rank of its mean among the
    cells (:func:`quantile_position`), lowest green → highest red."""
    ordered = sorted(c["mean"] for c in cells if c["mean"] is not None)
    at = {(c["sector_index"], c["speed_bin"]): c for c in cells}
    none = "no data" if lang == "en" else "无数据"
    series = []
    for b in bins:
        data = []
        for i, s in enumerate(sectors):
            c = at.get((i, b["bin"]))
            if c is None or c["mean"] is None:
                data.append(
                    {"value": 1, "name": f"{s} {b['label']}：{none}", "itemStyle": {"color": "#eeeeee"}}
                )
            else:
                data.append(
                    {
                        "value": 1,
                        "name": f"{s} {b['label']}：{c['mean']:g} {unit}（n={c['n']}）",
                        "itemStyle": {"color": _ramp(quantile_position(c["mean"], ordered))},
                    }
                )
        series.append(
            {
                "name": b["label"],
                "type": "bar",
                "coordinateSystem": "polar",
                "stack": "wind",
                "barCategoryGap": "0%",
                "data": data,
                "itemStyle": {"borderColor": "#ffffff", "borderWidth": 0.5},
            }
        )
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "polar": {"radius": ["8%", "80%"]},
        "angleAxis": {
            "type": "category",
            "data": sectors,
            "startAngle": 90 + 360 / len(sectors) / 2,
            "clockwise": True,
            "axisLabel": {"fontSize": 10},
        },
        "radiusAxis": {
            "type": "value",
            "min": 0,
            "max": len(bins),
            "interval": 1,
            "axisLabel": {"show": False},
        },
        "series": series,
    }
