"""Strict inputs of the API (``/api/v1``): an unknown query parameter is refused with 422, naming it and
the parameters that the operation accepts; the time series take one pair of days ``from``/``to``.

The accepted parameters are read from the OpenAPI description that the application publishes
(``/api/openapi.json``), the expected rows from the bundled sample files themselves
(``src/lantian/data/sample``, see its README): nothing expected is written out here.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel
from test_chinese_throughout import english_runs
from webtools import api

from lantian.schema import natural_day
from lantian.web.demo import sample_dir
from lantian.web.routes.api import declared_query

UNKNOWN = "zz_unknown"
#: The sample's city daily file of 株洲 (aqistudy form: city, date, AQI …; no header).
ZHUZHOU_DAILY = sample_dir() / "aqistudy" / "株洲.csv.gz"
#: The sample's hourly release of 湘潭/株洲, 2022-01-01T00 → 2022-01-03T00 (hour-ending labels).
RELEASE_2022 = sample_dir() / "cnemc" / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv"


def _query_names(schema: dict, path: str, method: str = "get") -> list[str]:
    """The query parameters of an operation as the OpenAPI description lists them."""
    return [p["name"] for p in schema["paths"][path][method].get("parameters", []) if p["in"] == "query"]


def _path_values(app, tokens) -> dict[str, str]:
    """A valid value of each path parameter of the API (an existing case, a cycle kind)."""
    case_id = api(app, tokens["admin"]).get("/api/v1/cases", params={"limit": 1}).json()["items"][0]["id"]
    return {"case_id": str(case_id), "kind": "weekly"}


def _get_operations(schema: dict) -> list[str]:
    return [p for p, ops in schema["paths"].items() if p.startswith("/api/v1/") and "get" in ops]


def test_every_read_operation_refuses_an_unknown_parameter_and_names_the_accepted_ones(app, tokens):
    schema = TestClient(app).get("/api/openapi.json").json()
    paths = _get_operations(schema)
    assert len(paths) >= 12  # me, stations, aqi (2), assessments, rankings, targets, warnings, cases …
    values = _path_values(app, tokens)
    c = api(app, tokens["admin"])
    for path in paths:
        url = path.format(**values)
        r = c.get(url, params={UNKNOWN: "1"})
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        message = r.json()["error"]["message"]
        assert message.startswith("请求有误：不认识的查询参数“zz_unknown”"), (path, message)
        accepted = _query_names(schema, path)
        for name in accepted:
            assert f"{name}（" in message, (path, name, message)
        if not accepted:
            assert "此接口不带任何查询参数" in message, (path, message)
        assert english_runs(message) == [], (path, message)
        # the same request without the unknown parameter is answered (the check refuses only that)
        assert c.get(url).status_code == 200, (path, c.get(url).text[:200])


def test_the_message_is_english_for_an_english_client(app, tokens):
    c = api(app, tokens["leader"])
    r = c.get("/api/v1/stations", params={"citty": "株洲", "page": "2"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.startswith("invalid request: unknown query parameters 'citty', 'page'"), message
    schema = TestClient(app).get("/api/openapi.json").json()
    accepted = _query_names(schema, "/api/v1/stations")
    assert "this operation accepts: " in message and all(f"{a} (" in message for a in accepted), message
    assert "Instead of 'citty' use 'city'." in message  # the close match (difflib)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message.replace("株洲", "")), message
    r = c.get("/api/v1/me", params={"x": "1"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422 and "this operation takes no query parameters" in r.json()["error"]["message"]


def test_the_former_start_and_end_are_refused_with_the_replacing_names(app, tokens):
    c = api(app, tokens["officer"])
    for path in ("/api/v1/aqi/daily", "/api/v1/aqi/hourly"):
        r = c.get(path, params={"city": "株洲", "start": "2016-01-01", "end": "2016-01-10"})
        assert r.status_code == 422, path
        message = r.json()["error"]["message"]
        assert "“start”、“end”" in message and "“start”请改用 from" in message and "“end”请改用 to" in message
        en = c.get(path, params={"start": "2016-01-01"}, headers={"Accept-Language": "en"}).json()
        assert "Instead of 'start' use 'from'." in en["error"]["message"]


def test_writing_operations_refuse_an_unknown_parameter_and_change_nothing(app, tokens):
    c = api(app, tokens["inspector"])
    before = c.get("/api/v1/cases", params={"limit": 1}).json()["total"]
    body = {
        "source": "patrol",
        "category": "扬尘",
        "district": "天元区",
        "address": "天元区黄河北路",
        "description": "工地未覆盖",
    }
    r = c.post("/api/v1/cases", params={"notify": "yes"}, json=body)
    assert r.status_code == 422 and "“notify”" in r.json()["error"]["message"]
    assert c.get("/api/v1/cases", params={"limit": 1}).json()["total"] == before


def test_authentication_comes_before_the_check(app):
    r = TestClient(app).get("/api/v1/stations", params={UNKNOWN: "1"})
    assert r.status_code == 401


def test_the_openapi_description_lists_from_and_to_on_the_time_series(app):
    schema = TestClient(app).get("/api/openapi.json").json()
    for path in ("/api/v1/aqi/daily", "/api/v1/aqi/hourly"):
        names = _query_names(schema, path)
        assert {"from", "to"} <= set(names) and not {"start", "end"} & set(names), (path, names)
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        for name in ("from", "to"):
            assert "inclusive" in params[name]["description"]
            assert any(
                s.get("format") == "date"
                for s in params[name]["schema"].get("anyOf", [params[name]["schema"]])
            )
    assert "refused (422" in schema["info"]["description"]


def _sample_days() -> list[dt.date]:
    with gzip.open(ZHUZHOU_DAILY, "rt", encoding="utf-8-sig") as f:
        return sorted(dt.date.fromisoformat(row[1]) for row in csv.reader(f) if row)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2015-12-30", "2016-01-02"),  # across a year
        ("2016-02-29", "2016-02-29"),  # one day
        ("2017-01-25", "2017-02-10"),  # past the file's last day
        ("2013-11-20", "2013-12-05"),  # before the file's first day
    ],
)
def test_daily_rows_lie_within_from_and_to(app, tokens, first, last):
    lo, hi = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    expected = [d.isoformat() for d in _sample_days() if lo <= d <= hi]
    assert expected  # every window holds days of the sample
    r = api(app, tokens["leader"]).get(
        "/api/v1/aqi/daily", params={"city": "株洲", "from": first, "to": last, "limit": 500}
    )
    assert r.status_code == 200, r.text
    page = r.json()
    assert sorted(i["date"] for i in page["items"]) == expected and page["total"] == len(expected)


def _release_hours(station: str) -> list[dt.datetime]:
    with RELEASE_2022.open(encoding="utf-8-sig") as f:
        return [
            dt.datetime.fromisoformat(r["timepoint"])
            for r in csv.DictReader(f)
            if r["stationcode"] == station
        ]


@pytest.mark.parametrize(
    ("first", "last"),
    [("2022-01-01", "2022-01-01"), ("2022-01-02", "2022-01-05"), ("2021-12-31", "2021-12-31")],
)
def test_hourly_rows_are_the_hours_of_the_days_from_to(app, tokens, first, last):
    lo, hi = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    # HJ 633 hour-ending labels: the hour labelled 00:00 closes the previous day (lantian.schema.natural_day)
    expected = sorted((t for t in _release_hours("1515A") if lo <= natural_day(t) <= hi), reverse=True)
    assert expected
    r = api(app, tokens["leader"]).get(
        "/api/v1/aqi/hourly", params={"station": "1515A", "from": first, "to": last, "limit": 500}
    )
    assert r.status_code == 200, r.text
    assert [i["time"] for i in r.json()["items"]] == [t.isoformat() for t in expected]


@pytest.mark.parametrize("path", ["/api/v1/aqi/daily", "/api/v1/aqi/hourly"])
def test_from_after_to_is_refused_in_chinese_and_english(app, tokens, path):
    c = api(app, tokens["officer"])
    params = {"city": "株洲", "from": "2016-02-01", "to": "2016-01-31"}
    r = c.get(path, params=params)
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "开始日期 from=2016-02-01 晚于结束日期 to=2016-01-31" in message and "from ≤ to" in message
    assert english_runs(message) == [], message
    r = c.get(path, params=params, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert (
        "the first day from=2016-02-01 is after the last day to=2016-01-31; use from ≤ to"
        in (r.json()["error"]["message"])
    )
    assert c.get(path, params={**params, "to": "2016-02-01"}).status_code == 200  # from = to: one day


def test_a_bad_date_names_the_parameter(app, tokens):
    r = api(app, tokens["officer"]).get("/api/v1/aqi/daily", params={"city": "株洲", "to": "2016-13-01"})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("请求有误：结束日期：“2016-13-01”不是日期")


class _Filter(BaseModel):
    """A model of query parameters (FastAPI reads its fields as query parameters)."""

    district: str | None = None
    overdue: bool = False


def _paging(limit: int = 10, offset: int = 0) -> tuple[int, int]:
    return limit, offset


def _operation(
    page: Annotated[tuple[int, int], Depends(_paging)],
    flt: Annotated[_Filter, Query()],
    first: Annotated[dt.date | None, Query(alias="from")] = None,
) -> dict:
    return {}


def test_declared_query_reads_dependencies_aliases_and_models():
    """The accepted names come from FastAPI's dependant tree: the operation's own parameters (under
    their alias), those of its dependencies, and the fields of a model of query parameters."""
    demo = FastAPI()
    demo.get("/x")(_operation)
    route = next(r for r in demo.routes if getattr(r, "path", "") == "/x")
    assert sorted(declared_query(route.dependant)) == ["district", "from", "limit", "offset", "overdue"]
