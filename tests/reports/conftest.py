"""Session fixtures of the report tests: Parquet stores and a supervision database, built once."""

from __future__ import annotations

import pytest
from rp_helpers import HUNAN, SAMPLE_REPORTS, SHARED, seed_scenario

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


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory, scenario_db):
    """Every report kind of 株洲 on the bundled sample, rendered once as PDF and XLSX (Chinese):
    ``{kind: {"pdf": Path, "xlsx": Path, "doc": Document}}``."""
    from lantian.pipeline.store import load_sample
    from lantian.reports.render import write
    from lantian.reports.sources import build

    root = tmp_path_factory.mktemp("sample-reports")
    store = root / "store"
    load_sample(Dataset(store))
    groups = root / "groups.toml"
    groups.write_text('[groups]\n"湖南" = ["长沙", "株洲", "湘潭"]\n', encoding="utf-8")
    targets = root / "targets.toml"
    targets.write_text(
        '[[targets]]\ncity = "株洲"\nyear = 2016\ngood_rate_min = 75.0\npm25_max = 50\nheavy_days_max = 6\n'
        'o3_max = 160\ncomposite_max = "last_year"\n',
        encoding="utf-8",
    )
    url, _ = scenario_db
    out = {}
    for kind, period in SAMPLE_REPORTS.items():
        options = {"store": store}
        if kind != "daily":
            options |= {"group": "湖南", "groups": groups}
        if kind in ("weekly", "monthly", "quarterly"):
            options |= {"db": url, "actor": "boss"}
        if kind == "annual":
            options |= {"targets": targets}
        doc = build(kind, city="株洲", period=period, **options)
        out[kind] = {
            "doc": doc,
            "pdf": write(doc, "pdf", root / f"{kind}.pdf"),
            "xlsx": write(doc, "xlsx", root / f"{kind}.xlsx"),
        }
    return out
