"""A scripted month of supervision through the CLI (issue 6, done-when), identical on every backend.

March 2026: three districts, two departments, twelve cases, some overdue; the ladder is applied every
evening. Expected figures are derived by hand in the comments from the counting rules of
``lantian.workflow.cycle`` and the scoring formula of ``lantian.workflow.scoring``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

from typer.testing import CliRunner
from wf_helpers import BACKENDS, fresh_url

from lantian.cli import app

AIR = (
    "period,unit,composite_index,change_rate_pct,target_progress\n"
    "2026-03,雨湖区,4.20,-8.0,85\n2026-03,岳塘区,4.50,2.0,70\n2026-03,湘潭县,3.90,-12.0,95\n"
)

# (time, user, command...) — sorted by time before running; escalation runs are added for every evening.
CASES = [
    ("2026-03-02T09:00", "雨湖区", "扬尘", "medium"),  # 1
    ("2026-03-02T09:30", "岳塘区", "扬尘", "high"),  # 2
    ("2026-03-03T09:00", "湘潭县", "露天焚烧", "high"),  # 3
    ("2026-03-05T09:00", "雨湖区", "工业排放", "medium"),  # 4
    ("2026-03-09T09:00", "岳塘区", "机动车/柴油货车", "medium"),  # 5
    ("2026-03-10T09:00", "岳塘区", "餐饮油烟", "low"),  # 6
    ("2026-03-12T09:00", "湘潭县", "扬尘", "low"),  # 7
    ("2026-03-16T09:00", "雨湖区", "其他", "medium"),  # 8
    ("2026-03-18T09:00", "岳塘区", "扬尘", "medium"),  # 9
    ("2026-03-23T09:00", "雨湖区", "露天焚烧", "medium"),  # 10 (never assigned)
    ("2026-03-25T09:00", "湘潭县", "工业排放", "high"),  # 11
    ("2026-03-26T09:00", "雨湖区", "扬尘", "medium"),  # 12
]
OFFICER = {
    "雨湖区": "yuhu",
    "岳塘区": "yuetang",
    "湘潭县": "xiangtan",
    "住建": "zhujian",
    "交通运输": "jiaotong",
}
# (case, unit, assigned at, explicit deadline or None → rules: 扬尘 medium 5 d, high 3 d, 露天焚烧 high 1 d, ...)
ASSIGN = [
    (1, "雨湖区", "2026-03-02T10:00", None),  # deadline 03-07
    (2, "住建", "2026-03-02T10:00", None),  # 03-05, never rectified
    (3, "湘潭县", "2026-03-03T10:00", None),  # 03-04
    (4, "雨湖区", "2026-03-05T10:00", None),  # 03-15, rectified late on 03-18
    (5, "交通运输", "2026-03-09T10:00", None),  # 03-19
    (6, "岳塘区", "2026-03-10T10:00", None),  # 03-20, never rectified
    (7, "住建", "2026-03-12T10:00", None),  # 03-19
    (8, "交通运输", "2026-03-16T10:00", "2026-03-31"),
    (9, "岳塘区", "2026-03-18T10:00", None),  # 03-23, rectified late on 03-27
    (11, "湘潭县", "2026-03-25T10:00", None),  # 04-01
    (12, "住建", "2026-03-26T10:00", "2026-03-31"),  # never rectified
]
WORK = [  # (time, case, unit, step) with step start | rectify | close | return
    ("2026-03-03T11:00", 1, "雨湖区", "start"),
    ("2026-03-05T11:00", 1, "雨湖区", "rectify"),
    ("2026-03-06T11:00", 1, "雨湖区", "close"),
    ("2026-03-04T08:00", 3, "湘潭县", "start"),
    ("2026-03-04T16:00", 3, "湘潭县", "rectify"),
    ("2026-03-05T11:00", 3, "湘潭县", "close"),
    ("2026-03-06T11:00", 4, "雨湖区", "start"),
    ("2026-03-18T10:00", 4, "雨湖区", "rectify"),
    ("2026-03-19T11:00", 4, "雨湖区", "close"),
    ("2026-03-10T11:00", 5, "交通运输", "start"),
    ("2026-03-12T11:00", 5, "交通运输", "rectify"),
    ("2026-03-13T11:00", 5, "交通运输", "return"),
    ("2026-03-14T11:00", 5, "交通运输", "start"),
    ("2026-03-17T11:00", 5, "交通运输", "rectify"),
    ("2026-03-18T11:00", 5, "交通运输", "close"),
    ("2026-03-13T11:00", 7, "住建", "start"),
    ("2026-03-19T11:00", 7, "住建", "rectify"),
    ("2026-03-20T11:00", 7, "住建", "close"),
    ("2026-03-17T11:00", 8, "交通运输", "start"),
    ("2026-03-25T11:00", 8, "交通运输", "rectify"),
    ("2026-03-26T11:00", 8, "交通运输", "close"),
    ("2026-03-19T11:00", 9, "岳塘区", "start"),
    ("2026-03-27T10:00", 9, "岳塘区", "rectify"),
    ("2026-03-30T11:00", 9, "岳塘区", "close"),
    # case 3 comes back: reopened, assigned again with a deadline of 03-18, rectified late on 03-20
    ("2026-03-16T09:00", 3, "湘潭县", "reopen"),
    ("2026-03-16T09:30", 3, "湘潭县", "reassign"),
    ("2026-03-17T11:00", 3, "湘潭县", "start"),
    ("2026-03-20T11:00", 3, "湘潭县", "rectify"),
    ("2026-03-21T11:00", 3, "湘潭县", "close"),
]


def _script() -> list[list[str]]:
    steps: list[tuple[str, list[str]]] = []
    for n, (at, district, category, severity) in enumerate(CASES, start=1):
        steps.append(
            (
                at,
                [
                    "case",
                    "new",
                    "--district",
                    district,
                    "--category",
                    category,
                    "--severity",
                    severity,
                    "--address",
                    f"{district}第{n}号点位",
                    "--description",
                    f"{category}问题{n}",
                    "--as",
                    "insp",
                    "--at",
                    at,
                ],
            )
        )
    for cid, unit, at, deadline in ASSIGN:
        steps.append(
            (
                at,
                [
                    "case",
                    "assign",
                    str(cid),
                    "--unit",
                    unit,
                    "--as",
                    "boss",
                    "--at",
                    at,
                    *(["--deadline", deadline] if deadline else []),
                ],
            )
        )
    for at, cid, unit, step in WORK:
        officer = OFFICER[unit]
        args = {
            "start": ["case", "start", str(cid), "--as", officer],
            "rectify": ["case", "rectify", str(cid), "--report", "整改完成", "--as", officer],
            "close": ["case", "verify", str(cid), "--as", "boss"],
            "return": ["case", "verify", str(cid), "--return", "--note", "整改不到位", "--as", "boss"],
            "reopen": ["case", "reopen", str(cid), "--reason", "问题反弹", "--as", "boss"],
            "reassign": [
                "case",
                "assign",
                str(cid),
                "--unit",
                unit,
                "--deadline",
                "2026-03-18",
                "--as",
                "boss",
            ],
        }[step]
        steps.append((at, [*args, "--at", at]))
    steps.append(
        (
            "2026-03-10T15:00",
            ["case", "supervise", "2", "--note", "请立即整改", "--as", "boss", "--at", "2026-03-10T15:00"],
        )
    )
    steps.append(
        (
            "2026-03-02T17:00",
            [
                "cycle",
                "patrol",
                "--district",
                "雨湖区",
                "--area",
                "建设路片区",
                "--findings",
                "发现裸土2处",
                "--cases-found",
                "2",
                "--as",
                "insp",
                "--at",
                "2026-03-02T17:00",
            ],
        )
    )
    day = date(2026, 3, 2)
    while day <= date(2026, 3, 31):
        at = f"{day.isoformat()}T18:00"
        steps.append((at, ["escalate", "--as", "boss", "--now", at, "--json"]))
        day += timedelta(days=1)
    return [args for _, args in sorted(steps, key=lambda s: s[0])]


def _run(runner: CliRunner, url: str, args: list[str]) -> str:
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result.stdout


def run_scenario(url: str, tmp_path) -> dict:
    runner = CliRunner()
    _run(runner, url, ["db", "upgrade"])
    _run(runner, url, ["org", "add", "市蓝天办", "--kind", "office"])
    _run(runner, url, ["user", "add", "--no-password", "boss", "--name", "王主任", "--role", "admin", "--unit", "市蓝天办"])
    for name in ("雨湖区", "岳塘区", "湘潭县"):
        _run(runner, url, ["org", "add", name, "--kind", "district", "--as", "boss"])
    for name in ("住建", "交通运输"):
        _run(runner, url, ["org", "add", name, "--kind", "department", "--as", "boss"])
    _run(runner, url, ["user", "add", "--no-password", "insp", "--name", "李巡查", "--role", "inspector", "--as", "boss"])
    for unit, user in OFFICER.items():
        _run(
            runner,
            url,
            [
                "user",
                "add",
                "--no-password",
                user,
                "--name",
                f"{unit}联络员",
                "--role",
                "officer",
                "--unit",
                unit,
                "--as",
                "boss",
            ],
        )
    escalations = []
    for args in _script():
        out = _run(runner, url, args)
        if args[0] == "escalate":
            escalations += json.loads(out)
    air = tmp_path / "air.csv"
    air.write_text(AIR, encoding="utf-8")
    report = {"escalations": escalations}
    for week in ("2026-W10", "2026-W11", "2026-W12", "2026-W13"):
        report[week] = json.loads(
            _run(runner, url, ["cycle", "weekly", "--period", week, "--as", "boss", "--json"])
        )
    report["monthly"] = json.loads(
        _run(
            runner,
            url,
            [
                "cycle",
                "monthly",
                "--period",
                "2026-03",
                "--air-quality",
                str(air),
                "--now",
                "2026-04-02",
                "--as",
                "boss",
                "--json",
            ],
        )
    )
    quarterly = [
        "cycle",
        "quarterly",
        "--period",
        "2026-Q1",
        "--air-quality",
        str(air),
        "--now",
        "2026-04-02",
    ]
    report["quarterly"] = json.loads(_run(runner, url, [*quarterly, "--as", "boss", "--json"]))
    report["daily"] = json.loads(
        _run(runner, url, ["cycle", "daily", "--period", "2026-03-02", "--as", "boss", "--json"])
    )
    report["cases"] = json.loads(
        _run(runner, url, ["case", "list", "--now", "2026-04-01", "--as", "boss", "--json"])
    )
    report["zhujian_sees"] = [
        c["id"] for c in json.loads(_run(runner, url, ["case", "list", "--as", "zhujian", "--json"]))
    ]
    report["again"] = json.loads(
        _run(runner, url, ["escalate", "--as", "boss", "--now", "2026-03-31T18:00", "--json"])
    )
    return report


def _check(report: dict) -> None:
    weekly = {
        w: (
            report[w]["totals"]["new"],
            report[w]["totals"]["closed"],
            report[w]["totals"]["overdue"],
            report[w]["totals"]["escalated"],
        )
        for w in ("2026-W10", "2026-W11", "2026-W12", "2026-W13")
    }
    # W10: new 1-4; closed 1, 3; overdue at 03-09: case 2; escalated: case 2 提醒 (03-06)
    # W11: new 5-7; none closed; overdue at 03-16: cases 2, 4; case 2 通报 (03-12)
    # W12: new 8, 9; closed 3, 4, 5, 7; overdue at 03-23: 2, 6; 提醒 4 (03-16), 3 (03-19), 6 (03-21), 约谈 2 (03-20)
    # W13: new 10-12; closed 8; overdue at 03-30: 2, 6; 提醒 9 (03-24), 通报 6 (03-27)
    assert weekly == {
        "2026-W10": (4, 2, 1, 1),
        "2026-W11": (3, 0, 2, 1),
        "2026-W12": (2, 4, 2, 4),
        "2026-W13": (3, 1, 2, 2),
    }
    w12 = {r["unit"]: r for r in report["2026-W12"]["by_unit"]}
    assert (w12["住建"]["overdue"], w12["岳塘区"]["overdue"], w12["雨湖区"]["escalated"]) == (1, 1, 1)
    assert report["2026-W12"]["escalations_by_level"] == {
        "remind": 3,
        "notify": 0,
        "interview": 1,
        "refer": 0,
    }
    assert [(e["case_id"], e["level"], e["on_date"]) for e in report["escalations"]] == [
        (2, "remind", "2026-03-06"),
        (2, "notify", "2026-03-12"),
        (4, "remind", "2026-03-16"),
        (3, "remind", "2026-03-19"),
        (2, "interview", "2026-03-20"),
        (6, "remind", "2026-03-21"),
        (9, "remind", "2026-03-24"),
        (6, "notify", "2026-03-27"),
    ]
    assert report["again"] == []
    monthly = report["monthly"]
    districts = [(r["unit"], r["score"], r["rank"]) for r in monthly["districts"]]
    # 雨湖区: air .4×(100×3.90/4.20) + .4×85 + .2×(50+20) = 85.14; work 100×1/2 − 5 − 1 = 44; .6×85.142857 + .4×44
    # 湘潭县: air .4×100 + .4×95 + .2×80 = 94; work max(0, 0 − 5 − 5 − 1) = 0; .6×94 = 56.4
    # 岳塘区: air .4×86.67 + .4×70 + .2×45 = 71.67; work 0; .6×71.666667 = 43.0
    assert districts == [("雨湖区", 68.69, 1), ("湘潭县", 56.4, 2), ("岳塘区", 43.0, 3)]
    # 交通运输: 2 of 2 on time → 100; 住建: 100/3 − 2×5 − (1 + 3 + 5) = 14.33
    assert [(r["unit"], r["score"], r["rank"]) for r in monthly["departments"]] == [
        ("交通运输", 100.0, 1),
        ("住建", 14.33, 2),
    ]
    zhujian = monthly["departments"][1]
    assert (zhujian["due"], zhujian["on_time"], zhujian["overdue"]) == (3, 1, 2)
    assert {r["unit"]: r["repeated"] for r in monthly["districts"]}["湘潭县"] == 1
    # Q1: January and February have no case due and no air-quality data → work alone, 100 each
    quarter = {
        r["unit"]: (r["monthly_scores"], r["score"], r["rank"]) for r in report["quarterly"]["districts"]
    }
    assert quarter == {
        "雨湖区": ([100.0, 100.0, 68.69], 89.56, 1),
        "湘潭县": ([100.0, 100.0, 56.4], 85.47, 2),
        "岳塘区": ([100.0, 100.0, 43.0], 81.0, 3),
    }
    assert [(r["unit"], r["score"]) for r in report["quarterly"]["departments"]] == [
        ("交通运输", 100.0),
        ("住建", 71.44),
    ]
    assert report["daily"]["patrols"][0]["findings"] == "发现裸土2处"
    assert [c["id"] for c in report["daily"]["reported"]] == [1, 2]
    assert report["zhujian_sees"] == [2, 7, 12]
    overdue = {c["id"]: c["overdue_days"] for c in report["cases"] if c["overdue_days"]}
    assert overdue == {2: 27, 6: 12, 12: 1}


def test_a_month_of_supervision_gives_the_same_results_on_every_backend(tmp_path):
    reports = {}
    for backend in BACKENDS:
        (tmp_path / backend).mkdir()
        reports[backend] = run_scenario(fresh_url(backend, tmp_path / backend), tmp_path / backend)
        _check(reports[backend])
    texts = {b: json.dumps(r, ensure_ascii=False, sort_keys=True) for b, r in reports.items()}
    assert len(set(texts.values())) == 1, "backends disagree"


def test_bad_input_on_the_command_line_is_one_error_line_and_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    _run(runner, url, ["org", "add", "市蓝天办", "--kind", "office"])
    _run(runner, url, ["user", "add", "--no-password", "boss", "--name", "王", "--role", "admin"])
    _run(runner, url, ["org", "add", "雨湖区", "--kind", "district", "--as", "boss"])
    _run(
        runner,
        url,
        [
            "case",
            "new",
            "--district",
            "雨湖区",
            "--category",
            "扬尘",
            "--address",
            "a",
            "--description",
            "d",
            "--as",
            "boss",
            "--at",
            "2026-03-02T09:00",
        ],
    )
    before = _run(runner, url, ["case", "show", "1", "--as", "boss", "--json"])
    for args, message in (
        (
            ["case", "assign", "1", "--unit", "雨湖区", "--deadline", "2026-03-01", "--at", "2026-03-02"],
            "早于交办日",
        ),
        (["case", "assign", "1", "--unit", "月球区"], "没有名为“月球区”的区县或部门"),
        (["case", "verify", "1"], "“待交办”状态，不能核查销号"),
        (["case", "assign", "1", "--unit", "雨湖区", "--deadline", "next friday"], "not a date"),
        (
            [
                "case",
                "new",
                "--district",
                "雨湖区",
                "--category",
                "噪声",
                "--address",
                "a",
                "--description",
                "d",
            ],
            "未知的问题类别“噪声”",
        ),
        (["cycle", "weekly", "--period", "2026-10"], "“2026-10”不是有效的周时段"),
    ):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from lantian.cli import main; main()",
                *args,
                "--as",
                "boss",
                "--db",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("错误：") and message in proc.stderr and "Traceback" not in proc.stderr
    assert _run(runner, url, ["case", "show", "1", "--as", "boss", "--json"]) == before
