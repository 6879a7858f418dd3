"""``lantian demo``: the bundled sample, a demo organisation of 株洲 with users and cases.

Loading is idempotent: the sample files are ingested once (the store skips files already ingested)
and the organisation, users and cases are created only in an empty database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from lantian.clock import SYSTEM_CLOCK, Clock, FixedClock
from lantian.config import Settings
from lantian.pipeline.store import migrate_store, needs_migration, open_dataset
from lantian.store import open_database
from lantian.web.air import AirData
from lantian.web.security import hash_password
from lantian.workflow.rules import rules_from_settings
from lantian.workflow.services import Workflow

DEMO_CITY = "株洲市"
DISTRICTS = ("天元区", "芦淞区", "荷塘区", "石峰区", "渌口区")
DEPARTMENTS = ("住建", "交通运输", "城管")
#: (user name, password, role, unit) — demo credentials, printed by ``lantian demo``.
DEMO_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "lantian-admin", "admin", None),
    ("inspector", "lantian-inspect", "inspector", None),
    ("leader", "lantian-leader", "leader", None),
    ("tianyuan", "lantian-tianyuan", "officer", "天元区"),
    ("lusong", "lantian-lusong", "officer", "芦淞区"),
    ("zhujian", "lantian-zhujian", "officer", "住建"),
)
DISPLAY = {
    "admin": "王主任",
    "inspector": "李巡查",
    "leader": "赵局长",
    "tianyuan": "天元区联络员",
    "lusong": "芦淞区联络员",
    "zhujian": "住建局联络员",
}


#: The province group of the ranking: the cities of the bundled sample with daily city data.
DEMO_GROUPS = '[groups]\n"湖南" = ["长沙", "株洲", "湘潭"]\n'
#: Demo targets of 株洲 (configuration input of the targets panel, not published figures).
DEMO_TARGETS = """# Demo targets of the office (lantian demo); see lantian.pipeline.assessment.read_targets.
[[targets]]
city = "株洲"
year = 2016
good_rate_min = 75.0
pm25_max = 50
heavy_days_max = 6
o3_max = 160
composite_max = "last_year"

[[targets]]
city = "株洲"
year = 2026
good_rate_min = 85.0
pm25_max = 37
heavy_days_max = 3
composite_max = "last_year"
"""
#: A demo forecast (input of the warnings panel): three days of forecast AQI after the 2016 data.
DEMO_FORECAST = (
    "city,date,aqi\n株洲,2017-01-01,185\n株洲,2017-01-02,215\n株洲,2017-01-03,238\n株洲,2017-01-04,160\n"
)


def demo_files(data_dir: Path) -> dict[str, str]:
    """Write the demo's groups, targets and forecast files; returns the ``[web]`` settings naming them."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "groups_file": ("groups.toml", DEMO_GROUPS),
        "targets_file": ("targets.toml", DEMO_TARGETS),
        "forecast_file": ("demo-forecast.csv", DEMO_FORECAST),
    }
    out = {"city": DEMO_CITY, "group": "湖南"}
    for key, (name, text) in files.items():
        path = data_dir / name
        if not path.is_file():
            path.write_text(text, encoding="utf-8")
        out[key] = str(path)
    return out


def demo_settings(settings: Settings) -> Settings:
    """The settings with the demo's city, group, targets and forecast (unless configured otherwise)."""
    return settings.with_values("demo", demo_files(settings.data_dir))


def sample_dir() -> Path:
    """The bundled sample (``lantian/data/sample``)."""
    return Path(str(resources.files("lantian").joinpath("data/sample")))


def load_demo(
    settings: Settings,
    progress: Callable[[str], None] | None = None,
    clock: Clock | None = None,
    sources: list[Path] | None = None,
) -> dict:
    """Ingest the bundled sample (or ``sources``) into the store; create the demo organisation, users and
    cases, dated back from ``clock``'s now (Beijing time) under the rules of the settings."""
    say = progress or (lambda _msg: None)
    clock = clock or SYSTEM_CLOCK
    now = clock.now()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    if needs_migration(settings.store):  # a demo directory made by an earlier version
        say(f"converting {settings.store} to Delta Lake tables …")
        migrate_store(settings.store)
    ds = open_dataset(settings.store)
    say(f"loading {'the bundled sample' if sources is None else 'the data'} into {settings.store} …")
    report = ds.ingest(sources or [sample_dir()])
    ds.register_unknown()
    totals = report.to_dict().get("totals", {})
    db = open_database(settings.database_url)
    try:
        wf = Workflow(db, rules_from_settings(settings), clock)
        created = not wf.list_users()
        if created:
            say(f"creating the demo organisation in {settings.database_url} …")
            _seed(wf, now)
        cases = len(wf.list_cases("admin"))
    finally:
        db.dispose()
    web = demo_files(settings.data_dir)
    config = Path(settings.data_dir) / "lantian.toml"
    if not config.is_file():
        lines = [
            f'store = "{Path(settings.store).resolve().as_posix()}"',
            f'database_url = "{settings.database_url}"',
        ]
        if settings.value("rules_file") is not None:
            lines.append(f'rules_file = "{settings.value("rules_file").resolve().as_posix()}"')
        lines += ["", "[web]"]
        lines += [
            f'{k} = "{Path(v).resolve().as_posix() if k.endswith("_file") else v}"' for k, v in web.items()
        ]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "config": str(config),
        "store": str(settings.store),
        "database": settings.database_url,
        "ingest": totals,
        "seeded": created,
        "cases": cases,
        "users": [u for u, *_ in DEMO_USERS],
    }


def _seed(wf: Workflow, now: dt.datetime) -> None:
    """The demo organisation, users and cases (numbered 1–5 in the order below). Each step is recorded,
    audit log included, at the moment it is dated, and each case's steps are done in date order, so that
    every case's timeline reads in date order."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    stamp = FixedClock(now)
    saved, wf.clock = wf.clock, stamp

    def at(moment: dt.datetime) -> dt.datetime:
        stamp.set(moment)
        return moment

    try:
        start = at(now - 21 * day)
        wf.add_unit(None, "株洲市蓝天办", "office", start)
        for name in DISTRICTS:
            wf.add_unit(None, name, "district", start)
        for name in DEPARTMENTS:
            wf.add_unit(None, name, "department", start)
        first = True
        for username, password, role, unit in DEMO_USERS:
            wf.add_user(
                None if first else "admin",
                username,
                DISPLAY[username],
                role,
                unit,
                start,
                password_hash=hash_password(password),
            )
            first = False

        def case(moment: dt.datetime, **kw) -> int:
            return wf.new_case("inspector", at=at(moment), **kw)["id"]

        # 1. dust on a construction site, assigned 12 days ago with a 5-day limit: overdue, escalated.
        c1 = case(
            now - 12 * day,
            source="patrol",
            category="扬尘",
            severity="medium",
            district="天元区",
            address="天元区长江南路工地",
            description="工地裸土未覆盖，车辆带泥上路",
            longitude=113.09,
            latitude=27.83,
        )
        wf.assign("admin", c1, "天元区", at(now - 12 * day + hour))
        wf.start("tianyuan", c1, at(now - 11 * day))
        # 2. open burning reported today, waiting to be assigned.
        case(
            now,
            source="complaint",
            category="露天焚烧",
            severity="high",
            district="渌口区",
            address="渌口区南洲镇农田",
            description="群众投诉田间焚烧秸秆",
            longitude=113.14,
            latitude=27.70,
        )
        # 3. restaurant fumes: rectified, waiting for verification.
        c3 = case(
            now - 6 * day,
            source="patrol",
            category="餐饮油烟",
            severity="low",
            district="芦淞区",
            address="芦淞区建设中路",
            description="餐馆油烟净化器未开启",
            longitude=113.16,
            latitude=27.81,
        )
        wf.assign("admin", c3, "芦淞区", at(now - 6 * day + hour))
        wf.start("lusong", c3, at(now - 5 * day))
        # 4. diesel trucks seen by a monitoring station, assigned to the 交通运输 department.
        c4 = case(
            now - 3 * day,
            source="monitoring",
            category="机动车/柴油货车",
            severity="medium",
            district="石峰区",
            address="石峰区田心大道",
            description="监测站 NO2 持续偏高，疑似柴油货车集中通行",
        )
        wf.assign("admin", c4, "交通运输", at(now - 3 * day + hour))
        wf.rectify("lusong", c3, "已责令安装并开启油烟净化设施，附照片", at(now - 2 * day))
        wf.comment("admin", c1, "请天元区加快整改进度", at(now - 2 * day + hour))
        # 5. dust at a spoil yard of 荷塘区, found by satellite 20 days ago; 住建 covered it: closed.
        c5 = case(
            now - 20 * day,
            source="satellite",
            category="扬尘",
            severity="high",
            district="荷塘区",
            address="荷塘区新华东路渣土场",
            description="卫星遥感发现大面积裸土",
        )
        wf.assign("admin", c5, "住建", at(now - 20 * day + hour))
        wf.start("zhujian", c5, at(now - 19 * day))
        wf.rectify("zhujian", c5, "已完成覆盖和洒水降尘", at(now - 18 * day))
        wf.verify("admin", c5, at(now - 17 * day), note="现场核查通过，予以销号")
        wf.escalate("admin", at(now))
    finally:
        wf.clock = saved


def summary(settings: Settings) -> dict:
    """Today's and this year's figures of the demo city (what ``lantian demo --no-serve`` prints)."""
    air = AirData(demo_settings(settings))
    today = air.today("zh")
    year = air.year("zh", None)
    return {
        "today": {k: v for k, v in today.items() if not k.startswith("chart") and k != "last24"},
        "year": {k: v for k, v in year.items() if not k.startswith("chart")},
    }
