"""Every command reads the store where it needs data: ``warn`` (stored daily AQI + a forecast file),
``proposals scan`` (stored station hours), ``report daily --input`` (every format ``ingest`` takes).

Data (../shared/data, README): ``aqistudy-daily/daily/北京.csv.gz`` (city daily values, December 2016 holds
the heavy-pollution episode of 16–21 December) and the platform's 2022 release of the 13 stations of
湘潭/株洲 (``cnemc/2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv``). Expected values come from the other
commands on the same store (``lantian daily``), or from the rule text itself (spec standards §8).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantian.cli import app
from shared_paths import CNEMC_2022, SHARED_DATA

BEIJING = SHARED_DATA / "aqistudy-daily" / "daily" / "北京.csv.gz"
XIANGTAN_DAILY = SHARED_DATA / "aqistudy-daily" / "daily" / "湘潭.csv.gz"

pytestmark = pytest.mark.skipif(not CNEMC_2022.is_file(), reason="shared data not present")


def _run(*args: str, ok: bool = True, env: dict | None = None):
    result = CliRunner().invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _json(*args: str, env: dict | None = None):
    return json.loads(_run(*args, "--json", env=env).stdout)


def _store(tmp_path: Path, *files: Path) -> Path:
    store = tmp_path / "store"
    _run("ingest", "--store", str(store), *map(str, files), "--json")
    return store


# -- warn -----------------------------------------------------------------------------------------------


def _level_2018(aqis: list[int]) -> str | None:
    """环办大气函〔2018〕875号 as spec standards §8 gives it: red ≥ 96 h AQI > 200 and ≥ 48 h AQI > 300, or AQI
    reaching 500; orange ≥ 72 h AQI > 200; yellow ≥ 48 h AQI > 200 (one consecutive run of days)."""
    heavy = sum(a > 200 for a in aqis)
    severe = sum(a > 300 for a in aqis)
    if (heavy >= 4 and severe >= 2) or max(aqis) >= 500:
        return "red"
    return "orange" if heavy >= 3 else "yellow" if heavy >= 2 else None


def _observed_run(store: Path, city: str, before: dt.date) -> list[tuple[str, int]]:
    """The stored daily AQI (``lantian daily``) of the consecutive days with AQI > 200 ending the day before."""
    rows = _json(
        "daily",
        "--store",
        str(store),
        "--city",
        city,
        "--from",
        str(before - dt.timedelta(days=7)),
        "--to",
        str(before - dt.timedelta(days=1)),
    )["rows"]
    run: list[tuple[str, int]] = []
    for r in reversed(rows):
        if r["aqi"] is None or r["aqi"] <= 200:
            break
        run.insert(0, (r["date"], r["aqi"]))
    return run


@pytest.fixture(scope="module")
def beijing_store(tmp_path_factory) -> Path:
    return _store(tmp_path_factory.mktemp("bj"), BEIJING)


def test_warn_continues_the_stored_episode(beijing_store, tmp_path):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("city,date,aqi\n北京,2016-12-20,300\n北京,2016-12-21,180\n", encoding="utf-8")
    run = _observed_run(beijing_store, "北京", dt.date(2016, 12, 20))
    assert len(run) >= 2  # 17–19 December 2016 were heavily polluted (AQI > 200) in the shared data
    out = _json("warn", str(forecast), "--store", str(beijing_store))
    (episode,) = [r for r in out["rows"] if r["start"] is not None]
    assert episode["start"] == run[0][0] and episode["end"] == "2016-12-20"
    assert episode["days_above_200"] == len(run) + 1 and episode["observed_days"] == len(run)
    assert episode["level"] == _level_2018([a for _, a in run] + [300])
    assert [(o["date"], o["aqi"]) for o in out["observed"]] == run
    # the forecast alone has one heavy day: no warning in the 2018 scheme
    alone = _json("warn", str(forecast), "--store", str(beijing_store), "--forecast-only")
    assert [r["level"] for r in alone["rows"]] == [_level_2018([300])] and alone["store"] is None
    # the default store of the settings is read without --store
    default = _json("warn", str(forecast), env={"LANTIAN_STORE": str(beijing_store)})
    assert default["rows"] == out["rows"]


def test_warn_ignores_episodes_that_ended_before_the_forecast(beijing_store, tmp_path):
    """22 December 2016 ended the episode (AQI 120 in the shared data): a forecast from the 23rd starts afresh."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("city,date,aqi\n北京,2016-12-23,230\n北京,2016-12-24,240\n", encoding="utf-8")
    assert _observed_run(beijing_store, "北京", dt.date(2016, 12, 23)) == []
    out = _json("warn", str(forecast), "--store", str(beijing_store))
    assert [(r["start"], r["observed_days"], r["level"]) for r in out["rows"]] == [
        ("2016-12-23", 0, _level_2018([230, 240]))
    ]


def test_warn_with_a_missing_store_says_so(tmp_path):
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("city,date,aqi\n北京,2016-12-20,300\n", encoding="utf-8")
    result = _run("warn", str(forecast), "--store", str(tmp_path / "nothing"), ok=False)
    assert result.exit_code != 0 and "lantian ingest" in str(result.exception)


# -- proposals scan -------------------------------------------------------------------------------------

EPISODE_STATION = "1508A"
EPISODE_HOURS = [f"2022-01-02T{h:02d}:00:00" for h in range(1, 9)]  # 8 hours, more than the 6 required


def _release_with_episode(tmp_path: Path) -> Path:
    """The real release with one station's PM2.5 set to 600 µg/m³ for 8 hours (a local source next to it)."""
    with CNEMC_2022.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["stationcode"] == EPISODE_STATION and r["timepoint"] in EPISODE_HOURS:
            r["pm2_5"] = "600"
    path = tmp_path / "2022-01-01T00_2022-01-03T00_episode.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def _database(tmp_path: Path) -> str:
    from lantian.store import open_database
    from lantian.workflow.services import Workflow

    url = f"sqlite:///{(tmp_path / 'lantian.db').as_posix()}"
    database = open_database(url)
    try:
        wf = Workflow(database)
        at = dt.datetime(2022, 1, 1, 9)
        wf.add_unit(None, "市蓝天办", "office", at)
        wf.add_user(None, "boss", "王主任", "admin", "市蓝天办", at)
        for name in ("雨湖区", "天元区"):
            wf.add_unit("boss", name, "district", at)
    finally:
        database.dispose()
    return url


def _districts(store: Path) -> dict[str, str]:
    reg = _json("stations", "list", "--store", str(store))
    return {r["station_code"]: "雨湖区" if "湘潭" in (r["city"] or "") else "天元区" for r in reg}


def test_proposals_scan_reads_the_stored_hours(tmp_path):
    store = _store(tmp_path, _release_with_episode(tmp_path))
    db = _database(tmp_path)
    scan = (
        "proposals",
        "scan",
        "--period",
        "2022-01-02",
        "--store",
        str(store),
        "--db",
        db,
        "--as",
        "boss",
        "--at",
        "2022-01-03T09:00",
    )
    # stations registered from the release have positions but no district: the command says what to do
    refused = _run(*scan, ok=False)
    assert refused.exit_code != 0 and "lantian stations edit" in str(refused.exception)
    districts = _districts(store)
    for code, district in districts.items():
        _run("stations", "edit", code, "--district", district, "--store", str(store))
    out = _json(*scan)
    mine = [p for p in out["added"] if p["station_code"] == EPISODE_STATION and p["pollutant"] == "pm25"]
    assert [(p["start"][:19], p["hours"], p["district"]) for p in mine] == [
        (EPISODE_HOURS[0], len(EPISODE_HOURS), districts[EPISODE_STATION])
    ]
    assert out["stations_left_out"] == []
    # a period the store does not hold is an error naming the store
    missing = _run(*scan[:2], "--from", "2023-01-01", "--to", "2023-01-02", *scan[4:], ok=False)
    assert missing.exit_code != 0 and "2023-01-01" in str(missing.exception)


def test_proposals_scan_of_the_real_release_finds_no_such_episode(tmp_path):
    """Control: the unmodified release, districts given by --stations FILE instead of the registry."""
    store = _store(tmp_path, CNEMC_2022)
    db = _database(tmp_path)
    reg = _json("stations", "list", "--store", str(store))
    stations = tmp_path / "stations.csv"
    with stations.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["station_code", "district", "longitude", "latitude"])
        for r in reg:
            w.writerow(
                [r["station_code"], _districts(store)[r["station_code"]], r["longitude"], r["latitude"]]
            )
    out = _json(
        "proposals",
        "scan",
        "--period",
        "2022-01-02",
        "--store",
        str(store),
        "--stations",
        str(stations),
        "--db",
        db,
        "--as",
        "boss",
        "--at",
        "2022-01-03T09:00",
    )
    assert not [p for p in out["added"] if p["station_code"] == EPISODE_STATION and p["pollutant"] == "pm25"]


# -- report daily --input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "city", "day"),
    [(CNEMC_2022, "湘潭", "2022-01-01"), (XIANGTAN_DAILY, "湘潭", "2016-01-05")],
    ids=["national-platform release", "city daily (gzip)"],
)
def test_report_daily_input_takes_what_ingest_takes(tmp_path, source, city, day):
    report = _json("report", "daily", "--city", city, "--period", day, "--input", str(source))
    store = _store(tmp_path, source)
    daily = _json("daily", "--store", str(store), "--city", city, "--from", day, "--to", day)
    (row,) = report["data"]["daily"]["rows"]
    (want,) = daily["rows"]  # lantian daily --json prints the published columns of the same row
    assert {k: row[k] for k in want} == want and want["aqi"] is not None


def test_report_daily_input_names_the_cities_of_the_file(tmp_path):
    result = _run(
        "report", "daily", "--city", "拉萨", "--period", "2022-01-01", "--input", str(CNEMC_2022), ok=False
    )
    assert result.exit_code != 0
    message = str(result.exception)
    assert "no row for city '拉萨'" in message and "湘潭" in message and "株洲" in message


def test_report_daily_input_of_station_daily_values_without_a_city(tmp_path):
    """A table ``date, station, pollutants`` of one city: its stations count for the city of --city, whose
    daily value is the mean of the station values (standards §3.4), rounded by GB/T 8170 (half to even)."""
    from decimal import ROUND_HALF_EVEN, Decimal

    store = _store(tmp_path, CNEMC_2022)
    day = "2022-01-01"
    codes = ["1508A", "1511A", "1512A"]
    rows = [
        _json("daily", "--store", str(store), "--station", c, "--from", day, "--to", day)["rows"][0]
        for c in codes
    ]
    table = tmp_path / "bureau-export.csv"
    items = ("so2", "no2", "co", "o3_8h", "pm10", "pm25")
    table.write_text(
        "date,station,"
        + ",".join(items)
        + "\n"
        + "".join(
            f"{day},{c},{','.join(str(r[i]) for i in items)}\n" for c, r in zip(codes, rows, strict=True)
        ),
        encoding="utf-8",
    )
    doc = _json("report", "daily", "--city", "湘潭", "--period", day, "--input", str(table))
    city = doc["data"]["city"]
    mean = sum(Decimal(str(r["pm25"])) for r in rows) / len(rows)
    assert city["pm25"] == float(mean.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    assert city["source"] == "station daily" and city["aqi"] is not None
