"""The JSON twin and the CSV downloads of every dashboard page.

``?format=json`` answers with the page's own context (the dict the template renders), in the one JSON
form of :mod:`lantian.jsonable`; ``?format=csv&table=NAME`` with one of the page's tables. A page names
its tables under ``tables``; without that, every list of rows in its context is a table.
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


def _rows(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def page_tables(context: dict) -> dict[str, list[dict]]:
    """The tables of a page: its ``tables``, or every list of rows in its data (``d``)."""
    data = context.get("d", context)
    if isinstance(data, dict) and isinstance(data.get("tables"), dict):
        return {k: v for k, v in data["tables"].items() if isinstance(v, list)}
    found: dict[str, list[dict]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if _rows(value):
                found[key] = value
            elif isinstance(value, dict):
                found.update({f"{key}.{k}": v for k, v in value.items() if _rows(v)})
    elif _rows(data):
        found["rows"] = data
    return found


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
    out = [{"label": "JSON", "href": link(format="json")}]
    for name in page_tables(context):
        out.append({"label": f"CSV · {name}", "href": link(format="csv", table=name)})
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
    tables = page_tables(page)
    name = request.query_params.get("table")
    if name not in tables:
        known = "、".join(tables) or "（本页没有表格）"
        raise HTTPException(400, f"请用 table 参数指明要下载的表格：{known}")
    filename = f"{request.url.path.strip('/').replace('/', '-') or 'today'}-{name}.csv"
    return Response(
        table_csv(tables[name]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=\"{filename}\""},
    )
