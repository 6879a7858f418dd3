"""Supervision commands: ``lantian db``, ``org``, ``user``, ``case``, ``escalate``, ``cycle``, ``scoring``, ``proposals``.

Every command takes ``--db URL`` (else ``LANTIAN_DATABASE_URL``, else the SQLite file in the data
directory; the schema is upgraded on first use) and acts as the user named by ``--as`` (or
``LANTIAN_USER``). Times (``--at``, ``--now``) are Beijing times in ISO form such as ``2026-03-05T09:30``
or days (``2026-03-05``, meaning midnight; a time with an offset is converted); the default is the
current Beijing time (:mod:`lantian.clock`), whatever the server's time zone. Deadlines and the
escalation ladder are the rules of the setting ``rules_file`` (``--rules`` overrides it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lantian.cli import app
from lantian.clock import SYSTEM_CLOCK, Clock, to_beijing
from lantian.errors import InputError
from lantian.jsonable import dumps

#: The clock of every command (Beijing time).
CLOCK: Clock = SYSTEM_CLOCK

db_app = typer.Typer(help="The supervision database.", no_args_is_help=True)
org_app = typer.Typer(
    help="Organisations: city office, districts/counties, departments.", no_args_is_help=True
)
user_app = typer.Typer(help="Users and roles (admin, officer, inspector, leader).", no_args_is_help=True)
case_app = typer.Typer(help="Cases (问题): 发现→交办→整改→核查销号.", no_args_is_help=True)
cycle_app = typer.Typer(help="日巡查、周调度、月考核通报、季考核讲评.", no_args_is_help=True)
scoring_app = typer.Typer(help="Scoring configurations of the monthly assessment.", no_args_is_help=True)
proposals_app = typer.Typer(help="Case proposals from monitoring anomalies.", no_args_is_help=True)
for _sub, _name in (
    (db_app, "db"),
    (org_app, "org"),
    (user_app, "user"),
    (case_app, "case"),
    (cycle_app, "cycle"),
    (scoring_app, "scoring"),
    (proposals_app, "proposals"),
):
    app.add_typer(_sub, name=_name)

DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (sqlite:///… or postgresql+psycopg://…).")
]
AsOpt = Annotated[str | None, typer.Option("--as", envvar="LANTIAN_USER", help="Acting user name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
AtOpt = Annotated[str | None, typer.Option("--at", help="When it happened (ISO Beijing time; default now).")]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="The moment to evaluate at (ISO Beijing time; default now).")
]
VersionOpt = Annotated[
    int | None,
    typer.Option("--version", help="Refuse unless the case is still at this version (optimistic lock)."),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="TOML file of deadlines and ladder thresholds (default: the setting rules_file)."
    ),
]


def parse_when(text: str | None) -> datetime:
    """A naive Beijing datetime from ISO text (a day means its midnight); now when ``text`` is None."""
    if text is None:
        return CLOCK.now()
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(
            f"time {text!r} is not ISO 8601; write e.g. 2026-03-05 or 2026-03-05T09:30."
        ) from exc
    return to_beijing(value)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"day {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2026-03-20).") from exc


@contextmanager
def workflow(db: str | None, rules: Path | None = None) -> Iterator:
    from lantian import config
    from lantian.store import open_database
    from lantian.workflow.services import Workflow

    settings = config.load(database_url=db, rules_file=rules)
    database = open_database(settings.database_url)
    try:
        yield Workflow.from_settings(database, settings, CLOCK)
    finally:
        database.dispose()


def _actor(actor: str | None) -> str:
    if not actor:
        raise InputError("请用 --as 用户名（或环境变量 LANTIAN_USER）指明由谁办理。")
    return actor


def _print_json(data) -> None:
    typer.echo(dumps(data))


#: Column headers of the tables: the words a user reads, not the keys of the JSON (``--json`` keeps those).
HEADERS = {
    "id": "编号",
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "role_name": "角色",
    "unit": "单位",
    "active": "启用",
    "has_password": "已设密码",
    "must_change_password": "须改密码",
    "name": "名称",
    "kind": "类别",
    "kind_name": "类别",
    "field": "项目",
    "value": "内容",
    "status": "状态",
    "status_name": "状态",
    "category": "问题类别",
    "severity": "严重程度",
    "district": "区县",
    "deadline": "整改时限",
    "address": "地址",
    "description": "问题描述",
    "source": "来源",
    "overdue_days": "超期天数",
    "version": "版本",
    "case_id": "问题编号",
    "level_name": "升级层级",
    "on_date": "日期",
    "user": "巡查人",
    "area": "巡查区域",
    "findings": "发现问题",
    "cases_found": "登记问题",
    "new": "新增",
    "assigned": "交办",
    "closed": "销号",
    "overdue": "超期",
    "escalated": "升级",
    "rank": "排名",
    "score": "得分",
    "air_score": "空气质量得分",
    "work_score": "工作得分",
    "due": "到期",
    "on_time": "按期",
    "repeated": "反弹",
    "monthly_scores": "各月得分",
    "created_at": "登记时间",
    "at": "时间",
    "by": "办理人",
    "actor": "办理人",
    "note": "说明",
    "text": "内容",
    "report": "整改报告",
    "result": "结果",
    "reason": "原因",
    "level": "层级",
    "revision": "版本",
    "database": "数据库",
}
#: Table titles for the keys of a case's detail (``case show``).
TITLES = {
    "rectifications": "整改报告",
    "verifications": "核查",
    "supervisions": "督办",
    "escalations": "逾期升级",
    "reopenings": "退回重办",
    "comments": "评论",
}


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _table(title: str, rows: list[dict], columns: list[str]) -> None:
    table = Table(title=TITLES.get(title, title))
    for col in columns:
        table.add_column(HEADERS.get(col, col))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    Console().print(table)


def _emit(data, as_json: bool, title: str, columns: list[str] | None = None) -> None:
    if as_json:
        _print_json(data)
    elif isinstance(data, list):
        _table(title, data, columns or (list(data[0]) if data else []))
    else:
        _table(
            title,
            [{"field": k, "value": v} for k, v in data.items() if not isinstance(v, list | dict)],
            ["field", "value"],
        )


# -- db --------------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(
    db: DbOpt = None,
    revision: Annotated[str, typer.Option(help="Target revision (default: the newest).")] = "head",
    as_json: JsonOpt = False,
) -> None:
    """Create or upgrade the schema of the database."""
    from lantian import config
    from lantian.store import current_revision, head_revision, make_engine, upgrade

    engine = make_engine(config.load(database_url=db).database_url)
    try:
        before = current_revision(engine)
        after = upgrade(engine, revision)
    finally:
        engine.dispose()
    data = {"from": before, "to": after, "head": head_revision(), "backend": engine.dialect.name}
    _emit(data, as_json, "数据库")


# -- organisations and users -----------------------------------------------------------------------


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="Unit name, e.g. 雨湖区 or 住建.")],
    kind: Annotated[str, typer.Option(help="office | district | department")],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an organisation (admin; allowed without --as while the database has no users)."""
    with workflow(db) as wf:
        _emit(wf.add_unit(actor, name, kind, parse_when(at)), as_json, "单位")


@org_app.command("list")
def org_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List organisations."""
    with workflow(db) as wf:
        _emit(wf.list_units(), as_json, "单位", ["id", "name", "kind", "kind_name"])


WebhookOpt = Annotated[
    str | None,
    typer.Option("--webhook", help="Chat robot URL (JSON POST) for the notifications; \"\" removes it."),
]
EmailOpt = Annotated[
    str | None,
    typer.Option("--email", help="E-mail address(es), comma-separated, for the notifications; \"\" removes it."),
]


def _set_channels(of: str, name: str, webhook, email, db, actor, at, as_json: bool) -> None:
    if webhook is None and email is None:
        raise InputError("请给出 --webhook URL 或 --email 地址（或两者）；空字符串 \"\" 取消该渠道。")
    with workflow(db) as wf:
        data = wf.set_channels(_actor(actor), of, name, parse_when(at), webhook=webhook, email=email)
    _emit(data, as_json, "通知渠道")


@org_app.command("channel")
def org_channel(
    name: Annotated[str, typer.Argument(help="Unit name, e.g. 荷塘区.")],
    webhook: WebhookOpt = None,
    email: EmailOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a unit's notification channels (admin): its cases assigned and their ladder steps go there."""
    _set_channels("unit", name, webhook, email, db, actor, at, as_json)


PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input (for scripts)."
    ),
]


def read_password(from_stdin: bool, username: str) -> str:
    """The new password: the first line of standard input, or asked twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError(
                "标准输入中没有密码：请在第一行写入密码，例如 printf '%s\\n' \"$PW\" | lantian …"
            )
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("没有可输入密码的终端：请在终端中运行，或用 --password-stdin 从标准输入读取密码。")
    return typer.prompt(f"{username} 的新密码", hide_input=True, confirmation_prompt="再次输入新密码")


@app.command("init")
def init(
    admin: Annotated[str, typer.Option("--admin", help="User name of the first administrator.")] = "admin",
    name: Annotated[str, typer.Option("--name", help="The administrator's display name.")] = "管理员",
    office: Annotated[str, typer.Option("--office", help="Name of the city office.")] = "市蓝天办",
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set up a new deployment: create the database, the city office and its first administrator."""
    from lantian import config

    password = read_password(password_stdin, admin)
    with workflow(db) as wf:
        data = wf.init_office(office, admin, name, password, CLOCK.now())
    url = config.load(database_url=db).database_url
    if as_json:
        _print_json({**data, "database": url})
        return
    typer.echo(f"已初始化：{data['office']}，管理员 {admin}（{name}）；数据库 {url}")
    typer.echo("下一步：lantian serve，然后用该管理员登录，在“用户管理”中添加各单位的用户。")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    role: Annotated[str, typer.Option(help="admin | officer | inspector | leader")],
    unit: Annotated[str | None, typer.Option(help="The officer's district or department.")] = None,
    password_stdin: PasswordStdinOpt = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Add without a password (the user cannot log in yet).")
    ] = False,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user with a password (admin; the first user must be an admin and needs no --as)."""
    password = None if no_password else read_password(password_stdin, username)
    with workflow(db) as wf:
        data = wf.add_user(actor, username, name, role, unit, parse_when(at), password=password)
    _emit(data, as_json, "用户")


@user_app.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument()],
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password (an admin for anyone, a user for themself); their sessions end."""
    who = _actor(actor)
    password = read_password(password_stdin, username)
    with workflow(db) as wf:
        data = wf.set_password(who, username, password, parse_when(at))
    _emit(data, as_json, "用户")


def _set_active(username: str, active: bool, db, actor, at, as_json: bool) -> None:
    with workflow(db) as wf:
        data = wf.set_active(_actor(actor), username, active, parse_when(at))
    _emit(data, as_json, "用户")


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument()],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disable a user (admin): their sessions and API tokens stop working at once."""
    _set_active(username, False, db, actor, at, as_json)


@user_app.command("enable")
def user_enable(
    username: Annotated[str, typer.Argument()],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enable a disabled user again (admin)."""
    _set_active(username, True, db, actor, at, as_json)


@user_app.command("channel")
def user_channel(
    username: Annotated[str, typer.Argument()],
    webhook: WebhookOpt = None,
    email: EmailOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's notification channels (admin): an officer receives their unit's, an administrator the office's."""
    _set_channels("user", username, webhook, email, db, actor, at, as_json)


@user_app.command("list")
def user_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List users."""
    with workflow(db) as wf:
        _emit(
            wf.list_users(),
            as_json,
            "用户",
            ["id", "username", "display_name", "role", "unit", "active", "has_password"],
        )


# -- cases -----------------------------------------------------------------------------------------

CASE_COLUMNS = ["id", "status_name", "category", "severity", "district", "unit", "deadline", "address"]


@case_app.command("new")
def case_new(
    district: Annotated[str, typer.Option(help="District where the problem is.")],
    category: Annotated[str, typer.Option(help="扬尘|露天焚烧|工业排放|机动车/柴油货车|餐饮油烟|其他")],
    address: Annotated[str, typer.Option()],
    description: Annotated[str, typer.Option()],
    source: Annotated[str, typer.Option(help="patrol|complaint|monitoring|satellite")] = "patrol",
    severity: Annotated[str, typer.Option(help="low|medium|high (一般/较重/严重)")] = "medium",
    lon: Annotated[float | None, typer.Option(help="Longitude (°E).")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude (°N).")] = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a problem (发现); inspectors and the city office."""
    with workflow(db) as wf:
        data = wf.new_case(
            _actor(actor),
            source=source,
            category=category,
            severity=severity,
            district=district,
            address=address,
            description=description,
            longitude=lon,
            latitude=lat,
            at=parse_when(at),
        )
        _emit(data, as_json, f"问题 {data['id']}")


@case_app.command("assign")
def case_assign(
    case_id: Annotated[int, typer.Argument()],
    unit: Annotated[str, typer.Option(help="Responsible district or department.")],
    deadline: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: by category and severity).")
    ] = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    version: VersionOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """交办: give the case to a unit with a deadline (city office)."""
    with workflow(db, rules) as wf:
        data = wf.assign(
            _actor(actor),
            case_id,
            unit,
            parse_when(at),
            deadline=parse_day(deadline) if deadline else None,
            expected_version=version,
        )
        _emit(data, as_json, f"问题 {case_id}")


@case_app.command("start")
def case_start(
    case_id: Annotated[int, typer.Argument()],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """签收: the responsible unit starts rectifying."""
    with workflow(db) as wf:
        _emit(wf.start(_actor(actor), case_id, parse_when(at), version), as_json, f"问题 {case_id}")


@case_app.command("rectify")
def case_rectify(
    case_id: Annotated[int, typer.Argument()],
    report: Annotated[str, typer.Option(help="What was done.")],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """提交整改报告: the responsible unit reports the rectification."""
    with workflow(db) as wf:
        _emit(wf.rectify(_actor(actor), case_id, report, parse_when(at), version), as_json, f"问题 {case_id}")


@case_app.command("verify")
def case_verify(
    case_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()] = "核查通过",
    reject: Annotated[bool, typer.Option("--return", help="Return the case for more work instead.")] = False,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """核查: close the case (销号), or return it with --return (city office)."""
    with workflow(db) as wf:
        data = wf.verify(
            _actor(actor), case_id, parse_when(at), note, accept=not reject, expected_version=version
        )
        _emit(data, as_json, f"问题 {case_id}")


@case_app.command("reopen")
def case_reopen(
    case_id: Annotated[int, typer.Argument()],
    reason: Annotated[str, typer.Option()],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reopen a closed case (the problem came back)."""
    with workflow(db) as wf:
        _emit(wf.reopen(_actor(actor), case_id, reason, parse_when(at), version), as_json, f"问题 {case_id}")


@case_app.command("supervise")
def case_supervise(
    case_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option()],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """督办: press the responsible unit (city office)."""
    with workflow(db) as wf:
        _emit(wf.supervise(_actor(actor), case_id, note, parse_when(at)), as_json, f"问题 {case_id}")


@case_app.command("comment")
def case_comment(
    case_id: Annotated[int, typer.Argument()],
    text: Annotated[str, typer.Option("--text")],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Comment on a case."""
    with workflow(db) as wf:
        _emit(wf.comment(_actor(actor), case_id, text, parse_when(at)), as_json, f"问题 {case_id}")


@case_app.command("list")
def case_list(
    status: Annotated[str | None, typer.Option()] = None,
    unit: Annotated[str | None, typer.Option()] = None,
    district: Annotated[str | None, typer.Option()] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past their deadline.")] = False,
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cases you may see (officers: their unit's)."""
    with workflow(db) as wf:
        rows = wf.list_cases(
            _actor(actor),
            status=status,
            unit=unit,
            district=district,
            today=parse_when(now).date(),
            overdue_only=overdue,
        )
        _emit(rows, as_json, "问题", [*CASE_COLUMNS, "overdue_days"])


@case_app.command("show")
def case_show(
    case_id: Annotated[int, typer.Argument()],
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A case with its history."""
    with workflow(db) as wf:
        data = wf.show_case(_actor(actor), case_id, parse_when(now).date())
    if as_json:
        _print_json(data)
        return
    _emit(data, False, f"问题 {case_id}")
    for key in ("rectifications", "verifications", "supervisions", "escalations", "reopenings", "comments"):
        if data[key]:
            _table(key, data[key], list(data[key][0]))


# -- escalation ------------------------------------------------------------------------------------


@app.command("escalate")
def escalate(
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    rules: RulesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply the ladder 提醒→通报→约谈→移交纪委监委 to overdue cases (idempotent)."""
    with workflow(db, rules) as wf:
        added = wf.escalate(_actor(actor), parse_when(now))
    if as_json:
        _print_json(added)
    else:
        _table(
            f"本次新增逾期升级 {len(added)} 项",
            added,
            ["case_id", "unit", "level_name", "on_date", "deadline"],
        )


# -- cycle -----------------------------------------------------------------------------------------

PeriodOpt = Annotated[str, typer.Option("--period", help="The period (see each command).")]
AirOpt = Annotated[
    Path | None,
    typer.Option(
        "--air-quality", help="CSV/TOML: period,unit,composite_index,change_rate_pct,target_progress."
    ),
]


CityOpt = Annotated[
    str | None,
    typer.Option(
        "--city",
        help="City whose districts' air quality is scored from the store (else the setting web.city).",
    ),
]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Parquet store directory (else LANTIAN_STORE).")
]


def _air_quality(air_quality: Path | None, city: str | None, store: Path | None):
    """The districts' air-quality results: the file of --air-quality, else the store's for the city."""
    from lantian import config
    from lantian.workflow import cycle
    from lantian.workflow.scoring import air_quality_from_file

    if air_quality:
        return air_quality_from_file(air_quality)
    city = city or config.load().value("city")
    if not city:
        return None
    from lantian.pipeline.assessment import open_store

    return cycle.store_air_quality(open_store(store), city)


@cycle_app.command("patrol")
def cycle_patrol(
    district: Annotated[str, typer.Option()],
    area: Annotated[str, typer.Option(help="Where the patrol went.")],
    findings: Annotated[str, typer.Option(help="What was found.")],
    day: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: the day of --at).")] = None,
    cases_found: Annotated[int, typer.Option(help="Number of problems found.")] = 0,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a patrol (日巡查)."""
    when = parse_when(at)
    with workflow(db) as wf:
        data = wf.patrol(
            _actor(actor), district, area, findings, parse_day(day) if day else when.date(), when, cases_found
        )
        _emit(data, as_json, "巡查")


def _period(kind: str, text: str):
    from lantian.periods import parse_period

    return parse_period(text, kind=kind)


@cycle_app.command("daily")
def cycle_daily(period: PeriodOpt, db: DbOpt = None, actor: AsOpt = None, as_json: JsonOpt = False) -> None:
    """日巡查: patrols, cases reported and closed on one day (--period YYYY-MM-DD)."""
    from lantian.workflow import cycle

    with workflow(db) as wf:
        data = cycle.daily(wf, _actor(actor), _period("daily", period))
    if as_json:
        _print_json(data)
        return
    _table(
        f"日巡查 {data['period']}", data["patrols"], ["user", "district", "area", "findings", "cases_found"]
    )
    _table("当日登记的问题", data["reported"], ["id", "district", "category", "address"])


@cycle_app.command("weekly")
def cycle_weekly(
    period: PeriodOpt, now: NowOpt = None, db: DbOpt = None, actor: AsOpt = None, as_json: JsonOpt = False
) -> None:
    """周调度: new, closed, overdue and escalated cases by unit (--period YYYY-Www)."""
    from lantian.workflow import cycle

    with workflow(db) as wf:
        data = cycle.weekly(wf, _actor(actor), _period("weekly", period), parse_when(now) if now else None)
    if as_json:
        _print_json(data)
        return
    totals = ", ".join(f"{k} {v}" for k, v in data["totals"].items())
    _table(
        f"周调度 {data['period']} ({data['from']}–{data['to']}): {totals}",
        data["by_unit"],
        ["unit", "new", "assigned", "closed", "overdue", "escalated"],
    )


def _scores_table(title: str, rows: list[dict]) -> None:
    _table(
        title,
        rows,
        ["rank", "unit", "score", "air_score", "work_score", "due", "on_time", "overdue", "repeated"],
    )


@cycle_app.command("monthly")
def cycle_monthly(
    period: PeriodOpt,
    air_quality: AirOpt = None,
    city: CityOpt = None,
    store: StoreOpt = None,
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """月考核通报: score and rank of districts and departments (--period YYYY-MM)."""
    from lantian.workflow import cycle

    provider = _air_quality(air_quality, city, store)
    with workflow(db) as wf:
        data = cycle.monthly(
            wf, _actor(actor), _period("monthly", period), provider, parse_when(now) if now else None
        )
    if as_json:
        _print_json(data)
        return
    _scores_table(f"月考核 {data['period']} — 区县", data["districts"])
    _scores_table(f"月考核 {data['period']} — 部门", data["departments"])


@cycle_app.command("quarterly")
def cycle_quarterly(
    period: PeriodOpt,
    air_quality: AirOpt = None,
    city: CityOpt = None,
    store: StoreOpt = None,
    now: NowOpt = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """季考核讲评: mean of the monthly scores, ranked (--period YYYYQn, e.g. 2026Q1; 2026-Q1 too)."""
    from lantian.workflow import cycle

    provider = _air_quality(air_quality, city, store)
    with workflow(db) as wf:
        data = cycle.quarterly(
            wf, _actor(actor), _period("quarterly", period), provider, parse_when(now) if now else None
        )
    if as_json:
        _print_json(data)
        return
    for key, name in (("districts", "区县"), ("departments", "部门")):
        _table(
            f"季考核 {data['period']} — {name}",
            data[key],
            ["rank", "unit", "score", "monthly_scores", "overdue"],
        )


# -- scoring configurations ------------------------------------------------------------------------


@scoring_app.command("set")
def scoring_set(
    file: Annotated[Path, typer.Argument(help="TOML scoring configuration (see lantian.workflow.scoring).")],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store the scoring rules of a year (refused if the air-quality weight shrinks)."""
    from lantian.workflow import cycle
    from lantian.workflow.scoring import config_from_toml

    config = config_from_toml(file)
    with workflow(db) as wf:
        _emit(
            cycle.save_scoring_config(wf, _actor(actor), config, parse_when(at)),
            as_json,
            f"scoring {config.year}",
        )


@scoring_app.command("show")
def scoring_show(year: Annotated[int, typer.Argument()], db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The scoring rules in force for a year (stored, or the defaults)."""
    from lantian.workflow import cycle

    with workflow(db) as wf:
        config, stored = cycle.scoring_config_for(wf, year)
    _emit({**config.to_dict(), "source": "stored" if stored else "default"}, as_json, f"scoring {year}")


# -- proposals -------------------------------------------------------------------------------------


def _read_frame(path: Path):
    import polars as pl

    if not path.is_file():
        raise InputError(f"{path} not found.")
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    try:
        return pl.read_csv(path, try_parse_dates=True)
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc}).") from exc


@proposals_app.command("scan")
def proposals_scan(
    period: Annotated[
        str | None,
        typer.Option(help="读取数据存储中这一时段的站点小时值：2026-03 | 2026Q1 | 2026-03-01..2026-03-07 | 2026-03-05。"),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="首个自然日 YYYY-MM-DD（与 --to 同用）。")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="最后一个自然日 YYYY-MM-DD。")] = None,
    city: Annotated[str | None, typer.Option(help="只比较这个城市的站点（站点名录中的城市）。")] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Parquet store directory (default: from config).")
    ] = None,
    hourly: Annotated[
        Path | None,
        typer.Option(help="不读数据存储，改读小时值文件 CSV/Parquet：station_code,time,pm25,pm10（须同时给 --stations）。"),
    ] = None,
    stations: Annotated[
        Path | None,
        typer.Option(help="CSV/Parquet：station_code,district,longitude,latitude（默认取站点名录的区县与坐标）。"),
    ] = None,
    ratio: Annotated[float, typer.Option(help="Minimum ratio to the neighbours' median.")] = 2.0,
    difference: Annotated[float, typer.Option(help="Minimum excess over the median [µg/m³].")] = 40.0,
    hours: Annotated[int, typer.Option(help="Minimum consecutive hours.")] = 6,
    radius_km: Annotated[float, typer.Option(help="Neighbour radius [km].")] = 15.0,
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find stations far above their neighbours in the stored hours of a period and store them as
    proposals (admin)."""
    from lantian.workflow.proposals import find_episodes

    left_out: list[str] = []
    if hourly is not None:
        if stations is None:
            raise InputError("--hourly 需要同时给出 --stations FILE（station_code,district,longitude,latitude）")
        if period or date_from or date_to:
            raise InputError("--hourly 文件与 --period/--from/--to 不能同用：时段取自数据存储，文件则整份读取")
        hourly_frame, station_frame = _read_frame(hourly), _read_frame(stations)
    else:
        from lantian.pipeline.assessment import open_store
        from lantian.pipeline.store_inputs import scan_frames

        start, end = _scan_days(period, date_from, date_to)
        hourly_frame, station_frame, left_out = scan_frames(
            open_store(store), start, end, city, _read_frame(stations) if stations else None
        )
    episodes = find_episodes(
        hourly_frame,
        station_frame,
        ratio=ratio,
        difference=difference,
        hours=hours,
        radius_km=radius_km,
    )
    with workflow(db) as wf:
        added = wf.record_proposals(_actor(actor), episodes.to_dicts(), parse_when(at))
    if as_json:
        _print_json({"added": added, "stations_left_out": left_out})
        return
    _emit(
        added,
        as_json,
        f"proposals added: {len(added)}",
        ["id", "station_code", "district", "pollutant", "start", "hours", "max_ratio"],
    )
    if left_out:
        typer.echo(
            f"未参与比较的站点（站点名录中缺少区县或坐标）：{', '.join(left_out)}；"
            "用 lantian stations edit CODE --district 区县名 补上，或用 --stations FILE 给出",
            err=True,
        )


def _scan_days(period: str | None, date_from: str | None, date_to: str | None) -> tuple[date, date]:
    """The natural days of ``--period`` or of ``--from``/``--to``."""
    from lantian.periods import parse_period

    if period and (date_from or date_to):
        raise InputError("--period 与 --from/--to 只能选一种")
    if period:
        p = parse_period(period)
        return p.start, p.end
    if not (date_from and date_to):
        raise InputError(
            "请给出要扫描的时段：--period 2026-03（或 2026-03-01..2026-03-07），或 --from 2026-03-01 --to 2026-03-07；"
            "不读数据存储时用 --hourly FILE --stations FILE"
        )
    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        raise InputError(f"--from/--to {date_from!r}, {date_to!r}：日期须为 YYYY-MM-DD") from exc
    if end < start:
        raise InputError(f"--to {date_to} 早于 --from {date_from}")
    return start, end


@proposals_app.command("list")
def proposals_list(
    status: Annotated[str | None, typer.Option(help="open|accepted|dismissed")] = None,
    db: DbOpt = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals (officers: their district's)."""
    with workflow(db) as wf:
        rows = wf.list_proposals(_actor(actor), status)
    _emit(
        rows,
        as_json,
        "proposals",
        ["id", "station_code", "district", "pollutant", "start", "hours", "status"],
    )


@proposals_app.command("accept")
def proposals_accept(
    proposal_id: Annotated[int, typer.Argument()],
    category: Annotated[str, typer.Option()] = "其他",
    severity: Annotated[str, typer.Option()] = "medium",
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Accept a proposal: it becomes a case (source monitoring)."""
    with workflow(db) as wf:
        data = wf.accept_proposal(_actor(actor), proposal_id, parse_when(at), category, severity)
    _emit(data, as_json, f"问题 {data['id']}")


@proposals_app.command("dismiss")
def proposals_dismiss(
    proposal_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option(help="Why it is dismissed.")],
    db: DbOpt = None,
    actor: AsOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dismiss a proposal."""
    with workflow(db) as wf:
        _emit(wf.dismiss_proposal(_actor(actor), proposal_id, note, parse_when(at)), as_json, "建议")
