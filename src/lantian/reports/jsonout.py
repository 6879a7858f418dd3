"""JSON renderer: the document's metadata, its tables (raw values) and the results they came from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from lantian.reports.spec import Document


def _default(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def document_dict(doc: Document) -> dict:
    """Everything a program needs from a report, with the numbers as the pipeline gave them."""
    return {
        "kind": doc.kind,
        "title": doc.title,
        "city": doc.city,
        "period": doc.period,
        "date": doc.date.isoformat(),
        "lang": doc.lang,
        "office": doc.office,
        "number": doc.number,
        "sections": [s.heading for s in doc.sections],
        "tables": {
            t.name: {
                "title": t.title,
                "columns": [{"key": c.key, "label": c.label, "format": c.fmt} for c in t.columns],
                "rows": t.rows,
            }
            for t in doc.tables()
        },
        "charts": [c.name for c in doc.charts()],
        "data": doc.data,
        "sources": doc.sources,
    }


def render_json(doc: Document) -> str:
    return json.dumps(document_dict(doc), ensure_ascii=False, indent=2, default=_default)
