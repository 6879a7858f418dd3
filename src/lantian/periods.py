"""The one period of lantian: a closed range of days with its kind and canonical label.

Kinds and their canonical labels (other accepted spellings in brackets):

=========  =========================  =====================================================
kind       label                      also accepted
=========  =========================  =====================================================
day        ``2026-03-05``
week       ``2026-W10`` (ISO 8601)    ``2026W10``, ``2026-w10``
month      ``2026-03``                ``2026-3``
quarter    ``2026Q1``                 ``2026-Q1``, ``2026q1``
half       ``2026H1``                 ``2026-H1``, ``2026h1``
year       ``2026``
ytd        ``2026-01-01..2026-03-05`` ``ytd`` (1 January of the year of ``as_of`` to ``as_of``;
                                      ``as_of`` is the last day with data, never the clock)
range      ``2026-01-01..2026-03-31``
=========  =========================  =====================================================

Assessment periods (HJ 663: year, half, quarter, month, ranges) and the supervision cycle's periods
(day, ISO week, month, quarter) are the same objects. ``start`` and ``end`` are dates, both inside the
period; ``start_time``/``end_time`` are the datetimes of the half-open interval the cycle counts in.
A period written with a year outside :data:`MIN_YEAR`..:data:`MAX_YEAR` (1900–2100) is refused.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from lantian.errors import InputError

KINDS = ("day", "week", "month", "quarter", "half", "year", "ytd", "range")

# The adjectives the cycle and report commands use for their period (日/周/月/季/年).
KIND_ALIASES = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "half-yearly": "half",
    "annual": "year",
    "yearly": "year",
}

_KIND_ZH = {
    "day": "日",
    "week": "周",
    "month": "月",
    "quarter": "季度",
    "half": "半年",
    "year": "年",
    "ytd": "年初至今",
    "range": "日期区间",
}

# How to write a period of each kind, for error messages.
#: How to write each kind, in Chinese messages.
_FORMS_ZH = {
    "day": "2026-03-05",
    "week": "2026-W10（ISO 周）",
    "month": "2026-03",
    "quarter": "2026Q1（也可写 2026-Q1）",
    "half": "2026H1",
    "year": "2026",
    "ytd": "ytd（年初至今）",
    "range": "2026-01-01..2026-03-31",
}
FORMS = {
    "day": "YYYY-MM-DD (e.g. 2026-03-05)",
    "week": "YYYY-Www (ISO week, e.g. 2026-W10)",
    "month": "YYYY-MM (e.g. 2026-03)",
    "quarter": "YYYYQn (e.g. 2026Q1; 2026-Q1 is accepted too)",
    "half": "YYYYHn (e.g. 2026H1)",
    "year": "YYYY (e.g. 2026)",
    "ytd": "ytd",
    "range": "YYYY-MM-DD..YYYY-MM-DD (e.g. 2026-01-01..2026-03-31)",
}

_YEAR = re.compile(r"(\d{4})")
_HALF = re.compile(r"(\d{4})-?[Hh]([12])")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")

# The years a period may lie in: the store's timestamps and the calendar arithmetic of the periods
# (a period's ``end_time``, the same period last year) hold only inside them.
MIN_YEAR, MAX_YEAR = 1900, 2100
_YEARS_IN = re.compile(r"^(\d{4})|\.\.(\d{4})")

_ZH_QUARTER = "一二三四"
_EN_MONTHS = tuple(calendar.month_name)[1:]  # fixed English names, independent of the locale


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _back_one_year(d: dt.date) -> dt.date:
    """The same day one year earlier; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def _zh_day(d: dt.date, with_year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


def _en_day(d: dt.date, with_year: bool = True) -> str:
    text = f"{d.day} {_EN_MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text


def _zh_span(a: dt.date, b: dt.date, year: int | None = None) -> str:
    """``2016年1月1日—3月31日``; years on both ends when they differ (or differ from ``year``)."""
    if a == b and year is None:
        return _zh_day(a)
    if a.year == b.year and year in (None, a.year):
        return f"{_zh_day(a, year is None)}—{_zh_day(b, False)}"
    return f"{_zh_day(a)}—{_zh_day(b)}"


def _en_span(a: dt.date, b: dt.date, year: int | None = None) -> str:
    """``1 January – 31 March 2016``, ``12–18 December``; years on both ends when they differ."""
    if a == b and year is None:
        return _en_day(a)
    if a.year == b.year and year in (None, a.year):
        tail = "" if year is not None else f" {b.year}"
        if a.month == b.month:
            return f"{a.day}–{b.day} {_EN_MONTHS[b.month - 1]}{tail}"
        return f"{_en_day(a, False)} – {_en_day(b, False)}{tail}"
    return f"{_en_day(a)} – {_en_day(b)}"


@dataclass(frozen=True)
class Period:
    """A closed range of days ``start``..``end`` (both included) of one of :data:`KINDS`."""

    kind: str
    start: dt.date
    end: dt.date  # inclusive
    label: str

    # -- constructors ----------------------------------------------------------------------------------

    @classmethod
    def of_day(cls, d: dt.date) -> Period:
        return cls("day", d, d, d.isoformat())

    @classmethod
    def of_week(cls, iso_year: int, week: int) -> Period:
        """ISO 8601 week ``week`` of ``iso_year`` (Monday to Sunday)."""
        first = dt.date.fromisocalendar(iso_year, week, 1)
        return cls("week", first, first + dt.timedelta(days=6), f"{iso_year:04d}-W{week:02d}")

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise InputError(
                f"{year} 年没有第 {month} 月；月份应为 01—12。",
                en=f"month {month} of {year} does not exist; months are 01–12",
            )
        return cls("month", dt.date(year, month, 1), _month_end(year, month), f"{year:04d}-{month:02d}")

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls("quarter", dt.date(year, first, 1), _month_end(year, first + 2), f"{year:04d}Q{quarter}")

    @classmethod
    def of_half(cls, year: int, half: int) -> Period:
        first = 1 if half == 1 else 7
        return cls("half", dt.date(year, first, 1), _month_end(year, first + 5), f"{year:04d}H{half}")

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")

    @classmethod
    def ytd(cls, as_of: dt.date) -> Period:
        """Year to date: 1 January of ``as_of``'s year to ``as_of`` (the last day with data)."""
        start = dt.date(as_of.year, 1, 1)
        return cls("ytd", start, as_of, f"{start.isoformat()}..{as_of.isoformat()}")

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """The custom range ``start``..``end`` (both included)."""
        if end < start:
            raise InputError(
                f"时段 {start}..{end} 的结束日期早于开始日期；请把较早的日期写在前面。",
                en=f"period {start}..{end}: the end is before the start; write the earlier day first",
            )
        return cls("range", start, end, f"{start.isoformat()}..{end.isoformat()}")

    @classmethod
    def containing(cls, kind: str, d: dt.date) -> Period:
        """The day, week, month, quarter, half or year of ``kind`` that contains ``d``."""
        kind = KIND_ALIASES.get(kind, kind)
        if kind == "day":
            return cls.of_day(d)
        if kind == "week":
            iso_year, week, _ = d.isocalendar()
            return cls.of_week(iso_year, week)
        if kind == "month":
            return cls.of_month(d.year, d.month)
        if kind == "quarter":
            return cls.of_quarter(d.year, (d.month - 1) // 3 + 1)
        if kind == "half":
            return cls.of_half(d.year, 1 if d.month <= 6 else 2)
        if kind == "year":
            return cls.of_year(d.year)
        raise InputError(
            f"没有“{kind}”这种时段；可选 day、week、month、quarter、half、year。",
            en=f"no {kind!r} period contains a day; use one of day, week, month, quarter, half, year",
        )

    # -- properties ------------------------------------------------------------------------------------

    @property
    def days(self) -> int:
        """Number of calendar days."""
        return (self.end - self.start).days + 1

    @property
    def is_annual(self) -> bool:
        return self.kind == "year"

    @property
    def start_time(self) -> dt.datetime:
        """First instant of the period (00:00 of ``start``)."""
        return dt.datetime.combine(self.start, dt.time.min)

    @property
    def end_time(self) -> dt.datetime:
        """First instant after the period (00:00 of the day after ``end``): the cycle counts in
        ``start_time <= t < end_time``."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)

    def contains(self, d: dt.date | dt.datetime) -> bool:
        """Whether the day ``d`` (or the day of the instant ``d``) is in the period."""
        day = d.date() if isinstance(d, dt.datetime) else d
        return self.start <= day <= self.end

    def months(self) -> list[Period]:
        """The calendar months the period touches, whole months, in order."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(Period.of_month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def whole_months(self) -> list[Period]:
        """The calendar months lying entirely inside the period."""
        return [m for m in self.months() if m.start >= self.start and m.end <= self.end]

    def same_period_last_year(self) -> Period:
        """The same span one year earlier.

        29 February becomes 28 February; a period ending on a month's last day ends on the last day of
        that month a year earlier (``2017-02`` → ``2016-02`` of 29 days). A year, half, quarter, month,
        day or year to date stays of its kind; a week is the ISO week of the same number a year earlier
        (week 53 becomes week 52 when that year has no week 53).
        """
        start, end = _back_one_year(self.start), _back_one_year(self.end)
        if self.kind in ("year", "half", "quarter", "month") or self.end == _month_end(
            self.end.year, self.end.month
        ):
            end = _month_end(end.year, end.month)
        if self.kind == "year":
            return Period.of_year(start.year)
        if self.kind == "half":
            return Period.of_half(start.year, 1 if start.month == 1 else 2)
        if self.kind == "quarter":
            return Period.of_quarter(start.year, (start.month - 1) // 3 + 1)
        if self.kind == "month":
            return Period.of_month(start.year, start.month)
        if self.kind == "day":
            return Period.of_day(start)
        if self.kind == "week":
            iso_year, week, _ = self.start.isocalendar()
            last_week = dt.date(iso_year - 1, 12, 28).isocalendar()[1]  # 28 December is in the last ISO week
            return Period.of_week(iso_year - 1, min(week, last_week))
        if self.kind == "ytd":
            return Period.ytd(end)
        return Period.between(start, end)

    # -- labels as the office writes them -----------------------------------------------------------

    def label_zh(self) -> str:
        """2016年; 2016年上半年; 2016年第四季度; 2016年12月; 2016年第50周（12月12日—12月18日）;
        2016年12月5日; 2016年1月1日—3月31日."""
        s = self.start
        if self.kind == "year":
            return f"{s.year}年"
        if self.kind == "half":
            return f"{s.year}年{'上' if s.month == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{s.year}年第{_ZH_QUARTER[(s.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "day":
            return _zh_day(s)
        if self.kind == "week":
            iso_year, week, _ = s.isocalendar()
            span = _zh_span(s, self.end, iso_year)
            return f"{iso_year}年第{week}周（{span}）"
        return _zh_span(self.start, self.end)

    def label_en(self) -> str:
        """2016; H1 2016; Q4 2016; December 2016; Week 50, 2016 (12–18 December); 5 December 2016;
        1 January – 31 March 2016."""
        s = self.start
        if self.kind == "year":
            return f"{s.year}"
        if self.kind == "half":
            return f"H{1 if s.month == 1 else 2} {s.year}"
        if self.kind == "quarter":
            return f"Q{(s.month - 1) // 3 + 1} {s.year}"
        if self.kind == "month":
            return f"{_EN_MONTHS[s.month - 1]} {s.year}"
        if self.kind == "day":
            return _en_day(s)
        if self.kind == "week":
            iso_year, week, _ = s.isocalendar()
            return f"Week {week}, {iso_year} ({_en_span(s, self.end, iso_year)})"
        return _en_span(self.start, self.end)

    def label_in(self, lang: str) -> str:
        """:meth:`label_zh` for ``"zh"``, :meth:`label_en` otherwise."""
        return self.label_zh() if lang == "zh" else self.label_en()


def ytd(as_of: dt.date) -> Period:
    """Year to date: 1 January of ``as_of``'s year to ``as_of`` (see :meth:`Period.ytd`)."""
    return Period.ytd(as_of)


def _check_years(s: str) -> None:
    """InputError when a year written in ``s`` lies outside :data:`MIN_YEAR`..:data:`MAX_YEAR`."""
    for match in _YEARS_IN.finditer(s):
        year = int(match[1] or match[2])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InputError(
                f"时段“{s}”的年份 {year:04d} 超出 {MIN_YEAR}–{MAX_YEAR} 年的范围；请给出该范围内的时段。",
                en=f"period {s!r}: year {year:04d} is outside {MIN_YEAR}–{MAX_YEAR}; give a period in those years",
            )


def _parse_any(s: str, as_of: dt.date | None) -> Period | None:
    """The period spelled ``s``, None when no form matches; InputError when a form matches but the
    values do not exist (month 13, week 60, 30 February, year 0000 or any year outside
    :data:`MIN_YEAR`..:data:`MAX_YEAR`)."""
    _check_years(s)
    try:
        return _parse_form(s, as_of)
    except InputError:
        raise
    except (ValueError, OverflowError) as exc:
        raise InputError(
            f"时段“{s}”的日期超出范围；请给出 {MIN_YEAR}–{MAX_YEAR} 年内的时段。",
            en=f"period {s!r}: {exc}; give a period in the years {MIN_YEAR}–{MAX_YEAR}",
        ) from None


def _parse_form(s: str, as_of: dt.date | None) -> Period | None:
    if m := _YEAR.fullmatch(s):
        return Period.of_year(int(m[1]))
    if m := _HALF.fullmatch(s):
        return Period.of_half(int(m[1]), int(m[2]))
    if m := _QUARTER.fullmatch(s):
        return Period.of_quarter(int(m[1]), int(m[2]))
    if m := _WEEK.fullmatch(s):
        try:
            return Period.of_week(int(m[1]), int(m[2]))
        except ValueError:
            raise InputError(
                f"时段“{s}”：{m[1]} 年没有第 {int(m[2])} 周；ISO 周从 W01 到 W52 或 W53。",
                en=f"period {s!r}: {m[1]} has no ISO week {int(m[2])}; ISO weeks run from W01 to W52 or W53",
            ) from None
    if m := _MONTH.fullmatch(s):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise InputError(f"时段“{s}”：月份应为 01—12。", en=f"period {s!r}: month must be 01–12")
        return Period.of_month(y, mo)
    if _DAY.fullmatch(s):
        try:
            return Period.of_day(dt.date.fromisoformat(s))
        except ValueError as exc:
            raise InputError(
                f"时段“{s}”不是存在的日期；请写一个存在的日期，如 2026-03-05。",
                en=f"period {s!r}: {exc}; write a day that exists, e.g. 2026-03-05",
            ) from None
    if m := _RANGE.fullmatch(s):
        try:
            a, b = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise InputError(
                f"时段“{s}”中有不存在的日期；请写存在的日期，如 2026-01-01..2026-03-31。",
                en=f"period {s!r}: {exc}; write days that exist, e.g. 2026-01-01..2026-03-31",
            ) from None
        return Period.between(a, b)
    if s.lower() == "ytd":
        if as_of is None:
            raise InputError(
                "“年初至今”（ytd）需要最后一个有数据的日期，但没有找到数据：请先导入数据（lantian ingest），"
                "或给出日期区间，如 2026-01-01..2026-03-31。",
                en="period 'ytd' needs the last day of data (as_of); none was found: ingest data first or give "
                "a range such as 2026-01-01..2026-03-31",
            )
        return Period.ytd(as_of)
    return None


def parse_period(text: str, as_of: dt.date | None = None, kind: str | None = None) -> Period:
    """The period spelled ``text`` (any spelling of the module docstring).

    ``as_of`` is the last day with data, needed by ``ytd``. ``kind`` (one of :data:`KINDS`, or the
    adjectives ``daily``, ``weekly``, ``monthly``, ``quarterly``, ``annual``) accepts only periods of
    that kind and names that kind's form in the error.
    """
    s = str(text).strip()
    if kind is None:
        period = _parse_any(s, as_of)
        if period is None:
            raise InputError(
                f"无法识别的时段“{text}”；可写成 2022、2022H1、2022Q3、2022-07、2022-W10、2022-07-05、"
                "2022-01-01..2022-03-31 或 ytd（年初至今）。",
                en=f"unknown period {text!r}; use 2022, 2022H1, 2022Q3, 2022-07, 2022-W10, 2022-07-05, "
                "2022-01-01..2022-03-31 or ytd",
            )
        return period
    wanted = KIND_ALIASES.get(kind, kind)
    if wanted not in KINDS:
        raise InputError(
            f"未知的时段类型“{kind}”；可选：{'、'.join((*KINDS, *KIND_ALIASES))}。",
            en=f"unknown period kind {kind!r}; use one of {', '.join((*KINDS, *KIND_ALIASES))}",
        )
    if wanted == "ytd" and s.lower() == "ytd":
        return _parse_any(s, as_of)  # says when as_of is missing
    _check_years(s)  # a year out of range is said as such, not as a wrong form
    try:
        period = _parse_any(s, as_of)
    except InputError:
        period = None
    if period is None or period.kind != wanted:
        raise InputError(
            f"“{text}”不是有效的{_KIND_ZH[wanted]}时段；请写成 {_FORMS_ZH[wanted]} 的形式。",
            en=f"period {text!r} is not a valid {kind} period; write it as {FORMS[wanted]}.",
        )
    return period


__all__ = ["FORMS", "KINDS", "KIND_ALIASES", "MAX_YEAR", "MIN_YEAR", "Period", "parse_period", "ytd"]
