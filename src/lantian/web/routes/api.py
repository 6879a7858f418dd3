"""The JSON API (``/api/v1``). Every figure comes from the same context builders as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from lantian.schema import BEIJING
from lantian.web.auth import ALL, Principal, require

router = APIRouter(tags=["api"])

Reader = Annotated[Principal, Depends(require(*ALL))]
# Writes to cases are open to every role at the route: the office's rules decide who may take
# each action (lantian.workflow.rules, [roles] of the rules file), and the workflow refuses with 403.

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Name = Annotated[str | None, Query(min_length=1, max_length=60)]
#: A period as :func:`lantian.periods.parse_period` reads it (which refuses the others: HTTP 422).
PERIOD_HELP = "2022, 2022H1, 2022Q3, 2022-07, 2022-W10, 2022-07-01, 2022-01-01..2022-03-31, ytd"
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ErrorBody(BaseModel):
    status: int
    message: str


class Error(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "not authenticated"},
    403: {"model": Error, "description": "role or unit not allowed"},
    422: {"model": Error, "description": "invalid request"},
}


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str | None


class CaseIn(BaseModel):
    """A new case (问题)."""

    model_config = ConfigDict(extra="forbid")
    source: Literal["patrol", "complaint", "monitoring", "satellite"]
    category: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="扬尘, 露天焚烧, 工业排放, 机动车/柴油货车, 餐饮油烟, 其他",
        ),
    ]
    severity: Literal["low", "medium", "high"] = "medium"
    district: Annotated[str, Field(min_length=1, max_length=60)]
    description: Annotated[str, Field(min_length=1, max_length=4000)]
    address: Annotated[str, Field(min_length=1, max_length=200)]
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None


class CasePatch(BaseModel):
    """Fields of a case that can be corrected; ``version`` is the version read (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")
    version: Annotated[int, Field(ge=0, le=2**31 - 1)]
    description: Annotated[str | None, Field(min_length=1, max_length=4000)] = None
    address: Annotated[str | None, Field(max_length=200)] = None
    severity: Literal["low", "medium", "high"] | None = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None


class TransitionIn(BaseModel):
    """An action on a case; the fields it needs depend on the action (e.g. ``unit`` and ``deadline`` to assign)."""

    model_config = ConfigDict(extra="forbid")
    action: Annotated[str, Field(min_length=1, max_length=40)]
    note: Annotated[str, Field(max_length=4000)] = ""
    unit: Annotated[str | None, Field(min_length=1, max_length=60)] = None
    deadline: dt.date | None = None
    version: Annotated[int | None, Field(ge=0, le=2**31 - 1)] = None


def _backend(request: Request):
    return request.app.state.backend


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    """A time in naive Beijing time (the store's convention); aware times are converted."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(BEIJING).replace(tzinfo=None)


@router.get("/me", response_model=Me, responses=ERRORS)
def me(user: Reader) -> Me:
    """The authenticated user."""
    return Me(**{k: getattr(user, k) for k in Me.model_fields})


@router.get("/stations", response_model=Page, responses=ERRORS)
def stations(request: Request, user: Reader, city: Name = None, limit: Limit = 50, offset: Offset = 0):
    """Monitoring stations of the registry (filter by city)."""
    return _backend(request).stations_page(city=city, limit=limit, offset=offset)


@router.get("/aqi/hourly", response_model=Page, responses=ERRORS)
def hourly_aqi(
    request: Request,
    user: Reader,
    station: Name = None,
    city: Name = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Hourly AQI (HJ 633) of a station or of the city; hour-ending labels, Beijing time."""
    return _backend(request).hourly_page(
        station=station, city=city, start=_naive(start), end=_naive(end), limit=limit, offset=offset
    )


@router.get("/aqi/daily", response_model=Page, responses=ERRORS)
def daily_aqi(
    request: Request,
    user: Reader,
    station: Name = None,
    city: Name = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Daily AQI (HJ 633) of a station or of the city, natural days."""
    return _backend(request).daily_page(
        station=station, city=city, start=start, end=end, limit=limit, offset=offset
    )


@router.get("/assessments", responses=ERRORS)
def assessments(
    request: Request,
    user: Reader,
    city: Name = None,
    period: Annotated[
        str, Query(max_length=40, description=PERIOD_HELP)
    ] = "ytd",
) -> dict[str, Any]:
    """Period assessment (HJ 663) of a city."""
    return _backend(request).assessment(city=city, period=period)


@router.get("/rankings", responses=ERRORS)
def rankings(
    request: Request,
    user: Reader,
    period: Annotated[str, Query(max_length=40, description=PERIOD_HELP)] = "ytd",
    by: Literal["index", "change", "pm25", "good_rate"] = "index",
) -> dict[str, Any]:
    """Ranking of the province's cities (competition ranking, ties share a rank)."""
    return _backend(request).rankings(period=period, by=by)


@router.get("/targets", responses=ERRORS)
def targets(
    request: Request, user: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    """Year-to-date status against the city's targets with the remaining budget."""
    return _backend(request).targets(year=year)


@router.get("/warnings", responses=ERRORS)
def warnings(request: Request, user: Reader) -> dict[str, Any]:
    """Heavy-pollution warnings from the forecast file, if one is configured."""
    return _backend(request).warnings()


@router.get("/cases", response_model=Page, responses=ERRORS)
def cases(
    request: Request,
    user: Reader,
    status: Name = None,
    district: Name = None,
    unit: Name = None,
    overdue: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Cases the user may see (an officer sees only the cases of the officer's unit)."""
    return _backend(request).cases_page(
        user, status=status, district=district, unit=unit, overdue=overdue, limit=limit, offset=offset
    )


@router.post("/cases", status_code=201, responses=ERRORS)
def create_case(request: Request, user: Reader, body: CaseIn) -> dict[str, Any]:
    """Report a new case (inspectors and the city office)."""
    return _backend(request).create_case(user, body.model_dump())


@router.get("/cases/{case_id}", responses={**ERRORS, 404: {"model": Error}})
def case(request: Request, case_id: CaseId, user: Reader) -> dict[str, Any]:
    """A case with its timeline, evidence and the actions the user may take."""
    return _backend(request).case(user, case_id, "en")


@router.patch("/cases/{case_id}", responses={**ERRORS, 404: {"model": Error}, 409: {"model": Error}})
def update_case(request: Request, case_id: CaseId, user: Reader, body: CasePatch) -> dict[str, Any]:
    """Correct a case's description, address, severity or location."""
    return _backend(request).update_case(user, case_id, body.model_dump(exclude_none=True))


@router.post(
    "/cases/{case_id}/transitions", responses={**ERRORS, 404: {"model": Error}, 409: {"model": Error}}
)
def transition(request: Request, case_id: CaseId, user: Reader, body: TransitionIn) -> dict[str, Any]:
    """Move a case through its lifecycle (assign, rectify, submit, verify, return, reopen …)."""
    data = body.model_dump(exclude_none=True)
    action = data.pop("action")
    return _backend(request).transition(user, case_id, action, data)


@router.get("/cycle/{kind}", responses=ERRORS)
def cycle(
    request: Request,
    user: Reader,
    kind: Literal["daily", "weekly", "monthly", "quarterly"],
    period: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z\-]{4,12}$")] = None,
) -> dict[str, Any]:
    """Cycle summary: daily patrol log, weekly dispatch, monthly scores, quarterly review."""
    return _backend(request).cycle(user, kind, period)


@router.get("/scores/monthly", responses=ERRORS)
def monthly_scores(
    request: Request, user: Reader, period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None
) -> dict[str, Any]:
    """The monthly assessment of districts and departments (score and rank)."""
    return _backend(request).monthly(user, period)
