"""日巡查 in the browser's form: a patrol with problems found, each a case with its photos, in one
transaction (issue "Deployable by a real office", Build 3: "log a patrol from a phone: route/area,
problems found, photos, location; each problem becomes a case")."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from webtools import login, make_settings, web_settings

from lantian.store.models import Case, Evidence, PatrolLog
from lantian.web import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def own_app(tmp_path):
    return create_app(make_settings(tmp_path), web_settings())


def _counts(app) -> tuple[int, int, int]:
    with app.state.backend.db.session() as s:
        return s.query(PatrolLog).count(), s.query(Case).count(), s.query(Evidence).count()


def test_inspector_logs_a_patrol_whose_problems_become_cases_with_photos(own_app):
    before = _counts(own_app)
    with TestClient(own_app) as c:
        login(c, "inspector")
        page = c.get("/patrol")
        assert page.status_code == 200 and "日巡查记录" in page.text and 'capture="environment"' in page.text
        data = {
            "district": "天元区", "day": own_app.state.backend.clock.today().isoformat(),
            "area": "栗雨工业园—泰山路", "findings": "两处工地裸土未覆盖",
            "p0_category": "扬尘", "p0_severity": "high", "p0_address": "泰山路 88 号工地",
            "p0_description": "裸土约 2000 平方米未覆盖", "p0_longitude": "113.0921", "p0_latitude": "27.8312",
            "p1_category": "露天焚烧", "p1_severity": "medium", "p1_address": "栗雨村",
            "p1_description": "田间焚烧秸秆",
        }
        files = [("p0_photos", ("工地.png", PNG, "image/png")), ("p0_photos", ("工地2.png", PNG, "image/png"))]
        r = c.post("/patrol", data=data, files=files, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert "巡查已记录，登记问题 2 个" in c.get("/cases").text
    patrols, cases, evidence = _counts(own_app)
    assert (patrols, cases, evidence) == (before[0] + 1, before[1] + 2, before[2] + 2)
    with own_app.state.backend.db.session() as s:
        newest = s.query(Case).order_by(Case.id.desc()).limit(2).all()
        assert {c.source for c in newest} == {"patrol"} and {c.status for c in newest} == {"reported"}
        dust = next(c for c in newest if c.category == "扬尘")
        assert (dust.longitude, dust.latitude, dust.severity) == (113.0921, 27.8312, "high")
        assert s.query(PatrolLog).order_by(PatrolLog.id.desc()).first().cases_found == 2


def test_one_bad_problem_refuses_the_whole_patrol_and_keeps_no_photo(own_app, tmp_path):
    before = _counts(own_app)
    with TestClient(own_app) as c:
        login(c, "inspector")
        data = {
            "district": "天元区", "area": "a", "findings": "f",
            "p0_category": "扬尘", "p0_severity": "low", "p0_address": "x", "p0_description": "ok",
            "p1_category": "噪声", "p1_severity": "low", "p1_address": "y", "p1_description": "bad category",
        }
        r = c.post("/patrol", data=data, files=[("p0_photos", ("a.png", PNG, "image/png"))])
        assert r.status_code == 422 and "第 2 个问题" in r.text
    assert _counts(own_app) == before
    folder = own_app.state.backend.evidence_dir / "patrol"
    assert not folder.exists() or not any(folder.iterdir())


def test_leader_may_not_patrol_and_officer_only_in_their_district(own_app):
    with TestClient(own_app) as c:
        login(c, "leader")
        assert c.get("/patrol").status_code == 403
    with TestClient(own_app) as c:
        login(c, "tianyuan")
        page = c.get("/patrol").text
        assert "<option >天元区</option>" in page or "<option>天元区</option>" in page
        assert "芦淞区" not in page and "p0_description" not in page  # officers may not open cases
        r = c.post("/patrol", data={"district": "天元区", "area": "滨江路", "findings": "无问题"},
                   follow_redirects=False)
        assert r.status_code == 303
