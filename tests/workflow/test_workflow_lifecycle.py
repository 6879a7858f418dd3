"""Case lifecycle as data: transitions, deadlines, history, audit, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from wf_helpers import T0, new_case

from lantian.errors import ConfigError, InputError, NotFound, WorkflowError
from lantian.store.models import AuditEntry, Case
from lantian.workflow import rules as R


def _state(wf):
    """Everything a refusal must leave untouched: audit length and every case's status and version."""
    with wf.db.session() as s:
        audit = s.scalar(select(func.count()).select_from(AuditEntry))
        cases = s.execute(select(Case.id, Case.status, Case.version, Case.deadline).order_by(Case.id)).all()
    return audit, [tuple(c) for c in cases]


def test_full_lifecycle_with_return_close_and_reopen(wf):
    cid = new_case(wf, category="扬尘", severity="high")
    # 扬尘 / high: 3 days from assignment (rules.DEFAULT_DEADLINE_DAYS)
    case = wf.assign("boss", cid, "雨湖区", T0)
    assert (case["status"], case["deadline"], case["unit"]) == ("assigned", "2026-03-05", "雨湖区")
    assert wf.start("yuhu", cid, T0 + timedelta(hours=2))["status"] == "rectifying"
    assert wf.rectify("yuhu", cid, "已覆盖防尘网", T0 + timedelta(days=1))["status"] == "submitted"
    assert (
        wf.verify("boss", cid, T0 + timedelta(days=1, hours=3), "覆盖不全", accept=False)["status"]
        == "returned"
    )
    assert wf.start("yuhu", cid, T0 + timedelta(days=2))["status"] == "rectifying"
    wf.rectify("yuhu", cid, "全部覆盖", T0 + timedelta(days=2, hours=4))
    closed = wf.verify("boss", cid, T0 + timedelta(days=3))
    assert (closed["status"], closed["closed_at"]) == ("closed", "2026-03-05T09:00:00")
    reopened = wf.reopen("boss", cid, "再次发现裸土", T0 + timedelta(days=10))
    assert (reopened["status"], reopened["reopen_count"], reopened["closed_at"]) == ("reopened", 1, None)
    again = wf.assign("boss", cid, "住建", T0 + timedelta(days=10), deadline=date(2026, 3, 20))
    assert (again["status"], again["unit"], again["deadline"]) == ("assigned", "住建", "2026-03-20")

    shown = wf.show_case("boss", cid)
    assert [v["outcome"] for v in shown["verifications"]] == ["returned", "closed"]
    assert [r["report"] for r in shown["rectifications"]] == ["已覆盖防尘网", "全部覆盖"]
    assert shown["reopenings"][0]["reason"] == "再次发现裸土"
    trail = wf.audit_trail("case", cid)
    assert [a["action"] for a in trail] == [
        "create",
        "assign",
        "start",
        "rectify",
        "return",
        "start",
        "rectify",
        "verify",
        "reopen",
        "assign",
    ]
    assert trail[1]["before"]["status"] == "reported" and trail[1]["after"]["status"] == "assigned"
    assert all(a["actor"] for a in trail)


def test_invalid_transition_names_state_and_allowed_actions_and_changes_nothing(wf):
    cid = new_case(wf)
    before = _state(wf)
    with pytest.raises(WorkflowError, match=r"“待交办”状态，不能核查销号；此状态下可以：交办。"):
        wf.verify("boss", cid, T0)
    wf.assign("boss", cid, "雨湖区", T0)
    with pytest.raises(WorkflowError, match="“已交办”状态，不能重新打开"):
        wf.reopen("boss", cid, "x", T0)
    assert _state(wf)[0] == before[0] + 1  # only the assignment was recorded


@pytest.mark.parametrize("status", list(R.STATUSES))
def test_transition_table_refuses_every_pair_it_does_not_list(status):
    for action in R.ACTIONS:
        listed = [t for t in R.TRANSITIONS if t.action == action and t.source == status]
        if listed:
            role = sorted(listed[0].roles)[0]
            assert R.transition(status, action, role) == listed[0].target
        else:
            match = f"“{R.STATUSES[status]}”状态，不能{R.ACTION_NAMES[action]}；"
            with pytest.raises(WorkflowError, match=match):
                R.transition(status, action, "admin")


def test_unknown_units_past_deadlines_and_malformed_input_change_nothing(wf):
    cid = new_case(wf)
    before = _state(wf)
    with pytest.raises(NotFound, match="没有名为“月球区”的区县或部门"):
        wf.assign("boss", cid, "月球区", T0)
    with pytest.raises(NotFound, match="没有名为“住建”的区县；"):
        new_case(wf, district="住建")
    with pytest.raises(InputError, match="整改时限 2026-03-01 早于交办日"):
        wf.assign("boss", cid, "雨湖区", T0, deadline=date(2026, 3, 1))
    with pytest.raises(InputError, match="未知的问题类别“噪声”"):
        new_case(wf, category="噪声")
    with pytest.raises(InputError, match="纬度 95.0 超出范围"):
        new_case(wf, latitude=95)
    with pytest.raises(InputError, match="问题描述为空"):
        new_case(wf, description="  ")
    with pytest.raises(InputError, match="未知的严重程度“urgent”"):
        new_case(wf, severity="urgent")
    with pytest.raises(NotFound, match="没有编号为 999 的问题"):
        wf.assign("boss", 999, "雨湖区", T0)
    with pytest.raises(NotFound, match="没有用户“ghost”"):
        wf.assign("ghost", cid, "雨湖区", T0)
    assert _state(wf) == before


def test_assignment_on_the_deadline_day_is_allowed(wf):
    cid = new_case(wf)
    assert wf.assign("boss", cid, "岳塘区", T0, deadline=T0.date())["deadline"] == "2026-03-02"


def test_edit_supervise_comment_and_evidence_are_recorded(wf, tmp_path):
    cid = new_case(wf)
    edited = wf.edit_case("insp", cid, {"address": "建设北路", "severity": "high"}, T0)
    assert (edited["address"], edited["severity"], edited["version"]) == ("建设北路", "high", 2)
    wf.assign("boss", cid, "雨湖区", T0)
    wf.supervise("boss", cid, "请加快整改", T0 + timedelta(days=1))
    wf.comment("yuhu", cid, "已安排人员", T0 + timedelta(days=1))
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    ev = wf.add_evidence("insp", cid, photo, T0)
    # digest of the 9 bytes above, from `printf '\xff\xd8\xff photo' | sha256sum`
    assert (ev["size"], ev["content_type"]) == (9, "image/jpeg")
    assert ev["sha256"] == "06b4236341e654c9637bd2124dbf4d63d43db8128508afe2ae0ccae58477e00c"
    shown = wf.show_case("lead", cid)
    assert shown["supervisions"][0]["note"] == "请加快整改"
    assert shown["comments"][0] == {"author": "yuhu", "at": "2026-03-03T09:00:00", "body": "已安排人员"}
    assert shown["evidence"][0]["file_path"] == str(photo)
    with pytest.raises(InputError, match="不能修改状态；可修改："):
        wf.edit_case("insp", cid, {"status": "closed"}, T0)
    with pytest.raises(InputError, match="不存在"):
        wf.add_evidence("insp", cid, tmp_path / "missing.jpg", T0)


def test_rules_load_from_toml(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[escalation]\nremind = 2\nnotify = 5\n\n[deadlines."露天焚烧"]\nhigh = 2\n', encoding="utf-8"
    )
    rules = R.load_rules(path)
    assert [(lv.code, lv.days) for lv in rules.ladder] == [
        ("remind", 2),
        ("notify", 5),
        ("interview", 15),
        ("refer", 30),
    ]
    assert rules.deadline_for("露天焚烧", "high") == 2 and rules.deadline_for("扬尘", "low") == 7
    path.write_text("[escalation]\nremind = 10\nnotify = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must increase"):
        R.load_rules(path)
    path.write_text('[deadlines."噪声"]\nlow = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown category"):
        R.load_rules(path)
    path.write_text("[escalation]\nremind = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="≥ 1"):
        R.load_rules(path)


def test_deadline_defaults_follow_the_rules_table(wf):
    for category, by_severity in R.DEFAULT_DEADLINE_DAYS.items():
        for severity, days in by_severity.items():
            cid = new_case(wf, category=category, severity=severity)
            at = datetime(2026, 3, 10, 8)
            assert (
                wf.assign("boss", cid, "交通运输", at)["deadline"]
                == (at.date() + timedelta(days=days)).isoformat()
            )
