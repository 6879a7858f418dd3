"""The one Period (lantian.periods): spellings, canonical labels, office labels, errors, last year, months.

Provenance of the expected values: ISO 8601 (GB/T 7408) for weeks — week 1 is the week with the year's
first Thursday, weeks run Monday to Sunday, so 2015 and 2020 have a week 53 and 2026-W01 starts on
29 December 2025; the Gregorian calendar for month lengths (2016 and 2024 leap years); the Chinese forms
are those of the office's bulletins (2016年第四季度, 2016年12月, 2016年1月1日—3月31日, the range joined
by the 一字线 "—" of GB/T 15835—2011); the error texts are the commands' own (lantian cycle, assess).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lantian.errors import InputError
from lantian.periods import KINDS, Period, parse_period, ytd

D = dt.date


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2016", "year", D(2016, 1, 1), D(2016, 12, 31), "2016"),
        ("2016H1", "half", D(2016, 1, 1), D(2016, 6, 30), "2016H1"),
        ("2016h2", "half", D(2016, 7, 1), D(2016, 12, 31), "2016H2"),
        ("2016-H2", "half", D(2016, 7, 1), D(2016, 12, 31), "2016H2"),
        ("2016Q1", "quarter", D(2016, 1, 1), D(2016, 3, 31), "2016Q1"),
        ("2016-Q3", "quarter", D(2016, 7, 1), D(2016, 9, 30), "2016Q3"),
        ("2016q4", "quarter", D(2016, 10, 1), D(2016, 12, 31), "2016Q4"),
        ("2016-02", "month", D(2016, 2, 1), D(2016, 2, 29), "2016-02"),
        ("2017-2", "month", D(2017, 2, 1), D(2017, 2, 28), "2017-02"),
        ("2016-W50", "week", D(2016, 12, 12), D(2016, 12, 18), "2016-W50"),
        ("2016W09", "week", D(2016, 2, 29), D(2016, 3, 6), "2016-W09"),
        ("2026-w1", "week", D(2025, 12, 29), D(2026, 1, 4), "2026-W01"),
        ("2015-W53", "week", D(2015, 12, 28), D(2016, 1, 3), "2015-W53"),
        ("2026-03-05", "day", D(2026, 3, 5), D(2026, 3, 5), "2026-03-05"),
        ("2016-01-01..2016-03-31", "range", D(2016, 1, 1), D(2016, 3, 31), "2016-01-01..2016-03-31"),
        (" 2022-07 ", "month", D(2022, 7, 1), D(2022, 7, 31), "2022-07"),
    ],
)
def test_every_spelling_and_its_canonical_label(text, kind, start, end, label):
    p = parse_period(text)
    assert (p.kind, p.start, p.end, p.label) == (kind, start, end, label)
    assert parse_period(p.label) == p  # the canonical label reads back as the same period


def test_ytd_from_the_last_day_of_data():
    p = parse_period("YTD", as_of=D(2023, 5, 10))
    assert p == ytd(D(2023, 5, 10)) == Period.ytd(D(2023, 5, 10))
    assert (p.kind, p.start, p.end, p.label) == (
        "ytd",
        D(2023, 1, 1),
        D(2023, 5, 10),
        "2023-01-01..2023-05-10",
    )
    assert p.days == 130  # 31 + 28 + 31 + 30 + 10
    with pytest.raises(InputError, match="需要最后一个有数据的日期") as info:
        parse_period("ytd")
    assert "needs the last day of data" in info.value.en
    with pytest.raises(InputError, match="需要最后一个有数据的日期"):
        parse_period("ytd", kind="ytd")


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("2016", "2016年", "2016"),
        ("2016H1", "2016年上半年", "H1 2016"),
        ("2016H2", "2016年下半年", "H2 2016"),
        ("2016Q4", "2016年第四季度", "Q4 2016"),
        ("2016-12", "2016年12月", "December 2016"),
        ("2016-W50", "2016年第50周（12月12日—12月18日）", "Week 50, 2016 (12–18 December)"),
        ("2016-W09", "2016年第9周（2月29日—3月6日）", "Week 9, 2016 (29 February – 6 March)"),
        (
            "2026-W01",
            "2026年第1周（2025年12月29日—2026年1月4日）",
            "Week 1, 2026 (29 December 2025 – 4 January 2026)",
        ),
        ("2016-12-05", "2016年12月5日", "5 December 2016"),
        ("2016-01-01..2016-03-31", "2016年1月1日—3月31日", "1 January – 31 March 2016"),
        ("2016-03-01..2016-03-15", "2016年3月1日—3月15日", "1–15 March 2016"),
        ("2015-12-01..2016-02-29", "2015年12月1日—2016年2月29日", "1 December 2015 – 29 February 2016"),
        ("2016-03-01..2016-03-01", "2016年3月1日", "1 March 2016"),
    ],
)
def test_labels_as_the_office_writes_them(text, zh, en):
    p = parse_period(text)
    assert (p.label_zh(), p.label_en()) == (zh, en)
    assert (p.label_in("zh"), p.label_in("en")) == (zh, en)


def test_ytd_labels_like_a_range():
    p = ytd(D(2016, 3, 31))
    assert (p.label_zh(), p.label_en()) == ("2016年1月1日—3月31日", "1 January – 31 March 2016")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2026-03-05", "daily"),
        ("2026-W10", "weekly"),
        ("2026-03", "monthly"),
        ("2026-Q1", "quarterly"),
        ("2026Q1", "quarterly"),
        ("2016", "annual"),
        ("2026-W10", "week"),
        ("2016H1", "half"),
        ("2016-01-01..2016-03-31", "range"),
    ],
)
def test_kind_accepts_its_own_periods(text, kind):
    assert parse_period(text, kind=kind).kind in KINDS


@pytest.mark.parametrize(
    ("text", "kind", "form"),
    [
        ("2026-10", "weekly", "YYYY-Www"),  # a month is not a week (lantian cycle weekly)
        ("2026-W60", "weekly", "YYYY-Www"),
        ("2026-13", "monthly", "YYYY-MM"),
        ("03/05/2026", "daily", "YYYY-MM-DD"),
        ("2026-Q5", "quarterly", "YYYYQn"),
        ("2026-03", "quarterly", "YYYYQn"),
        ("2016Q1", "annual", "YYYY"),
    ],
)
def test_kind_refuses_other_periods_and_says_how_to_write_them(text, kind, form):
    with pytest.raises(InputError, match=f"“{re.escape(text)}”不是有效的.*时段；请写成 ") as info:
        parse_period(text, kind=kind)
    assert re.search(f"is not a valid {kind} period; write it as {form}", info.value.en)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2016Q5", "unknown period '2016Q5'; use 2022, 2022H1, 2022Q3"),  # lantian assess's own message
        ("next week", "unknown period"),
        ("2026-13", "month must be 01–12"),
        ("2026-W60", "2026 has no ISO week 60"),
        ("2021-W53", "2021 has no ISO week 53"),  # 2021 has 52 ISO weeks
        ("2026-02-30", "day is out of range for month"),
        ("2016-03-31..2016-03-01", "the end is before the start"),
        ("2016-02-30..2016-03-01", "write days that exist"),
        ("0000", "year 0000 is outside 1900–2100"),
    ],
)
def test_errors_say_what_was_wrong(text, message):
    # the message is Chinese (what the CLI prints and a Chinese page shows); its English text in ``en``
    with pytest.raises(InputError) as info:
        parse_period(text)
    assert re.search(message, info.value.en), info.value.en
    assert text.split("..")[0] in str(info.value) and "时段" in str(info.value)


def test_unknown_kind():
    with pytest.raises(InputError, match="未知的时段类型“fortnightly”；可选：day、week") as info:
        parse_period("2026-W10", kind="fortnightly")
    assert "unknown period kind 'fortnightly'; use one of day, week" in info.value.en


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2016", "2015", D(2015, 1, 1), D(2015, 12, 31)),
        ("2016H1", "2015H1", D(2015, 1, 1), D(2015, 6, 30)),
        ("2016Q1", "2015Q1", D(2015, 1, 1), D(2015, 3, 31)),
        ("2016-02", "2015-02", D(2015, 2, 1), D(2015, 2, 28)),  # 29 days → 28
        ("2017-02", "2016-02", D(2016, 2, 1), D(2016, 2, 29)),  # 28 days → 29
        ("2016-02-29", "2015-02-28", D(2015, 2, 28), D(2015, 2, 28)),  # 29 February → 28 February
        ("2016-W10", "2015-W10", D(2015, 3, 2), D(2015, 3, 8)),
        ("2016-W52", "2015-W52", D(2015, 12, 21), D(2015, 12, 27)),
        ("2021-W01", "2020-W01", D(2019, 12, 30), D(2020, 1, 5)),
        ("2016-W01", "2015-W01", D(2014, 12, 29), D(2015, 1, 4)),
        (
            "2016-01-01..2016-02-29",  # ends on a month's last day: so does last year's
            "2015-01-01..2015-02-28",
            D(2015, 1, 1),
            D(2015, 2, 28),
        ),
        ("2017-01-01..2017-02-28", "2016-01-01..2016-02-29", D(2016, 1, 1), D(2016, 2, 29)),
        ("2016-01-10..2016-03-15", "2015-01-10..2015-03-15", D(2015, 1, 10), D(2015, 3, 15)),
    ],
)
def test_same_period_last_year(text, label, start, end):
    prev = parse_period(text).same_period_last_year()
    assert (prev.label, prev.start, prev.end) == (label, start, end)
    assert prev.kind == parse_period(text).kind


def test_same_week_53_last_year_is_week_52_when_there_is_no_53():
    # 2020 and 2015 have 53 ISO weeks (they begin on a Wednesday of a leap year, a Thursday); 2019 and
    # 2014 have 52 (28 December is always in a year's last ISO week)
    assert parse_period("2020-W53").same_period_last_year().label == "2019-W52"
    assert parse_period("2015-W53").same_period_last_year().label == "2014-W52"


def test_ytd_last_year():
    assert ytd(D(2023, 5, 10)).same_period_last_year() == ytd(D(2022, 5, 10))
    # as_of 29 February: last year's year to date ends on 28 February, the last day of that month
    assert ytd(D(2016, 2, 29)).same_period_last_year() == ytd(D(2015, 2, 28))
    # as_of the last day of February 2017: last year's ends on 29 February 2016
    assert ytd(D(2017, 2, 28)).same_period_last_year() == ytd(D(2016, 2, 29))


def test_months_touched_and_whole_months():
    q = parse_period("2026Q1")
    assert [m.label for m in q.months()] == ["2026-01", "2026-02", "2026-03"]
    assert [m.end for m in q.months()] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert q.whole_months() == q.months()
    r = parse_period("2015-12-15..2016-03-31")
    assert [m.label for m in r.months()] == ["2015-12", "2016-01", "2016-02", "2016-03"]
    assert [m.label for m in r.whole_months()] == ["2016-01", "2016-02", "2016-03"]
    week = parse_period("2016-W09")  # 29 February – 6 March
    assert [m.label for m in week.months()] == ["2016-02", "2016-03"] and week.whole_months() == []
    assert [m.label for m in parse_period("2016").months()][::11] == ["2016-01", "2016-12"]
    assert ytd(D(2016, 3, 10)).whole_months() == [parse_period("2016-01"), parse_period("2016-02")]


def test_days_times_and_contains():
    w = parse_period("2026-W10")
    assert w.days == 7 and parse_period("2016").days == 366 and parse_period("2017").days == 365
    assert parse_period("2016H1").days == 182 and parse_period("2016-01-01..2016-03-31").days == 91
    assert (w.start_time, w.end_time) == (dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 9))  # end excluded
    assert w.contains(D(2026, 3, 8)) and not w.contains(D(2026, 3, 9)) and not w.contains(D(2026, 3, 1))
    assert w.contains(dt.datetime(2026, 3, 8, 23, 59)) and not w.contains(dt.datetime(2026, 3, 9, 0, 0))
    assert parse_period("2016").is_annual and not parse_period("2016H1").is_annual


@pytest.mark.parametrize(
    ("kind", "day", "label"),
    [
        ("daily", D(2026, 3, 5), "2026-03-05"),
        ("weekly", D(2026, 3, 5), "2026-W10"),
        ("weekly", D(2027, 1, 1), "2026-W53"),  # 1 January 2027 is a Friday of 2026's week 53
        ("monthly", D(2026, 3, 5), "2026-03"),
        ("quarterly", D(2026, 5, 5), "2026Q2"),
        ("half", D(2026, 7, 1), "2026H2"),
        ("annual", D(2026, 7, 1), "2026"),
    ],
)
def test_period_containing_a_day(kind, day, label):
    p = Period.containing(kind, day)
    assert p.label == label and p.contains(day)


def test_containing_needs_a_calendar_kind():
    with pytest.raises(InputError, match="没有“range”这种时段；可选 day、week") as info:
        Period.containing("range", D(2026, 3, 5))
    assert "no 'range' period contains a day" in info.value.en


def test_periods_are_values():
    assert parse_period("2016-Q1") == parse_period("2016q1") == Period.of_quarter(2016, 1)
    assert len({parse_period("2016Q1"), Period.of_quarter(2016, 1)}) == 1
    with pytest.raises(AttributeError):
        parse_period("2016").label = "x"  # type: ignore[misc]
