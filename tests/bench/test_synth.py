"""The synthetic national data generator (lantian.pipeline.synth)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from lantian.cli import app
from lantian.errors import InputError
from lantian.io.dataset import TABLES, Dataset, old_layout
from lantian.io.delta import is_table
from lantian.pipeline.synth import PLATFORM_CSV_COLUMNS, generate, hourly_blocks, params, station_registry
from lantian.schema import HOURLY_SCHEMA, POLLUTANTS, STATION_SCHEMA

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_store_layout_and_schema(small_store):
    """Delta tables as lantian.io.dataset lays them out: hourly/ partitioned by label year and month,
    data files with exactly the table's columns (TABLES["hourly"].schema), the registry in stations/."""
    store, _ = small_store
    assert is_table(store / "hourly") and is_table(store / "stations") and not old_layout(store)
    files = Dataset(store).table_files("hourly")
    assert [Path(f).parent.relative_to(store).as_posix() for f in files] == [
        "hourly/label_year=2025/label_month=1"
    ]
    frame = pl.read_parquet(files, hive_partitioning=False)
    assert dict(frame.schema) == TABLES["hourly"].schema
    assert dict(frame.select(list(HOURLY_SCHEMA)).schema) == HOURLY_SCHEMA
    assert frame["source"].unique().to_list() == ["lantian synth --seed 7"]
    registry = pl.read_parquet(Dataset(store).table_files("stations"))
    assert dict(registry.schema) == STATION_SCHEMA
    assert registry.height == 20 and registry["city"].n_unique() == 4
    assert set(frame["station_code"].unique()) <= set(registry["station_code"])
    # Hour-ending labels: 30 natural days are labels 2025-01-01 01:00 … 2025-01-31 00:00.
    assert frame["time"].min() == dt.datetime(2025, 1, 1, 1)
    assert frame["time"].max() == dt.datetime(2025, 1, 31, 0)
    assert frame.select(pl.struct("station_code", "time").is_unique().all()).item()


def test_store_reads_through_the_dataset_api(small_store):
    store, _ = small_store
    ds = Dataset(store)
    day = ds.scan_hourly(start=dt.date(2025, 1, 10), end=dt.date(2025, 1, 10)).collect()
    assert day["time"].min() == dt.datetime(2025, 1, 10, 1) and day["time"].max() == dt.datetime(
        2025, 1, 11, 0
    )
    assert ds.stations().height == 20


def test_year_end_label_goes_to_the_next_years_files(tmp_path):
    """Label 1 January 00:00 closes 31 December but is filed by its own date, like ingested data."""
    report = generate(tmp_path, stations=3, cities=1, years=1, start=2025, seed=1)
    assert report.files == [Path(f) for f in Dataset(tmp_path).table_files("hourly")]
    parts = [f.parent.relative_to(tmp_path).as_posix() for f in report.files]
    assert parts == [f"hourly/label_year=2025/label_month={m}" for m in range(1, 13)] + [
        "hourly/label_year=2026/label_month=1"
    ]
    last = pl.read_parquet(report.files[-1])
    assert last["time"].unique().to_list() == [dt.datetime(2026, 1, 1, 0)]
    assert report.rows == pl.read_parquet(report.files).height


def test_values_have_published_precision_and_gaps(small_store):
    store, _ = small_store
    frame = Dataset(store).scan_hourly().collect()
    for p in POLLUTANTS:
        col = frame[p].drop_nulls()
        scale = 10 if p == "co" else 1
        assert ((col * scale).round(6) == (col * scale).round(0)).all(), p
        assert col.min() > 0
    # Instrument outages and isolated gaps leave nulls; station outages remove rows.
    assert frame.null_count().select(POLLUTANTS).sum_horizontal().item() > 0
    assert frame.height < 20 * 30 * 24


def test_distribution_follows_the_fitted_january_quantiles():
    """Across a national set of cities, January PM2.5 spans the real range (PRSA Beijing quantiles)."""
    registry = station_registry(120, 60, seed=3)
    _, _, frame = next(hourly_blocks(registry, [2025], seed=3, days=31))
    pm = frame["pm25"].drop_nulls()
    q = params()["pollutant"]["pm25"]["quantiles"]
    # Cities are mostly cleaner than Beijing: the national median lies below Beijing's, same order of magnitude.
    assert q["5"] / 3 < pm.median() < q["95"]
    assert pm.quantile(0.99) > 5 * pm.median()  # heavy upper tail, as in real haze episodes


def test_deterministic_for_a_seed(tmp_path):
    a = generate(tmp_path / "a", stations=12, cities=3, seed=5, days=3)
    b = generate(tmp_path / "b", stations=12, cities=3, seed=5, days=3)
    c = generate(tmp_path / "c", stations=12, cities=3, seed=6, days=3)
    fa, fb, fc = (
        Dataset(r.store).scan_hourly().drop("ingested_at").sort("station_code", "time").collect()
        for r in (a, b, c)
    )
    assert fa.equals(fb)
    assert Dataset(a.store).stations().equals(Dataset(b.store).stations())
    assert not fa.equals(fc)


def test_refuses_a_store_that_already_holds_hours(tmp_path):
    """Rows are appended to the Delta table: a second run into the same store would store every hour
    twice, so it is refused with what to do, and the store keeps its rows."""
    first = generate(tmp_path, stations=4, cities=1, seed=2, days=1)
    with pytest.raises(InputError, match="已有小时数据"):
        generate(tmp_path, stations=4, cities=1, seed=2, days=1)
    assert Dataset(tmp_path).scan_hourly().collect().height == first.rows


def test_registry_has_control_points_and_every_city_an_evaluation_station():
    reg = station_registry(1900, 340, seed=1)
    assert reg.height == 1900 and reg["city"].n_unique() == 340
    assert reg["station_code"].is_unique().all()
    assert reg.filter(pl.col("is_control"))["name"].str.ends_with("(对照点)").all()
    assert reg.group_by("city").agg((~pl.col("is_control")).sum().alias("n"))["n"].min() >= 1
    assert 0 < reg["is_control"].sum() < 340


def test_platform_files_have_the_national_release_columns(small_store):
    _, cnemc = small_store
    files = sorted(cnemc.glob("cnemc_*.csv"))
    assert len(files) == 30
    assert files[0].name == "cnemc_2025010101.csv"
    real = (SHARED / "cnemc" / "2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv").read_text().splitlines()[0]
    assert tuple(real.split(",")) == PLATFORM_CSV_COLUMNS
    assert files[0].read_text(encoding="utf-8").splitlines()[0] == real
    f = pl.read_csv(files[5])
    assert f["timepoint"].unique().to_list() == ["2025-01-01T06:00:00"]
    # The official-style AQI column is filled where all six pollutants are present.
    complete = f.filter(
        pl.all_horizontal([pl.col(c).is_not_null() for c in ("so2", "no2", "co", "o3_24h", "pm10", "pm2_5")])
    )
    assert complete["aqi"].null_count() == 0


def test_bad_arguments_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="--cities"):
        station_registry(10, 400)
    with pytest.raises(InputError, match="--stations"):
        station_registry(3, 5)
    with pytest.raises(InputError, match="--years"):
        generate(tmp_path, years=0)


def test_cli_synth_json(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--store",
            str(tmp_path / "s"),
            "--stations",
            "8",
            "--cities",
            "2",
            "--days",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["stations"] == 8 and summary["cities"] == 2 and summary["rows"] > 0
