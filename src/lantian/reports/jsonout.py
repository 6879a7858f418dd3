"""JSON renderer: the document's metadata, its tables (raw values) and the results they came from."""

from __future__ import annotations

from lantian.jsonable import dumps
from lantian.reports.spec import Document


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
    """The document as JSON (:mod:`lantian.jsonable`, the one JSON form of every result)."""
    return dumps(document_dict(doc))
