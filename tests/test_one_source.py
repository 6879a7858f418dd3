"""Every rule lives in one place: the JSON form (:mod:`lantian.jsonable`), the city key
(:func:`lantian.schema.city_key`), the AQI level texts, colours and thresholds (:mod:`lantian.standards`)
and the missing-value markers of the text readers (:data:`lantian.io._text.MISSING`)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

import lantian
from lantian import standards
from lantian.calc.aqi import aqi
from lantian.errors import InputError
from lantian.io._text import MISSING, NOT_MONITORED
from lantian.io.aqi_input import read_aqi_table
from lantian.io.generic import parse_generic, read_generic
from lantian.schema import city_key, city_key_expr
from lantian.standards import Options, hj633_2012, hj633_2026, hj663, level_info
from lantian.standards import warnings as warning_rules

SRC = Path(lantian.__file__).parent

#: The one places of each rule, where its text may appear.
OWNERS = {SRC / "schema.py", SRC / "jsonable.py", SRC / "standards"}
#: Files being rewritten at present; they still carry copies (remove them from here once rewritten).
NOT_YET: set[Path] = set()

SUFFIXES = (".py", ".html", ".j2", ".css", ".js")

LEVEL_HEXES = sorted({lv.hex.upper() for r in ("2012", "2026") for lv in standards.get(r).aqi.levels})

COPIES = {
    "city-name key (use lantian.schema.city_key / city_key_expr)": re.compile(
        r"""(strip_suffix|removesuffix)\(\s*["']市["']\s*\)"""
    ),
    "JSON encoder (use lantian.jsonable.dumps / to_jsonable)": re.compile(r"\bjson\.dumps\("),
    "AQI level colour (use lantian.standards level_info / level_colours)": re.compile(
        "(?:" + "|".join(re.escape(h) for h in LEVEL_HEXES) + r")(?![0-9A-Fa-f])", re.IGNORECASE
    ),
}


def _sources() -> list[Path]:
    files = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in SUFFIXES or "vendor" in path.parts:
            continue
        if any(path == o or o in path.parents for o in OWNERS) or path in NOT_YET:
            continue
        files.append(path)
    return files


def test_the_files_still_allowed_copies_exist():
    # A rewritten-away file must leave NOT_YET, so that the list never hides a new copy.
    assert all(p.is_file() for p in NOT_YET)
    assert len(_sources()) > 50  # the scan sees the package


@pytest.mark.parametrize("rule", list(COPIES))
def test_no_copy_of_a_rule_outside_its_one_place(rule):
    pattern = COPIES[rule]
    found = [
        f"{path.relative_to(SRC.parent)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, f"copies of the {rule}:\n" + "\n".join(found)


def test_the_scan_would_see_each_copy():
    # Each pattern matches the copies it is meant to catch.
    samples = {
        "city-name key (use lantian.schema.city_key / city_key_expr)": 'pl.col("city").str.strip_suffix("市")',
        "JSON encoder (use lantian.jsonable.dumps / to_jsonable)": "json.dumps(obj, ensure_ascii=False)",
        "AQI level colour (use lantian.standards level_info / level_colours)": "td.cat-3 { background: #ff7e00; }",
    }
    assert all(COPIES[rule].search(text) for rule, text in samples.items())
    assert not COPIES["AQI level colour (use lantian.standards level_info / level_colours)"].search("#FF7E0012")


# -- the city key --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("长沙市", "长沙"),  # schema.city_key: 长沙市 and 长沙 are one city
        ("长沙", "长沙"),
        (" 长沙市 ", "长沙"),  # trimmed first
        ("市中区", "市中区"),  # only a trailing 市 goes
        ("湘西州", "湘西州"),
        ("", ""),
        (None, ""),
    ],
)
def test_city_key(name, key):
    assert city_key(name) == key


def test_city_key_expr_is_city_key_on_a_column():
    names = ["长沙市", "长沙", " 株洲市", "市中区", None]
    keys = pl.DataFrame({"city": names}).select(city_key_expr("city"))["city"].to_list()
    assert keys == [city_key(n) if n is not None else None for n in names]


# -- AQI levels: texts and colours by edition ----------------------------------------------------------


def test_level_texts_follow_the_edition():
    # HJ 633—2026 Table 1 (hj633_2026._TEXTS_2026) rewords levels 3–6: 易感人群 → 敏感人群,
    # 儿童 → 青少年儿童, 心脏病、肺病 → 心血管系统疾病、呼吸系统疾病; levels 1–2 keep the 2012 text.
    texts = ("name", "category", "colour", "colour_name", "health_effect", "advice")
    for level in (1, 2):
        assert [level_info(level, "2026")[k] for k in texts] == [level_info(level, "2012")[k] for k in texts]
    for level in (3, 4, 5, 6):
        old, new = level_info(level, "2012"), level_info(level, "2026")
        assert old["advice"] != new["advice"]
        assert "青少年儿童" in new["advice"] and "青少年儿童" not in old["advice"]
        assert old["category"] == new["category"] and old["colour"] == new["colour"]  # Appendix A unchanged
    assert level_info(3, "2012")["health_effect"] == "易感人群症状有轻度加剧，健康人群出现刺激症状"  # 2012 Table 2
    assert level_info(3, "2026")["health_effect"] == "敏感人群症状有轻度加剧，健康人群出现刺激症状"  # 2026 Table 1
    # The English variant carries the same changes.
    assert "sensitive people" in level_info(3, "2026", "en")["health_effect"]
    assert "susceptible people" in level_info(3, "2012", "en")["health_effect"]
    assert level_info(4, "2026", "en")["advice"].startswith("Adolescents and children")
    assert level_info(None, "2026") == {}


def test_level_colours_are_appendix_a():
    # HJ 633—2012 Appendix A Table A.1 (kept by HJ 633—2026): green, yellow, orange, red, purple, maroon.
    assert [level_info(lv, "2026", "en")["colour_name"] for lv in range(1, 7)] == [
        "green", "yellow", "orange", "red", "purple", "maroon"
    ]
    assert standards.level_colours("2012") == standards.level_colours("2026")


def test_one_aqi_gets_its_editions_texts():
    # PM2.5 100 µg/m³ is level 3 in both editions (2012 Table 1: IAQI 132; 2026 Table 3: IAQI 137),
    # and each edition's level-3 texts come with it.
    old = aqi(pm25=100, date="2022-05-01")
    new = aqi(pm25=100, date="2026-05-01")
    assert (old["aqi"], old["level"], new["aqi"], new["level"]) == (132, 3, 137, 3)
    assert old["advice"] == hj633_2012.LEVELS[2].advice_zh
    assert new["advice"] == hj633_2026.LEVELS[2].advice_zh
    assert new["advice_en"] == level_info(3, "2026", "en")["advice"]


# -- AQI thresholds ----------------------------------------------------------------------------------


def test_thresholds_are_named_fields_of_the_rules():
    for rules in (hj633_2012.RULES, hj633_2026.RULES):
        # HJ 633—2012 §4.4.2 / —2026 §4.3.1; §3.4 / Table 2; levels 1–2, 5–6, 6 of Table 2 / Table 1.
        assert rules.primary_above_aqi == rules.level(1).aqi_high == 50
        assert rules.exceedance_above_iaqi == 100
        assert rules.good_day_max_aqi == rules.level(2).aqi_high == 100
        assert rules.heavy_above_aqi == rules.level(4).aqi_high == 200
        assert rules.level(5).aqi_low == rules.heavy_above_aqi + 1
        assert rules.severe_above_aqi == rules.level(5).aqi_high == 300
    # HJ 663's good and heavy days and the warning thresholds are the same reads, in both editions.
    assert hj663.GOOD_DAY_MAX_AQI == hj633_2026.RULES.good_day_max_aqi
    assert hj663.HEAVY_DAY_ABOVE_AQI == hj633_2026.RULES.heavy_above_aqi == warning_rules.HEAVY_ABOVE
    assert warning_rules.SEVERE_ABOVE == hj633_2026.RULES.severe_above_aqi


def test_a_threshold_off_the_level_table_is_refused():
    from dataclasses import replace

    with pytest.raises(ValueError, match="good_day_max_aqi"):
        replace(hj633_2026.RULES, good_day_max_aqi=99)


def test_primary_pollutant_threshold_is_read_from_the_rules():
    # PM2.5 35 µg/m³ → IAQI 50 (no primary pollutant); 36 → IAQI 52 (PM2.5 primary), HJ 633—2012 §4.4.2.
    only_given = Options(missing_pollutant_rule="available")
    assert aqi(pm25=35, date="2022-05-01", options=only_given)["primary_pollutants"] == []
    assert aqi(pm25=36, date="2022-05-01", options=only_given)["primary_pollutants"] == ["pm25"]


def test_warning_colours_live_in_the_warning_rules():
    levels = {lv.code: lv for lv in warning_rules.SCHEMES["2017"]}
    assert {code: lv.colour for code, lv in levels.items()} == warning_rules.COLOURS
    assert warning_rules.COLOURS["red"] == level_info(4, "2012")["colour"]  # the AQI red, Appendix A
    assert warning_rules.COLOURS["orange"] == level_info(3, "2012")["colour"]


# -- one missing-value rule for the generic CSV ----------------------------------------------------------


def _generic_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "generic.csv"
    path.write_text("station,time,pm25,pm10\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_both_readers_of_the_generic_csv_read_missing_values_alike(tmp_path):
    # Every marker of io._text.MISSING and the not-monitored "/" is a missing value for both readers.
    markers = [*MISSING, NOT_MONITORED]
    rows = [f"1001A,2024-01-01 {h + 1:02d}:00,{m},{36 + h}" for h, m in enumerate(markers)]
    path = _generic_csv(tmp_path, rows)
    generic, meta = read_generic(path)
    table, _ = read_aqi_table(path)
    assert meta["rejects"].height == 0
    assert generic["pm25"].to_list() == table["pm25"].to_list() == [None] * len(markers)
    assert generic["pm10"].to_list() == table["pm10"].to_list() == [36.0 + h for h in range(len(markers))]
    assert table["unmonitored"].to_list()[-1] == "pm25"  # "/" is also named as not monitored


@pytest.mark.parametrize("bad", ["abc", "inf", "12,5"])
def test_both_readers_refuse_what_is_not_a_number(tmp_path, bad):
    path = _generic_csv(tmp_path, ["1001A,2024-01-01 01:00,35,40", f'1001A,2024-01-01 02:00,"{bad}",40'])
    parsed = parse_generic(path)
    assert [line for line, _, _ in parsed.rejects] == [3]
    with pytest.raises(InputError, match="line 3, column 'pm25'"):
        read_aqi_table(path)
