"""The supervision rules as data: vocabularies, case lifecycle, permissions, deadlines, escalation ladder.

The office's cycle is 发现→交办→整改→督办→通报→上报 and the ladder for units that fall behind is
提醒→通报→约谈→移交纪委监委 (issue 6). Everything a deployment may want to change (deadlines,
ladder thresholds) can be loaded from a TOML file, see :func:`load_rules`::

    # rules.toml
    [escalation]        # days overdue at which each step is reached (must increase)
    remind = 1          # 提醒
    notify = 7          # 通报
    interview = 15      # 约谈
    refer = 30          # 移交纪委监委

    [deadlines."扬尘"]  # days from assignment to the rectification deadline, by severity
    low = 7
    medium = 5
    high = 3

    [roles]             # who may take an action or hold a permission (defaults: DEFAULT_ROLES)
    verify = ["admin", "inspector"]   # 核查销号: the office and its inspectors on site
    supervise = ["admin", "leader"]   # 督办

Categories, severities, actions or permissions not named in the file keep their defaults. The file in force is the setting
``rules_file`` (:mod:`lantian.config`); every surface takes its rules from :func:`rules_from_settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from lantian.config import read_toml
from lantian.errors import ConfigError, PermissionDenied, WorkflowError

if TYPE_CHECKING:
    from lantian.config import Settings

ROLES: dict[str, str] = {
    "admin": "市蓝天办管理员 (city office administrator)",
    "officer": "区县/部门联络员 (officer of one district or department)",
    "inspector": "巡查员 (inspector / patroller)",
    "leader": "领导 (read-only)",
}
UNIT_KINDS: dict[str, str] = {"office": "市蓝天办", "district": "区县", "department": "部门"}
DEFAULT_DEPARTMENTS = ("住建", "交通运输", "工信", "城管", "公安交警", "农业农村")
SOURCES: dict[str, str] = {
    "patrol": "巡查",
    "complaint": "投诉",
    "monitoring": "监测异常",
    "satellite": "卫星遥感",
}
CATEGORIES = ("扬尘", "露天焚烧", "工业排放", "机动车/柴油货车", "餐饮油烟", "其他")
SEVERITIES: dict[str, str] = {"low": "一般", "medium": "较重", "high": "严重"}

STATUSES: dict[str, str] = {
    "reported": "待交办",
    "assigned": "已交办",
    "rectifying": "整改中",
    "submitted": "待核查",
    "returned": "退回重改",
    "closed": "已销号",
    "reopened": "重新打开",
}
#: States in which the responsible unit owes a rectification: these cases can become overdue.
OWING = frozenset({"assigned", "rectifying", "returned"})
#: States of a case that is not finished.
OPEN = frozenset(STATUSES) - {"closed"}


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]


def _t(action: str, source: str, target: str, *roles: str) -> Transition:
    return Transition(action, source, target, frozenset(roles))


#: The case lifecycle. An (action, current status) pair not listed here is refused.
TRANSITIONS: tuple[Transition, ...] = (
    _t("assign", "reported", "assigned", "admin"),  # 交办
    _t("assign", "reopened", "assigned", "admin"),
    _t("assign", "assigned", "assigned", "admin"),  # 改派 / new deadline before work starts
    _t("start", "assigned", "rectifying", "officer"),  # 签收, 开始整改
    _t("start", "returned", "rectifying", "officer"),
    _t("rectify", "rectifying", "submitted", "officer"),  # 提交整改报告
    _t("verify", "submitted", "closed", "admin", "inspector"),  # 核查销号 (inspectors verify on site)
    _t("return", "submitted", "returned", "admin", "inspector"),  # 核查不通过, 退回
    _t("reopen", "closed", "reopened", "admin"),  # 问题反弹, 重新打开
)
_BY_KEY: dict[tuple[str, str], Transition] = {(t.action, t.source): t for t in TRANSITIONS}
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))

#: Actions that are not state changes, and who may take them. ``own unit`` limits for officers are
#: applied on top by the service (an officer acts only on cases of their unit).
PERMISSIONS: dict[str, frozenset[str]] = {
    "create_case": frozenset({"admin", "inspector"}),
    "edit_case": frozenset({"admin", "inspector"}),
    "comment": frozenset({"admin", "officer", "inspector"}),
    "add_evidence": frozenset({"admin", "officer", "inspector"}),
    "supervise": frozenset({"admin", "leader"}),  # 督办
    "escalate": frozenset({"admin"}),
    "manage": frozenset({"admin"}),  # organisations, users, scoring configurations
    "patrol": frozenset({"admin", "officer", "inspector"}),
    "record_proposals": frozenset({"admin"}),
    "decide_proposal": frozenset({"admin", "officer"}),
    "read": frozenset({"admin", "officer", "inspector", "leader"}),
}
#: Roles that see every case; officers see only the cases their unit is responsible for.
SEES_ALL = frozenset({"admin", "inspector", "leader"})


#: Who may take each action and hold each permission by default: the lifecycle's roles per action and
#: :data:`PERMISSIONS`. An office changes them in the ``[roles]`` table of its rules file.
DEFAULT_ROLES: dict[str, frozenset[str]] = {
    **{a: frozenset().union(*(t.roles for t in TRANSITIONS if t.action == a)) for a in ACTIONS},
    **PERMISSIONS,
}
#: Chinese names of the actions and permissions, for messages.
ACTION_NAMES: dict[str, str] = {
    "assign": "交办",
    "start": "签收整改",
    "rectify": "提交整改",
    "verify": "核查销号",
    "return": "核查退回",
    "reopen": "重新打开",
    "create_case": "新建问题",
    "edit_case": "修改问题",
    "comment": "评论",
    "add_evidence": "上传佐证材料",
    "supervise": "督办",
    "escalate": "逾期升级",
    "manage": "管理单位、用户和考核配置",
    "patrol": "记录巡查",
    "record_proposals": "登记监测异常线索",
    "decide_proposal": "处理监测异常线索",
    "read": "查看",
}
ROLE_NAMES: dict[str, str] = {
    "admin": "市蓝天办管理员",
    "officer": "责任单位联络员",
    "inspector": "巡查员",
    "leader": "领导",
}
#: English names of the actions, permissions, roles and states, for messages in English.
ACTION_NAMES_EN: dict[str, str] = {
    "assign": "assign",
    "start": "start rectification",
    "rectify": "submit the rectification",
    "verify": "verify and close",
    "return": "return for rework",
    "reopen": "reopen",
    "create_case": "open cases",
    "edit_case": "edit cases",
    "comment": "comment",
    "add_evidence": "upload evidence",
    "supervise": "supervise",
    "escalate": "escalate overdue cases",
    "manage": "manage units, users and scoring",
    "patrol": "log patrols",
    "record_proposals": "record monitoring leads",
    "decide_proposal": "decide monitoring leads",
    "read": "read",
}
ROLE_NAMES_EN: dict[str, str] = {
    "admin": "city office administrator",
    "officer": "unit officer",
    "inspector": "inspector",
    "leader": "leader",
}
STATUSES_EN: dict[str, str] = {
    "reported": "reported",
    "assigned": "assigned",
    "rectifying": "being rectified",
    "submitted": "awaiting verification",
    "returned": "returned for rework",
    "closed": "closed",
    "reopened": "reopened",
}


def _role_list(roles) -> str:
    return "、".join(ROLE_NAMES.get(r, r) for r in sorted(roles)) or "无"


def _role_list_en(roles) -> str:
    return ", ".join(ROLE_NAMES_EN.get(r, r) for r in sorted(roles)) or "none"


def _refused(role: str, action: str, roles) -> PermissionDenied:
    return PermissionDenied(
        f"{ROLE_NAMES.get(role, role)}无权{ACTION_NAMES[action]}；可以{ACTION_NAMES[action]}的角色："
        f"{_role_list(roles)}。",
        en=f"A {ROLE_NAMES_EN.get(role, role)} may not {ACTION_NAMES_EN[action]}; roles that may: "
        f"{_role_list_en(roles)}.",
    )


def allowed_actions(status: str, role: str | None = None, roles: Mapping[str, frozenset[str]] = DEFAULT_ROLES) -> list[str]:
    """The lifecycle actions possible from ``status`` (for ``role`` when given)."""
    return [t.action for t in TRANSITIONS if t.source == status and (role is None or role in roles[t.action])]


def transition(
    status: str, action: str, role: str, roles: Mapping[str, frozenset[str]] = DEFAULT_ROLES
) -> str:
    """The status after ``action``; refuses an action the lifecycle or the role does not allow."""
    if action not in ACTIONS:
        raise WorkflowError(
            f"未知的操作“{action}”；可用的操作："
            + "、".join(f"{a}（{ACTION_NAMES[a]}）" for a in ACTIONS)
            + "。",
            en=f"unknown action {action!r}; actions are {', '.join(ACTIONS)}.",
        )
    rule = _BY_KEY.get((action, status))
    if rule is None:
        possible = allowed_actions(status)
        raise WorkflowError(
            f"问题当前为“{STATUSES.get(status, status)}”状态，不能{ACTION_NAMES[action]}；此状态下可以："
            + ("、".join(ACTION_NAMES[a] for a in possible) if possible else "无（已是最终状态）")
            + "。",
            en=f"cannot {ACTION_NAMES_EN[action]} a case that is {STATUSES_EN.get(status, status)}; "
            f"allowed now: {', '.join(ACTION_NAMES_EN[a] for a in possible) if possible else 'nothing (final state)'}.",
        )
    if role not in roles[action]:
        raise _refused(role, action, roles[action])
    return rule.target


def require(permission: str, role: str, roles: Mapping[str, frozenset[str]] = DEFAULT_ROLES) -> None:
    """Refuse unless ``role`` holds ``permission``."""
    if role not in roles[permission]:
        raise _refused(role, permission, roles[permission])


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    days: int


DEFAULT_LADDER: tuple[Level, ...] = (
    Level("remind", "提醒", 1),
    Level("notify", "通报", 7),
    Level("interview", "约谈", 15),
    Level("refer", "移交纪委监委", 30),
)
LEVEL_NAMES = {level.code: level.name for level in DEFAULT_LADDER}

#: Rectification time limits in days from assignment, by category and severity (low/medium/high).
#: Open burning and dust are fast-acting nuisances and get the shortest limits.
DEFAULT_DEADLINE_DAYS: dict[str, dict[str, int]] = {
    "扬尘": {"low": 7, "medium": 5, "high": 3},
    "露天焚烧": {"low": 3, "medium": 2, "high": 1},
    "工业排放": {"low": 15, "medium": 10, "high": 7},
    "机动车/柴油货车": {"low": 15, "medium": 10, "high": 7},
    "餐饮油烟": {"low": 10, "medium": 7, "high": 5},
    "其他": {"low": 15, "medium": 10, "high": 7},
}


@dataclass(frozen=True)
class Rules:
    """Deadlines and the escalation ladder in force."""

    deadline_days: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: DEFAULT_DEADLINE_DAYS)
    ladder: tuple[Level, ...] = DEFAULT_LADDER
    #: Who may take each action / hold each permission (defaults :data:`DEFAULT_ROLES`).
    roles: Mapping[str, frozenset[str]] = field(default_factory=lambda: DEFAULT_ROLES)

    def may(self, permission: str, role: str) -> bool:
        """Whether ``role`` may take the action or hold the permission ``permission``."""
        return role in self.roles[permission]

    def require(self, permission: str, role: str) -> None:
        require(permission, role, self.roles)

    def transition(self, status: str, action: str, role: str) -> str:
        return transition(status, action, role, self.roles)

    def allowed_actions(self, status: str, role: str | None = None) -> list[str]:
        return allowed_actions(status, role, self.roles)

    def deadline_for(self, category: str, severity: str) -> int:
        """Days from assignment to the rectification deadline."""
        return self.deadline_days[category][severity]

    def deadline(self, category: str, severity: str, assigned_on: date) -> date:
        """The rectification deadline of a case of ``category`` × ``severity`` assigned on ``assigned_on``."""
        return assigned_on + timedelta(days=self.deadline_for(category, severity))


def _positive_int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where} must be a whole number of days ≥ 1, got {value!r}.")
    return value


def rules_from_mapping(data: Mapping, source: str = "rules") -> Rules:
    """Rules from a parsed TOML mapping (see the module docstring for the format)."""
    unknown = set(data) - {"escalation", "deadlines", "roles"}
    if unknown:
        raise ConfigError(
            f"{source}: unknown section(s) {sorted(unknown)}; expected [escalation], [deadlines], [roles]."
        )
    roles = dict(DEFAULT_ROLES)
    for name, given in data.get("roles", {}).items():
        if name not in DEFAULT_ROLES:
            raise ConfigError(
                f"{source}: [roles] 中的 {name!r} 不是操作或权限；可用：{', '.join(DEFAULT_ROLES)}。"
            )
        if not isinstance(given, list) or not given or not all(r in ROLES for r in given):
            raise ConfigError(
                f"{source}: roles.{name} 应为非空的角色列表（{', '.join(ROLES)}），实际为 {given!r}。"
            )
        roles[name] = frozenset(given)
    if "admin" not in roles["manage"]:
        raise ConfigError(f"{source}: roles.manage 必须包含 admin，否则没有人能管理用户。")
    ladder = list(DEFAULT_LADDER)
    esc = data.get("escalation", {})
    bad = set(esc) - set(LEVEL_NAMES)
    if bad:
        raise ConfigError(
            f"{source}: unknown escalation level(s) {sorted(bad)}; levels are {list(LEVEL_NAMES)}."
        )
    ladder = [
        Level(lv.code, lv.name, _positive_int(esc.get(lv.code, lv.days), f"{source}: escalation.{lv.code}"))
        for lv in ladder
    ]
    if any(a.days >= b.days for a, b in zip(ladder, ladder[1:], strict=False)):
        raise ConfigError(
            f"{source}: escalation thresholds must increase along 提醒→通报→约谈→移交, got "
            + ", ".join(f"{lv.code}={lv.days}" for lv in ladder)
        )
    deadlines = {c: dict(v) for c, v in DEFAULT_DEADLINE_DAYS.items()}
    for category, by_severity in data.get("deadlines", {}).items():
        if category not in deadlines:
            raise ConfigError(
                f"{source}: unknown category {category!r} in [deadlines]; categories are {CATEGORIES}."
            )
        for severity, days in by_severity.items():
            if severity not in SEVERITIES:
                raise ConfigError(
                    f"{source}: unknown severity {severity!r}; severities are {list(SEVERITIES)}."
                )
            deadlines[category][severity] = _positive_int(days, f"{source}: deadlines.{category}.{severity}")
    return Rules(deadline_days=deadlines, ladder=tuple(ladder), roles=roles)


def load_rules(path: str | Path | None) -> Rules:
    """Rules from a TOML file, or the defaults when ``path`` is None."""
    if path is None:
        return Rules()
    return rules_from_mapping(read_toml(path, "督查规则文件"), str(path))


def rules_from_settings(settings: Settings) -> Rules:
    """The rules of the setting ``rules_file`` (the defaults when it is not set)."""
    return load_rules(settings.value("rules_file"))
