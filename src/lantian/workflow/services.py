"""The supervision service: every change to the database goes through here.

Each public method takes the acting user's name, checks the rules (``lantian.workflow.rules``) and the
user's permissions, validates all input before writing, then changes the records and appends an audit
entry in one transaction: a refusal leaves the database unchanged. Results are plain dicts (JSON-ready).

Visibility: admins, inspectors and leaders see every case; an officer sees and acts only on the cases
their unit is responsible for: to them any other case does not exist (:class:`~lantian.errors.NotFound`,
the same answer as for a case id never issued, so ids cannot be probed), and lists are filtered.

Optimistic locking: every write of a case is an ``UPDATE … WHERE version = :seen`` that raises the
version, even when the values written equal the stored ones, so a write from a stale read always fails.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.errors import InputError, NotFound, PermissionDenied, WorkflowError
from lantian.jsonable import to_jsonable as _json_value
from lantian.store.db import ConcurrentEdit, Database
from lantian.store.models import (
    AuditEntry,
    Case,
    Comment,
    Escalation,
    Evidence,
    Organisation,
    PatrolLog,
    Proposal,
    Rectification,
    Reopening,
    Supervision,
    User,
    Verification,
    WebSession,
)
from lantian.workflow import rules as R
from lantian.workflow.passwords import (
    DEFAULT_MIN_LENGTH,
    check_new_password,
    hash_password,
    one_time_password,
    verify_password,
)

CASE_EDITABLE = ("severity", "address", "description", "longitude", "latitude", "category")
SYSTEM = "system"


def snapshot(row) -> dict:
    """The row's column values, JSON-ready (a password hash is masked)."""
    out = {c.key: _json_value(getattr(row, c.key)) for c in row.__mapper__.column_attrs}
    if out.get("password_hash") is not None:
        out["password_hash"] = "***"
    return out


#: Chinese names of the fields that messages name (the key is the English name).
_FIELDS: dict[str, str] = {
    "address": "地址",
    "description": "问题描述",
    "longitude": "经度",
    "latitude": "纬度",
    "source": "来源",
    "category": "问题类别",
    "severity": "严重程度",
    "unit name": "单位名称",
    "unit kind": "单位类别",
    "username": "用户名",
    "display name": "姓名",
    "role": "角色",
    "office name": "市蓝天办名称",
    "rectification report": "整改报告",
    "verification note": "核查意见",
    "reason": "退回理由",
    "supervision note": "督办意见",
    "comment": "评论",
    "status": "状态",
    "patrol area": "巡查路线/区域",
    "findings": "巡查情况",
    "reason for dismissing": "不予受理的理由",
}


_PROPOSAL_STATUS = {"open": "待处理", "accepted": "受理", "dismissed": "不予受理"}


def _zh(what: str) -> str:
    return _FIELDS.get(what, what)


def _text(value: str | None, what: str, limit: int | None = None) -> str:
    if value is None or not str(value).strip():
        raise InputError(f"{_zh(what)}为空；请填写内容。", en=f"{what} is empty; give a non-empty text.")
    value = str(value).strip()
    if limit is not None and len(value) > limit:
        raise InputError(
            f"{_zh(what)}有 {len(value)} 个字符，最多 {limit} 个；请缩短。",
            en=f"{what} is {len(value)} characters long; at most {limit} are allowed.",
        )
    return value


def _coordinate(value, low: float, high: float, what: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{_zh(what)}“{value}”不是数字；请填写数字。", en=f"{what} {value!r} is not a number."
        ) from exc
    if not (low <= number <= high):
        raise InputError(
            f"{_zh(what)} {number} 超出范围 {low}～{high}；请检查后重新填写。",
            en=f"{what} {number} is outside {low}..{high}.",
        )
    return number


def _problem(source, category, severity, address, description, longitude=None, latitude=None) -> dict:
    """The checked fields of a new case (raises before anything is written)."""
    _choice(source, R.SOURCES, "source")
    _choice(category, R.CATEGORIES, "category")
    _choice(severity, R.SEVERITIES, "severity")
    return {
        "source": source,
        "category": category,
        "severity": severity,
        "address": _text(address, "address", 200),
        "description": _text(description, "description"),
        "longitude": _coordinate(longitude, -180, 180, "longitude"),
        "latitude": _coordinate(latitude, -90, 90, "latitude"),
    }


def _choice(value: str, allowed, what: str) -> str:
    if value not in allowed:
        names = allowed if isinstance(allowed, dict) else {}
        choices = "、".join(f"{a}（{names[a]}）" if names.get(a) else str(a) for a in allowed)
        raise InputError(
            f"未知的{_zh(what)}“{value}”；可选：{choices}。",
            en=f"unknown {what} {value!r}; use one of: {', '.join(allowed)}.",
        )
    return value


class Workflow:
    """Services of the supervision cycle over one database, under ``rules`` (deadlines, ladder); the
    audit log is stamped by ``clock`` (Beijing time, :mod:`lantian.clock`)."""

    def __init__(
        self,
        db: Database,
        rules: R.Rules | None = None,
        clock: Clock | None = None,
        password_min_length: int = DEFAULT_MIN_LENGTH,
    ):
        self.db = db
        self.rules = rules or R.Rules()
        self.clock = clock or SYSTEM_CLOCK
        self.password_min_length = password_min_length

    @classmethod
    def from_settings(cls, db: Database, settings, clock: Clock | None = None) -> Workflow:
        """The workflow under the settings in force: the office's rules (``rules_file``) and password rules."""
        return cls(db, R.rules_from_settings(settings), clock, settings.value("password_min_length"))

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        try:
            with self.db.session() as s:
                yield s
        except StaleDataError as exc:
            raise ConcurrentEdit(
                "办理期间该记录已被他人修改；请重新打开（网页刷新或 lantian case show）后再试。",
                en="the case was changed by someone else while this change was being made; "
                "reload it (lantian case show) and try again.",
            ) from exc

    def _audit(self, s: Session, actor: str, entity: str, entity_id, action: str, before, after) -> None:
        s.add(
            AuditEntry(
                at=self.clock.now(),
                actor=actor,
                entity=entity,
                entity_id=entity_id,
                action=action,
                before=before,
                after=after,
            )
        )

    def _user(self, s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(
                f"没有用户“{username}”；用 lantian user list 或用户管理页面查看用户。",
                en=f"no user {username!r}; list users with `lantian user list`.",
            )
        if not user.active:
            raise PermissionDenied(
                f"用户“{username}”已停用；请联系管理员重新启用。",
                en=f"user {username!r} is deactivated; ask an administrator to enable it again.",
            )
        return user

    def _unit(self, s: Session, name: str, kinds: tuple[str, ...] | None = None) -> Organisation:
        unit = s.scalar(select(Organisation).where(Organisation.name == name))
        if unit is None or (kinds and unit.kind not in kinds):
            known = s.scalars(
                select(Organisation.name).where(Organisation.kind.in_(kinds or tuple(R.UNIT_KINDS)))
            ).all()
            what = " or ".join(kinds) if kinds else "unit"
            what_zh = "或".join(R.UNIT_KINDS[k] for k in kinds) if kinds else "单位"
            raise NotFound(
                f"没有名为“{name}”的{what_zh}；现有：{'、'.join(known) or '无（用 lantian org add 添加）'}。",
                en=f"no {what} named {name!r}; known: {', '.join(known) or 'none (add with lantian org add)'}.",
            )
        return unit

    @staticmethod
    def _sees(user: User, case: Case) -> bool:
        return user.role in R.SEES_ALL or (user.role == "officer" and case.unit_id == user.unit_id)

    def _case(self, s: Session, user: User, case_id: int, expected_version: int | None = None) -> Case:
        case = s.get(Case, case_id)
        if case is None or not self._sees(user, case):
            raise NotFound(
                f"没有编号为 {case_id} 的问题，或该问题不在用户 {user.username} 可查看的范围内（不属于本单位）；"
                "请在问题列表（lantian case list）中查看。",
                en=f"no case {case_id} among the cases {user.username} may see; list them with "
                "`lantian case list`.",
            )
        if expected_version is not None and case.version != expected_version:
            raise ConcurrentEdit(
                f"问题 {case_id} 已被他人修改（当前版本 {case.version}，您看到的是版本 {expected_version}）；"
                "请刷新页面（或 lantian case show）查看最新内容后再试。",
                en=f"case {case_id} is at version {case.version}, not {expected_version}: someone else changed "
                "it meanwhile; reload it and try again.",
            )
        return case

    @staticmethod
    def _write(s: Session, case: Case) -> None:
        """Flush a change of ``case`` as ``UPDATE … WHERE version = :seen``: the version is checked and
        raised even when every value written equals the stored one (a stale write never passes)."""
        flag_modified(case, "status")
        s.flush()

    @staticmethod
    def _case_dict(case: Case, today: date | None = None) -> dict:
        out = {
            "id": case.id,
            "status": case.status,
            "status_name": R.STATUSES[case.status],
            "source": case.source,
            "category": case.category,
            "severity": case.severity,
            "district": case.district.name,
            "unit": case.unit.name if case.unit else None,
            "deadline": _json_value(case.deadline),
            "address": case.address,
            "description": case.description,
            "longitude": case.longitude,
            "latitude": case.latitude,
            "reported_at": _json_value(case.reported_at),
            "reported_by": case.reporter.username,
            "closed_at": _json_value(case.closed_at),
            "reopen_count": case.reopen_count,
            "version": case.version,
        }
        if today is not None:
            owing = case.status in R.OWING and case.deadline is not None
            out["overdue_days"] = max(0, (today - case.deadline).days) if owing else 0
        return out

    # -- organisations and users ----------------------------------------------------------------

    def _require_admin_or_bootstrap(self, s: Session, actor: str | None) -> str:
        if s.scalar(select(func.count()).select_from(User)) == 0:
            return actor or SYSTEM
        if actor is None:
            raise PermissionDenied(
                "此项修改需要管理员办理；请用 --as 用户名（或环境变量 LANTIAN_USER）指明管理员。",
                en="this change needs an administrator; give --as USER (or LANTIAN_USER).",
            )
        self.rules.require("manage", self._user(s, actor).role)
        return actor

    def add_unit(self, actor: str | None, name: str, kind: str, at: datetime) -> dict:
        """Add an organisation (admin only, or anyone while the database has no users yet)."""
        name = _text(name, "unit name", 100)
        _choice(kind, R.UNIT_KINDS, "unit kind")
        with self._tx() as s:
            who = self._require_admin_or_bootstrap(s, actor)
            if s.scalar(select(Organisation).where(Organisation.name == name)) is not None:
                raise WorkflowError(
                    f"单位“{name}”已存在；请另取名称。", en=f"a unit named {name!r} exists already."
                )
            unit = Organisation(name=name, kind=kind, created_at=at)
            s.add(unit)
            s.flush()
            self._audit(s, who, "organisation", unit.id, "create", None, snapshot(unit))
            return {"id": unit.id, "name": unit.name, "kind": unit.kind}

    def list_units(self) -> list[dict]:
        with self._tx() as s:
            units = s.scalars(select(Organisation).order_by(Organisation.kind, Organisation.id)).all()
            return [
                {"id": u.id, "name": u.name, "kind": u.kind, "kind_name": R.UNIT_KINDS[u.kind]} for u in units
            ]

    def add_user(
        self,
        actor: str | None,
        username: str,
        display_name: str,
        role: str,
        unit: str | None,
        at: datetime,
        password_hash: str | None = None,
        password: str | None = None,
    ) -> dict:
        """Add a user. The very first user must be an admin and needs no actor (bootstrap). A
        ``password`` is checked against the office's rules and stored as its argon2 hash; without one
        the user cannot log in until an administrator sets it (``lantian user passwd``)."""
        username = _text(username, "username", 64)
        if password is not None:
            check_new_password(password, username, self.password_min_length)
            password_hash = hash_password(password)
        display_name = _text(display_name, "display name", 100)
        _choice(role, R.ROLES, "role")
        with self._tx() as s:
            first = s.scalar(select(func.count()).select_from(User)) == 0
            if first and role != "admin":
                raise WorkflowError(
                    "第一个用户必须是市蓝天办管理员（角色 admin）。",
                    en="the first user must be an admin (role admin) of the city office.",
                )
            who = self._require_admin_or_bootstrap(s, actor)
            if s.scalar(select(User).where(User.username == username)) is not None:
                raise WorkflowError(
                    f"用户“{username}”已存在；请另取用户名。", en=f"user {username!r} exists already."
                )
            if role == "officer":
                if not unit:
                    raise InputError(
                        "责任单位联络员须属于一个区县或部门；请选择所属单位（--unit 单位名称）。",
                        en="an officer belongs to one district or department; give --unit NAME.",
                    )
                org = self._unit(s, unit, ("district", "department"))
            elif unit:
                org = self._unit(s, unit)
            else:
                org = None
            user = User(
                username=username,
                display_name=display_name,
                role=role,
                unit_id=org.id if org else None,
                password_hash=password_hash,
                active=True,
                created_at=at,
                password_changed_at=at if password_hash else None,
            )
            s.add(user)
            s.flush()
            self._audit(s, who, "user", user.id, "create", None, snapshot(user))
            return self._user_dict(user, org)

    @staticmethod
    def _user_dict(user: User, org: Organisation | None) -> dict:
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "unit": org.name if org else None,
            "active": user.active,
            "has_password": bool(user.password_hash),
            "must_change_password": bool(user.must_change_password),
        }

    # -- accounts -------------------------------------------------------------------------------

    def init_office(
        self, office: str, username: str, display_name: str, password: str, at: datetime
    ) -> dict:
        """A new deployment: the city office and its first administrator, in an empty database."""
        office = _text(office, "office name", 100)
        check_new_password(password, username, self.password_min_length)
        with self._tx() as s:
            if s.scalar(select(func.count()).select_from(User)) > 0:
                raise WorkflowError(
                    "数据库中已有用户，无需再初始化；添加用户请用 lantian user add，重设密码请用 lantian user passwd。"
                )
            unit = s.scalar(select(Organisation).where(Organisation.name == office))
            if unit is None:
                unit = Organisation(name=office, kind="office", created_at=at)
                s.add(unit)
                s.flush()
                self._audit(s, SYSTEM, "organisation", unit.id, "create", None, snapshot(unit))
            elif unit.kind != "office":
                raise WorkflowError(
                    f"单位“{office}”已存在但不是市蓝天办（类别 {unit.kind}）；请另取名称。",
                    en=f"a unit named {office!r} exists and is not the city office (kind {unit.kind}); choose another name.",
                )
        return {
            "office": office,
            "admin": self.add_user(None, username, display_name, "admin", office, at, password=password),
        }

    def _account(self, s: Session, username: str) -> User:
        """A user, active or not (for the administrator's account actions)."""
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(
                f"没有用户“{username}”；用 lantian user list 或用户管理页面查看用户。",
                en=f"no user {username!r}; see the users with lantian user list or on the users page.",
            )
        return user

    @staticmethod
    def _end_sessions(s: Session, user: User, at: datetime) -> None:
        """End every browser session of ``user`` (password changed, reset or user disabled)."""
        s.execute(
            update(WebSession)
            .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
            .values(ended_at=at)
        )

    def set_password(
        self,
        actor: str,
        username: str,
        password: str,
        at: datetime,
        current_password: str | None = None,
    ) -> dict:
        """Set ``username``'s password: an administrator for anyone, a user for themself (the web asks
        for the current password: ``current_password``). Every session of the user ends."""
        with self._tx() as s:
            who = self._user(s, actor)
            user = self._account(s, username)
            if who.id != user.id:
                self.rules.require("manage", who.role)
            if current_password is not None and not verify_password(user.password_hash, current_password):
                raise InputError("当前密码不正确；请重新输入。", en="the current password is wrong; type it again.")
            check_new_password(password, user.username, self.password_min_length)
            before = snapshot(user)
            user.password_hash = hash_password(password)
            user.must_change_password = False
            user.password_changed_at = at
            self._end_sessions(s, user, at)
            self._audit(s, who.username, "user", user.id, "set_password", before, snapshot(user))
            return self._user_dict(user, user.unit)

    def reset_password(self, actor: str, username: str, at: datetime) -> tuple[dict, str]:
        """An administrator's reset: a one-time password (returned once, never stored in clear) that
        must be changed at the next login. Every session of the user ends."""
        with self._tx() as s:
            who = self._user(s, actor)
            self.rules.require("manage", who.role)
            user = self._account(s, username)
            secret = one_time_password()
            before = snapshot(user)
            user.password_hash = hash_password(secret)
            user.must_change_password = True
            user.password_changed_at = at
            self._end_sessions(s, user, at)
            self._audit(s, who.username, "user", user.id, "reset_password", before, snapshot(user))
            return self._user_dict(user, user.unit), secret

    def set_active(self, actor: str, username: str, active: bool, at: datetime) -> dict:
        """Disable or enable a user (administrator). A disabled user's sessions end and their API
        tokens open nothing from the next request on. The last active administrator cannot be disabled."""
        with self._tx() as s:
            who = self._user(s, actor)
            self.rules.require("manage", who.role)
            user = self._account(s, username)
            if not active:
                if user.id == who.id:
                    raise WorkflowError(
                        "不能停用自己的账号；请由另一位管理员操作。",
                        en="you cannot disable your own account; ask another administrator.",
                    )
                if user.role == "admin":
                    admins = s.scalar(
                        select(func.count()).select_from(User).where(User.role == "admin", User.active)
                    )
                    if admins <= 1:
                        raise WorkflowError(
                            "这是最后一位在用的管理员，不能停用；请先添加另一位管理员。",
                            en="this is the last active administrator and cannot be disabled; add another first.",
                        )
            before = snapshot(user)
            user.active = active
            if not active:
                self._end_sessions(s, user, at)
            self._audit(s, who.username, "user", user.id, "enable" if active else "disable", before, snapshot(user))
            return self._user_dict(user, user.unit)

    def set_channels(
        self,
        actor: str,
        of: str,
        name: str,
        at: datetime,
        webhook: str | None = None,
        email: str | None = None,
    ) -> dict:
        """Set the notification channels of a unit (``of="unit"``) or a user (``of="user"``), admin only:
        a chat robot's webhook URL and e-mail addresses (comma-separated). ``None`` keeps a channel, an
        empty text removes it."""
        _choice(of, ("unit", "user"), "channel owner")
        with self._tx() as s:
            self.rules.require("manage", self._user(s, actor).role)
            if of == "unit":
                row = self._unit(s, name)
            else:
                row = s.scalar(select(User).where(User.username == name))
                if row is None:
                    raise NotFound(
                        f"没有用户“{name}”；用 lantian user list 或用户管理页面查看用户。",
                        en=f"no user {name!r}; list users with `lantian user list`.",
                    )
            before = {"webhook_url": row.webhook_url, "email": row.email}
            if webhook is not None:
                url = webhook.strip()
                if url and (not url.startswith(("http://", "https://")) or len(url) > 500 or " " in url):
                    raise InputError(
                        f"机器人地址 {url!r} 不是 http(s) 地址；请写成 https://… 的形式（最多 500 个字符），或留空取消。",
                        en=f"webhook {url!r} is not an http(s) URL; write https://… (at most 500 characters), "
                        "or leave it empty to remove it.",
                    )
                row.webhook_url = url or None
            if email is not None:
                addresses = [a.strip() for a in email.replace("，", ",").split(",") if a.strip()]
                wrong = [a for a in addresses if a.count("@") != 1 or " " in a or a.startswith("@") or a.endswith("@")]
                if wrong or len(",".join(addresses)) > 320:
                    raise InputError(
                        f"邮箱 {'、'.join(wrong) or email} 无效；请写成 name@example.cn，多个地址用逗号分隔"
                        "（共最多 320 个字符），或留空取消。",
                        en=f"e-mail {', '.join(wrong) or email} is not valid; write name@example.cn, several "
                        "separated by commas (at most 320 characters in all), or leave it empty to remove it.",
                    )
                row.email = ",".join(addresses) or None
            after = {"webhook_url": row.webhook_url, "email": row.email}
            entity = "organisation" if of == "unit" else "user"
            self._audit(s, actor, entity, row.id, "channels", before, after)
            label = row.name if of == "unit" else row.username
            return {"of": of, "name": label, **after}

    def list_users(self) -> list[dict]:
        with self._tx() as s:
            return [self._user_dict(u, u.unit) for u in s.scalars(select(User).order_by(User.id)).all()]

    def whoami(self, username: str) -> dict:
        with self._tx() as s:
            user = self._user(s, username)
            return self._user_dict(user, user.unit)

    # -- cases ----------------------------------------------------------------------------------

    def new_case(
        self,
        actor: str,
        *,
        source: str,
        category: str,
        severity: str,
        district: str,
        address: str,
        description: str,
        at: datetime,
        longitude: float | None = None,
        latitude: float | None = None,
    ) -> dict:
        """Record a problem found (发现). Inspectors and the city office create cases."""
        problem = _problem(source, category, severity, address, description, longitude, latitude)
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("create_case", user.role)
            org = self._unit(s, district, ("district",))
            return self._case_dict(self._add_case(s, user, org, problem, at))

    def _add_case(self, s: Session, user: User, district: Organisation, problem: dict, at: datetime) -> Case:
        case = Case(
            **problem,
            district_id=district.id,
            status="reported",
            reported_at=at,
            reported_by=user.id,
            reopen_count=0,
        )
        s.add(case)
        s.flush()
        self._audit(s, user.username, "case", case.id, "create", None, snapshot(case))
        return case

    def edit_case(
        self, actor: str, case_id: int, changes: dict, at: datetime, expected_version: int | None = None
    ) -> dict:
        """Change descriptive fields of an open case (severity, category, address, description, coordinates)."""
        bad = set(changes) - set(CASE_EDITABLE)
        if bad or not changes:
            raise InputError(
                f"不能修改{'、'.join(_zh(b) for b in sorted(bad)) or '（未给出要修改的内容）'}；"
                f"可修改：{'、'.join(_zh(f) for f in CASE_EDITABLE)}。",
                en=f"cannot edit {sorted(bad) or 'nothing'}; editable fields: {', '.join(CASE_EDITABLE)}.",
            )
        clean = {}
        for key, value in changes.items():
            if key == "severity":
                clean[key] = _choice(value, R.SEVERITIES, "severity")
            elif key == "category":
                clean[key] = _choice(value, R.CATEGORIES, "category")
            elif key == "longitude":
                clean[key] = _coordinate(value, -180, 180, "longitude")
            elif key == "latitude":
                clean[key] = _coordinate(value, -90, 90, "latitude")
            else:
                clean[key] = _text(value, key, 200 if key == "address" else None)
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("edit_case", user.role)
            case = self._case(s, user, case_id, expected_version)
            if case.status == "closed":
                raise WorkflowError(
                    f"问题 {case_id} 已销号；请先重新打开再修改。",
                    en=f"case {case_id} is closed; reopen it before editing.",
                )
            before = snapshot(case)
            for key, value in clean.items():
                setattr(case, key, value)
            self._write(s, case)
            self._audit(s, actor, "case", case.id, "edit", before, snapshot(case))
            return self._case_dict(case)

    def _lifecycle(
        self, s: Session, actor: str, case_id: int, action: str, expected_version: int | None
    ) -> tuple[User, Case, dict, str]:
        user = self._user(s, actor)
        case = self._case(s, user, case_id, expected_version)
        target = self.rules.transition(case.status, action, user.role)
        return user, case, snapshot(case), target

    def assign(
        self,
        actor: str,
        case_id: int,
        unit: str,
        at: datetime,
        deadline: date | None = None,
        expected_version: int | None = None,
    ) -> dict:
        """交办: give the case to a district or department with a rectification deadline.

        Without ``deadline`` the limit of the rules applies (days by category and severity).
        A deadline before the day of assignment is refused.
        """
        with self._tx() as s:
            user, case, before, target = self._lifecycle(s, actor, case_id, "assign", expected_version)
            org = self._unit(s, unit, ("district", "department"))
            if deadline is None:
                deadline = self.rules.deadline(case.category, case.severity, at.date())
            elif deadline < at.date():
                raise InputError(
                    f"整改时限 {deadline.isoformat()} 早于交办日 {at.date().isoformat()}；请填写今天或以后的日期。",
                    en=f"deadline {deadline.isoformat()} is in the past (assignment on {at.date().isoformat()}); "
                    "give today or a later day.",
                )
            case.status, case.unit_id, case.deadline, case.assigned_at = target, org.id, deadline, at
            self._write(s, case)
            self._audit(s, actor, "case", case.id, "assign", before, snapshot(case))
            return self._case_dict(case)

    def start(self, actor: str, case_id: int, at: datetime, expected_version: int | None = None) -> dict:
        """签收: the responsible unit starts the rectification."""
        with self._tx() as s:
            _, case, before, target = self._lifecycle(s, actor, case_id, "start", expected_version)
            case.status = target
            self._write(s, case)
            self._audit(s, actor, "case", case.id, "start", before, snapshot(case))
            return self._case_dict(case)

    def rectify(
        self, actor: str, case_id: int, report: str, at: datetime, expected_version: int | None = None
    ) -> dict:
        """提交整改报告: the responsible unit reports the rectification done."""
        report = _text(report, "rectification report")
        with self._tx() as s:
            user, case, before, target = self._lifecycle(s, actor, case_id, "rectify", expected_version)
            case.status, case.submitted_at = target, at
            s.add(Rectification(case_id=case.id, submitted_by=user.id, submitted_at=at, report=report))
            self._write(s, case)
            self._audit(s, actor, "case", case.id, "rectify", before, snapshot(case))
            return self._case_dict(case)

    def verify(
        self,
        actor: str,
        case_id: int,
        at: datetime,
        note: str = "核查通过",
        accept: bool = True,
        expected_version: int | None = None,
    ) -> dict:
        """核查: accept the rectification and close the case (销号), or return it (``accept=False``)."""
        note = _text(note, "verification note")
        action = "verify" if accept else "return"
        with self._tx() as s:
            user, case, before, target = self._lifecycle(s, actor, case_id, action, expected_version)
            case.status = target
            if accept:
                case.closed_at = at
            s.add(
                Verification(
                    case_id=case.id,
                    verified_by=user.id,
                    verified_at=at,
                    outcome="closed" if accept else "returned",
                    note=note,
                )
            )
            self._write(s, case)
            self._audit(s, actor, "case", case.id, action, before, snapshot(case))
            return self._case_dict(case)

    def reopen(
        self, actor: str, case_id: int, reason: str, at: datetime, expected_version: int | None = None
    ) -> dict:
        """重新打开: the problem came back; the case waits for a new assignment."""
        reason = _text(reason, "reason")
        with self._tx() as s:
            user, case, before, target = self._lifecycle(s, actor, case_id, "reopen", expected_version)
            case.status, case.closed_at, case.reopen_count = target, None, case.reopen_count + 1
            s.add(Reopening(case_id=case.id, reopened_by=user.id, reopened_at=at, reason=reason))
            self._write(s, case)
            self._audit(s, actor, "case", case.id, "reopen", before, snapshot(case))
            return self._case_dict(case)

    def supervise(self, actor: str, case_id: int, note: str, at: datetime) -> dict:
        """督办: the city office presses the responsible unit on an open case."""
        note = _text(note, "supervision note")
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("supervise", user.role)
            case = self._case(s, user, case_id)
            if case.status == "closed":
                raise WorkflowError(
                    f"问题 {case_id} 已销号，无需督办。",
                    en=f"case {case_id} is closed; there is nothing to supervise.",
                )
            row = Supervision(case_id=case.id, supervised_by=user.id, supervised_at=at, note=note)
            s.add(row)
            s.flush()
            self._audit(s, actor, "supervision", row.id, "create", None, snapshot(row))
            return {"id": row.id, "case_id": case.id, "at": _json_value(at), "note": note}

    def comment(self, actor: str, case_id: int, body: str, at: datetime) -> dict:
        body = _text(body, "comment")
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("comment", user.role)
            case = self._case(s, user, case_id)
            row = Comment(case_id=case.id, author_id=user.id, at=at, body=body)
            s.add(row)
            s.flush()
            self._audit(s, actor, "comment", row.id, "create", None, snapshot(row))
            return {"id": row.id, "case_id": case.id, "author": actor, "at": _json_value(at), "body": body}

    def add_evidence(
        self, actor: str, case_id: int, path: str | Path, at: datetime, content_type: str | None = None
    ) -> dict:
        """Attach a file already saved at ``path``: its size and SHA-256 are recorded."""
        path = Path(path)
        if not path.is_file():
            raise InputError(
                f"佐证材料文件 {path} 不存在；请先保存文件。",
                en=f"evidence file {path} does not exist; save the file first.",
            )
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("add_evidence", user.role)
            case = self._case(s, user, case_id)
            return snapshot(self._add_evidence_row(s, user, case, path, at, content_type))

    def _add_evidence_row(
        self, s: Session, user: User, case: Case, path: Path, at: datetime, content_type: str | None
    ) -> Evidence:
        if not path.is_file():
            raise InputError(
                f"佐证材料文件 {path} 不存在；请先保存文件。",
                en=f"evidence file {path} does not exist; save the file first.",
            )
        row = Evidence(
            case_id=case.id,
            file_path=str(path),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            size=path.stat().st_size,
            content_type=content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            uploaded_by=user.id,
            uploaded_at=at,
        )
        s.add(row)
        s.flush()
        self._audit(s, user.username, "evidence", row.id, "create", None, snapshot(row))
        return row

    def list_cases(
        self,
        actor: str,
        *,
        status: str | None = None,
        unit: str | None = None,
        district: str | None = None,
        today: date | None = None,
        overdue_only: bool = False,
    ) -> list[dict]:
        """Cases the actor may see, optionally filtered."""
        if status is not None:
            _choice(status, R.STATUSES, "status")
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("read", user.role)
            query = select(Case).order_by(Case.id)
            if user.role not in R.SEES_ALL:
                query = query.where(Case.unit_id == user.unit_id)
            if status:
                query = query.where(Case.status == status)
            if unit:
                query = query.where(Case.unit_id == self._unit(s, unit).id)
            if district:
                query = query.where(Case.district_id == self._unit(s, district, ("district",)).id)
            rows = [self._case_dict(c, today) for c in s.scalars(query).all()]
            if overdue_only:
                rows = [r for r in rows if r.get("overdue_days", 0) > 0]
            return rows

    def show_case(self, actor: str, case_id: int, today: date | None = None) -> dict:
        """A case with its full history."""
        with self._tx() as s:
            user = self._user(s, actor)
            case = self._case(s, user, case_id)
            out = self._case_dict(case, today)
            names = dict(s.execute(select(User.id, User.username)).all())

            def rows(model, order, fields):
                items = s.scalars(
                    select(model).where(model.case_id == case.id).order_by(order, model.id)
                ).all()
                return [{k: _json_value(getattr(r, k)) for k in fields} for r in items]

            out["evidence"] = rows(
                Evidence, Evidence.uploaded_at, ("file_path", "sha256", "size", "content_type")
            )
            out["rectifications"] = rows(
                Rectification, Rectification.submitted_at, ("submitted_at", "report")
            )
            out["verifications"] = rows(
                Verification, Verification.verified_at, ("verified_at", "outcome", "note")
            )
            out["reopenings"] = rows(Reopening, Reopening.reopened_at, ("reopened_at", "reason"))
            out["supervisions"] = rows(Supervision, Supervision.supervised_at, ("supervised_at", "note"))
            out["escalations"] = rows(
                Escalation, Escalation.on_date, ("level", "on_date", "deadline", "reason")
            )
            for e in out["escalations"]:
                e["level_name"] = R.LEVEL_NAMES[e["level"]]
            comments = s.scalars(
                select(Comment).where(Comment.case_id == case.id).order_by(Comment.at, Comment.id)
            )
            out["comments"] = [
                {"author": names[c.author_id], "at": _json_value(c.at), "body": c.body} for c in comments
            ]
            return out

    def audit_trail(self, entity: str, entity_id: int) -> list[dict]:
        with self._tx() as s:
            rows = s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id)
            ).all()
            return [snapshot(r) for r in rows]

    # -- escalation -----------------------------------------------------------------------------

    def escalate(self, actor: str, now: datetime) -> list[dict]:
        """Apply the escalation ladder to every case still owed a rectification after its deadline.

        A case overdue by d days (d = now's day − deadline) has reached every level whose threshold is
        ≤ d; each (case, level, deadline) step is recorded once, dated deadline + threshold, so running
        this again — at the same or a later time — adds only steps newly reached.
        """
        for attempt in range(3):
            try:
                return self._escalate(actor, now)
            except IntegrityError:
                if attempt == 2:
                    raise
        return []

    def _escalate(self, actor: str, now: datetime) -> list[dict]:
        today = now.date()
        with self._tx() as s:
            self.rules.require("escalate", self._user(s, actor).role)
            cases = s.scalars(
                select(Case).where(Case.status.in_(R.OWING), Case.deadline < today).order_by(Case.id)
            ).all()
            seen = set(
                s.execute(
                    select(Escalation.case_id, Escalation.level, Escalation.deadline).where(
                        Escalation.case_id.in_([c.id for c in cases])
                    )
                ).all()
            )
            added = []
            for case in cases:
                overdue = (today - case.deadline).days
                for level in self.rules.ladder:
                    if overdue < level.days or (case.id, level.code, case.deadline) in seen:
                        continue
                    step = Escalation(
                        case_id=case.id,
                        unit_id=case.unit_id,
                        level=level.code,
                        deadline=case.deadline,
                        on_date=case.deadline + timedelta(days=level.days),
                        reason=f"逾期{level.days}天未完成整改 (整改期限 {case.deadline.isoformat()})",
                        created_at=now,
                    )
                    s.add(step)
                    s.flush()
                    self._audit(s, actor, "escalation", step.id, "create", None, snapshot(step))
                    added.append(
                        {
                            "case_id": case.id,
                            "unit": case.unit.name,
                            "level": level.code,
                            "level_name": level.name,
                            "on_date": step.on_date.isoformat(),
                            "deadline": case.deadline.isoformat(),
                            "overdue_days": overdue,
                            "reason": step.reason,
                        }
                    )
            return added

    # -- patrol log -----------------------------------------------------------------------------

    def patrol(
        self,
        actor: str,
        district: str,
        area: str,
        findings: str,
        day: date,
        at: datetime,
        cases_found: int = 0,
        problems: list[dict] | None = None,
    ) -> dict:
        """日巡查: record who patrolled where and what was found. Each of ``problems`` (``category``,
        ``severity``, ``address``, ``description``, optional ``longitude``/``latitude`` and ``photos``:
        ``[(path, content_type)]`` of files already saved) becomes a case (发现, source 巡查) with its
        photos as evidence, in the same transaction as the patrol log: all or nothing."""
        area = _text(area, "patrol area", 200)
        findings = _text(findings, "findings")
        if cases_found < 0:
            raise InputError(
                f"发现问题数应不小于 0，实际为 {cases_found}。", en=f"cases found must be ≥ 0, got {cases_found}."
            )
        if day > at.date():
            raise InputError(
                f"巡查日期 {day.isoformat()} 晚于今天；请记录已经完成的巡查。",
                en=f"patrol day {day.isoformat()} is in the future; log patrols that happened.",
            )
        checked = []
        for i, p in enumerate(problems or [], start=1):
            try:
                fields = _problem(
                    "patrol", p.get("category", ""), p.get("severity", ""), p.get("address", ""),
                    p.get("description", ""), p.get("longitude"), p.get("latitude"),
                )
            except InputError as exc:
                raise InputError(f"第 {i} 个问题：{exc}", en=f"problem {i}: {exc.text('en')}") from exc
            checked.append((fields, list(p.get("photos") or [])))
        with self._tx() as s:
            user = self._user(s, actor)
            self.rules.require("patrol", user.role)
            if checked:
                self.rules.require("create_case", user.role)
            org = self._unit(s, district, ("district",))
            if user.role == "officer" and user.unit_id != org.id:
                raise PermissionDenied(
                    f"{actor} 是其他单位的联络员，只能记录本单位（{user.unit.name if user.unit else '—'}）的巡查。",
                    en=f"{actor} is an officer of another unit and may log patrols only there.",
                )
            row = PatrolLog(
                user_id=user.id,
                district_id=org.id,
                day=day,
                area=area,
                findings=findings,
                cases_found=max(cases_found, len(checked)),
                created_at=at,
            )
            s.add(row)
            s.flush()
            self._audit(s, actor, "patrol_log", row.id, "create", None, snapshot(row))
            case_ids = []
            for fields, photos in checked:
                case = self._add_case(s, user, org, fields, at)
                case_ids.append(case.id)
                for path, content_type in photos:
                    self._add_evidence_row(s, user, case, Path(path), at, content_type)
            return {
                "id": row.id,
                "user": actor,
                "district": district,
                "day": day.isoformat(),
                "area": area,
                "cases": case_ids,
            }

    # -- monitoring proposals -------------------------------------------------------------------

    def record_proposals(self, actor: str, episodes: list[dict], at: datetime) -> list[dict]:
        """Store proposed cases found by :func:`lantian.workflow.proposals.find_episodes`.

        An episode already stored (same station, pollutant and start) is skipped.
        """
        with self._tx() as s:
            self.rules.require("record_proposals", self._user(s, actor).role)
            added = []
            for ep in episodes:
                org = self._unit(s, ep["district"], ("district",))
                start = ep["start"].replace(tzinfo=None)
                exists = s.scalar(
                    select(Proposal.id).where(
                        Proposal.station_code == ep["station_code"],
                        Proposal.pollutant == ep["pollutant"],
                        Proposal.start_time == start,
                    )
                )
                if exists is not None:
                    continue
                row = Proposal(
                    station_code=ep["station_code"],
                    district_id=org.id,
                    pollutant=ep["pollutant"],
                    start_time=start,
                    end_time=ep["end"].replace(tzinfo=None),
                    hours=int(ep["hours"]),
                    max_ratio=float(ep["max_ratio"]),
                    mean_excess=float(ep["mean_excess"]),
                    status="open",
                    created_at=at,
                )
                s.add(row)
                s.flush()
                self._audit(s, actor, "proposal", row.id, "create", None, snapshot(row))
                added.append(self._proposal_dict(row, org.name))
            return added

    @staticmethod
    def _proposal_dict(p: Proposal, district: str) -> dict:
        return {
            "id": p.id,
            "station_code": p.station_code,
            "district": district,
            "pollutant": p.pollutant,
            "start": _json_value(p.start_time),
            "end": _json_value(p.end_time),
            "hours": p.hours,
            "max_ratio": p.max_ratio,
            "mean_excess": p.mean_excess,
            "status": p.status,
            "case_id": p.case_id,
        }

    def list_proposals(self, actor: str, status: str | None = None) -> list[dict]:
        with self._tx() as s:
            user = self._user(s, actor)
            query = select(Proposal, Organisation.name).join(
                Organisation, Proposal.district_id == Organisation.id
            )
            if user.role == "officer":
                query = query.where(Proposal.district_id == user.unit_id)
            if status:
                query = query.where(
                    Proposal.status == _choice(status, ("open", "accepted", "dismissed"), "status")
                )
            return [self._proposal_dict(p, name) for p, name in s.execute(query.order_by(Proposal.id)).all()]

    def _proposal(self, s: Session, user: User, proposal_id: int) -> Proposal:
        self.rules.require("decide_proposal", user.role)
        p = s.get(Proposal, proposal_id)
        if p is None or (user.role == "officer" and p.district_id != user.unit_id):
            # another district's proposal does not exist for an officer (ids cannot be probed)
            raise NotFound(
                f"没有编号为 {proposal_id} 的监测异常线索；用 lantian proposals list 查看。",
                en=f"no proposal {proposal_id}; list them with `lantian proposals list`.",
            )
        if p.status != "open":
            raise WorkflowError(
                f"监测异常线索 {proposal_id} 已{_PROPOSAL_STATUS.get(p.status, p.status)}；只能处理待处理的线索。",
                en=f"proposal {proposal_id} was already {p.status}; only open proposals can be decided.",
            )
        return p

    def accept_proposal(
        self,
        actor: str,
        proposal_id: int,
        at: datetime,
        category: str = "其他",
        severity: str = "medium",
    ) -> dict:
        """Turn a proposal into a case (source ``monitoring``, status reported)."""
        _choice(category, R.CATEGORIES, "category")
        _choice(severity, R.SEVERITIES, "severity")
        with self._tx() as s:
            user = self._user(s, actor)
            p = self._proposal(s, user, proposal_id)
            before = snapshot(p)
            case = Case(
                source="monitoring",
                category=category,
                severity=severity,
                district_id=p.district_id,
                address=f"监测站 {p.station_code} 周边",
                description=(
                    f"{p.pollutant.upper()} 自 {p.start_time:%Y-%m-%d %H:%M} 起连续 {p.hours} 小时显著高于周边站点"
                    f" (最大比值 {p.max_ratio:.2f}, 平均超出 {p.mean_excess:.1f} µg/m³)"
                ),
                status="reported",
                reported_at=at,
                reported_by=user.id,
                reopen_count=0,
            )
            s.add(case)
            s.flush()
            p.status, p.case_id, p.decided_by, p.decided_at = "accepted", case.id, user.id, at
            s.flush()
            self._audit(s, actor, "case", case.id, "create", None, snapshot(case))
            self._audit(s, actor, "proposal", p.id, "accept", before, snapshot(p))
            return self._case_dict(case)

    def dismiss_proposal(self, actor: str, proposal_id: int, note: str, at: datetime) -> dict:
        note = _text(note, "reason for dismissing")
        with self._tx() as s:
            user = self._user(s, actor)
            p = self._proposal(s, user, proposal_id)
            before = snapshot(p)
            p.status, p.decided_by, p.decided_at, p.note = "dismissed", user.id, at, note
            s.flush()
            self._audit(s, actor, "proposal", p.id, "dismiss", before, snapshot(p))
            return self._proposal_dict(p, s.get(Organisation, p.district_id).name)
