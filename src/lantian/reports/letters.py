"""The two letters the office sends about one case: 交办单 (assignment sheet) and 督办函 (supervision letter).

Both are :class:`~lantian.reports.spec.Document` s and print through the same renderers as the reports
(HTML, and PDF by WeasyPrint), in the elements of GB/T 9704—2012: issuing office, document number,
title, addressee (the responsible unit), numbered sections, signature office and date.

Every figure comes from the case as :meth:`lantian.workflow.services.Workflow.show_case` returns it
(called with ``today``): the responsible unit, the deadline, the days overdue and the ladder steps
recorded. Nothing is recomputed here except the dates the 督办函 demands, by this rule:

- the case is overdue and a next ladder step exists (the step after the highest one recorded for its
  current deadline, or the first step): the next step falls due on deadline + its threshold — the same
  rule by which the workflow dates every step (:meth:`~lantian.workflow.services.Workflow.escalate`) —
  and the letter demands the rectification by the day before, naming that step as the consequence;
- the case is not overdue (it was supervised, 督办, before its deadline): the letter demands the
  rectification by the deadline itself, and names the first step of the ladder as the consequence;
- the case has reached the last step (移交纪委监委): the letter demands the rectification within the
  rules' time limit for the case's category and severity, counted from the letter's date.

A 督办函 is refused unless the responsible unit still owes the rectification and the case is overdue or
was supervised; it is also refused while the ladder has not been applied up to the days overdue (the
letter would name a step below the one the rules give), with the instruction to apply it first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lantian.errors import InputError, WorkflowError
from lantian.reports.spec import (
    DEFAULT_OFFICE_EN,
    DEFAULT_OFFICE_ZH,
    Column,
    Document,
    Paragraph,
    Section,
    Table,
    en_date,
    zh_date,
)
from lantian.workflow import rules as R

#: The letters, by the name used on the command line and in the web address.
LETTER_KINDS: dict[str, tuple[str, str]] = {
    "assign": ("交办单", "Assignment sheet"),
    "supervise": ("督办函", "Supervision letter"),
}

CATEGORY_EN: dict[str, str] = {
    "扬尘": "Dust",
    "露天焚烧": "Open burning",
    "工业排放": "Industrial emissions",
    "机动车/柴油货车": "Vehicles and diesel trucks",
    "餐饮油烟": "Restaurant fumes",
    "其他": "Other",
}
SOURCE_EN: dict[str, str] = {
    "patrol": "Patrol",
    "complaint": "Complaint",
    "monitoring": "Monitoring anomaly",
    "satellite": "Satellite remote sensing",
}
SEVERITY_EN: dict[str, str] = {"low": "Minor", "medium": "Serious", "high": "Severe"}
STATUS_EN: dict[str, str] = {
    "reported": "Reported",
    "assigned": "Assigned",
    "rectifying": "Rectifying",
    "submitted": "Awaiting verification",
    "returned": "Returned for more work",
    "closed": "Closed",
    "reopened": "Reopened",
}
#: The steps of the ladder 提醒→通报→约谈→移交纪委监委 in English.
LEVEL_EN: dict[str, str] = {
    "remind": "reminder",
    "notify": "public notice",
    "interview": "interview",
    "refer": "referral to the discipline commission",
}


@dataclass
class Letter(Document):
    """A letter about one case: a document of one of :data:`LETTER_KINDS` instead of a report kind."""

    def __post_init__(self) -> None:
        if self.kind not in LETTER_KINDS:
            raise ValueError(f"unknown letter kind {self.kind!r}; use one of {tuple(LETTER_KINDS)}")
        if self.lang not in ("zh", "en"):
            raise ValueError(f"unknown language {self.lang!r}; use zh or en")


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _date(day: dt.date, lang: str) -> str:
    return zh_date(day) if lang == "zh" else en_date(day)


def _moment(value: str, lang: str) -> str:
    when = dt.datetime.fromisoformat(value)
    if lang == "zh":
        return f"{zh_date(when.date())}{when.hour}时{when.minute:02d}分"
    return f"{en_date(when.date())}, {when:%H:%M}"


def _number_text(case_id: int, lang: str) -> str:
    return _t(lang, f"第{case_id}号", f"No. {case_id}")


def _doc_number(kind: str, case_id: int, year: int, lang: str) -> str:
    """发文字号: 交办〔2026〕第12号 / 督办〔2026〕第12号 (the case's number in the letter's year)."""
    if lang == "zh":
        return f"{LETTER_KINDS[kind][0][:2]}〔{year}〕第{case_id}号"
    return f"{LETTER_KINDS[kind][1]} No. {case_id} ({year})"


def _category(case: dict, lang: str) -> str:
    return case["category"] if lang == "zh" else CATEGORY_EN.get(case["category"], case["category"])


def _severity(case: dict, lang: str) -> str:
    names = R.SEVERITIES if lang == "zh" else SEVERITY_EN
    return names.get(case["severity"], case["severity"])


def _source(case: dict, lang: str) -> str:
    names = R.SOURCES if lang == "zh" else SOURCE_EN
    return names.get(case["source"], case["source"])


def _status(case: dict, lang: str) -> str:
    names = R.STATUSES if lang == "zh" else STATUS_EN
    return names.get(case["status"], case["status"])


def _level_name(level: R.Level, lang: str) -> str:
    return level.name if lang == "zh" else LEVEL_EN.get(level.code, level.code).capitalize()


def _overdue_text(days: int, lang: str) -> str:
    if days <= 0:
        return _t(lang, "未超期", "not overdue")
    return _t(lang, f"超期{days}天", f"{days} days overdue" if days > 1 else "1 day overdue")


def _facts_table(name: str, title: str, rows: list[tuple[str, str]], lang: str) -> Table:
    return Table(
        name=name,
        title=title,
        columns=[Column("item", _t(lang, "项目", "Item")), Column("value", _t(lang, "内容", "Details"))],
        rows=[{"item": item, "value": value} for item, value in rows],
    )


def _deadline(case: dict, what: str) -> dt.date:
    if not case.get("unit") or not case.get("deadline"):
        raise WorkflowError(
            f"问题第{case['id']}号尚未交办（没有责任单位和整改期限），不能生成{what}；请先在问题页面或用 "
            f"lantian case assign {case['id']} --unit 单位名称 交办。"
        )
    return dt.date.fromisoformat(case["deadline"])


def _ladder_text(rules: R.Rules, lang: str) -> str:
    if lang == "zh":
        return "、".join(f"逾期{lv.days}天{lv.name}" for lv in rules.ladder)
    return ", ".join(
        f"{LEVEL_EN.get(lv.code, lv.code)} after {lv.days}"
        + (f" day{'s' if lv.days > 1 else ''}" if i in (0, len(rules.ladder) - 1) else "")
        for i, lv in enumerate(rules.ladder)
    )


def _letter(kind: str, case: dict, office: str, today: dt.date, lang: str, title: str) -> Letter:
    return Letter(
        kind=kind,
        title=title,
        city="",
        period="",
        date=today,
        lang=lang,
        office=office or _t(lang, DEFAULT_OFFICE_ZH, DEFAULT_OFFICE_EN),
        number=_doc_number(kind, case["id"], today.year, lang),
        addressees=f"{case['unit']}{_t(lang, '：', ':')}",
        data={"case": case},
    )


def assignment_sheet(
    case: dict, office: str, today: dt.date, lang: str = "zh", *, rules: R.Rules | None = None
) -> Letter:
    """交办单: the case, the responsible unit, the deadline and what to submit by then."""
    rules = rules or R.Rules()
    deadline = _deadline(case, _t(lang, "交办单", "an assignment sheet"))
    doc = _letter(
        "assign",
        case,
        office,
        today,
        lang,
        _t(lang, "大气污染问题交办单", "Air Pollution Case Assignment Sheet"),
    )
    office = doc.office
    facts = [
        (_t(lang, "问题编号", "Case number"), _number_text(case["id"], lang)),
        (_t(lang, "发现方式", "Found by"), _source(case, lang)),
        (_t(lang, "问题类别", "Category"), _category(case, lang)),
        (_t(lang, "严重程度", "Severity"), _severity(case, lang)),
        (_t(lang, "所在区县", "District"), case["district"]),
        (_t(lang, "地址", "Address"), case["address"]),
        (_t(lang, "问题描述", "Description"), case["description"]),
        (_t(lang, "发现时间", "Found on"), _moment(case["reported_at"], lang)),
    ]
    intro = _t(
        lang,
        f"现将{_source(case, lang)}发现的下列大气污染问题交你单位办理，请按要求限期整改。",
        "The following problem is assigned to your unit for rectification.",
    )
    doc.add(
        Section(_t(lang, "问题基本情况", "The problem")).add(
            Paragraph(intro), _facts_table("case", _t(lang, "问题基本情况", "The case"), facts, lang)
        ),
        Section(_t(lang, "整改要求", "Requirements")).add(
            Paragraph(
                _t(
                    lang,
                    f"请你单位接到本交办单后立即组织整改，于{_date(deadline, lang)}前完成，并通过督办平台提交"
                    f"整改报告和佐证材料（整改前后对比照片、处理文书等），由{office}核查销号。",
                    f"Rectify the problem by {_date(deadline, lang)} and submit the report and the evidence "
                    "(photographs before and after, decisions taken) on the supervision platform.",
                )
            ),
            Paragraph(
                _t(
                    lang,
                    f"逾期未完成整改的，按督查规则{_ladder_text(rules, lang)}。",
                    f"Overdue cases escalate: {_ladder_text(rules, lang)} overdue.",
                )
            ),
        ),
    )
    return doc


def _steps_reached(case: dict, rules: R.Rules) -> list[tuple[R.Level, dict]]:
    """The ladder steps recorded for the case's current deadline, in ladder order."""
    by_code = {e["level"]: e for e in case.get("escalations", []) if e["deadline"] == case["deadline"]}
    return [(lv, by_code[lv.code]) for lv in rules.ladder if lv.code in by_code]


def supervision_letter(
    case: dict, office: str, today: dt.date, lang: str = "zh", *, rules: R.Rules | None = None
) -> Letter:
    """督办函: the overdue or supervised case, the ladder step reached, what is demanded by when and the
    consequence of the next step (the rule of the demanded date: see the module's docstring)."""
    rules = rules or R.Rules()
    what = _t(lang, "督办函", "a supervision letter")
    if "overdue_days" not in case:
        raise InputError("督办函需要截至今日的超期天数：请用 show_case(…, today=今日) 取得问题。")
    if case["status"] not in R.OWING:
        raise WorkflowError(
            f"问题第{case['id']}号当前为“{R.STATUSES.get(case['status'], case['status'])}”，"
            f"责任单位没有待完成的整改，不能生成{what}。"
        )
    deadline = _deadline(case, what)
    overdue = case["overdue_days"]
    steps = _steps_reached(case, rules)
    supervisions = case.get("supervisions", [])
    if overdue <= 0 and not steps and not supervisions:
        raise WorkflowError(
            f"问题第{case['id']}号未超期（整改期限 {zh_date(deadline)}），也没有督办记录，不能生成{what}；"
            "请先督办该问题，或在超期后再生成。"
        )
    due = [lv for lv in rules.ladder if lv.days <= overdue]
    if due and (not steps or rules.ladder.index(steps[-1][0]) < rules.ladder.index(due[-1])):
        recorded = steps[-1][0].name if steps else "无"
        raise WorkflowError(
            f"问题第{case['id']}号已超期{overdue}天，按督查规则应已进入“{due[-1].name}”，但记录的最高一级为"
            f"“{recorded}”：逾期升级尚未执行。请管理员先执行 lantian escalate --as 用户名（应每日定时执行），"
            f"再生成{what}。"
        )
    reached = steps[-1][0] if steps else None
    following = rules.ladder[rules.ladder.index(reached) + 1 :] if reached else rules.ladder
    nxt = following[0] if following else None
    if overdue <= 0:
        demand = deadline
    elif nxt is not None:
        demand = deadline + dt.timedelta(days=nxt.days - 1)
    else:
        demand = today + dt.timedelta(days=rules.deadline_for(case["category"], case["severity"]))

    doc = _letter(
        "supervise",
        case,
        office,
        today,
        lang,
        _t(lang, "大气污染问题督办函", "Air Pollution Case Supervision Letter"),
    )
    office = doc.office
    place = (
        f"{case['district']}{case['address']}" if lang == "zh" else f"{case['address']}, {case['district']}"
    )
    if overdue > 0:
        situation = _t(
            lang,
            f"交你单位办理的第{case['id']}号问题（{_category(case, lang)}，{place}），整改期限为"
            f"{_date(deadline, lang)}。截至{_date(today, lang)}，该问题仍未完成整改，已{_overdue_text(overdue, lang)}。",
            f"Case No. {case['id']} ({_category(case, lang).lower()}, {place}), due {_date(deadline, lang)}, "
            f"is still not rectified on {_date(today, lang)}: {_overdue_text(overdue, lang)}.",
        )
    else:
        situation = _t(
            lang,
            f"交你单位办理的第{case['id']}号问题（{_category(case, lang)}，{place}），整改期限为"
            f"{_date(deadline, lang)}，目前处于“{_status(case, lang)}”状态，整改进度需加快。",
            f"Case No. {case['id']} ({_category(case, lang).lower()}, {place}), due {_date(deadline, lang)}, "
            f"has the status {_status(case, lang).lower()}: the rectification must be speeded up.",
        )
    events = sorted(
        [
            (
                e["on_date"],
                _t(
                    lang,
                    f"{_date(dt.date.fromisoformat(e['on_date']), lang)}逾期{lv.days}天{lv.name}",
                    f"{_level_name(lv, lang)} on {_date(dt.date.fromisoformat(e['on_date']), lang)}",
                ),
            )
            for lv, e in steps
        ]
        + [
            (
                s["supervised_at"][:10],
                _t(
                    lang,
                    f"{_date(dt.date.fromisoformat(s['supervised_at'][:10]), lang)}督办：{s['note']}",
                    f"Supervised on {_date(dt.date.fromisoformat(s['supervised_at'][:10]), lang)}: {s['note']}",
                ),
            )
            for s in supervisions
        ],
        key=lambda item: item[0],
    )
    facts = [
        (_t(lang, "问题编号", "Case number"), _number_text(case["id"], lang)),
        (
            _t(lang, "问题类别", "Category"),
            f"{_category(case, lang)}（{_severity(case, lang)}）"
            if lang == "zh"
            else f"{_category(case, lang)} ({_severity(case, lang).lower()})",
        ),
        (_t(lang, "所在区县", "District"), case["district"]),
        (_t(lang, "地址", "Address"), case["address"]),
        (_t(lang, "问题描述", "Description"), case["description"]),
        (_t(lang, "整改期限", "Deadline"), _date(deadline, lang)),
        (
            _t(lang, "办理状态", "Status"),
            f"{_status(case, lang)}，{_overdue_text(overdue, lang)}"
            if lang == "zh"
            else f"{_status(case, lang)}, {_overdue_text(overdue, lang)}",
        ),
        (
            _t(lang, "已采取措施", "Steps taken"),
            _t(lang, "；", "; ").join(text for _, text in events) or _t(lang, "无", "none"),
        ),
    ]
    demands = []
    if reached is not None:
        step = _t(
            lang,
            f"根据督查规则，该问题已进入“{reached.name}”程序。",
            f"The case has reached the {LEVEL_EN.get(reached.code, reached.code)} step. ",
        )
    else:
        step = ""
    if nxt is not None:
        start = deadline + dt.timedelta(days=nxt.days)
        consequence = _t(
            lang,
            f"逾期仍未完成整改的，将于{_date(start, lang)}起予以{nxt.name}。",
            f" Otherwise it proceeds to the {LEVEL_EN.get(nxt.code, nxt.code)} step from {_date(start, lang)}.",
        )
    else:
        consequence = _t(
            lang,
            "该问题已移交纪委监委，整改情况将作为问责的依据。",
            " The case has been referred to the Commission for Discipline Inspection and Supervision; the "
            "rectification will be taken into account in the accountability procedure.",
        )
    demands.append(
        Paragraph(
            step
            + _t(
                lang,
                f"请你单位于{_date(demand, lang)}前完成整改，并通过督办平台提交整改报告和佐证材料。",
                f"Finish the rectification by {_date(demand, lang)} and submit the report and the evidence on "
                "the supervision platform.",
            )
            + consequence
        )
    )
    doc.add(
        Section(_t(lang, "问题及整改情况", "The case")).add(
            Paragraph(situation), _facts_table("case", _t(lang, "问题及整改情况", "The case"), facts, lang)
        ),
        Section(_t(lang, "督办要求", "Demands")).add(*demands),
    )
    doc.data["demand_date"] = demand.isoformat()
    return doc


BUILDERS = {"assign": assignment_sheet, "supervise": supervision_letter}


def office_of(units: list[dict]) -> str | None:
    """The name of the city office among the units (``Workflow.list_units``), if there is one."""
    return next((u["name"] for u in units if u["kind"] == "office"), None)


def build_letter(
    wf, actor: str, case_id: int, kind: str, today: dt.date, lang: str = "zh", city: str = ""
) -> Letter:
    """The letter ``kind`` of case ``case_id`` as ``actor`` may see it (the workflow checks visibility),
    issued by the office unit of the database (prefixed with ``city`` unless its name starts with it)."""
    if kind not in BUILDERS:
        raise InputError(f"未知的文书类别 {kind!r}；可选：assign（交办单）、supervise（督办函）。")
    if lang not in ("zh", "en"):
        raise InputError(f"未知的语言 {lang!r}；可选 zh 或 en。")
    case = wf.show_case(actor, case_id, today=today)
    office = office_of(wf.list_units()) or _t(lang, DEFAULT_OFFICE_ZH, DEFAULT_OFFICE_EN)
    if city and not office.startswith(city):
        office = f"{city}{office}" if lang == "zh" or not office[:1].isascii() else f"{city} {office}"
    return BUILDERS[kind](case, office, today, lang, rules=wf.rules)


def file_name(doc: Letter, fmt: str = "pdf") -> str:
    """The letter's file name: 交办单-第12号.pdf (zh), assignment-sheet-12.pdf (en)."""
    case_id = doc.data["case"]["id"]
    zh, en = LETTER_KINDS[doc.kind]
    if doc.lang == "zh":
        return f"{zh}-第{case_id}号.{fmt}"
    return f"{en.lower().replace(' ', '-')}-{case_id}.{fmt}"
