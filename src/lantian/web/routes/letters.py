"""The printable letters of a case: ``/cases/{case_id}/letters/{letter}.pdf`` (交办单 ``assign``, 督办函
``supervise``), in the language of the session, for every role that may see the case."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from lantian.reports.letters import LETTER_KINDS, build_letter, file_name
from lantian.reports.render import render as render_document
from lantian.web.app import lang_of
from lantian.web.auth import ALL, Principal, require

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Principal, Depends(require(*ALL))]


@router.get("/cases/{case_id}/letters/{letter}.pdf")
def case_letter(request: Request, case_id: int, letter: str, user: Anyone) -> Response:
    if letter not in LETTER_KINDS:
        raise HTTPException(
            404, f"没有“{letter}”这种文书；可下载 assign.pdf（交办单）或 supervise.pdf（督办函）。"
        )
    backend = request.app.state.backend
    city = request.app.state.settings.value("city") or ""
    doc = build_letter(
        backend.workflow, user.username, case_id, letter, backend.clock.today(), lang_of(request), city=city
    )
    name = file_name(doc, "pdf")
    fallback = f"case-{case_id}-{letter}.pdf"
    return Response(
        render_document(doc, "pdf"),
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"},
    )
