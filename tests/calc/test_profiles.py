"""lantian.calc.profiles on real rows: the PRSA Beijing Dongsi file (../shared/data/prsa-beijing), its
means by hour of day, weekday and month against a plain computation over the file read with csv, and the
wind-sector and speed-bin assignment (module docstring of lantian.calc.profiles)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import defaultdict

import polars as pl
import pytest

from lantian.calc import profiles as P
from lantian.io.prsa import read_prsa
from lantian.schema import COMPASS_16

FILE = "PRSA_Data_Dongsi_20130301-20170228.csv.gz"


@pytest.fixture(scope="module")
def dongsi(shared_data):
    path = shared_data / "prsa-beijing" / FILE
    frame, _ = read_prsa(path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return frame, rows


def _by(rows, key, col="PM2.5"):
    acc = defaultdict(list)
    for r in rows:
        if r[col] != "NA":
            acc[key(r)].append(float(r[col]))
    return {k: (sum(v) / len(v), len(v)) for k, v in acc.items()}


def _day(r) -> dt.date:
    # the file's hour h of a date begins at h:00 (src/lantian/io/prsa.py Notes): it belongs to that date
    return dt.date(int(r["year"]), int(r["month"]), int(r["day"]))


def _check(frame: pl.DataFrame, key: str, expected: dict):
    got = {r[key]: (r["mean"], r["n"]) for r in frame.iter_rows(named=True)}
    assert set(got) == set(expected)
    for k, (mean, n) in expected.items():
        assert got[k][1] == n, (key, k)
        assert got[k][0] == pytest.approx(mean, rel=1e-12), (key, k)


@pytest.mark.parametrize("pollutant,col", [("pm25", "PM2.5"), ("o3", "O3")])
def test_time_profiles_equal_a_plain_computation_on_the_file(dongsi, pollutant, col):
    frame, rows = dongsi
    t = P.time_profiles(frame, pollutant)
    # hour-ending convention (src/lantian/schema.py): the hour beginning h:00 is hour h + 1 (1–24)
    _check(t["hour"], "hour", _by(rows, lambda r: int(r["hour"]) + 1, col))
    _check(t["weekday"], "weekday", _by(rows, lambda r: _day(r).isoweekday(), col))
    _check(t["month"], "month", _by(rows, lambda r: int(r["month"]), col))
    assert t["hour"]["hour"].to_list() == list(range(1, 25))


def test_polar_summary_equals_a_plain_computation_on_the_file(dongsi):
    frame, rows = dongsi
    got = {
        (r["sector"], r["speed_bin"]): (r["mean"], r["n"])
        for r in P.polar_summary(frame, "pm25").iter_rows(named=True)
    }

    def key(r):
        ws = float(r["WSPM"])
        b = sum(1 for lo in (1, 2, 3, 4, 6) if ws >= lo)  # bins 0–1, 1–2, 2–3, 3–4, 4–6, ≥6 m/s
        return COMPASS_16.index(r["wd"]), b

    windy = [r for r in rows if r["wd"] != "NA" and r["WSPM"] != "NA"]
    expected = _by(windy, key)
    assert set(got) == set(expected)
    for k, (mean, n) in expected.items():
        assert got[k][1] == n and got[k][0] == pytest.approx(mean, rel=1e-12), k


@pytest.mark.parametrize(
    "name,sector",
    [
        ("N", 0),
        ("NNE", 1),
        ("NE", 2),
        ("E", 4),
        ("SSW", 9),
        ("NNW", 15),
        (" nne ", 1),
        ("C", None),
        ("", None),
    ],
)
def test_sector_of_a_compass_name(name, sector):
    assert P.sector_of_name(name) == sector


@pytest.mark.parametrize(
    "degrees,name",
    [
        (0.0, "N"),
        (11.2, "N"),
        (11.25, "NNE"),  # a boundary goes to the sector clockwise of it
        (22.5, "NNE"),
        (33.74, "NNE"),
        (33.75, "NE"),
        (180.0, "S"),
        (348.74, "NNW"),
        (348.75, "N"),
        (359.9, "N"),
        (360.0, "N"),
    ],
)
def test_sector_of_degrees_scalar_and_expression_agree(degrees, name):
    assert COMPASS_16[P.sector_of_degrees(degrees)] == name
    frame = pl.DataFrame(
        {"wind_deg": [degrees], "wind_dir": [None]}, schema={"wind_deg": pl.Float64, "wind_dir": pl.String}
    )
    assert frame.select(P.sector_expr()).item() == P.sector_of_degrees(degrees)


def test_degrees_win_over_the_name_and_the_name_serves_without_them():
    frame = pl.DataFrame(
        {"wind_deg": [90.0, None, None], "wind_dir": ["N", "NNE", None]},
        schema={"wind_deg": pl.Float64, "wind_dir": pl.String},
    )
    assert frame.select(P.sector_expr()).to_series().to_list() == [4, 1, None]


def test_speed_bins():
    frame = pl.DataFrame({"wind_speed": [0.0, 0.99, 1.0, 3.99, 4.0, 5.99, 6.0, 13.2, None]})
    got = frame.select(P.speed_bin_expr()).to_series().to_list()
    assert got == [0, 0, 1, 3, 4, 4, 5, 5, None]
    assert [P.speed_bin_of(v) for v in frame["wind_speed"].drop_nulls()] == got[:-1]
    assert P.speed_bin_labels() == ["0–1", "1–2", "2–3", "3–4", "4–6", "≥6"]


def test_the_hour_ending_at_midnight_is_hour_24_of_the_day_before():
    frame = pl.DataFrame(
        {"time": [dt.datetime(2016, 1, 4, 0), dt.datetime(2016, 1, 4, 1)], "pm25": [10.0, 30.0]}
    )  # 2016-01-04 00:00 ends Sunday 3 January; 01:00 is Monday's first hour
    t = P.time_profiles(frame, "pm25")
    assert t["hour"].rows() == [(1, 30.0, 1), (24, 10.0, 1)]
    assert t["weekday"].rows() == [(1, 30.0, 1), (7, 10.0, 1)]
