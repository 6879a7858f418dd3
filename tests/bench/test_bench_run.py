"""The benchmark suite: peers, oracle and a tiny end-to-end run with its agreement checks."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import polars as pl
import pytest
import run as bench_run
from peers import duckdb_annual, oracle_aqi, oracle_iaqi, pandas_annual, pandas_aqi

from lantian.io.dataset import Dataset
from lantian.schema import HOURLY_SCHEMA, STATION_SCHEMA


@pytest.mark.parametrize(
    ("pollutant", "value", "expected"),
    [
        # HJ 633—2012 Table 1 with 式1, rounded up (§6.2); PM graded on the 24-hour column in the real-time report.
        ("pm25", 36, 52),  # 50 + 50/40 × 1 = 51.25 → 52
        ("pm25", 75, 100),  # breakpoint exactly
        ("co", 0.8, 8),  # CO 1-hour column: 50/5 × 0.8 = 8
        ("o3", 161, 52),  # O3 1-hour column: 50 + 50/40 × 1 = 51.25 → 52
        ("so2", 900, None),  # SO2 1-hour > 800: graded on the 24-hour value, absent here (Table 1 note 2)
        ("no2", -1, None),
    ],
)
def test_oracle_iaqi(pollutant, value, expected):
    assert oracle_iaqi(pollutant, value) == expected


def test_oracle_withholds_low_aqi_with_a_missing_pollutant():
    row = {"so2": 5.0, "no2": 10.0, "co": 0.3, "o3": 40.0, "pm10": None, "pm25": 20.0}
    assert oracle_aqi(row)[0] is None  # HJ 633—2026 §5.3 rule, the platform's practice under 2012
    assert oracle_aqi({**row, "pm25": 120.0})[0] == math.ceil((120 - 115) / 35 * 50 + 150)


def test_pandas_peer_agrees_with_the_oracle_on_ordinary_values():
    rows = [
        {"so2": 12.0, "no2": 45.0, "co": 0.9, "o3": 88.0, "pm10": 130.0, "pm25": 77.0},
        {"so2": 3.0, "no2": 15.0, "co": 0.2, "o3": 30.0, "pm10": 20.0, "pm25": 10.0},
    ]
    got = pandas_aqi(pd.DataFrame(rows))["aqi"].tolist()
    assert got == [oracle_aqi(r)[0] for r in rows]


def _hand_store(path):
    """One day, two stations of one city: an evaluation point and a control point (excluded)."""
    times = [dt.datetime(2025, 3, 1, h) for h in range(1, 24)] + [dt.datetime(2025, 3, 2, 0)]
    rows = []
    for code, scale in (("0001A", 1.0), ("0002A", 10.0)):
        for t in times:
            rows.append(
                {
                    "station_code": code,
                    "time": t,
                    "so2": 10 * scale,
                    "no2": 20 * scale,
                    "co": 0.5 * scale,
                    "o3": 100 * scale,
                    "pm10": 60 * scale,
                    "pm25": 80 * scale,
                }
            )
    ds = Dataset(path)
    ds.load_rows("hourly", pl.DataFrame(rows, schema=HOURLY_SCHEMA))
    reg = pl.DataFrame(
        {"station_code": ["0001A", "0002A"], "city": ["甲市", "甲市"], "is_control": [False, True]}
    )
    ds.replace_registry(
        reg.with_columns(
            [pl.lit(None, t).alias(c) for c, t in STATION_SCHEMA.items() if c not in reg.columns]
        )
    )


@pytest.mark.parametrize("peer", [duckdb_annual, pandas_annual])
def test_annual_peers_on_a_hand_computed_day(tmp_path, peer):
    _hand_store(tmp_path)
    row = peer(tmp_path, 2025).iloc[0].to_dict()
    # Spec §5.4: 10/60 + 20/40 + 60/70 + 80/35 + 0.5/4 + 100/160 = 4.5595… → 4.56; PM2.5 80 > 75: not a good day.
    assert row == {
        "city": "甲市",
        "valid_days": 1,
        "good_days": 0,
        "so2": 10.0,
        "no2": 20.0,
        "pm10": 60.0,
        "pm25": 80.0,
        "co_p95": 0.5,
        "o3_8h_p90": 100.0,
        "so2_p98": 10.0,
        "no2_p98": 20.0,
        "pm10_p95": 60.0,
        "pm25_p95": 80.0,
        "composite_index": 4.56,
        "good_rate": 0.0,
    }


def test_tiny_benchmark_run_completes_and_its_checks_pass(tmp_path):
    cfg = bench_run.Config(stations=20, cities=4, days=30, sample=400, cnemc_hours=24, seed=3)
    summary = bench_run.run(config=cfg, workdir=tmp_path)
    by = {(r["benchmark"], r["tool"]): r for r in summary["results"]}
    assert by[("hourly AQI", "lantian")]["seconds"] > 0
    for tool in ("python-aqi (per call, scaled)", "aqi-hub (per call, scaled)", "pandas (np.interp + ceil)"):
        assert by[("hourly AQI", tool)]["ratio"] > 0
    assert summary["checks"]["hourly_aqi"]["lantian_mismatches"] == 0
    assert summary["checks"]["hourly_aqi"]["pandas_agreement_pct"] == 100.0
    annual = summary["checks"]["annual"]
    # the assessment from the kept station daily values gives the same published figures as from the hours
    assert annual["tools"] == ["duckdb", "lantian", "lantian_daily", "pandas"]
    assert annual["agree"], annual
    assert by[("annual assessment, all cities", "lantian (kept station daily values)")]["seconds"] > 0
    assert (
        by[("hourly AQI", "lantian, streamed from the store to Parquet")]["detail"]["units"]
        == (by[("hourly AQI", "lantian")]["detail"]["units"])
    )
    assert by[("ingest platform files", "bare polars.read_csv")]["detail"]["files"] == 24
    assert by[("ingest platform files", "lantian")]["seconds"] > 0
    refresh = by[("refresh after one new hour", "lantian")]["detail"]
    assert refresh["city_aqi_rows"] == 4 and refresh["units"] == 4
    text = bench_run.markdown(summary)
    assert "| hourly AQI | lantian |" in text and "nproc" not in text and "Machine:" in text


def test_report_cases_run_alone_and_give_their_targets(tmp_path):
    """``--case`` runs only the annual-report cases (no synthetic store is generated for them); each
    measures one report of the bundled sample and adds its target (≤ 3 s each: the report speed goal of
    the suite's targets, benchmarks/run.py ``targets``)."""
    cfg = bench_run.Config(stations=20, cities=4, days=30, sample=400, cnemc_hours=24, seed=3)
    summary = bench_run.run(config=cfg, workdir=tmp_path, only=["report_annual_pdf", "report_annual_xlsx"])
    assert not (tmp_path / cfg.key / "store").exists()
    by = {r["benchmark"]: r for r in summary["results"]}
    assert set(by) == {"report annual pdf", "report annual xlsx"}
    results = tmp_path / cfg.key / "results"
    for fmt, magic in (("pdf", b"%PDF-"), ("xlsx", b"PK\x03\x04")):
        row = by[f"report annual {fmt}"]
        assert row["seconds"] > 0, row
        assert row["detail"]["charts"] == 3 and row["detail"]["process_seconds"] > 0
        assert (results / f"report_annual.{fmt}").read_bytes().startswith(magic)
        assert (results / f"report_annual_cli.{fmt}").read_bytes().startswith(magic)
    assert [t["target"] for t in summary["targets"]] == [
        "annual report PDF, one city",
        "annual report XLSX, one city",
    ]
    assert all(t["goal"] == "≤ 3 s" and t["measured"] is not None for t in summary["targets"])
    bench_run.markdown(summary)  # the report renders without the synthetic store's figures


def test_unknown_case_is_refused(tmp_path):
    with pytest.raises(ValueError, match="report_annual_pdf"):
        bench_run.run(workdir=tmp_path, only=["report_annual"])


def test_repetitions_give_the_median_the_spread_and_the_largest_peak():
    runs = [
        {"seconds": 3.0, "max_rss_mb": 100.0},
        {"seconds": 1.0, "max_rss_mb": 300.0},
        {"seconds": 2.0, "max_rss_mb": 200.0},
    ]
    out = bench_run.combine_runs(runs)
    assert out["seconds"] == 2.0 and out["runs"] == [1.0, 2.0, 3.0] and out["max_rss_mb"] == 300.0
    assert bench_run.combine_runs([{"unavailable": "x"}]) == {"unavailable": "x"}


def test_readers_see_a_corrected_value_once(corrected_store):
    """Every benchmark reader takes the hourly table's current files from its Delta log: the file the
    correction replaced is still on disk but read by none of them (a glob would count that hour twice)."""
    import cases
    import peers

    store, fresh = corrected_store["store"], corrected_store["fresh"]
    on_disk = sorted((store / "hourly").rglob("*.parquet"))
    current = peers.table_files(store, "hourly")
    assert len(on_disk) > len(current) and set(current) < {str(p) for p in on_disk}

    hours = cases._hourly(store, 2025)
    key = (pl.col("station_code") == corrected_store["station"]) & (pl.col("time") == corrected_store["time"])
    assert hours.filter(key)["pm25"].to_list() == [corrected_store["new"]]
    assert hours.sort("station_code", "time").equals(cases._hourly(fresh, 2025).sort("station_code", "time"))
    # The annual peers (DuckDB SQL, pandas) on the corrected store equal themselves on the fresh one,
    # and the correction changes the figures (240 µg/m³ in one hour of a 24-hour day moves the mean by 10).
    for peer in (duckdb_annual, pandas_annual):
        got, want = peer(store, 2025), peer(fresh, 2025)
        pd.testing.assert_frame_equal(got, want)
        assert not got["pm25"].equals(peer(corrected_store["original"], 2025)["pm25"])


def test_an_old_layout_store_is_generated_again(tmp_path):
    """A store kept under --workdir from before the Delta tables (``stations.parquet``, ``hourly/year=``)
    is not reused: it is generated again as Delta tables."""
    cfg = bench_run.Config(stations=4, cities=1, days=1, cnemc_hours=0, seed=2)
    root = tmp_path / cfg.key
    (root / "store" / "hourly" / "year=2025").mkdir(parents=True)
    pl.DataFrame({"station_code": ["1001A"]}).write_parquet(root / "store" / "stations.parquet")
    (root / "done.json").write_text('{"stations": 4}')
    assert not bench_run.is_delta_store(root / "store")
    store, _ = bench_run.ensure_store(cfg, tmp_path)
    assert bench_run.is_delta_store(store)
    assert not (store / "stations.parquet").exists() and not (store / "hourly" / "year=2025").exists()
    assert Dataset(store).stations().height == 4
    assert (
        json.loads((root / "done.json").read_text())["rows"] == Dataset(store).scan_hourly().collect().height
    )
