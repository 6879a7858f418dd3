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
        with pytest.raises(PermissionDenied, match="无权新建问题"):
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
        with pytest.raises(PermissionDenied, match="无权交办"):
            wf.assign(user, cid, "雨湖区", T0)
    with pytest.raises(NotFound, match="没有编号为 .* 的问题"):  # an officer does not even see an unassigned case
        wf.assign("yuhu", cid, "雨湖区", T0)
    assert wf.assign("boss", cid, "雨湖区", T0)["status"] == "assigned"


def test_officers_see_only_their_units_cases(wf):
    mine, theirs = _assigned(wf, "雨湖区"), _assigned(wf, "住建")
    unassigned = new_case(wf)
    assert [c["id"] for c in wf.list_cases("yuhu")] == [mine]
    assert [c["id"] for c in wf.list_cases("zhujian")] == [theirs]
    assert wf.list_cases("yuetang") == []
    for cid in (theirs, unassigned):
        with pytest.raises(NotFound, match="没有编号为 .* 的问题"):
            wf.show_case("yuhu", cid)
    assert wf.show_case("yuhu", mine)["id"] == mine


def test_officers_act_only_on_their_units_cases(wf):
    theirs = _assigned(wf, "住建")
    with pytest.raises(NotFound, match="没有编号为 .* 的问题"):
        wf.start("yuhu", theirs, T0)
    with pytest.raises(NotFound, match="没有编号为 .* 的问题"):
        wf.comment("yuhu", theirs, "x", T0)
    assert wf.start("zhujian", theirs, T0)["status"] == "rectifying"


def test_only_the_responsible_officer_starts_and_rectifies(wf):
    cid = _assigned(wf)
    for user in ("boss", "insp"):
        with pytest.raises(PermissionDenied, match="无权签收整改"):
            wf.start(user, cid, T0)
    wf.start("yuhu", cid, T0)
    with pytest.raises(PermissionDenied, match="无权提交整改"):
        wf.rectify("boss", cid, "done", T0)
    assert wf.rectify("yuhu", cid, "done", T0)["status"] == "submitted"


def test_the_city_office_and_inspectors_verify_only_the_office_reopens(wf):
    """Default roles (issue "Deployable by a real office", Build 2): inspectors may 核查 on site."""
    cid = _assigned(wf)
    wf.start("yuhu", cid, T0)
    wf.rectify("yuhu", cid, "done", T0)
    for user in ("yuhu", "lead"):
        with pytest.raises(PermissionDenied, match="无权核查销号"):
            wf.verify(user, cid, T0)
        with pytest.raises(PermissionDenied, match="无权核查退回"):
            wf.verify(user, cid, T0, "no", accept=False)
    assert wf.verify("insp", cid, T0, "现场复核：已整改", accept=False)["status"] == "returned"
    wf.start("yuhu", cid, T0)
    wf.rectify("yuhu", cid, "done again", T0)
    assert wf.verify("insp", cid, T0)["status"] == "closed"
    for user in ("yuhu", "insp"):
        with pytest.raises(PermissionDenied, match="无权重新打开"):
            wf.reopen(user, cid, "again", T0)
    assert wf.reopen("boss", cid, "again", T0)["status"] == "reopened"


def test_only_the_city_office_escalates_the_office_and_leaders_supervise(wf):
    """Default roles (issue "Deployable by a real office", Build 2): leaders may 督办."""
    cid = _assigned(wf)
    later = T0 + timedelta(days=40)
    for user in ("yuhu", "insp", "lead"):
        with pytest.raises(PermissionDenied, match="无权逾期升级"):
            wf.escalate(user, later)
    for user in ("yuhu", "insp"):
        with pytest.raises(PermissionDenied, match="无权督办"):
            wf.supervise(user, cid, "快", T0)
    assert len(wf.escalate("boss", later)) == 4
    assert wf.supervise("boss", cid, "快", T0)["case_id"] == cid
    assert wf.supervise("lead", cid, "请于本周内完成", T0)["case_id"] == cid


def test_leaders_read_everything_and_change_nothing(wf):
    a, b = _assigned(wf, "雨湖区"), _assigned(wf, "住建")
    assert [c["id"] for c in wf.list_cases("lead")] == [a, b]
    assert wf.show_case("lead", b)["unit"] == "住建"
    with pytest.raises(PermissionDenied, match="领导无权评论"):
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
        with pytest.raises(PermissionDenied, match="无权管理"):
            wf.add_unit(user, "新区", "district", T0)
        with pytest.raises(PermissionDenied, match="无权管理"):
            wf.add_user(user, "x", "X", "inspector", None, T0)
    with pytest.raises(PermissionDenied, match="需要管理员办理"):
        wf.add_unit(None, "新区", "district", T0)
    assert wf.add_unit("boss", "新区", "district", T0)["kind"] == "district"


def test_first_user_must_be_an_admin(db_url):
    db = open_database(db_url)
    try:
        wf = Workflow(db)
        wf.add_unit(None, "雨湖区", "district", T0)
        with pytest.raises(WorkflowError, match="第一个用户必须是市蓝天办管理员"):
            wf.add_user(None, "x", "X", "officer", "雨湖区", T0)
        assert wf.add_user(None, "root", "Root", "admin", None, T0)["role"] == "admin"
    finally:
        db.dispose()


def test_officers_patrol_only_in_their_district(wf):
    assert wf.patrol("yuhu", "雨湖区", "河东片区", "无异常", T0.date(), T0)["district"] == "雨湖区"
    with pytest.raises(PermissionDenied, match="其他单位的联络员，只能记录本单位（雨湖区）的巡查"):
        wf.patrol("yuhu", "岳塘区", "a", "f", T0.date(), T0)


def test_deactivated_users_are_refused(wf):
    from lantian.store.models import User

    with wf.db.session() as s:
        s.query(User).filter_by(username="insp").update({"active": False})
    with pytest.raises(PermissionDenied, match="用户“insp”已停用"):
        new_case(wf, at=datetime(2026, 3, 3))


def test_roles_are_the_offices_rules(wf):
    """[roles] of the rules file (lantian.workflow.rules) changes who may act; the rest keep defaults."""
    from lantian.workflow.rules import rules_from_mapping

    rules = rules_from_mapping({"roles": {"comment": ["admin", "officer", "inspector", "leader"],
                                          "verify": ["admin"]}})
    office = Workflow(wf.db, rules, wf.clock)
    cid = _assigned(office)
    assert office.comment("lead", cid, "领导批示：抓紧整改", T0)["author"] == "lead"
    office.start("yuhu", cid, T0)
    office.rectify("yuhu", cid, "done", T0)
    with pytest.raises(PermissionDenied, match="巡查员无权核查销号；可以核查销号的角色：市蓝天办管理员。"):
        office.verify("insp", cid, T0)
    assert office.supervise("lead", cid, "快", T0)["case_id"] == cid  # a default kept


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ({"fly": ["admin"]}, "不是操作或权限"),
        ({"verify": []}, "非空的角色列表"),
        ({"verify": ["mayor"]}, "非空的角色列表"),
        ({"manage": ["leader"]}, "必须包含 admin"),
    ],
)
def test_bad_roles_in_the_rules_file_are_refused(roles, message):
    from lantian.errors import ConfigError
    from lantian.workflow.rules import rules_from_mapping

    with pytest.raises(ConfigError, match=message):
        rules_from_mapping({"roles": roles}, "rules.toml")
