"""Glue between the web interface and the layers below: it builds the context dicts that pages render
and the API returns. Figures come from :mod:`lantian.web.air` (pipeline/calc over the Parquet store),
case work from :class:`lantian.workflow.services.Workflow` (which checks every permission itself).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select

from lantian import schema
from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.config import Settings
from lantian.errors import InputError, NotFound
from lantian.store import open_database
from lantian.store.models import Evidence, Organisation, User
from lantian.web.air import AirData
from lantian.web.auth import Principal
from lantian.web.security import new_api_token, verify_password
from lantian.web.sessions import SessionStore
from lantian.web.settings import WebSettings
from lantian.web.tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES, TokenStore
from lantian.workflow import rules as R
from lantian.workflow.services import Workflow

#: Form fields each lifecycle action needs (and the label shown on its button).
ACTION_FORMS: dict[str, dict] = {
    "assign": {"needs_unit": True, "needs_deadline": True, "zh": "交办", "en": "Assign"},
    "start": {"zh": "签收整改", "en": "Start rectification"},
    "rectify": {"needs_note": True, "zh": "提交整改报告", "en": "Submit rectification report"},
    "verify": {"needs_note": True, "zh": "核查销号", "en": "Verify and close"},
    "return": {"needs_note": True, "zh": "退回重改", "en": "Return for rework"},
    "reopen": {"needs_note": True, "zh": "重新打开", "en": "Reopen"},
    "supervise": {"needs_note": True, "zh": "督办", "en": "Supervise (督办)"},
}
STATUS_EN = {
    "reported": "Reported",
    "assigned": "Assigned",
    "rectifying": "Rectifying",
    "submitted": "Awaiting verification",
    "returned": "Returned",
    "closed": "Closed",
    "reopened": "Reopened",
}
SOURCE_EN = {
    "patrol": "Patrol",
    "complaint": "Complaint",
    "monitoring": "Monitoring",
    "satellite": "Satellite",
}
SEVERITY_EN = {"low": "Minor", "medium": "Serious", "high": "Severe"}
AUDIT_ZH = {
    "create": "登记问题",
    "assign": "交办",
    "start": "签收整改",
    "rectify": "提交整改报告",
    "verify": "核查销号",
    "return": "退回重改",
    "reopen": "重新打开",
    "edit": "修改",
}


#: States of a notification (lantian.ops.notify): Chinese, English.
NOTIFY_STATUS = {
    "pending": ("待发送", "Pending"),
    "sent": ("已送达", "Delivered"),
    "dead": ("发送失败（死信）", "Failed (dead letter)"),
    "unrouted": ("未发送（未配置渠道）", "Not sent (no channel)"),
}


def _page(items: list[dict], limit: int, offset: int) -> dict:
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit, "offset": offset}


class Backend:
    """Everything the routes need, over one store and one database, under the rules of the settings
    (``rules_file``) and the Beijing-time ``clock``."""

    def __init__(self, settings: Settings, web: WebSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.web = web
        self.clock = clock or SYSTEM_CLOCK
        self.db = open_database(settings.database_url)
        self.workflow = Workflow.from_settings(self.db, settings, self.clock)
        self.rules = self.workflow.rules
        self.tokens_store = TokenStore(self.db.engine, self.clock)
        self.sessions = SessionStore(self.db.engine, web.session_max_age, self.clock)
        self.air = AirData(settings)
        self.evidence_dir = Path(settings.data_dir) / "evidence"

    # -- users and authentication ---------------------------------------------------------------

    def _principal(self, user: User, via: str = "session") -> Principal:
        return Principal(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit_id=user.unit_id,
            unit_name=user.unit.name if user.unit else None,
            via=via,
            must_change_password=bool(user.must_change_password),
        )

    def principal(self, user_id: int, via: str = "session") -> Principal | None:
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None or not user.active:
                return None
            return self._principal(user, via)

    def password_version(self, user_id: int) -> str | None:
        """Changes when the password changes, which ends the user's other sessions."""
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None or not user.password_hash:
                return None
            return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]

    def check_password(self, username: str, password: str) -> Principal | None:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username.strip()))
            stored = user.password_hash if user is not None and user.active else None
            if not verify_password(stored, password):
                return None
            return self._principal(user)

    def principal_for_token(self, digest: str) -> Principal | None:
        found = self.tokens_store.user_for(digest)
        if found is None:
            return None
        principal = self.principal(found[0], via="token")
        return dataclasses.replace(principal, scope=found[1]) if principal is not None else None

    def tokens(self, user: Principal) -> list[dict]:
        return self.tokens_store.list(user.id)

    def create_token(self, user: Principal, name: str, scope: str = "read", days: int = DEFAULT_DAYS) -> str:
        if scope not in SCOPES:
            raise InputError(
                f"未知的令牌权限“{scope}”：可选 {'、'.join(SCOPES)}（只读 / 读写）",
                en=f"unknown token scope {scope!r}: use {' or '.join(SCOPES)}.",
            )
        if not 1 <= days <= MAX_DAYS:
            raise InputError(
                f"令牌有效期应为 1 至 {MAX_DAYS} 天，实际为 {days} 天",
                en=f"a token is valid for 1 to {MAX_DAYS} days, not {days}.",
            )
        token, digest = new_api_token()
        self.tokens_store.add(user.id, name.strip(), digest, scope, days)
        return token

    def revoke_token(self, user: Principal, token_id: int) -> None:
        if not self.tokens_store.revoke(user.id, token_id):
            raise NotFound(
                f"您没有编号为 {token_id} 的令牌；请在“API 令牌”页面查看。",
                en=f"no token {token_id} of yours; see the API tokens page.",
            )

    def users_page(self) -> dict:
        with self.db.session() as s:
            unit_channels = {
                u.name: {"webhook_url": u.webhook_url, "email": u.email}
                for u in s.scalars(select(Organisation))
            }
            user_channels = {
                u.username: {"webhook_url": u.webhook_url, "email": u.email} for u in s.scalars(select(User))
            }
        return {
            "unit_channels": unit_channels,
            "user_channels": user_channels,
            "users": self.workflow.list_users(),
            "roles": list(R.ROLES),
            "units": [u["name"] for u in self.workflow.list_units()],
            "min_length": self.workflow.password_min_length,
            "unit_list": self.workflow.list_units(),
            "unit_kinds": [(k, v) for k, v in R.UNIT_KINDS.items() if k != "office"],
        }

    def create_user(
        self, actor: Principal, username: str, display_name: str, role: str, unit: str | None, password: str
    ) -> dict:
        return self.workflow.add_user(
            actor.username, username, display_name, role, unit, self.clock.now(), password=password
        )

    def create_unit(self, actor: Principal, name: str, kind: str) -> dict:
        return self.workflow.add_unit(actor.username, name, kind, self.clock.now())

    def set_channels(self, actor: Principal, of: str, name: str, webhook: str, email: str) -> dict:
        """A unit's or a user's notification channels (an empty field removes that channel)."""
        return self.workflow.set_channels(
            actor.username, of, name, self.clock.now(), webhook=webhook, email=email
        )

    def change_own_password(self, user: Principal, current: str, new: str, confirm: str) -> None:
        """The user's own change (current password required); every session of the user ends."""
        if new != confirm:
            raise InputError(
                "两次输入的新密码不一致；请重新输入。", en="the two new passwords differ; type them again."
            )
        self.workflow.set_password(
            user.username, user.username, new, self.clock.now(), current_password=current
        )

    def reset_password(self, actor: Principal, username: str) -> str:
        """An administrator's reset: the one-time password, to be shown once."""
        return self.workflow.reset_password(actor.username, username, self.clock.now())[1]

    def set_active(self, actor: Principal, username: str, active: bool) -> dict:
        return self.workflow.set_active(actor.username, username, active, self.clock.now())

    # -- air quality ----------------------------------------------------------------------------

    def today(self, lang: str) -> dict:
        return self.air.today(lang)

    def year(self, lang: str, year: int | None = None) -> dict:
        return self.air.year(lang, year)

    def stations_page(self, city: str | None, limit: int, offset: int) -> dict:
        return _page(self.air.stations(city), limit, offset)

    def hourly_page(self, station, city, start, end, limit: int, offset: int) -> dict:
        return _page(self.air.hourly(station=station, city=city, start=start, end=end), limit, offset)

    def daily_page(self, station, city, start, end, limit: int, offset: int) -> dict:
        return _page(self.air.daily(station=station, city=city, start=start, end=end), limit, offset)

    def assessment(self, city: str | None, period: str) -> dict:
        return self.air.assessment(city=city, period=period)

    def rankings(self, period: str, by: str) -> dict:
        return self.air.rankings(period=period, by=by)

    def outlook(self, city, year, as_of) -> dict:
        return self.air.outlook(city, year, as_of)

    def explain(self, city, period: str) -> dict:
        return self.air.explain(city, period)

    def province_board(self, day) -> dict:
        return self.air.board(day)

    def province_page(self, lang: str, day) -> dict:
        return self.air.board_page(lang, day)

    def targets(self, year: int | None) -> dict:
        return self.air.targets(year=year)

    def profiles(self, city: str | None, station: str | None, period: str, pollutant: str) -> dict:
        return self.air.profiles(city=city, station=station, period=period, pollutant=pollutant)

    def analysis_page(
        self, lang: str, city: str | None, station: str | None, period: str | None, pollutant: str
    ) -> dict:
        return self.air.analysis_page(lang, city=city, station=station, period=period, pollutant=pollutant)

    def warnings(self) -> dict:
        return self.air.warnings()

    # -- cases ----------------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self.clock.today()

    def proposed_deadlines(self) -> dict[str, dict[str, str]]:
        """The deadline the rules give a case assigned today, by category and severity."""
        today = self._today()
        return {
            c: {sev: self.rules.deadline(c, sev, today).isoformat() for sev in R.SEVERITIES}
            for c in R.CATEGORIES
        }

    def _card(self, c: dict, lang: str) -> dict:
        overdue = c.get("overdue_days", 0)
        return {
            **c,
            "overdue": overdue > 0,
            "days_overdue": overdue,
            "status_label": STATUS_EN.get(c["status"]) if lang == "en" else R.STATUSES.get(c["status"]),
            "summary": (c.get("description") or "")[:60],
        }

    def cases_page(self, user: Principal, status, district, unit, overdue, limit: int, offset: int) -> dict:
        rows = self.workflow.list_cases(
            user.username,
            status=status,
            unit=unit,
            district=district,
            today=self._today(),
            overdue_only=bool(overdue),
        )
        if overdue is False:
            rows = [r for r in rows if r.get("overdue_days", 0) == 0]
        return _page(rows, limit, offset)

    def board(self, user: Principal, lang: str, district: str | None = None, overdue: bool = False) -> dict:
        rows = self.workflow.list_cases(
            user.username, district=district, today=self._today(), overdue_only=overdue
        )
        cards = [self._card(r, lang) for r in rows]
        columns = []
        for status, zh in R.STATUSES.items():
            in_col = [c for c in cards if c["status"] == status]
            in_col.sort(key=lambda c: (-c["days_overdue"], c["id"]))
            columns.append(
                {"status": status, "label": STATUS_EN[status] if lang == "en" else zh, "cases": in_col}
            )
        districts = [u["name"] for u in self.workflow.list_units() if u["kind"] == "district"]
        return {
            "columns": columns,
            "total": len(cards),
            "overdue_count": sum(1 for c in cards if c["overdue"]),
            "districts": districts,
            "filters": {"district": district, "overdue": overdue},
            "can_create": self.rules.may("create_case", user.role),
        }

    def case_form(self, user: Principal) -> dict:
        self.rules.require("create_case", user.role)
        units = self.workflow.list_units()
        return {
            "sources": list(R.SOURCES.items()),
            "categories": list(R.CATEGORIES),
            "severities": list(R.SEVERITIES.items()),
            "districts": [u["name"] for u in units if u["kind"] == "district"],
            "today": self._today().isoformat(),
            "deadlines": self.proposed_deadlines(),
        }

    def patrol_form(self, user: Principal) -> dict:
        """日巡查 form: the districts the user may patrol, the case vocabularies, today."""
        self.rules.require("patrol", user.role)
        units = self.workflow.list_units()
        districts = [u["name"] for u in units if u["kind"] == "district"]
        if user.role == "officer":
            districts = [d for d in districts if d == user.unit_name]
        return {
            "districts": districts,
            "categories": list(R.CATEGORIES),
            "severities": list(R.SEVERITIES.items()),
            "today": self._today().isoformat(),
            "can_create": self.rules.may("create_case", user.role),
        }

    def log_patrol(self, user: Principal, data: dict, problems: list[dict]) -> dict:
        """Record a patrol and its problems (each a case, its photos as evidence) in one transaction.
        Photos (``problems[i]["files"]``: ``[(name, content type, bytes)]``) are saved first and
        removed again if the workflow refuses."""
        folder = self.evidence_dir / "patrol"
        saved: list[Path] = []
        try:
            for problem in problems:
                photos = []
                for name, ctype, content in problem.pop("files", []):
                    folder.mkdir(parents=True, exist_ok=True)
                    path = folder / f"{hashlib.sha256(content).hexdigest()[:12]}_{name}"
                    path.write_bytes(content)
                    saved.append(path)
                    photos.append((path, ctype))
                problem["photos"] = photos
            day_text = str(data.get("day") or self._today().isoformat())
            try:
                day = dt.date.fromisoformat(day_text)
            except ValueError as exc:
                raise InputError(
                    f"巡查日期“{day_text}”不是日期；请写成 2026-03-05 的形式。",
                    en=f"patrol day {day_text!r} is not a date; use YYYY-MM-DD.",
                ) from exc
            return self.workflow.patrol(
                user.username,
                str(data.get("district") or ""),
                str(data.get("area") or ""),
                str(data.get("findings") or ""),
                day,
                self.clock.now(),
                problems=problems,
            )
        except Exception:
            for path in saved:
                path.unlink(missing_ok=True)
            raise

    def create_case(self, user: Principal, data: dict) -> dict:
        fields = {k: (data.get(k) or None) for k in ("longitude", "latitude")}
        return self.workflow.new_case(
            user.username,
            source=str(data.get("source") or ""),
            category=str(data.get("category") or ""),
            severity=str(data.get("severity") or "medium"),
            district=str(data.get("district") or ""),
            address=str(data.get("address") or ""),
            description=str(data.get("description") or ""),
            at=self.clock.now(),
            **fields,
        )

    def update_case(self, user: Principal, case_id: int, data: dict) -> dict:
        version = data.pop("version", None)
        return self.workflow.edit_case(
            user.username, case_id, data, self.clock.now(), expected_version=version
        )

    def transition(self, user: Principal, case_id: int, action: str, data: dict) -> dict:
        """Apply a lifecycle action (the workflow checks the role, the unit and the current state)."""
        wf, who, now = self.workflow, user.username, self.clock.now()
        version = _int_or_none(data.get("version"))
        note = str(data.get("note") or "").strip()
        if action == "assign":
            deadline = data.get("deadline") or None
            if isinstance(deadline, str):
                try:
                    deadline = dt.date.fromisoformat(deadline)
                except ValueError as exc:
                    raise InputError(
                        f"整改时限“{deadline}”不是日期；请写成 2026-03-05 的形式。",
                        en=f"deadline {deadline!r} is not a date; use YYYY-MM-DD.",
                    ) from exc
            unit = str(data.get("unit") or "")
            if not unit:
                raise InputError(
                    "交办须选择责任单位；请选择后再提交。", en="assign needs the responsible unit (unit)."
                )
            return wf.assign(who, case_id, unit, now, deadline=deadline, expected_version=version)
        if action == "start":
            return wf.start(who, case_id, now, expected_version=version)
        if action == "rectify":
            return wf.rectify(who, case_id, note, now, expected_version=version)
        if action == "verify":
            return wf.verify(
                who, case_id, now, note=note or "核查通过", accept=True, expected_version=version
            )
        if action == "return":
            return wf.verify(who, case_id, now, note=note, accept=False, expected_version=version)
        if action == "reopen":
            return wf.reopen(who, case_id, note, now, expected_version=version)
        if action == "supervise":
            return wf.supervise(who, case_id, note, now)
        raise InputError(
            f"未知的操作“{action}”；可用的操作："
            + "、".join(f"{a}（{form['zh']}）" for a, form in ACTION_FORMS.items())
            + "。",
            en=f"unknown action {action!r}; actions are {', '.join(ACTION_FORMS)}.",
        )

    def comment(self, user: Principal, case_id: int, text: str) -> dict:
        return self.workflow.comment(user.username, case_id, text, self.clock.now())

    def case(self, user: Principal, case_id: int, lang: str) -> dict:
        """A case with its timeline, evidence and the actions this user may take now."""
        c = self.workflow.show_case(user.username, case_id, today=self._today())  # checks visibility
        card = self._card(c, lang)
        card["source_label"] = SOURCE_EN.get(c["source"]) if lang == "en" else R.SOURCES.get(c["source"])
        card["severity_label"] = (SEVERITY_EN if lang == "en" else R.SEVERITIES).get(
            c["severity"], c["severity"]
        )
        names = {u["username"]: u["display_name"] for u in self.workflow.list_users()}
        timeline = []
        for e in self.workflow.audit_trail("case", case_id):
            after = e.get("after") or {}
            what = e["action"] if lang == "en" else AUDIT_ZH.get(e["action"], e["action"])
            if e["action"] == "assign" and after.get("deadline"):
                what += f" → {after.get('deadline')}"
            timeline.append(
                {"when": e["at"], "who": names.get(e["actor"], e["actor"]), "what": what, "note": ""}
            )
        extra = [
            *[(r["submitted_at"], "rectify", r["report"]) for r in c["rectifications"]],
            *[(r["verified_at"], r["outcome"], r["note"]) for r in c["verifications"]],
            *[(r["reopened_at"], "reopen", r["reason"]) for r in c["reopenings"]],
            *[(r["supervised_at"], "supervise", r["note"]) for r in c["supervisions"]],
            *[(r["on_date"], r["level_name"], r["reason"]) for r in c["escalations"]],
            *[
                (r["at"], "comment", f"{names.get(r['author'], r['author'])}: {r['body']}")
                for r in c["comments"]
            ],
        ]
        for when, kind, text in extra:
            label = {
                "rectify": "整改报告",
                "closed": "核查意见",
                "returned": "退回意见",
                "reopen": "重新打开原因",
                "supervise": "督办",
                "comment": "评论",
            }.get(kind, kind)
            timeline.append({"when": when, "who": "", "what": kind if lang == "en" else label, "note": text})
        for e in timeline:
            e["when"] = str(e["when"]).replace("T", " ")
        timeline.sort(key=lambda e: e["when"])
        actions = list(self.rules.allowed_actions(c["status"], user.role))
        if self.rules.may("supervise", user.role) and c["status"] != "closed":
            actions.append("supervise")
        evidence = self._evidence_rows(case_id)
        units = [u["name"] for u in self.workflow.list_units() if u["kind"] in ("district", "department")]
        return {
            "case": card,
            "timeline": timeline,
            "evidence": evidence,
            "actions": [
                {"name": a, "label": ACTION_FORMS[a][lang if lang == "en" else "zh"], **ACTION_FORMS[a]}
                for a in actions
                if a in ACTION_FORMS
            ],
            "units": units,
            "default_deadline": self.rules.deadline(c["category"], c["severity"], self._today()).isoformat(),
            "can_upload": self.rules.may("add_evidence", user.role),
            "can_comment": self.rules.may("comment", user.role),
            "notifications": self._notifications(case_id, lang),
        }

    def _notifications(self, case_id: int, lang: str) -> list[dict]:
        """The case's notifications (``lantian run``'s outbox): to whom, what, when, delivered or not."""
        from lantian.ops.notify import notifications

        out = []
        for n in notifications(self.db, case_id=case_id):
            channel = {
                "webhook": ("机器人", "Robot"),
                "email": ("邮件", "E-mail"),
                "none": ("未配置渠道", "No channel"),
            }
            state = NOTIFY_STATUS.get(n["status"], (n["status"], n["status"]))
            pick = 1 if lang == "en" else 0
            out.append(
                {
                    "event": n["event"] if lang == "en" else n["event_name"],
                    "channel": channel.get(n["channel"], (n["channel"], n["channel"]))[pick],
                    "target": n["target"] if n["channel"] != "none" else "—",
                    "subject": n["subject"],
                    "when": str(n["sent_at"] or n["created_at"]).replace("T", " ")[:16],
                    "status": n["status"],
                    "status_label": state[pick],
                    "error": n["last_error"],
                }
            )
        return out

    # -- the archive of scheduled reports --------------------------------------------------------

    def archive_page(self, lang: str) -> dict:
        """The reports that ``lantian run`` made on schedule (``report_archive``), newest first."""
        from lantian.ops.runs import archive

        names = {
            "daily": ("空气质量日报", "Daily bulletin"),
            "weekly": ("周调度", "Weekly dispatch"),
            "monthly": ("月考核通报", "Monthly notice"),
            "quarterly": ("季考核讲评", "Quarterly review"),
        }
        rows = []
        for r in archive(self.db):
            rows.append(
                {
                    **r,
                    "kind_label": names.get(r["kind"], (r["kind"], r["kind"]))[1 if lang == "en" else 0],
                    "when": str(r["published_at"] or r["created_at"]).replace("T", " ")[:16],
                }
            )
        return {"reports": rows}

    def archive_file(self, report_id: int) -> tuple[Path, str]:
        """The stored HTML of an archived report, refused unless the file lies inside the archive folder."""
        from lantian.ops.runs import archived

        row = archived(self.db, report_id)
        if row is None or not row["path"]:
            raise NotFound(
                f"报告存档中没有编号为 {report_id} 的报告；请在“报告存档”页面查看。",
                en=f"no archived report {report_id}; see the reports archive page.",
            )
        root = Path(self.settings.value("archive_dir")).resolve()
        path = (root / row["path"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound(
                f"报告 {row['number']} 的文件不在报告存档目录 {root} 中；请检查设置 run.archive_dir。",
                en=f"the file of report {row['number']} is not in the archive folder {root}; "
                "check the setting run.archive_dir.",
            )
        return path, f"{row['number']} {row['title'] or ''}".strip()

    def _evidence_rows(self, case_id: int) -> list[dict]:
        with self.db.session() as s:
            rows = s.execute(
                select(Evidence, User.display_name, User.username)
                .join(User, Evidence.uploaded_by == User.id)
                .where(Evidence.case_id == case_id)
                .order_by(Evidence.id)
            ).all()
            return [
                {
                    "id": e.id,
                    "name": Path(e.file_path).name.split("_", 1)[-1],
                    "size_kb": max(1, round(e.size / 1024)),
                    "content_type": e.content_type,
                    "sha256": e.sha256,
                    "by": name or username,
                    "when": e.uploaded_at.strftime("%Y-%m-%d %H:%M"),
                }
                for e, name, username in rows
            ]

    def add_evidence(self, user: Principal, case_id: int, name: str, content_type: str, data: bytes) -> dict:
        self.workflow.show_case(user.username, case_id)  # visibility first: nothing is written if refused
        folder = self.evidence_dir / str(case_id)
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()
        path = folder / f"{digest[:12]}_{name}"
        path.write_bytes(data)
        try:
            return self.workflow.add_evidence(
                user.username,
                case_id,
                path,
                self.clock.now(),
                content_type=content_type,
            )
        except Exception:
            path.unlink(missing_ok=True)
            raise

    def evidence_file(self, user: Principal, case_id: int, evidence_id: int) -> tuple[Path, str, str]:
        self.workflow.show_case(user.username, case_id)
        with self.db.session() as s:
            row = s.get(Evidence, evidence_id)
            if row is None or row.case_id != case_id:
                raise NotFound(
                    f"问题 {case_id} 没有编号为 {evidence_id} 的佐证材料；请返回问题页面查看。",
                    en=f"case {case_id} has no evidence {evidence_id}.",
                )
            path = Path(row.file_path).resolve()
            if not path.is_relative_to(self.evidence_dir.resolve()) or not path.is_file():
                raise NotFound(
                    f"佐证材料 {evidence_id} 的文件已不在服务器上；请联系管理员。",
                    en=f"the file of evidence {evidence_id} is not available; tell the administrator.",
                )
            return path, row.content_type, path.name.split("_", 1)[-1]

    # -- cycle ----------------------------------------------------------------------------------

    def cycle(self, user: Principal, kind: str, period: str | None) -> dict:
        from lantian.web import cycle

        return cycle.summary(self, user, kind, period).to_dict()

    def monthly(self, user: Principal, period: str | None) -> dict:
        from lantian.web import cycle

        return cycle.monthly(self, user, period)

    def cycle_page(self, user: Principal, kind: str, period: str | None, lang: str) -> dict:
        from lantian.web import cycle

        ctx = (cycle.weekly if kind == "weekly" else cycle.quarterly)(self, user, period, lang)
        ctx["downloads"] = self.report_links(kind, ctx["period"], lang)
        return ctx

    #: The documents of the cycle pages (Chinese, English).
    REPORT_NAMES = {
        "weekly": ("大气污染防治工作周调度", "weekly dispatch"),
        "monthly": ("月考核通报", "monthly notice"),
        "quarterly": ("季考核讲评", "quarterly review"),
    }

    def report_links(self, kind: str, period: str, lang: str) -> list[dict]:
        """Links to the page's document as PDF and XLSX (``/reports/KIND.FMT?period=…``)."""
        name = self.REPORT_NAMES[kind][1 if lang == "en" else 0]
        return [
            {
                "href": f"/reports/{kind}.{fmt}?period={period}",
                "label": f"{name}（{fmt.upper()}）",
                "fmt": fmt,
            }
            for fmt in ("pdf", "xlsx")
        ]

    def report_file(
        self, user: Principal, kind: str, fmt: str, period: str | None, lang: str
    ) -> tuple[str, str, bytes]:
        """The document of ``kind`` for ``period`` from the reports layer, as ``(file name, type, bytes)``."""
        from lantian.periods import parse_period
        from lantian.reports.render import render
        from lantian.reports.sources import build
        from lantian.web import cycle

        label = parse_period(period or cycle.default_period(kind, self._today()), kind=kind).label
        city = self.air.city()
        if not city:
            raise NotFound(
                "尚未设置本办所在城市（设置 web.city），也没有可据以推断的监测数据；请先设置城市或导入数据。",
                en="the office's city is not set (web.city) and no monitoring data tells it; "
                "set the city or ingest data first.",
            )
        doc = build(
            kind,
            city=city,
            period=label,
            lang=lang,
            store=self.settings.store,
            db=self.settings.database_url,
            actor=user.username,
            air_quality_file=self.settings.value("air_quality"),
        )
        ctype = (
            "application/pdf"
            if fmt == "pdf"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        city_name = schema.city_name(city)
        p = parse_period(label, kind=kind)
        title = self.REPORT_NAMES[kind][1 if lang == "en" else 0]
        return f"{city_name}{p.label_in(lang)}{title}.{fmt}", ctype, render(doc, fmt)

    def units(self) -> list[dict]:
        return self.workflow.list_units()

    def unit_names(self, kinds: tuple[str, ...]) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(Organisation.name).where(Organisation.kind.in_(kinds))).all())


def _int_or_none(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"版本号“{value}”不是整数；请刷新页面后再提交。", en=f"version {value!r} is not a whole number."
        ) from exc
