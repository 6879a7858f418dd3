from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lantian.pipeline.synth import generate

PROJECT = Path(__file__).resolve().parents[2]
BENCHMARKS = PROJECT / "benchmarks"

if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> tuple[Path, Path]:
    """20 stations in 4 cities, 30 days, with 30 hours of platform files."""
    root = tmp_path_factory.mktemp("synth")
    generate(
        root / "store",
        stations=20,
        cities=4,
        years=1,
        start=2025,
        seed=7,
        days=30,
        cnemc_files=root / "cnemc",
        cnemc_hours=30,
    )
    return root / "store", root / "cnemc"
