"""Where the shared real data lives: ../shared/data beside the project root."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
CNEMC = SHARED_DATA / "cnemc"
CNEMC_2022 = CNEMC / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv"
CNEMC_2026 = CNEMC / "2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv"
CNEMC_2026_CHUNKS = CNEMC / "2026-04-01T10_2026-04-02T15_two_chunks.csv"
#: The 14 cities of Hunan in aqistudy-daily/daily (../shared/data/README.md), as the files are named.
HUNAN_CITIES = (
    "长沙",
    "株洲",
    "湘潭",
    "衡阳",
    "邵阳",
    "岳阳",
    "常德",
    "张家界",
    "益阳",
    "郴州",
    "永州",
    "怀化",
    "娄底",
    "湘西州",
)
