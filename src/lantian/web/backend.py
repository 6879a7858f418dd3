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

from lantian.clock import SYSTEM_CLOCK, Clock
from lantian.config import Settings
from lantian.errors import InputError, NotFound
from lantian.store import open_database
from lantian.store.models import Evidence, Organisation, User
from lantian.web.air import AirData
from lantian.web.auth import Principal
from lantian.web.security import hash_password, new_api_token, verify_password
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


def _page(items: list[dict], limit: int, offset: int) -> dict:
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit, "offset": offset}


class Backend:
    """Everything the routes need, over one store and one database, under the rules of the settings
    (``rules_file``) and the Beijing-time ``clock``."""

    def __init__(self, settings: Settings, web: WebSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.web = web
        self.clock = clock or SYSTEM_CLOCK
        self.rules = R.rules_from_settings(settings)
        self.db = open_database(settings.database_url)
        self.workflow = Workflow(self.db, self.rules, self.clock)
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
            raise InputError(f"未知的令牌权限 {scope!r}：可选 {'、'.join(SCOPES)}（只读 / 读写）")
        if not 1 <= days <= MAX_DAYS:
            raise InputError(f"令牌有效期应为 1 至 {MAX_DAYS} 天，实际为 {days} 天")
        token, digest = new_api_token()
        self.tokens_store.add(user.id, name.strip(), digest, scope, days)
        return token

    def revoke_token(self, user: Principal, token_id: int) -> None:
        if not self.tokens_store.revoke(user.id, token_id):
            raise NotFound(f"no token {token_id} of yours; see the API tokens page.")

    def users_page(self) -> dict:
        return {
            "users": self.workflow.list_users(),
            "roles": list(R.ROLES),
            "units": [u["name"] for u in self.workflow.list_units()],
        }

    def create_user(
        self, actor: Principal, username: str, display_name: str, role: str, unit: str | None, password: str
    ) -> dict:
        try:
            digest = hash_password(password)
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        return self.workflow.add_user(
            actor.username, username, display_name, role, unit, self.clock.now(), password_hash=digest
        )

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

    def targets(self, year: int | None) -> dict:
        return self.air.targets(year=year)

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
            "can_create": user.role in R.PERMISSIONS["create_case"],
        }

    def case_form(self) -> dict:
        units = self.workflow.list_units()
        return {
            "sources": list(R.SOURCES.items()),
            "categories": list(R.CATEGORIES),
            "severities": list(R.SEVERITIES.items()),
            "districts": [u["name"] for u in units if u["kind"] == "district"],
            "today": self._today().isoformat(),
            "deadlines": self.proposed_deadlines(),
        }

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
                    raise InputError(f"deadline {deadline!r} is not a date; use YYYY-MM-DD") from exc
            unit = str(data.get("unit") or "")
            if not unit:
                raise InputError("assign needs the responsible unit (unit)")
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
        raise InputError(f"unknown action {action!r}; actions are {', '.join(ACTION_FORMS)}")

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
        actions = list(R.allowed_actions(c["status"], user.role))
        if user.role in R.PERMISSIONS["supervise"] and c["status"] != "closed":
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
            "can_upload": user.role in R.PERMISSIONS["add_evidence"],
            "can_comment": user.role in R.PERMISSIONS["comment"],
        }

    def _evidence_rows(self, case_id: int) -> list[dict]:
        with self.db.session() as s:
            rows = s.execute(
                select(Evidence, User.username)
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
                    "by": who,
                    "when": e.uploaded_at.strftime("%Y-%m-%d %H:%M"),
                }
                for e, who in rows
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
                raise NotFound(f"case {case_id} has no evidence {evidence_id}")
            path = Path(row.file_path).resolve()
            if not path.is_relative_to(self.evidence_dir.resolve()) or not path.is_file():
                raise NotFound(f"the file of evidence {evidence_id} is not available")
            return path, row.content_type, path.name.split("_", 1)[-1]

    # -- cycle ----------------------------------------------------------------------------------

    def cycle(self, user: Principal, kind: str, period: str | None) -> dict:
        from lantian.web import cycle

        return cycle.summary(self, user, kind, period).to_dict()

    def monthly(self, user: Principal, period: str | None) -> dict:
        from lantian.web import cycle

        return cycle.monthly(self, user, period)

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
        raise InputError(f"version {value!r} is not a whole number") from exc
