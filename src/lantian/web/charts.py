"""ECharts options (plain JSON, no functions) for the dashboard's charts."""

from __future__ import annotations

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
                "data": [
                    {"value": r["aqi"], "itemStyle": {"color": level_colour(r, "#bbb")}} for r in rows
                ],
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
