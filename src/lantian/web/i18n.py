"""Interface texts in Chinese (default) and English."""

from __future__ import annotations

from starlette.exceptions import HTTPException

LANGS = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app_title": ("蓝天办 · 空气质量与督办平台", "Blue-Sky Office · Air quality and supervision"),
    "nav_today": ("今日空气", "Today"),
    "nav_year": ("本年进度", "This year"),
    "nav_cases": ("问题督办", "Cases"),
    "nav_monthly": ("月度考核", "Monthly assessment"),
    "nav_tokens": ("API 令牌", "API tokens"),
    "nav_users": ("用户管理", "Users"),
    "nav_api": ("API 文档", "API docs"),
    "logout": ("退出", "Log out"),
    "login": ("登录", "Log in"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误。", "Wrong user name or password."),
    "login_throttled": ("登录失败次数过多，请 {s} 秒后再试。", "Too many failed logins; try again in {s} s."),
    "lang_switch": ("English", "中文"),
    "role_admin": ("市蓝天办管理员", "City office administrator"),
    "role_officer": ("责任单位联络员", "Unit officer"),
    "role_inspector": ("巡查员", "Inspector"),
    "role_leader": ("领导（只读）", "Leader (read-only)"),
    "city_aqi": ("城市 AQI", "City AQI"),
    "as_of": ("数据时间", "Data as of"),
    "primary": ("首要污染物", "Primary pollutant"),
    "none": ("无", "none"),
    "stations": ("监测站点", "Stations"),
    "station": ("站点", "Station"),
    "code": ("编码", "Code"),
    "category": ("类别", "Category"),
    "last24": ("近 24 小时", "Last 24 hours"),
    "no_data": (
        "暂无数据。请先导入监测数据（lantian ingest）。",
        "No data yet. Ingest monitoring data first (lantian ingest).",
    ),
    "health_advice": ("健康提示", "Health advice"),
    "year_title": ("{y} 年空气质量目标进度", "{y}: progress against the air-quality targets"),
    "calendar": ("逐日空气质量类别", "Daily categories"),
    "ytd": ("年初至今", "Year to date"),
    "target": ("目标", "Target"),
    "actual": ("实际", "Actual"),
    "remaining": ("剩余额度", "Remaining budget"),
    "status": ("状态", "Status"),
    "composite": ("综合指数构成", "Composite index composition"),
    "trend": ("与上年同期对比", "Trend against last year"),
    "this_year": ("今年", "This year"),
    "last_year": ("去年", "Last year"),
    "rank": ("省内排名", "Rank in the province"),
    "warnings": ("预警", "Warnings"),
    "no_warnings": ("当前无预警。", "No warning in force."),
    "no_targets": ("未配置本年目标。", "No targets configured for this year."),
    "board": ("问题看板", "Case board"),
    "new_case": ("新建问题", "New case"),
    "overdue": ("已超期", "Overdue"),
    "deadline": ("整改时限", "Deadline"),
    "deadline_by_rules": (
        "按督查规则今日（{day}）交办的整改时限",
        "Deadlines by the rules if assigned today ({day})",
    ),
    "unit": ("责任单位", "Responsible unit"),
    "district": ("区县", "District"),
    "source": ("来源", "Source"),
    "severity": ("严重程度", "Severity"),
    "address": ("地址", "Address"),
    "description": ("问题描述", "Description"),
    "longitude": ("经度", "Longitude"),
    "latitude": ("纬度", "Latitude"),
    "submit": ("提交", "Submit"),
    "timeline": ("办理记录", "Timeline"),
    "evidence": ("佐证材料", "Evidence"),
    "upload": ("上传", "Upload"),
    "upload_hint": ("JPEG、PNG、WebP 或 PDF，不超过 {mb} MB", "JPEG, PNG, WebP or PDF, at most {mb} MB"),
    "actions": ("可办理操作", "Available actions"),
    "no_actions": (
        "您的角色在当前状态下无可办理操作。",
        "Your role has no action on this case in its current state.",
    ),
    "note": ("说明", "Note"),
    "comment": ("评论", "Comment"),
    "monthly_title": ("{p} 月度考核", "Monthly assessment {p}"),
    "score": ("得分", "Score"),
    "period": ("期间", "Period"),
    "tokens_title": ("API 访问令牌", "API access tokens"),
    "token_new": ("生成新令牌", "Create a token"),
    "token_shown_once": ("请立即复制，此令牌只显示一次：", "Copy it now; the token is shown only once:"),
    "token_name": ("名称", "Name"),
    "token_scope": ("权限", "Scope"),
    "token_scope_read": ("只读", "read only"),
    "token_scope_write": ("读写", "read and write"),
    "token_expires": ("有效期至", "Expires"),
    "token_days": ("有效天数", "Valid for (days)"),
    "revoke": ("吊销", "Revoke"),
    "created": ("创建时间", "Created"),
    "forbidden": ("无权访问", "Forbidden"),
    "not_found": ("未找到", "Not found"),
    "error": ("出错了", "Error"),
    "back": ("返回", "Back"),
    "users_title": ("用户", "Users"),
    "display_name": ("姓名", "Display name"),
    "role": ("角色", "Role"),
    "create": ("创建", "Create"),
    "all": ("全部", "All"),
    "count": ("数量", "Count"),
    "value": ("数值", "Value"),
    "good_days": ("优良天数", "Good days"),
    "good_rate": ("优良天数比例", "Good-day rate"),
    "change": ("变化", "Change"),
    "comment_add": ("添加评论", "Add a comment"),
    "menu": ("菜单", "Menu"),
    "overdue_days": ("超期{n}天", "{n} days overdue"),
    "full_year": ("全年", "Full year"),
    "apply": ("查询", "Show"),
    "targets_source": ("目标值取自管理员配置的本年度空气质量目标。", "Targets as configured by the administrator for this year."),
    "warnings_source": ("预警依据空气质量预报。", "Warnings from the air-quality forecast."),
    "demo_logins": ("演示账号", "Demo logins"),
    "nav_patrol": ("日巡查", "Patrol"),
    "nav_weekly": ("周调度", "Weekly dispatch"),
    "nav_quarterly": ("季考核讲评", "Quarterly review"),
    "nav_board": ("全省排名", "Province"),
    "outlook_title": ("年终目标达成预测", "Year-end outlook"),
    "outlook_expected": ("预计年底", "Expected at year end"),
    "outlook_interval": ("80% 区间", "80% interval"),
    "outlook_probability": ("达标概率", "Probability of meeting it"),
    "outlook_basis": (
        "截至 {d} 的实测数据，加上由本市往年同期数据模拟的全年其余日子（{n} 次模拟）；未配置目标时按“只降不升”。",
        "Measured days to {d}, the rest of the year simulated {n} times from the city's own earlier years;"
        " without targets: not worse than last year.",
    ),
    "explain_title": ("综合指数归因", "What makes the composite index"),
    "explain_last_year": ("上年同期", "last year"),
    "explain_part": ("单项指数", "Single index"),
    "explain_share": ("占比", "Share"),
    "explain_change": ("同比变化贡献", "Part of the change"),
    "explain_days": ("代价最大的污染日（综合指数代价）：", "Costliest days (index points):"),
    "board_title": ("{group}城市空气质量排名", "Cities of {group} ranked"),
    "board_date": ("日期", "Day"),
    "board_basis": (
        "当日与年初至今按综合指数（越小越好）及其同比变化排名，并列者名次相同；本市一行加粗。",
        "The day and the year to date ranked by composite index (lower is better) and by its change from"
        " last year; ties share a rank; this city's row in bold.",
    ),
    "board_no_data": (
        "没有可排名的数据：请导入本省各城市的数据，并在设置的 [web] 中指定城市组（如 湖南）。",
        "Nothing to rank: ingest the data of the province's cities and set the group (e.g. 湖南) in [web] of"
        " the settings.",
    ),
    "cycle_ladder": ("本周逾期升级（提醒→通报→约谈→移交纪委监委）", "Escalations this week (remind → notify → interview → refer)"),
    "cycle_overdue_cases": ("超期未整改的问题", "Overdue cases"),
    "patrol_title": ("日巡查记录", "Daily patrol"),
    "patrol_day": ("巡查日期", "Patrol day"),
    "patrol_area": ("巡查路线/区域", "Route / area"),
    "patrol_findings": ("巡查情况", "What was seen"),
    "patrol_problem": ("发现的问题", "Problem found"),
    "patrol_problem_add": ("再添加一个问题", "Add another problem"),
    "patrol_photos": ("现场照片", "Photos"),
    "patrol_locate": ("获取当前位置", "Use my position"),
    "patrol_hint": (
        "每个填写了描述的问题都会登记为一个问题线索（来源：巡查），照片作为佐证材料。没有发现问题时只填巡查情况即可。",
        "Each problem with a description becomes a case (source: patrol) with its photos as evidence. "
        "With nothing found, fill in only what was seen.",
    ),
    "patrol_no_cases": ("您的角色可以记录巡查，但不能登记问题；发现问题请写在巡查情况中。", "Your role may log patrols but not open cases; describe problems in what was seen."),
    "patrol_logged": ("巡查已记录，登记问题 {n} 个：{ids}。", "Patrol logged; {n} case(s) opened: {ids}."),
    "units_title": ("单位", "Units"),
    "unit_name": ("单位名称", "Unit name"),
    "unit_kind": ("类别", "Kind"),
    "unit_add": ("添加单位", "Add a unit"),
    "unit_created": ("已添加单位 {name}。", "Unit {name} added."),
    "unit_kind_office": ("市蓝天办", "City office"),
    "unit_kind_district": ("区县", "District / county"),
    "unit_kind_department": ("部门", "Department"),
    "user_add": ("添加用户", "Add a user"),
    "account_password": ("修改密码", "Change password"),
    "password_current": ("当前密码", "Current password"),
    "password_new": ("新密码", "New password"),
    "password_confirm": ("再次输入新密码", "New password again"),
    "password_rules": (
        "至少 {n} 个字符，且不能与用户名相同。修改后，您在其他浏览器或设备上的登录将全部失效。",
        "At least {n} characters, not the user name. Changing it logs you out of every other browser and device.",
    ),
    "password_forced": (
        "您正在使用管理员重设的一次性密码，请先设置自己的新密码。",
        "You logged in with a one-time password set by an administrator: choose your own password first.",
    ),
    "password_changed": ("密码已修改。", "Password changed."),
    "user_created": ("已创建用户 {name}。", "User {name} created."),
    "user_disabled": ("已停用用户 {name}：其登录和 API 令牌立即失效。", "User {name} disabled: their sessions and API tokens no longer work."),
    "user_enabled": ("已启用用户 {name}。", "User {name} enabled."),
    "user_active": ("状态", "Status"),
    "user_is_active": ("在用", "active"),
    "user_is_disabled": ("已停用", "disabled"),
    "user_disable": ("停用", "Disable"),
    "user_enable": ("启用", "Enable"),
    "user_reset": ("重设密码", "Reset password"),
    "user_reset_confirm": ("为该用户生成一次性密码？其现有登录将失效。", "Create a one-time password for this user? Their sessions end."),
    "one_time_password": (
        "用户 {name} 的一次性密码（只显示这一次，请当面或电话告知本人；首次登录后须修改）：",
        "One-time password of {name} (shown only this once; tell them in person or by phone; they must change it at the first login):",
    ),
}


def translate(key: str, lang: str, **kw) -> str:
    """The text of ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``kw``."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**kw) if kw else text


class WebError(HTTPException):
    """An HTTP error of the web layer with its text in Chinese (``detail``) and in English (``en``)."""

    def __init__(self, status: int, zh: str, en: str, headers: dict | None = None) -> None:
        super().__init__(status, zh, headers)
        self.en = en


def web_error(status: int, zh: str, en: str) -> WebError:
    """The HTTP error ``status`` whose page or JSON message reads ``zh`` in Chinese and ``en`` in English."""
    return WebError(status, zh, en)
