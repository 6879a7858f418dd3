"""Tables of the supervision database (SQLAlchemy 2 declarative models).

Times are naive local times (Asia/Shanghai, the office's clock); deadlines and escalation dates are
calendar days. The schema itself is created and changed only by the Alembic revisions in
``lantian/store/migrations/versions``; these models must match the newest revision.

Value vocabularies (role, kind, status, source, category, severity, level) are checked by the
workflow rules (``lantian.workflow.rules``); the database stores them as short strings.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every lantian table."""


class Organisation(Base):
    """A unit: the city office (``office``), a district or county (``district``), a department."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: Notification channels (revision 0008): a chat robot's URL and e-mail addresses (comma-separated).
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)


class User(Base):
    """A person: ``admin`` (city office), ``officer`` (of one unit), ``inspector``, ``leader``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: Set by an administrator's reset (a one-time password): the next login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: Notification channels (revision 0008), as for a unit.
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)

    unit: Mapped[Organisation | None] = relationship()


class Case(Base):
    """A problem (问题) found by patrol, complaint, monitoring or satellite, and its current state.

    ``version`` is the optimistic-locking counter: every UPDATE is ``... WHERE version = :seen`` and a
    concurrent edit that lost the race fails instead of overwriting the winner.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    district: Mapped[Organisation] = relationship(foreign_keys=[district_id])
    unit: Mapped[Organisation | None] = relationship(foreign_keys=[unit_id])
    reporter: Mapped[User] = relationship(foreign_keys=[reported_by])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_cases_unit_status", "unit_id", "status"),
        Index("ix_cases_status_deadline", "status", "deadline"),
    )


class Evidence(Base):
    """An attachment (photo, document) kept as a file; the row records where and its digest."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    file_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class Rectification(Base):
    """A rectification report (整改报告) submitted by the responsible unit."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped[str] = mapped_column(Text)


class Verification(Base):
    """The city office's check of a report: ``closed`` (销号) or ``returned`` (退回重改)."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    verified_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)


class Reopening(Base):
    """A closed case opened again (the problem came back)."""

    __tablename__ = "reopenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reopened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)


class Supervision(Base):
    """A supervision action (督办) by the city office on a case."""

    __tablename__ = "supervisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    supervised_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supervised_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text)


class Escalation(Base):
    """One step of the ladder 提醒 → 通报 → 约谈 → 移交纪委监委 reached by an overdue case.

    Unique per (case, level, deadline): applying the ladder again adds nothing, and a case given a
    new deadline (after reopening) can climb the ladder again.
    """

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    level: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[date] = mapped_column(Date)
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("case_id", "level", "deadline", name="uq_escalation_step"),)


class Comment(Base):
    """A remark on a case."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    body: Mapped[str] = mapped_column(Text)


class PatrolLog(Base):
    """A daily patrol entry (日巡查): who patrolled where, what was found."""

    __tablename__ = "patrol_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    area: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text)
    cases_found: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Proposal(Base):
    """A case proposed from monitoring data, for an officer of its district to accept or dismiss."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_code: Mapped[str] = mapped_column(String(32))
    district_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    pollutant: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[datetime] = mapped_column(DateTime)
    end_time: Mapped[datetime] = mapped_column(DateTime)
    hours: Mapped[int] = mapped_column(Integer)
    max_ratio: Mapped[float] = mapped_column(Float)
    mean_excess: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("station_code", "pollutant", "start_time", name="uq_proposal_episode"),
    )


class ScoringConfig(Base):
    """The scoring rules of one assessment year (TOML text and the air-quality weight it sets)."""

    __tablename__ = "scoring_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    air_quality_weight: Mapped[float] = mapped_column(Float)
    config: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AuditEntry(Base):
    """Append-only record of every change: who, when, which entity, action, before and after.

    A database trigger rejects UPDATE and DELETE on this table (revision 0001).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class ApiToken(Base):
    """An API client's token: only its SHA-256 digest is stored; revoked tokens stay for the record."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "read" (GET only) or "write" (also the case actions of the API)
    scope: Mapped[str] = mapped_column(String(10), default="write")
    #: After this moment (Beijing time) the token opens nothing; ``None``: no expiry (tokens made before 0005).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebSession(Base):
    """A browser session of the web interface, kept on the server so that it can be ended: logout, a
    password change or a disabled user end it at once. Only a SHA-256 digest of its secret is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class JobRun(Base):
    """One run of a scheduled job of ``lantian run`` for one period (``2026-W14``, ``2026-04-06`` …).

    Unique per (job, period): a job is done at most once per period, whatever restarts happen; a run
    cut short (``running`` when its process died) or ``failed`` is taken up again.
    """

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    #: running | done | failed
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The process that runs or ran it (``host:pid:start``).
    runner: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run"),)


class OpsMark(Base):
    """A named value of the running service: its heartbeat, each job's last success and failure, the
    newest hour alerted on per city."""

    __tablename__ = "ops_marks"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Notification(Base):
    """The outbox: one message to one channel (webhook or e-mail), written in the transaction that
    decides it and sent afterwards; unique per (key, channel, target), so a decision taken twice sends once.
    After the last attempt fails the row stays as ``dead`` (the dead-letter record)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What it is about, unique per event (``escalation:3:remind:2026-03-20``, ``heavy-hour:株洲:…``).
    key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(40))
    #: webhook | email | none (no channel configured: recorded, not sent)
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(500))
    #: The unit the event concerns (a case's unit), if any.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: pending | sent | dead | unrouted
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (UniqueConstraint("key", "channel", "target", name="uq_notification"),)


class ArchivedReport(Base):
    """A report made on schedule (daily bulletin, weekly dispatch, monthly notice, quarterly review),
    one per (kind, period): written when the report is published, with the document number it carries
    (the next of its kind and year), so a report that could not be made takes no number."""

    __tablename__ = "report_archive"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: The HTML file, relative to the archive directory (``None`` until written).
    path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (UniqueConstraint("kind", "period", name="uq_report_archive"),)
