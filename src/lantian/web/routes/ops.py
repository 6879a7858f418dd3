"""The service's pages: every notification of ``lantian run`` (通知记录), and its Prometheus metrics.

``/metrics`` is open like ``/healthz``: a scraper logs in nowhere, and the metrics carry no personal data
(jobs, channels and statuses with their counts and times; no address, name or text). An office that
does not want them seen from outside closes the path at its reverse proxy.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from lantian.ops.notify import EVENTS, notification_page
from lantian.web.app import lang_of, render
from lantian.web.auth import Principal, public, require
from lantian.web.backend import NOTIFY_STATUS
from lantian.web.i18n import translate, web_error

router = APIRouter(include_in_schema=False)

Overseers = Annotated[Principal, Depends(require("admin", "leader"))]
Maybe = Annotated[Principal | None, Depends(public())]
#: Notifications per page of the notifications page.
PER_PAGE = 50
CHANNELS = {"webhook": ("机器人", "Robot"), "email": ("邮件", "E-mail"), "none": ("未配置渠道", "No channel")}


@router.get("/metrics")
def metrics(request: Request, _: Maybe) -> Response:
    """The Prometheus metrics of ``lantian run`` (:mod:`lantian.ops.metrics`), read at each scrape."""
    from lantian.ops.metrics import CONTENT_TYPE_LATEST, exposition

    backend = request.app.state.backend
    return Response(exposition(backend.db, backend.settings.store, backend.clock), media_type=CONTENT_TYPE_LATEST)


def _day(text: str | None, key: str, lang: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        name = translate(key, "zh")
        raise web_error(
            422,
            f"{name}“{text}”不是日期；请写成 2026-04-06 的形式。",
            f"{translate(key, 'en')} {text!r} is not a date; use YYYY-MM-DD.",
        ) from None


@router.get("/notifications")
def notifications_page(
    request: Request,
    user: Overseers,
    kind: str | None = None,
    status: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
):
    """Every notification recorded by ``lantian run`` (who, what, when, delivered or not), newest first,
    filtered by kind, status and the days it was recorded."""
    lang = lang_of(request)
    pick = 1 if lang == "en" else 0
    kind, status = kind or None, status or None
    if kind is not None and kind not in EVENTS:
        raise web_error(
            422,
            f"没有“{kind}”这种通知；可选：{'、'.join(f'{k}（{v}）' for k, v in EVENTS.items())}。",
            f"no notification kind {kind!r}; use one of {', '.join(EVENTS)}.",
        )
    if status is not None and status not in NOTIFY_STATUS:
        raise web_error(
            422,
            f"没有“{status}”这种状态；可选：{'、'.join(f'{k}（{v[0]}）' for k, v in NOTIFY_STATUS.items())}。",
            f"no status {status!r}; use one of {', '.join(NOTIFY_STATUS)}.",
        )
    first, last = _day(start, "notif_from", lang), _day(end, "notif_to", lang)
    if first and last and first > last:
        raise web_error(422, f"开始日期 {first} 晚于结束日期 {last}；请调换。",
                        f"the first day {first} is after the last day {last}; swap them.")
    data = notification_page(request.app.state.backend.db, kind, status, first, last, page, PER_PAGE)
    rows = []
    for n in data["items"]:
        rows.append(
            {
                "id": n["id"],
                "when": str(n["sent_at"] or n["created_at"]).replace("T", " ")[:16],
                "kind": n["event"],
                "kind_label": _kind_label(n["event"], lang),
                "subject": n["subject"],
                "channel": n["channel"],
                "channel_label": CHANNELS.get(n["channel"], (n["channel"], n["channel"]))[pick],
                "target": n["target"] if n["channel"] != "none" else "—",
                "case_id": n["case_id"],
                "status": n["status"],
                "status_label": NOTIFY_STATUS.get(n["status"], (n["status"], n["status"]))[pick],
                "attempts": n["attempts"],
                "error": n["last_error"],
            }
        )
    query = {k: v for k, v in {"kind": kind, "status": status, "from": start, "to": end}.items() if v}

    def href(number: int) -> str:
        return "/notifications?" + urllib.parse.urlencode({**query, "page": number})

    d = {
        "rows": rows,
        "total": data["total"],
        "page": data["page"],
        "pages": data["pages"],
        "per_page": data["per_page"],
        "filters": {"kind": kind, "status": status, "from": start or "", "to": end or ""},
        "kinds": [{"value": k, "label": _kind_label(k, lang)} for k in EVENTS],
        "statuses": [{"value": k, "label": v[pick]} for k, v in NOTIFY_STATUS.items()],
        "prev": href(data["page"] - 1) if data["page"] > 1 else None,
        "next": href(data["page"] + 1) if data["page"] < data["pages"] else None,
        "tables": {"notifications": rows},
    }
    return render(request, "notifications.html", {"d": d}, nav="notifications")


def _kind_label(kind: str, lang: str) -> str:
    """The name of a kind of notification in ``lang`` (its Chinese name of lantian.ops.notify otherwise)."""
    key = f"notif_kind_{kind}"
    label = translate(key, lang)
    return label if label != key else EVENTS.get(kind, kind)
