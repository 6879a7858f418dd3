"""Every rule switch (``lantian.standards.Options``) is documented and changes an output.

The registry is walked with ``dataclasses.fields(Options)``. For each switch, every value other than
its default — the other ``Literal`` alternatives, the other bool, the representative values of
``REPRESENTATIVE`` for ints, tuples and optionals — is set with ``DEFAULT.with_(name=value)``, and the
figure ``FIGURES[name]`` computes on a fixture built to exercise that rule must differ from the
default's. ``EXPECTED`` gives the figures worked out by hand from the clause cited beside each fixture.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from lantian.calc.aqi import aqi_frame
from lantian.calc.assessment import assess, daily_aqi, period_statistics
from lantian.calc.averaging import city_values, daily_values
from lantian.calc.indices import composite
from lantian.calc.warnings import episodes
from lantian.io.dataset import Dataset
from lantian.io.sample import load_sample
from lantian.periods import parse_period
from lantian.pipeline.assessment import assess_city, rank_group
from lantian.schema import CITY, DATE, STATION, TIME
from lantian.standards import DEFAULT, Options
from lantian.standards.switches import WEIGHTS_3_2_2
from shared_paths import PROJECT_ROOT

SWITCHES_DOC = PROJECT_ROOT / "docs" / "switches.md"
SWITCHES = {f.name: f for f in dataclasses.fields(Options)}
HINTS = typing.get_type_hints(Options)

#: Values tried for the switches that are neither Literal nor bool.
REPRESENTATIVE: dict[str, list] = {
    "nonblocking_2026": [(), ("co",)],
    "mda8_min_windows": [17, 10],
    "composite_weights": [WEIGHTS_3_2_2],
    "composite_round_single_index": [1, 2],
    "coverage_min_pct": [100, 50],
}


def non_default_values(name: str) -> list:
    """The values of a switch other than its default (empty when the registry gives none)."""
    field = SWITCHES[name]
    hint = HINTS[name]
    if typing.get_origin(hint) is typing.Literal:
        return [v for v in typing.get_args(hint) if v != field.default]
    if hint is bool:
        return [not field.default]
    return REPRESENTATIVE.get(name, [])


# -- fixtures: one figure per switch ------------------------------------------------------------------------

D2022 = dt.date(2022, 7, 1)  # HJ 633—2012 and GB 3095—2012 in force
D2026 = dt.date(2026, 4, 1)  # HJ 633—2026 and GB 3095—2026 in force (from 2026-03-01)
LOW_DAY = {"so2": 5.0, "no2": 10.0, "co": 0.5, "pm10": 20.0, "pm25": 10.0, "o3_8h": 100.0}


def _daily_aqi_column(rows: list[dict], column: str, options: Options) -> list:
    frame = pl.DataFrame(rows, schema_overrides={DATE: pl.Date})
    return aqi_frame(frame, kind="daily", options=options, time_col=DATE)[column].to_list()


def _hourly_aqi_column(row: dict, column: str, options: Options) -> list:
    frame = pl.DataFrame([{TIME: dt.datetime(2022, 7, 1, 15), **row}])
    return aqi_frame(frame, kind="hourly", options=options)[column].to_list()


def fig_iaqi_rounding(o: Options) -> list:
    # HJ 633—2012 Table 1, PM2.5 24 h: 35 → 50, 75 → 100; IAQI = 50 + (36 − 35)·50/40 = 51.25 (§6.2: up).
    return _daily_aqi_column([{DATE: D2022, "pm25": 36.0}], "iaqi_pm25", o)


def fig_round_inputs_2012(o: Options) -> list:
    # GB/T 8170: 35.4 → 35, IAQI 50; unrounded: 50 + 0.4·50/40 = 50.5 → 51 (HJ 633—2012 §6.2).
    return _daily_aqi_column([{DATE: D2022, "pm25": 35.4}], "iaqi_pm25", o)


def fig_daily_o3_1h_in_aqi(o: Options) -> list:
    # HJ 633—2012 Table 1: O3 1 h 300 → IAQI 150; MDA8 100 → 50; the other IAQIs are lower (§4.4.1 式2).
    return _daily_aqi_column([{DATE: D2022, **LOW_DAY, "o3": 300.0}], "aqi", o)


def fig_hourly_o3_8h_in_aqi(o: Options) -> list:
    # HJ 633—2012 Table 1: O3 1 h 100 → 31.25 → 32 (the AQI by default); O3 8 h 300 → 200 + 35·100/535 → 207.
    row = {"so2": 5.0, "no2": 10.0, "co": 0.5, "o3": 100.0, "pm10": 20.0, "pm25": 10.0, "o3_8h": 300.0}
    return _hourly_aqi_column(row, "aqi", o)


def fig_hourly_pm_source(o: Options) -> list:
    # 1-hour PM2.5 100 on the 24 h column: 100 + 25·50/40 → 132; the 24 h moving mean 30: 30·50/35 → 43.
    return _hourly_aqi_column({"pm25": 100.0, "pm25_24h": 30.0}, "iaqi_pm25", o)


def fig_above_top_breakpoint(o: Options) -> list:
    # HJ 633—2012 Table 1 ends at PM2.5 500 µg/m³ (IAQI 500); 600 lies above it (spec §2.2).
    return _daily_aqi_column([{DATE: D2022, "pm25": 600.0}], "iaqi_pm25", o)


def fig_missing_pollutant_rule(o: Options) -> list:
    # PM2.5 missing (HJ 633—2026 §5.3 ¶1, 2012 platform practice): the low day (max IAQI 50) is
    # withheld, the polluted day (PM10 300: 150 + 50·50/100 = 175) is published.
    low = {k: v for k, v in LOW_DAY.items() if k != "pm25"}
    return _daily_aqi_column([{DATE: D2022, **low}, {DATE: D2022, **low, "pm10": 300.0}], "aqi", o)


def fig_nonblocking_2026(o: Options) -> list:
    # HJ 633—2026 §5.3 ¶2: a missing non-blocking pollutant (PM10 by default) does not withhold the AQI.
    low = {k: v for k, v in LOW_DAY.items() if k != "pm10"}
    return [a is not None for a in _daily_aqi_column([{DATE: D2026, **low}], "aqi", o)]


def fig_mda8_min_windows(o: Options) -> list:
    # 17 windows ending 08…24, each valid with ≥ 6 of 8 hours (GB 3095—2012 Table 4). Day 1 lacks
    # hours 01–04: windows 08, 09 invalid, 15 valid. Day 2 lacks hours 01–07: 12 valid (13…24).
    # O3 30 stays below the 8 h limit, so the exceedance exception (spec §3.3) does not apply.
    rows = []
    for day, missing in ((dt.date(2022, 7, 1), 4), (dt.date(2022, 7, 2), 7)):
        midnight = dt.datetime.combine(day, dt.time())
        rows += [
            {STATION: "A", TIME: midnight + dt.timedelta(hours=h), "o3": 30.0} for h in range(missing + 1, 25)
        ]
    return daily_values(pl.DataFrame(rows), by=STATION, options=o).collect()["o3_8h"].to_list()


STATIONS = pl.DataFrame(
    {
        STATION: ["A", "B"],
        CITY: ["甲市", "甲市"],
        "is_control": [False, False],
        "valid_from": [None, None],
        "valid_to": [None, None],
    },
    schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date},
)


def fig_city_aggregation_order(o: Options) -> list:
    # Station A: 24 hours of PM2.5 10; station B: hours 01–12 of 50, so no valid day (< 20 hours,
    # GB 3095 Table 4). Station statistics first: city = 10; city hourly series first (spec §3.4):
    # hours 01–12 are 30, 13–24 are 10, day = 20.
    midnight = dt.datetime(2022, 7, 1)
    rows = [{STATION: "A", TIME: midnight + dt.timedelta(hours=h), "pm25": 10.0} for h in range(1, 25)]
    rows += [{STATION: "B", TIME: midnight + dt.timedelta(hours=h), "pm25": 50.0} for h in range(1, 13)]
    return city_values(pl.DataFrame(rows), STATIONS, o).collect()["pm25"].to_list()


def _year(pm25: list[float]) -> pl.DataFrame:
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    return pl.DataFrame(
        {CITY: "甲", DATE: days, **{k: [v] * 365 for k, v in LOW_DAY.items() if k != "pm25"}, "pm25": pm25}
    )


def fig_annual_attainment_percentiles(o: Options) -> list:
    # 335 days of PM2.5 20 and 30 of 100: annual mean 26.6 → 27 ≤ 35, P95 100 > 75 (GB 3095—2012 Table 1,
    # spec §5.3): attainment on annual means only, or with the percentiles too.
    year = _year([100.0] * 30 + [20.0] * 335)
    return assess(year, parse_period("2022"), options=o)["attains_all"].to_list()


#: Rounded period statistics (µg/m³, CO mg/m³). Single indexes on GB 3095—2012 Grade II: 10/60, 20/40,
#: 50/70, 25/35, 1.0/4, 100/160; sum 2.970 → 2.97 (spec §5.4).
STATS = pl.DataFrame(
    {"so2": [10.0], "no2": [20.0], "pm10": [50.0], "pm25": [25.0], "co": [1.0], "o3": [100.0]}
)


def fig_composite_weights(o: Options) -> list:
    # Weights PM2.5 3, NO2 2, O3 2 (spec §5.5): 0.167 + 1.0 + 0.714 + 2.143 + 0.25 + 1.25 = 5.52.
    return composite(STATS, dt.date(2022, 12, 31), o).collect()["composite_index"].to_list()


def fig_composite_denominators_2026(o: Options) -> list:
    # A 2026 period (spec §9.3): GB 3095—2026 transitional PM10 60, PM2.5 30 → 3.21; the 2012 limits
    # → 2.97; the final limits (SO2 20, NO2 30, PM10 50, PM2.5 25) → 4.04.
    return composite(STATS, dt.date(2026, 12, 31), o).collect()["composite_index"].to_list()


def fig_composite_round_single_index(o: Options) -> list:
    # Single indexes rounded first (spec §5.4): 1 dp 0.2+0.5+0.7+0.7+0.2+0.6 = 2.9; 2 dp
    # 0.17+0.5+0.71+0.71+0.25+0.62 = 2.96; unrounded 2.97.
    return composite(STATS, dt.date(2022, 12, 31), o).collect()["composite_index"].to_list()


def fig_percentile_rounded_inputs(o: Options) -> list:
    # O3 P90 of six MDA8 values (NumPy linear, spec §5.2: position 4.5). Published daily values
    # 90 90 90 90 100 101 → 100.5 → 100 (GB/T 8170); unrounded 100.4, 101.4 → 100.9 → 101.
    days = [dt.date(2022, 6, d) for d in range(1, 7)]
    daily = pl.DataFrame({CITY: "甲", DATE: days, "o3_8h": [90.0, 90.0, 90.0, 90.0, 100.4, 101.4]})
    return (
        period_statistics(daily, parse_period("2022-06-01..2022-06-06"), options=o).collect()["o3"].to_list()
    )


def _sample_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample")
    load_sample(Dataset(path))
    return path


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    """The bundled sample (src/lantian/data/sample): Dongsi (北京) station hours of January 2016."""
    return _sample_store(tmp_path_factory)


#: 2016-01-05 10:00–12:00 at Dongsi are dust hours; 2016-01-20 is a whole dust day.
DUST_CSV = "city,date,hour\n北京市,2016-01-05,10\n北京,2016-01-05,11\n北京,2016-01-05,12\n北京,2016-01-20,\n"


def fig_dust_deduction(o: Options, store: Path, dust_file: Path) -> list:
    # Spec §7: PM10/PM2.5 of the dust-affected period leave the statistics. Day level: 2016-01-05 and
    # 2016-01-20 lose their PM values; hour level: 2016-01-05 keeps the mean of its 21 other hours.
    r = assess_city(Dataset(store), "北京", "2016-01", dust_file=dust_file, options=o)["result"]
    return r.select("n_pm25", "pm25_exact", "pm10_exact").row(0)


def fig_good_rate_keeps_dust_days(o: Options) -> list:
    # Two good days and one dust day with PM10 300 (AQI 175, PM10 primary, HJ 633—2012 Table 1):
    # kept (CNEMC reports, spec §7) 2/3 = 66.7 %; "沙尘异常超标天" removed 2/2 = 100.0 %.
    days = [dt.date(2022, 3, d) for d in (1, 2, 3)]
    daily = pl.DataFrame([{CITY: "甲", DATE: d, **LOW_DAY} for d in days]).with_columns(
        pm10=pl.when(pl.col(DATE) == days[2]).then(300.0).otherwise(pl.col("pm10"))
    )
    dust = pl.DataFrame({CITY: ["甲"], DATE: [days[2]]})
    return assess(daily, parse_period("2022-03-01..2022-03-03"), options=o, dust_days=dust)[
        "good_rate"
    ].to_list()


def fig_valid_day_2012(o: Options) -> list:
    # CO missing, PM10 300 (AQI 175 is published, HJ 633—2026 §5.3 ¶1 practice): not all six valid
    # (spec §10), yet the AQI is determinable.
    day = {k: v for k, v in LOW_DAY.items() if k != "co"} | {"pm10": 300.0}
    frame = pl.DataFrame([{CITY: "甲", DATE: D2022, **day}])
    return daily_aqi(frame, o).collect()["valid_day"].to_list()


def fig_warning_scheme(o: Options) -> list:
    # One forecast day of AQI 250 (> 200): blue in the 2017 scheme (1 day), nothing in 2018 (yellow
    # needs 2 days), spec §8.
    forecast = pl.DataFrame({CITY: ["甲"], DATE: [D2022], "aqi": [250]})
    return episodes(forecast, o)["level"].to_list()


def fig_coverage_min_pct(o: Options) -> list:
    # A 20-day range (no whole month, so GB 3095 Table 4 sets no minimum): city 甲 with 19 valid days
    # (95 %), city 乙 with 10 (50 %); rows come sorted by city, 乙 first. ⌈90 × 20 / 100⌉ = 18 days needed
    # by default, 20 with 100 %, 10 with 50 %.
    period = parse_period("2022-07-01..2022-07-20")
    days = [D2022 + dt.timedelta(days=i) for i in range(20)]
    rows = [{CITY: "甲", DATE: d, **LOW_DAY} for d in days[:19]] + [{CITY: "乙", DATE: d, **LOW_DAY} for d in days[:10]]
    return assess(pl.DataFrame(rows), period, options=o)["valid_pm25"].to_list()


FIGURES: dict[str, Callable[[Options], object]] = {
    name.removeprefix("fig_"): fn for name, fn in globals().items() if name.startswith("fig_")
}

#: (switch, value) → (figure with DEFAULT, figure with the switch set), worked out in the comments above.
EXPECTED: dict[tuple[str, object], tuple[object, object]] = {
    ("iaqi_rounding", "half_even"): ([52], [51]),
    ("round_inputs_2012", False): ([50], [51]),
    ("daily_o3_1h_in_aqi", True): ([50], [150]),
    ("hourly_o3_8h_in_aqi", True): ([32], [207]),
    ("hourly_pm_source", "24h_moving"): ([132], [43]),
    ("above_top_breakpoint", "null"): ([500], [None]),
    ("missing_pollutant_rule", "available"): ([None, 175], [50, 175]),
    ("missing_pollutant_rule", "require_all"): ([None, 175], [None, None]),
    ("nonblocking_2026", ()): ([True], [False]),
    ("nonblocking_2026", ("co",)): ([True], [False]),
    ("mda8_min_windows", 17): ([30.0, None], [None, None]),
    ("mda8_min_windows", 10): ([30.0, None], [30.0, 30.0]),
    ("city_aggregation_order", "city_hourly"): ([10.0], [20.0]),
    ("annual_attainment_percentiles", True): ([True], [False]),
    ("composite_weights", WEIGHTS_3_2_2): ([2.97], [5.52]),
    ("composite_denominators_2026", "2012"): ([3.21], [2.97]),
    ("composite_denominators_2026", "final"): ([3.21], [4.04]),
    ("composite_round_single_index", 1): ([2.97], [2.9]),
    ("composite_round_single_index", 2): ([2.97], [2.96]),
    ("percentile_rounded_inputs", False): ([100.0], [101.0]),
    ("good_rate_keeps_dust_days", False): ([66.7], [100.0]),
    ("valid_day_2012", "aqi_determinable"): ([False], [True]),
    ("warning_scheme", "2017"): ([None], ["blue"]),
    ("coverage_min_pct", 100): ([False, True], [False, False]),
    ("coverage_min_pct", 50): ([False, True], [True, True]),
}

CASES = [
    pytest.param(name, value, id=f"{name}={value!r}")
    for name in SWITCHES
    for value in non_default_values(name)
]


# -- tests -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SWITCHES))
def test_every_switch_has_values_and_a_figure(name):
    assert non_default_values(name), f"switch {name}: add representative values to REPRESENTATIVE"
    assert name in FIGURES, f"switch {name}: add a figure fig_{name} that the switch changes"


@pytest.mark.parametrize(("name", "value"), CASES)
def test_switch_changes_output(name, value, sample_store, tmp_path):
    figure = FIGURES[name]
    if name == "dust_deduction":
        dust = tmp_path / "dust.csv"
        dust.write_text(DUST_CSV, encoding="utf-8")
        default, switched = (figure(o, sample_store, dust) for o in (DEFAULT, DEFAULT.with_(**{name: value})))
    else:
        default, switched = figure(DEFAULT), figure(DEFAULT.with_(**{name: value}))
    assert switched != default, f"{name}={value!r} changes nothing on its fixture"
    if (name, value) in EXPECTED:
        assert (default, switched) == EXPECTED[(name, value)]


def test_expected_figures_name_real_cases():
    cases = {(n, v) for n in SWITCHES for v in non_default_values(n)}
    assert set(EXPECTED) <= cases


# -- dust_deduction="hour": the file format and the rule, on the bundled sample --------------------------


def test_hour_level_dust_deduction_recomputes_the_day_from_the_other_hours(sample_store, tmp_path):
    """The hour level equals the month mean of daily means where 2016-01-05 is the mean of its hours
    other than 10–12 and 2016-01-20 has no value (spec §7; the day holds labels 01:00 … next 00:00)."""
    dust = tmp_path / "dust.csv"
    dust.write_text(DUST_CSV, encoding="utf-8")
    ds = Dataset(sample_store)
    hourly = ds.scan_hourly(start=dt.date(2016, 1, 1), end=dt.date(2016, 1, 31)).collect()
    hourly = hourly.with_columns(day=(pl.col(TIME) - pl.duration(hours=1)).dt.date())
    dust_times = [dt.datetime(2016, 1, 5, h) for h in (10, 11, 12)]
    kept = hourly.filter(~pl.col(TIME).is_in(dust_times), pl.col("day") != dt.date(2016, 1, 20))
    daily = kept.group_by("day").agg(pl.col("pm25").mean(), pl.col("pm25").count().alias("n"))
    daily = daily.filter(pl.col("n") >= 20, pl.col("day").dt.month() == 1)  # GB 3095 Table 4: ≥ 20 hours
    expected = daily["pm25"].mean()
    r = assess_city(ds, "北京", "2016-01", dust_file=dust, options=DEFAULT.with_(dust_deduction="hour"))
    row = r["result"].row(0, named=True)
    assert row["n_pm25"] == len(daily) == 30
    assert row["pm25_exact"] == pytest.approx(expected, rel=1e-9)
    assert row["dust_days"] == 2  # both days are dust-affected; the good-day counts keep them
    day = assess_city(ds, "北京", "2016-01", dust_file=dust)["result"].row(0, named=True)
    assert day["n_pm25"] == 29 and day["dust_days"] == 2


def test_whole_dust_days_give_the_same_figures_at_both_levels(sample_store, tmp_path):
    """A whole dust day loses all its hours, hence its PM values, at the hour level too (≥ 20 hours)."""
    dust = tmp_path / "dust.csv"
    dust.write_text("city,date\n北京,2016-01-05\n北京,2016-01-20\n", encoding="utf-8")
    ds = Dataset(sample_store)
    day, hour = (
        assess_city(ds, "北京", "2016-01", dust_file=dust, options=DEFAULT.with_(dust_deduction=m))["result"]
        .select("n_pm25", "pm25", "pm10", "composite_index", "pm25_exact", "pm10_exact")
        .row(0)
        for m in ("day", "hour")
    )
    # the published figures (GB/T 8170 rounded) are equal; the unrounded means are sums of the same
    # values in another order, equal to the last bits of a float only (IEEE 754 addition is not associative)
    assert day[:4] == hour[:4] and day[0] == 29
    assert day[4:] == pytest.approx(hour[4:], rel=1e-12)


def test_rank_applies_the_hour_level_too(sample_store, tmp_path):
    dust = tmp_path / "dust.csv"
    dust.write_text(DUST_CSV, encoding="utf-8")
    groups = tmp_path / "groups.toml"
    groups.write_text('[groups]\n"京" = ["北京"]\n', encoding="utf-8")
    ds = Dataset(sample_store)
    by_level = {
        m: rank_group(ds, "京", "2016-01", "pm25", groups, dust, DEFAULT.with_(dust_deduction=m))[0]
        .select("pm25_exact")
        .item()
        for m in ("day", "hour")
    }
    single = assess_city(ds, "北京", "2016-01", dust_file=dust, options=DEFAULT.with_(dust_deduction="hour"))
    assert by_level["hour"] != by_level["day"]
    assert by_level["hour"] == pytest.approx(single["result"]["pm25_exact"].item(), rel=1e-12)


def test_hour_level_needs_station_hours(sample_store, tmp_path):
    """长沙 has only city daily values in the sample (aqistudy): dust hours cannot be deducted there."""
    from lantian.errors import InputError

    dust = tmp_path / "dust.csv"
    dust.write_text("city,date,hour\n长沙,2016-01-05,10\n", encoding="utf-8")
    ds = Dataset(sample_store)
    with pytest.raises(InputError, match="dust_deduction=day"):
        assess_city(ds, "长沙", "2016-01", dust_file=dust, options=DEFAULT.with_(dust_deduction="hour"))
    # at the day level the same file deducts the whole day
    r = assess_city(ds, "长沙", "2016-01", dust_file=dust)["result"]
    assert r["dust_days"].item() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("city,date,hour\n北京,2016-01-05,25\n", "不在 1–24 之间"),
        ("city,date,hour\n北京,2016-01-05,ten\n", "hour 须为 1–24 的整数"),
        ("city,date\n北京,05/01/2016\n", "date 须为 YYYY-MM-DD"),
        ("city,day\n北京,2016-01-05\n", "缺少列 date"),
    ],
)
def test_dust_file_errors_say_what_to_fix(sample_store, tmp_path, text, message):
    from lantian.errors import InputError

    dust = tmp_path / "dust.csv"
    dust.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        assess_city(Dataset(sample_store), "北京", "2016-01", dust_file=dust)


def test_cli_dust_option_with_hours(sample_store, tmp_path):
    """``lantian assess --dust FILE --switch dust_deduction=hour`` gives the pipeline's figures."""
    import json

    from typer.testing import CliRunner

    from lantian.cli import app

    dust = tmp_path / "dust.csv"
    dust.write_text(DUST_CSV, encoding="utf-8")
    out = {}
    for m in ("day", "hour"):
        args = ["assess", "--store", str(sample_store), "--city", "北京", "--period", "2016-01"]
        res = CliRunner().invoke(
            app, [*args, "--dust", str(dust), "--switch", f"dust_deduction={m}", "--json"]
        )
        assert res.exit_code == 0, res.output
        out[m] = json.loads(res.stdout)["result"]
    assert out["day"]["n_pm25"] == 29 and out["hour"]["n_pm25"] == 30
    assert out["day"]["dust_days"] == out["hour"]["dust_days"] == 2


# -- docs/switches.md ----------------------------------------------------------------------------------------


def _doc_rows() -> dict[str, list[str]]:
    rows = {}
    for line in SWITCHES_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`(\w+)`", line)
        if m and m[1] in SWITCHES:
            rows[m[1]] = [c.strip() for c in line.strip().strip("|").split("|")]
    return rows


def _doc_value(value) -> str:
    """How docs/switches.md writes a value: strings bare, the rest as Python with double quotes."""
    return value if isinstance(value, str) else repr(value).replace("'", '"')


HEADER = ["Switch", "Default", "Alternatives", "Evidence", "Clause", "Test"]


def test_switches_doc_table_header():
    lines = SWITCHES_DOC.read_text(encoding="utf-8").splitlines()
    headers = [
        [c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines if ln.startswith("| Switch")
    ]
    assert headers == [HEADER]


@pytest.mark.parametrize("name", list(SWITCHES))
def test_switch_documented_with_default_and_alternatives(name):
    rows = _doc_rows()
    assert name in rows, f"docs/switches.md has no row for the switch {name}"
    cells = dict(zip(HEADER, rows[name], strict=True))
    assert f"`{_doc_value(SWITCHES[name].default)}`" in cells["Default"]
    hint = HINTS[name]
    if typing.get_origin(hint) is typing.Literal or hint is bool:
        for value in non_default_values(name):
            assert f"`{_doc_value(value)}`" in cells["Alternatives"], (
                f"{name}: alternative {value!r} undocumented"
            )
    else:
        assert cells["Alternatives"], f"{name}: say which values are allowed"
    assert cells["Evidence"] and cells["Clause"]


def test_switches_doc_has_no_unknown_switch():
    lines = SWITCHES_DOC.read_text(encoding="utf-8").splitlines()
    named = {m[1] for ln in lines if (m := re.match(r"\|\s*`(\w+)`", ln))}
    assert named <= set(SWITCHES), (
        f"docs/switches.md documents unknown switches {sorted(named - set(SWITCHES))}"
    )


@pytest.mark.parametrize("name", list(SWITCHES))
def test_switch_doc_names_real_tests(name):
    """The Test column names this module's test and only tests that exist (``path::function``)."""
    test_cell = dict(zip(HEADER, _doc_rows()[name], strict=True))["Test"]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)", test_cell)
    assert ("tests/docs/test_switches.py", "test_switch_changes_output") in named, test_cell
    for path, function in named:
        source = (PROJECT_ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {function}\(", source, re.M), f"{path}::{function} does not exist"
