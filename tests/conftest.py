"""Shared test fixtures. Real data lives in ../shared/data beside the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
CNEMC = SHARED_DATA / "cnemc"
CNEMC_2022 = CNEMC / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv"
CNEMC_2026 = CNEMC / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
CNEMC_2026_CHUNKS = CNEMC / "2026-04-01T10_2026-04-02T15_two_chunks.csv"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}"
    return SHARED_DATA
