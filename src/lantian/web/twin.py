"""The JSON twin and the CSV downloads of every dashboard page.

``?format=json`` answers with the page's own context (the dict the template renders), in the one JSON
form of :mod:`lantian.jsonable`; ``?format=csv&table=NAME`` with one of the page's tables. A page names
its tables under ``tables`` or has them named here (:func:`page_tables`).
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from lantian.jsonable import to_jsonable

FORMATS = ("html", "json", "csv")


#: Titles of the pages' tables (Chinese, English), as the download links name them.
TABLE_TITLES: dict[str, tuple[str, str]] = {
    "stations": ("监测站点", "Stations"),
    "last24": ("近 24 小时", "Last 24 hours"),
    "figures": ("年度指标", "Figures of the year"),
    "targets": ("目标进度", "Targets"),
    "ranking": ("排名", "Ranking"),
    "cases": ("问题清单", "Cases"),
    "timeline": ("办理过程", "Timeline"),
    "districts": ("区县得分", "District scores"),
    "departments": ("部门得分", "Department scores"),
    "tokens": ("API 令牌", "API tokens"),
    "users": ("用户", "Users"),
    "notifications": ("通知记录", "Notifications"),
}


def _case_rows(cards: list[dict], en: bool) -> list[dict]:
    from lantian.workflow import rules as R

    heads = (
        (
            "No.",
            "Status",
            "Source",
            "Category",
            "Severity",
            "District",
            "Unit",
            "Deadline",
            "Address",
            "Description",
            "Reported",
            "Days overdue",
        )
        if en
        else (
            "编号",
            "状态",
            "来源",
            "类别",
            "严重程度",
            "区县",
            "责任单位",
            "整改期限",
            "地址",
            "问题描述",
            "上报时间",
            "超期天数",
        )
    )
    out = []
    for c in cards:
        values = (
            c.get("id"),
            c.get("status_label") or c.get("status_name"),
            c.get("source") if en else R.SOURCES.get(c.get("source"), c.get("source")),
            c.get("category"),
            c.get("severity") if en else R.SEVERITIES.get(c.get("severity"), c.get("severity")),
            c.get("district"),
            c.get("unit"),
            c.get("deadline"),
            c.get("address"),
            c.get("description"),
            c.get("reported_at"),
            c.get("days_overdue"),
        )
        out.append(dict(zip(heads, values, strict=True)))
    return out


def _score_rows(group: dict) -> list[dict]:
    return [dict(zip(group["headers"], row, strict=False)) for row in group["rows"]]


def page_tables(context: dict, lang: str = "zh") -> dict[str, list[dict]]:
    """The tables of a page, by name (:data:`TABLE_TITLES`)."""
    d = context.get("d")
    if not isinstance(d, dict):
        return {}
    if isinstance(d.get("tables"), dict):
        return {k: v for k, v in d["tables"].items() if isinstance(v, list)}
    en = lang == "en"
    if "columns" in d:  # the case board
        return {"cases": _case_rows([c for col in d["columns"] for c in col.get("cases", [])], en)}
    if "timeline" in d:  # a case
        return {"timeline": d["timeline"]}
    if "groups" in d:  # the monthly assessment
        return {g["kind"]: _score_rows(g) for g in d["groups"] if g.get("kind") in TABLE_TITLES}
    for name in ("tokens", "users"):
        if isinstance(d.get(name), list):
            return {name: d[name]}
    return {}


def _flat(value):
    value = to_jsonable(value)
    if isinstance(value, dict | list):
        from lantian.jsonable import dumps

        return dumps(value, indent=None)
    return "" if value is None else value


def table_csv(rows: list[dict]) -> str:
    """CSV text of rows (columns in order of first appearance; nested values as JSON)."""
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_flat(r.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()  # BOM: spreadsheet programs then read the Chinese text as UTF-8


def downloads(request: Request, context: dict) -> list[dict]:
    """Links to the page's JSON twin and to each of its tables as CSV."""
    base = {k: v for k, v in request.query_params.items() if k not in ("format", "table")}
    link = lambda **q: f"{request.url.path}?{urlencode({**base, **q})}"  # noqa: E731
    lang = "en" if request.session.get("lang") == "en" else "zh"
    out = [{"label": "JSON", "href": link(format="json")}]
    for name in page_tables(context, lang):
        title = TABLE_TITLES.get(name, (name, name))[1 if lang == "en" else 0]
        out.append(
            {
                "label": f"{title}（CSV）" if lang != "en" else f"{title} (CSV)",
                "href": link(format="csv", table=name),
            }
        )
    return out


def twin_response(request: Request, context: dict, status_code: int = 200) -> Response | None:
    """The JSON or CSV answer a ``format`` parameter asks for, or ``None`` for the HTML page."""
    fmt = request.query_params.get("format", "html")
    if fmt == "html":
        return None
    if fmt not in FORMATS:
        raise HTTPException(400, f"未知的 format 参数 {fmt!r}：可用 html、json 或 csv")
    page = {k: v for k, v in context.items() if k not in ("request",)}
    if fmt == "json":
        return JSONResponse(to_jsonable(page), status_code=status_code)
    tables = page_tables(page, "en" if request.session.get("lang") == "en" else "zh")
    name = request.query_params.get("table")
    if name not in tables:
        known = "、".join(tables) or "（本页没有表格）"
        raise HTTPException(400, f"请用 table 参数指明要下载的表格：{known}")
    filename = f"{request.url.path.strip('/').replace('/', '-') or 'today'}-{name}.csv"
    return Response(
        table_csv(tables[name]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
