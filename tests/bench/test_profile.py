"""The benchmark's profiles of missed targets and its "short by" column (benchmarks/run.py, cases.py)."""

from __future__ import annotations

import datetime as dt

import cases
import polars as pl
import run as bench_run

PACKAGES = cases.PROFILED_PACKAGES


def _stats(edges: dict[tuple, dict[tuple, float]], cumulative: dict[tuple, float]) -> dict:
    """pstats-shaped statistics: function → (calls, primitive calls, own time, cumulative, callers)."""
    callers: dict[tuple, dict] = {k: {} for k in cumulative}
    for caller, callees in edges.items():
        for callee, seconds in callees.items():
            callers[callee][caller] = (1, 1, 0.0, seconds)
    return {k: (1, 1, 0.0, ct, callers[k]) for k, ct in cumulative.items()}


def test_profile_entries_follow_the_documented_choice():
    """The selection rule of ``cases.profile_entries`` (its docstring, points 1–2) on a hand-made call
    graph: ``a`` is a wrapper (its one callee ``b`` takes 0.95 of its 1.0 s ≥ WRAPPER_SHARE), so ``b``
    is the first-level part; ``rmtree`` is outside the named packages and looked through to ``e``;
    ``b`` is replaced by its parts ``c`` and ``d`` and its own 0.05 s; ``e`` has none and stays."""
    root = ("/w/bench.py", 1, "root")
    a, b = ("/w/src/lantian/a.py", 1, "a"), ("/w/src/lantian/b.py", 1, "b")
    c = ("/v/site-packages/polars/c.py", 1, "c")
    d, e = ("/w/src/lantian/d.py", 1, "d"), ("/w/src/lantian/e.py", 1, "e")
    x = ("/usr/lib/python3.11/shutil.py", 1, "rmtree")
    stats = _stats(
        {root: {a: 1.0, x: 0.5}, a: {b: 0.95}, b: {c: 0.5, d: 0.4}, x: {e: 0.45}},
        {root: 1.6, a: 1.0, b: 0.95, c: 0.5, d: 0.4, x: 0.5, e: 0.45},
    )
    got = cases.profile_entries(stats, root)
    # shares of the root's 1.6 s: 0.5, 0.45, 0.4 and 0.05 s
    assert [(g["name"], g["share"]) for g in got] == [
        ("polars.c.c", 0.3125),
        ("lantian.e.e", 0.2812),
        ("lantian.d.d", 0.25),
        ("lantian.b.b (own)", 0.0312),
    ]
    assert sum(g["share"] for g in got) <= 1


def test_a_dominant_entry_is_looked_inside():
    """Docstring point 2, last sentence: an entry holding more than half of the total is replaced by
    its parts (here ``c`` holds 0.9 of 1.0 s and calls ``d`` 0.5 s and ``e`` 0.3 s)."""
    root = ("/w/bench.py", 1, "root")
    b, c = ("/w/src/lantian/b.py", 1, "b"), ("/w/src/lantian/c.py", 1, "c")
    d, e = ("/w/src/lantian/d.py", 1, "d"), ("/w/src/lantian/e.py", 1, "e")
    f = ("/w/src/lantian/f.py", 1, "f")
    stats = _stats(
        {root: {b: 1.0}, b: {c: 0.9, f: 0.1}, c: {d: 0.5, e: 0.3}},
        {root: 1.0, b: 1.0, c: 0.9, d: 0.5, e: 0.3, f: 0.1},
    )
    names = {g["name"]: g["share"] for g in cases.profile_entries(stats, root)}
    assert names == {"lantian.d.d": 0.5, "lantian.e.e": 0.3, "lantian.c.c (own)": 0.1, "lantian.f.f": 0.1}


def _cfg():
    return bench_run.Config(stations=20, cities=4, days=30, sample=100, cnemc_hours=30, seed=7)


def test_profile_of_a_tiny_ingest_names_lantian_functions(small_store, tmp_path):
    store, files = small_store
    got = bench_run.run_case("ingest_lantian", store, tmp_path, _cfg(), files=files, profile=True)
    assert got["seconds"] > 0 and 1 <= len(got["profile"]) <= cases.PROFILE_ENTRIES, got
    assert sum(e["share"] for e in got["profile"]) <= 1 + 1e-3  # four-decimal rounding
    assert all(e["name"].split(".")[0] in PACKAGES for e in got["profile"]), got
    assert any(e["name"].startswith("lantian.") for e in got["profile"]), got


def test_hourly_aqi_profile_is_staged_and_equals_the_case(small_store, tmp_path):
    store, _ = small_store
    got = bench_run.run_case("aqi_lantian", store, tmp_path, _cfg(), profile=True)
    assert got["staged"] and got["matches_case"], got
    assert [e["name"].split(" ")[0] for e in got["profile"]] == [
        "lantian.calc.aqi._iaqi_of_rounded",  # 2025 hours: HJ 633—2012 with rounded inputs (default)
        "lantian.calc.aqi._regime_stages",
        "lantian.calc.aqi._regime_stages",
        "lantian.calc.aqi._level_text",
    ]
    assert abs(sum(e["share"] for e in got["profile"]) - 1) <= 1e-3  # shares of the stages' sum


def test_staged_aqi_equals_aqi_frame_across_the_switch_day():
    """Hours on both sides of 1 March 2026 (lantian.standards.SWITCH_DAY): both editions are staged,
    and the result still equals ``aqi_frame``."""
    frame = pl.DataFrame(
        {
            "station_code": ["1001A"] * 4,
            "time": [
                dt.datetime(2026, 2, 28, 12),
                dt.datetime(2026, 3, 1, 0),
                dt.datetime(2026, 3, 1, 1),
                dt.datetime(2026, 3, 2, 12),
            ],
            "so2": [10.0, 900.0, 12.0, None],
            "no2": [40.0, 50.0, 260.0, 30.0],
            "co": [0.8, 1.2, 3.0, 0.4],
            "o3": [161.0, 90.0, 300.0, 20.0],
            "pm10": [120.0, 60.0, 400.0, 30.0],
            "pm25": [36.0, 75.0, 260.0, 10.0],
        }
    )
    got = cases.aqi_stage_profile(frame)
    assert got["matches_case"] and len(got["profile"]) == 4


def _raw():
    return {
        "aqi_lantian": {"seconds": 1.0},
        "aqi_pandas": {"seconds": 0.77},
        "aqi_python_aqi": {"seconds": 56.0},
        "aqi_aqi_hub": {"seconds": 200.0},
        "aqi_lantian_stream": {"seconds": 5.0, "max_rss_mb": 3 * 1024},
        "ingest_lantian": {"seconds": 6.4},
        "ingest_polars_csv": {"seconds": 0.832},
        "refresh_lantian": {"seconds": 1.3},
        "report_annual_pdf": {"seconds": 2.0},
    }


def test_short_by_for_each_kind_of_goal():
    """The "short by" column (benchmarks/run.py ``short_by``): goal / measured for ratio and percentage goals,
    measured / goal for time and memory goals, the count over the goal for mismatches."""
    rows = {r["target"]: r for r in bench_run.targets(_raw(), {"hourly_aqi": {"lantian_mismatches": 12}})}
    short = {name: r["short_by"] for name, r in rows.items()}
    assert short == {
        "hourly AQI vs pandas (np.interp + ceil)": "3.9×",  # ≥ 3×: 3 / (0.77 / 1.0) = 3.896
        "hourly AQI vs python-aqi (per value)": "5.4×",  # ≥ 300×: 300 / 56 = 5.357
        "hourly AQI vs aqi-hub (per value)": "",  # ≥ 100×: 200× met
        "hourly AQI exact (mismatches vs oracle)": "+12",  # goal 0
        "hourly AQI of a national year (streamed), peak memory": "2.0×",  # ≤ 1.5 GB: 3 / 1.5
        "ingest speed vs bare polars.read_csv": "3.8×",  # ≥ 50 %: 50 / 13 (0.832 / 6.4)
        "one new hour → city AQI + year-to-date of every city": "4.3×",  # ≤ 0.3 s: 1.3 / 0.3
        "annual report PDF, one city": "",  # ≤ 3 s: 2.0 s met
    }
    kinds = {r["kind"] for r in rows.values()}
    assert kinds == {"ratio", "count", "memory", "percentage", "time"}
    assert rows["hourly AQI vs pandas (np.interp + ceil)"]["case"] == "aqi_lantian"
    assert rows["hourly AQI of a national year (streamed), peak memory"]["case"] is None
    assert (
        bench_run.short_by({**rows["one new hour → city AQI + year-to-date of every city"]}, 0.31) == "1.03×"
    )


def test_quick_runs_without_profiles_say_so(monkeypatch, tmp_path):
    monkeypatch.setattr(bench_run, "PROFILE_QUICK", False)
    rows = bench_run.targets(_raw(), {})
    profiles = bench_run.profile_missed(
        rows, _raw(), quick=True, say=lambda m: None, store=tmp_path, files=None, out=tmp_path, cfg=_cfg()
    )
    assert profiles == {}
    cells = {r["target"]: bench_run.where_time_goes(r) for r in rows if r["met"] is False}
    assert cells["one new hour → city AQI + year-to-date of every city"] == "profiled in full runs"
    assert cells["hourly AQI of a national year (streamed), peak memory"] == "peak memory: not a time profile"


def test_markdown_writes_short_by_and_the_profile(tmp_path):
    rows = bench_run.targets(_raw(), {})
    refresh = next(r for r in rows if r["case"] == "refresh_lantian")
    refresh["profile"] = {
        "profile": [{"name": "lantian.calc.aqi._graded", "seconds": 0.4, "share": 0.31}],
        "seconds": 1.29,
    }
    summary = {
        "command": "lantian bench",
        "started": "2026-01-01T00:00:00",
        "wall_seconds": 1.0,
        "machine": {
            k: "x"
            for k in ("nproc", "cpu", "memory_gb", "os", "python", "polars", "duckdb", "pandas", "pyarrow")
        },
        "data": {"stations": 0, "cities": 0, "years": [], "rows": 0, "platform_files": 0},
        "results": [],
        "checks": {},
        "targets": rows,
    }
    text = bench_run.markdown(summary)
    assert "| target | measured | goal | met | short by | where the time goes |" in text
    assert (
        "| one new hour → city AQI + year-to-date of every city | 1.3 s | ≤ 0.3 s | **no** | 4.3× | "
        "`lantian.calc.aqi._graded` 31 % |" in text
    )
