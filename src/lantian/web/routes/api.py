"""The JSON API (``/api/v1``). Every figure comes from the same context builders as the pages."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from lantian.errors import InputError
from lantian.web.app import field_label
from lantian.web.auth import ALL, Principal, require

Reader = Annotated[Principal, Depends(require(*ALL))]
# Writes to cases are open to every role at the route: the office's rules decide who may take
# each action (lantian.workflow.rules, [roles] of the rules file), and the workflow refuses with 403.

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Name = Annotated[str | None, Query(min_length=1, max_length=60)]
#: A period as :func:`lantian.periods.parse_period` reads it (which refuses the others: HTTP 422).
PERIOD_HELP = "2022, 2022H1, 2022Q3, 2022-07, 2022-W10, 2022-07-01, 2022-01-01..2022-03-31, ytd"
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: The one date range of the time-series operations: whole natural days, both inclusive, Beijing time.
From = Annotated[
    dt.date | None,
    Query(alias="from", description="first day, inclusive (YYYY-MM-DD, Beijing time); from ≤ to"),
]
To = Annotated[
    dt.date | None,
    Query(alias="to", description="last day, inclusive (YYYY-MM-DD, Beijing time); from ≤ to"),
]
#: Query parameters that an earlier form of the API took, with the name that replaces each.
RENAMED = {"start": "from", "end": "to"}


def declared_query(dependant) -> list[str]:
    """The names of the query parameters that an operation declares: its own and those of its
    dependencies (FastAPI's dependant tree), under the name a client writes (the alias)."""
    names: list[str] = []
    todo, seen = [dependant], set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for field in current.query_params:
            model = field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):  # a model of query parameters
                names += [f.alias or n for n, f in model.model_fields.items()]
            else:
                names.append(getattr(field, "validation_alias", None) or field.alias)
        todo.extend(reversed(current.dependencies))
    return list(dict.fromkeys(names))


def unknown_query_message(unknown: list[str], accepted: list[str], lang: str) -> str:
    """What was wrong (the query parameters not accepted) and what to do (the accepted ones)."""
    hints = []
    for name in unknown:
        better = RENAMED.get(name)
        if better not in accepted:
            better = next(iter(difflib.get_close_matches(name, accepted, n=1, cutoff=0.6)), None)
        if better:
            hints.append((name, better))
    if lang == "en":
        names = ", ".join(repr(n) for n in unknown)
        noun = "parameter" if len(unknown) == 1 else "parameters"
        text = f"invalid request: unknown query {noun} {names}; "
        if accepted:
            text += (
                "this operation accepts: "
                + ", ".join(f"{a} ({field_label(a, 'en')})" for a in accepted)
                + "."
            )
        else:
            text += "this operation takes no query parameters."
        text += "".join(f" Instead of {n!r} use {b!r}." for n, b in hints)
        return text + " Remove or correct the parameter and try again."
    text = "请求有误：不认识的查询参数" + "、".join(f"“{n}”" for n in unknown) + "；"
    if accepted:
        text += (
            "此接口可用的查询参数：" + "、".join(f"{a}（{field_label(a, 'zh')}）" for a in accepted) + "。"
        )
    else:
        text += "此接口不带任何查询参数。"
    text += "".join(f"“{n}”请改用 {b}。" for n, b in hints)
    return text + "请删去或改正后重试。"


def strict_query(request: Request, user: Reader) -> None:
    """Dependency of every operation of the API: a query parameter that the operation does not declare
    is refused (422) rather than ignored, naming it and the accepted ones. It runs after authentication
    (``user``, the same dependency as the operation's, computed once per request)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    accepted = declared_query(dependant)
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in accepted]
    if unknown:
        raise InputError(
            unknown_query_message(unknown, accepted, "zh"), en=unknown_query_message(unknown, accepted, "en")
        )


router = APIRouter(tags=["api"], dependencies=[Depends(strict_query)])


def date_range(first: dt.date | None, last: dt.date | None) -> None:
    """Refuse a range whose first day ``from`` is after its last day ``to``."""
    if first is not None and last is not None and first > last:
        raise InputError(
            f"请求有误：开始日期 from={first} 晚于结束日期 to={last}；请改为 from ≤ to（两端都包含在内）。",
            en=f"invalid request: the first day from={first} is after the last day to={last}; "
            "use from ≤ to (both days included).",
        )


def hour_labels(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The hour-ending labels of the natural days ``first`` … ``last``: from 01:00 of the first day to
    00:00 of the day after the last, which closes it (:func:`lantian.schema.natural_day`)."""
    start = None if first is None else dt.datetime.combine(first, dt.time(1))
    end = (
        None
        if last is None or last == dt.date.max
        else dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    )
    return start, end


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
    first: From = None,
    last: To = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Hourly AQI (HJ 633) of a station or of the city, newest first; hour-ending labels, Beijing time.
    ``from``/``to`` select natural days: the hours labelled 01:00 of ``from`` to 00:00 after ``to``."""
    date_range(first, last)
    start, end = hour_labels(first, last)
    return _backend(request).hourly_page(
        station=station, city=city, start=start, end=end, limit=limit, offset=offset
    )


@router.get("/aqi/daily", response_model=Page, responses=ERRORS)
def daily_aqi(
    request: Request,
    user: Reader,
    station: Name = None,
    city: Name = None,
    first: From = None,
    last: To = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Daily AQI (HJ 633) of a station or of the city, natural days ``from`` … ``to`` (at most ten
    years; ``to`` defaults to the last day with data, ``from`` to 30 days before ``to``)."""
    date_range(first, last)
    return _backend(request).daily_page(
        station=station, city=city, start=first, end=last, limit=limit, offset=offset
    )


@router.get("/assessments", responses=ERRORS)
def assessments(
    request: Request,
    user: Reader,
    city: Name = None,
    period: Annotated[str, Query(max_length=40, description=PERIOD_HELP)] = "ytd",
) -> dict[str, Any]:
    """Period assessment (HJ 663) of a city."""
    return _backend(request).assessment(city=city, period=period)


@router.get("/rankings", responses=ERRORS)
def rankings(
    request: Request,
    user: Reader,
    period: Annotated[str, Query(max_length=40, description=PERIOD_HELP)] = "ytd",
    by: Literal["index", "change", "pm25", "pm25_change", "good_rate"] = "index",
) -> dict[str, Any]:
    """Ranking of the province's cities (competition ranking, ties share a rank)."""
    return _backend(request).rankings(period=period, by=by)


@router.get("/outlook", responses=ERRORS)
def outlook(
    request: Request,
    user: Reader,
    city: Name = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    as_of: Annotated[
        dt.date | None, Query(description="the as-of day (YYYY-MM-DD); default: the newest")
    ] = None,
) -> dict[str, Any]:
    """Year-end outlook: for each target the probability of meeting it, the expected value and its 80%
    interval (as ``lantian outlook --json`` gives one city)."""
    return _backend(request).outlook(city, year, as_of)


@router.get("/explain", responses=ERRORS)
def explain(
    request: Request,
    user: Reader,
    city: Name = None,
    period: Annotated[str, Query(max_length=40, description=PERIOD_HELP)] = "ytd",
) -> dict[str, Any]:
    """What moves the composite index: parts by pollutant and of the change, months, stations, the
    costliest days (as ``lantian explain-index --json``)."""
    return _backend(request).explain(city, period)


@router.get("/board", responses=ERRORS)
def board(
    request: Request,
    user: Reader,
    date: Annotated[
        dt.date | None, Query(description="the day of the board (YYYY-MM-DD); default: the newest")
    ] = None,
) -> dict[str, Any]:
    """The provincial board: the group's cities for the day and the year to date, ranked by composite
    index and by its change (as ``/rankings`` ranks them), and by the AQI of the newest hour."""
    return _backend(request).province_board(date)


@router.get("/profiles", responses=ERRORS)
def profiles(
    request: Request,
    user: Reader,
    period: Annotated[str, Query(max_length=40, description=PERIOD_HELP)] = "ytd",
    pollutant: Literal["so2", "no2", "co", "o3", "pm10", "pm25"] = "pm25",
    city: Annotated[
        str | None, Query(max_length=100, description="the city; default: the office's city")
    ] = None,
    station: Annotated[
        str | None, Query(max_length=100, description="a station code or name instead of a city")
    ] = None,
) -> dict[str, Any]:
    """A pollutant's mean by hour of day (hour-ending, 1–24), weekday and month with the count of values,
    and where wind is stored, by wind direction (16 sectors) × speed bin (``lantian profile``)."""
    return _backend(request).profiles(city=city, station=station, period=period, pollutant=pollutant)


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
