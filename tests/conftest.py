"""Shared test fixtures. Real data lives in ../shared/data beside the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_paths import (  # noqa: F401  (re-exported for fixtures)
    CNEMC,
    CNEMC_2022,
    CNEMC_2026,
    CNEMC_2026_CHUNKS,
    PROJECT_ROOT,
    SHARED_DATA,
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}"
    return SHARED_DATA
