"""The REST API in-process: lists, filters, pagination, cases and their transitions, JSON errors."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from webtools import api, login


def test_me_and_token_auth(app, tokens):
    r = api(app, tokens["officer"]).get("/api/v1/me")
    assert r.status_code == 200
    assert r.json() | {"id": 0} == {
        "id": 0,
        "username": "tianyuan",
        "display_name": "天元区联络员",
        "role": "officer",
        "unit_id": r.json()["unit_id"],
        "unit_name": "天元区",
    }


def test_unauthenticated_api_is_401_json(app):
    r = TestClient(app).get("/api/v1/cases")
    assert r.status_code == 401
    assert r.json()["error"]["status"] == 401
    assert "请先登录" in r.json()["error"]["message"]


def test_bad_token_is_401(app):
    r = api(app, "lt_not-a-token").get("/api/v1/me")
    assert r.status_code == 401
    assert "令牌无效、已过期或已吊销" in r.json()["error"]["message"]


def test_stations_pagination_and_filter(app, tokens):
    c = api(app, tokens["leader"])
    all_ = c.get("/api/v1/stations", params={"limit": 500}).json()
    assert all_["total"] >= 82  # the Hunan list of the bundled sample (82 stations) + unknown ones registered
    page = c.get("/api/v1/stations", params={"limit": 5, "offset": 5}).json()
    assert page["items"] == all_["items"][5:10] and page["limit"] == 5 and page["offset"] == 5
    zz = c.get("/api/v1/stations", params={"city": "株洲市"}).json()
    assert {s["station_code"] for s in zz["items"]} >= {"1515A", "1518A", "1519A", "1520A", "1524A", "2031A"}
    assert c.get("/api/v1/stations", params={"limit": 0}).status_code == 422


def test_hourly_aqi_city_and_station(app, tokens):
    c = api(app, tokens["leader"])
    city = c.get("/api/v1/aqi/hourly", params={"city": "株洲", "limit": 3}).json()
    assert city["items"][0]["time"] == "2026-04-03T00:00:00"  # the one JSON form (lantian.jsonable)
    assert city["items"][0]["regime"] == "2026"
    assert city["items"][0]["n_stations"] == 6
    st = c.get(
        "/api/v1/aqi/hourly", params={"station": "1515A", "from": "2022-01-02", "to": "2022-01-02", "limit": 3}
    ).json()
    # newest first; the hour labelled 00:00 closes the previous day (lantian.schema.natural_day)
    assert [i["time"] for i in st["items"]] == ["2022-01-03T00:00:00", "2022-01-02T23:00:00", "2022-01-02T22:00:00"]
    assert all(i["regime"] == "2012" and i["aqi"] is not None for i in st["items"])
    r = c.get("/api/v1/aqi/hourly", params={"station": "NOPE"})
    assert r.status_code == 404 and "没有编码为" in r.json()["error"]["message"]
    r = c.get("/api/v1/aqi/hourly", params={"station": "1515A", "city": "株洲"})
    assert r.status_code == 422


def test_validation_error_is_json_with_message(app, tokens):
    r = api(app, tokens["admin"]).get("/api/v1/aqi/hourly", params={"from": "yesterday"})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("请求有误：开始日期：“yesterday”不是日期")


def test_case_lifecycle_through_the_api(app, tokens):
    inspector, admin, officer = (api(app, tokens[r]) for r in ("inspector", "admin", "officer"))
    body = {
        "source": "patrol",
        "category": "扬尘",
        "severity": "high",
        "district": "天元区",
        "address": "天元区黄河北路",
        "description": "渣土车未密闭",
        "longitude": 113.1,
        "latitude": 27.85,
    }
    r = inspector.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["status"] == "reported"
    deadline = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = admin.post(
        f"/api/v1/cases/{cid}/transitions", json={"action": "assign", "unit": "天元区", "deadline": deadline}
    )
    assert r.status_code == 200 and r.json()["status"] == "assigned" and r.json()["deadline"] == deadline
    r = officer.post(f"/api/v1/cases/{cid}/transitions", json={"action": "start"})
    assert r.json()["status"] == "rectifying"
    r = officer.post(f"/api/v1/cases/{cid}/transitions", json={"action": "rectify", "note": "已密闭运输"})
    assert r.json()["status"] == "submitted"
    # An officer may not verify: refused by the workflow rules (403), state unchanged.
    r = officer.post(f"/api/v1/cases/{cid}/transitions", json={"action": "verify", "note": "ok"})
    assert r.status_code == 403 and "无权核查销号" in r.json()["error"]["message"]
    # An invalid transition for the state: 409 naming the state and the allowed actions.
    r = admin.post(f"/api/v1/cases/{cid}/transitions", json={"action": "start"})
    assert r.status_code == 409 and "“待核查”状态，不能签收整改；此状态下可以：核查销号、核查退回" in r.json()["error"]["message"]
    r = admin.post(f"/api/v1/cases/{cid}/transitions", json={"action": "verify", "note": "现场核查通过"})
    assert r.json()["status"] == "closed"
    case = admin.get(f"/api/v1/cases/{cid}").json()
    assert [e["what"] for e in case["timeline"] if e["who"]][:4] == [
        "create",
        f"assign → {deadline}",
        "start",
        "rectify",
    ]
    assert case["actions"] and {a["name"] for a in case["actions"]} == {"reopen"}


def test_district_officer_gets_404_on_another_districts_case(app, tokens):
    admin = api(app, tokens["admin"])
    lusong_case = next(c for c in admin.get("/api/v1/cases", params={"unit": "芦淞区"}).json()["items"])
    r = api(app, tokens["officer"]).get(f"/api/v1/cases/{lusong_case['id']}")
    assert r.status_code == 404  # the same answer as for an id never issued: ids cannot be probed
    assert f"没有编号为 {lusong_case['id']} 的问题" in r.json()["error"]["message"]
    r = api(app, tokens["officer"]).post(
        f"/api/v1/cases/{lusong_case['id']}/transitions", json={"action": "start"}
    )
    assert r.status_code == 404
    # ... and the officer's list holds only the officer's unit's cases.
    mine = api(app, tokens["officer"]).get("/api/v1/cases").json()["items"]
    assert mine and {c["unit"] for c in mine} == {"天元区"}


def test_case_filters_and_overdue(app, tokens):
    admin = api(app, tokens["admin"])
    overdue = admin.get("/api/v1/cases", params={"overdue": True}).json()["items"]
    assert overdue and all(c["overdue_days"] > 0 for c in overdue)
    assert {c["status"] for c in admin.get("/api/v1/cases", params={"status": "closed"}).json()["items"]} == {
        "closed"
    }
    r = admin.get("/api/v1/cases", params={"status": "bogus"})
    assert r.status_code == 422 and "未知的状态“bogus”" in r.json()["error"]["message"]


def test_patch_case_with_version(app, tokens):
    admin = api(app, tokens["admin"])
    case = admin.get("/api/v1/cases", params={"status": "reported"}).json()["items"][0]
    r = admin.patch(f"/api/v1/cases/{case['id']}", json={"version": case["version"], "address": "新地址"})
    assert r.status_code == 200 and r.json()["address"] == "新地址"
    r = admin.patch(f"/api/v1/cases/{case['id']}", json={"version": case["version"], "address": "旧版本"})
    assert r.status_code == 409 and "已被他人修改" in r.json()["error"]["message"]


def test_cycle_and_monthly_scores(app, tokens):
    leader = api(app, tokens["leader"])
    week = leader.get("/api/v1/cycle/weekly").json()
    assert set(week["totals"]) == {"new", "closed", "overdue", "escalated"}
    month = leader.get("/api/v1/scores/monthly").json()
    units = [r[1] for g in month["groups"] for r in g["rows"]]
    assert {"天元区", "芦淞区", "住建", "交通运输"} <= set(units)
    r = leader.get("/api/v1/cycle/weekly", params={"period": "2026-13"})
    assert r.status_code == 422


def test_session_client_needs_csrf_for_api_writes(app):
    with TestClient(app) as c:
        login(c, "inspector")
        token = c.headers.pop("X-CSRF-Token")
        body = {
            "source": "patrol",
            "category": "其他",
            "district": "天元区",
            "address": "a",
            "description": "b",
        }
        r = c.post("/api/v1/cases", json=body)
        assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
        r = c.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 201


def test_assessment_ranking_targets_warnings_match_the_year_panel(app, tokens):
    """The API and the "this year" panel show the same figures (株洲 2016 from the bundled
    aqistudy daily sample; the same calls as `lantian assess/rank/targets`)."""
    c = api(app, tokens["leader"])
    a = c.get("/api/v1/assessments", params={"city": "株洲", "period": "2016"}).json()
    r = a["result"]
    assert (a["period"], a["source"]) == ("2016", "city daily")
    assert (r["valid_days"], r["good_days"], r["good_rate"], r["composite_index"]) == (366, 266, 72.7, 5.26)
    assert r["index_change_pct"] == -1.1 and r["composite_index_last_year"] == 5.32
    year = app.state.backend.year("en", 2016)
    figures = {f["label"]: f["value"] for f in year["figures"]}
    assert figures["Good days"] == r["good_days"] and figures["Composite index"] == "5.26"
    assert figures["Composite index vs last year"] == "-1.1%"

    ranking = c.get("/api/v1/rankings", params={"period": "2016", "by": "index"}).json()
    assert [(i["city"], i["rank"], i["composite_index"]) for i in ranking["rows"]] == [  # the form of `lantian rank --json`
        ("长沙", 1, 5.22),
        ("株洲", 2, 5.26),
        ("湘潭", 3, 5.28),
    ]
    assert year["rank"]["rank"] == 2 and year["rank"]["of"] == 3

    targets = c.get("/api/v1/targets", params={"year": 2016}).json()
    by_name = {t["target"]: t["status"] for t in targets["targets"]}
    assert by_name == {
        "good_days": "lost",
        "pm25": "lost",
        "heavy_days": "met",
        "o3": "met",
        "composite_index": "met",
    }
    assert {t["code"] for t in year["targets"]} == set(by_name.values())

    warn = c.get("/api/v1/warnings").json()
    levels = [w["level"] for w in warn["rows"] if w["level"]]  # the form of `lantian warn --json`
    assert warn["file"] == "demo-forecast.csv" and levels == ["yellow"]


def test_daily_aqi(app, tokens):
    c = api(app, tokens["officer"])
    d = c.get("/api/v1/aqi/daily", params={"city": "株洲", "from": "2016-01-01", "to": "2016-01-10"}).json()
    assert d["total"] == 10
    assert all(i["aqi"] is not None and i["source"] == "city daily" for i in d["items"])
    r = c.get("/api/v1/aqi/daily", params={"city": "株洲", "from": "2016-02-01", "to": "2016-01-01"})
    assert r.status_code == 422 and "晚于" in r.json()["error"]["message"]
