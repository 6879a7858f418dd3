"""Helpers of the workflow tests. Database backends: SQLite always, PostgreSQL when LANTIAN_TEST_POSTGRES_URL is set.

If the variable is set but the server cannot be reached, the tests fail (they never skip).
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from lantian.workflow.services import Workflow

POSTGRES_URL = os.environ.get("LANTIAN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def fresh_url(backend: str, tmp_path) -> str:
    """An empty database of ``backend``: a new SQLite file, or the PostgreSQL test database wiped."""
    if backend == "sqlite":
        return f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        pytest.fail(f"LANTIAN_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc.orig}")
    finally:
        engine.dispose()
    return POSTGRES_URL


T0 = datetime(2026, 3, 2, 9, 0)  # a Monday
DISTRICTS = ("雨湖区", "岳塘区", "湘潭县")
DEPARTMENTS = ("住建", "交通运输")
OFFICERS = {
    "yuhu": "雨湖区",
    "yuetang": "岳塘区",
    "xiangtan": "湘潭县",
    "zhujian": "住建",
    "jiaotong": "交通运输",
}


def seed(wf: Workflow) -> Workflow:
    """The city office, three districts, two departments, and one user of every kind."""
    wf.add_unit(None, "市蓝天办", "office", T0)
    wf.add_user(None, "boss", "王主任", "admin", "市蓝天办", T0)
    for name in DISTRICTS:
        wf.add_unit("boss", name, "district", T0)
    for name in DEPARTMENTS:
        wf.add_unit("boss", name, "department", T0)
    wf.add_user("boss", "insp", "李巡查", "inspector", None, T0)
    wf.add_user("boss", "lead", "张市长", "leader", None, T0)
    for user, unit in OFFICERS.items():
        wf.add_user("boss", user, f"{unit}联络员", "officer", unit, T0)
    return wf


def new_case(wf: Workflow, district: str = "雨湖区", category: str = "扬尘", at: datetime = T0, **kw) -> int:
    args = {
        "source": "patrol",
        "severity": "medium",
        "address": "建设路工地",
        "description": "裸土未覆盖",
    } | kw
    return wf.new_case("insp", category=category, district=district, at=at, **args)["id"]
