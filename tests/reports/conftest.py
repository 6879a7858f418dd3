"""Session fixtures of the report tests: Parquet stores and a supervision database, built once."""

from __future__ import annotations

import pytest
from rp_helpers import HUNAN, SHARED, seed_scenario

from lantian.io.dataset import Dataset
from lantian.store import open_database
from lantian.workflow.services import Workflow


@pytest.fixture(scope="session")
def hunan_store(tmp_path_factory):
    """The aqistudy daily files of the 14 Hunan cities (2013-12 → 2017-01) in a store."""
    path = tmp_path_factory.mktemp("hunan") / "store"
    Dataset(path).ingest([SHARED / "aqistudy-daily" / "daily" / f"{c}.csv.gz" for c in HUNAN])
    return path


@pytest.fixture(scope="session")
def cnemc_store(tmp_path_factory):
    """The national platform's hourly sample with the Hunan station list."""
    path = tmp_path_factory.mktemp("cnemc") / "store"
    Dataset(path).ingest([SHARED / "stations", SHARED / "cnemc"])
    return path


@pytest.fixture(scope="session")
def scenario_db(tmp_path_factory):
    """A SQLite supervision database with the scenario of rp_helpers.seed_scenario."""
    url = f"sqlite:///{(tmp_path_factory.mktemp('db') / 'lantian.db').as_posix()}"
    database = open_database(url)
    try:
        ids = seed_scenario(Workflow(database))
    finally:
        database.dispose()
    return url, ids


@pytest.fixture(autouse=True)
def _no_configured_database(monkeypatch, tmp_path):
    """Reports read a supervision database only when one is given or configured."""
    monkeypatch.delenv("LANTIAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("LANTIAN_CONFIG", raising=False)
    monkeypatch.delenv("LANTIAN_USER", raising=False)
    monkeypatch.chdir(tmp_path)
