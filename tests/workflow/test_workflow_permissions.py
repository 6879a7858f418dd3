"""Permissions enforced by the service: one test per rule, refusals included."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from wf_helpers import T0, new_case

from lantian.errors import NotFound, PermissionDenied, WorkflowError
from lantian.store import open_database
from lantian.workflow.services import Workflow


def _assigned(wf, unit="雨湖区"):
    cid = new_case(wf)
    wf.assign("boss", cid, unit, T0)
    return cid


def test_inspectors_and_admin_create_cases_others_may_not(wf):
    assert new_case(wf) > 0
    assert (
        wf.new_case(
            "boss",
            source="complaint",
            category="餐饮油烟",
            severity="low",
            district="岳塘区",
            address="a",
            description="d",
            at=T0,
        )["source"]
        == "complaint"
    )
    for user in ("yuhu", "lead"):
        with pytest.raises(PermissionDenied, match="may not create case"):
            wf.new_case(
                user,
                source="patrol",
                category="扬尘",
                severity="low",
                district="雨湖区",
                address="a",
                description="d",
                at=T0,
            )


def test_only_the_city_office_assigns(wf):
    cid = new_case(wf)
    for user in ("insp", "lead"):
        with pytest.raises(PermissionDenied, match="may not assign"):
            wf.assign(user, cid, "雨湖区", T0)
    with pytest.raises(NotFound, match="no case"):  # an officer does not even see an unassigned case
        wf.assign("yuhu", cid, "雨湖区", T0)
    assert wf.assign("boss", cid, "雨湖区", T0)["status"] == "assigned"


def test_officers_see_only_their_units_cases(wf):
    mine, theirs = _assigned(wf, "雨湖区"), _assigned(wf, "住建")
    unassigned = new_case(wf)
    assert [c["id"] for c in wf.list_cases("yuhu")] == [mine]
    assert [c["id"] for c in wf.list_cases("zhujian")] == [theirs]
    assert wf.list_cases("yuetang") == []
    for cid in (theirs, unassigned):
        with pytest.raises(NotFound, match="no case"):
            wf.show_case("yuhu", cid)
    assert wf.show_case("yuhu", mine)["id"] == mine


def test_officers_act_only_on_their_units_cases(wf):
    theirs = _assigned(wf, "住建")
    with pytest.raises(NotFound, match="no case"):
        wf.start("yuhu", theirs, T0)
    with pytest.raises(NotFound, match="no case"):
        wf.comment("yuhu", theirs, "x", T0)
    assert wf.start("zhujian", theirs, T0)["status"] == "rectifying"


def test_only_the_responsible_officer_starts_and_rectifies(wf):
    cid = _assigned(wf)
    for user in ("boss", "insp"):
        with pytest.raises(PermissionDenied, match="may not start"):
            wf.start(user, cid, T0)
    wf.start("yuhu", cid, T0)
    with pytest.raises(PermissionDenied, match="may not rectify"):
        wf.rectify("boss", cid, "done", T0)
    assert wf.rectify("yuhu", cid, "done", T0)["status"] == "submitted"


def test_only_the_city_office_verifies_returns_and_reopens(wf):
    cid = _assigned(wf)
    wf.start("yuhu", cid, T0)
    wf.rectify("yuhu", cid, "done", T0)
    for user in ("yuhu", "insp", "lead"):
        with pytest.raises(PermissionDenied, match="may not verify"):
            wf.verify(user, cid, T0)
        with pytest.raises(PermissionDenied, match="may not return"):
            wf.verify(user, cid, T0, "no", accept=False)
    wf.verify("boss", cid, T0)
    with pytest.raises(PermissionDenied, match="may not reopen"):
        wf.reopen("yuhu", cid, "again", T0)
    assert wf.reopen("boss", cid, "again", T0)["status"] == "reopened"


def test_only_the_city_office_escalates_and_supervises(wf):
    cid = _assigned(wf)
    later = T0 + timedelta(days=40)
    for user in ("yuhu", "insp", "lead"):
        with pytest.raises(PermissionDenied, match="may not escalate"):
            wf.escalate(user, later)
        with pytest.raises(PermissionDenied, match="may not supervise"):
            wf.supervise(user, cid, "快", T0)
    assert len(wf.escalate("boss", later)) == 4
    assert wf.supervise("boss", cid, "快", T0)["case_id"] == cid


def test_leaders_read_everything_and_change_nothing(wf):
    a, b = _assigned(wf, "雨湖区"), _assigned(wf, "住建")
    assert [c["id"] for c in wf.list_cases("lead")] == [a, b]
    assert wf.show_case("lead", b)["unit"] == "住建"
    with pytest.raises(PermissionDenied):
        wf.comment("lead", a, "x", T0)
    with pytest.raises(PermissionDenied):
        wf.edit_case("lead", a, {"address": "x"}, T0)
    with pytest.raises(PermissionDenied):
        wf.patrol("lead", "雨湖区", "a", "f", T0.date(), T0)


def test_inspectors_see_all_cases_and_comment(wf):
    a, b = _assigned(wf, "雨湖区"), _assigned(wf, "交通运输")
    assert [c["id"] for c in wf.list_cases("insp")] == [a, b]
    assert wf.comment("insp", b, "复查时仍有扬尘", T0)["author"] == "insp"


def test_only_admins_manage_units_and_users(wf):
    for user in ("yuhu", "insp", "lead"):
        with pytest.raises(PermissionDenied, match="may not manage"):
            wf.add_unit(user, "新区", "district", T0)
        with pytest.raises(PermissionDenied, match="may not manage"):
            wf.add_user(user, "x", "X", "inspector", None, T0)
    with pytest.raises(PermissionDenied, match="needs an administrator"):
        wf.add_unit(None, "新区", "district", T0)
    assert wf.add_unit("boss", "新区", "district", T0)["kind"] == "district"


def test_first_user_must_be_an_admin(db_url):
    db = open_database(db_url)
    try:
        wf = Workflow(db)
        wf.add_unit(None, "雨湖区", "district", T0)
        with pytest.raises(WorkflowError, match="first user must be an admin"):
            wf.add_user(None, "x", "X", "officer", "雨湖区", T0)
        assert wf.add_user(None, "root", "Root", "admin", None, T0)["role"] == "admin"
    finally:
        db.dispose()


def test_officers_patrol_only_in_their_district(wf):
    assert wf.patrol("yuhu", "雨湖区", "河东片区", "无异常", T0.date(), T0)["district"] == "雨湖区"
    with pytest.raises(PermissionDenied, match="another unit"):
        wf.patrol("yuhu", "岳塘区", "a", "f", T0.date(), T0)


def test_deactivated_users_are_refused(wf):
    from lantian.store.models import User

    with wf.db.session() as s:
        s.query(User).filter_by(username="insp").update({"active": False})
    with pytest.raises(PermissionDenied, match="deactivated"):
        new_case(wf, at=datetime(2026, 3, 3))
