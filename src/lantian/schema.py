"""The nomenclature: pollutant codes, canonical column names, units and the time convention.

Every reader maps its source's names to these, and every computation sees only these.

Time convention
---------------
Timestamps are naive ``datetime`` values in Beijing time (UTC+8, no daylight saving).
An hourly value is labelled by the hour that **ends** then: ``2022-01-01 16:00`` is the mean
over 15:00–16:00 (GB/T 34302—2017 §2.3 note, quoting HJ 663—2013 Table A.1). A natural day D
holds the hours labelled D 01:00 … D+1 00:00 (HJ 633—2012 §5.1.2: "当日零点前24小时").

Units
-----
SO2, NO2, O3, PM10, PM2.5 in µg/m³; CO in mg/m³ (HJ 633—2012 Table 1; HJ 633—2026 Table 3).
"""

from __future__ import annotations

import datetime as _dt

import polars as pl

#: The six basic pollutants (六项基本污染物), in the order used for display and ties.
POLLUTANTS: tuple[str, ...] = ("so2", "no2", "co", "o3", "pm10", "pm25")

#: Indicator codes that can be primary pollutants. ``o3_8h`` is O3 graded on its 8-hour column.
INDICATORS: tuple[str, ...] = ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25")

UNITS: dict[str, str] = {
    "so2": "µg/m³",
    "no2": "µg/m³",
    "co": "mg/m³",
    "o3": "µg/m³",
    "o3_8h": "µg/m³",
    "pm10": "µg/m³",
    "pm25": "µg/m³",
}

#: Decimal places of published concentrations (HJ 633—2026 §4.2.2–4.2.3; CNEMC practice before).
DECIMALS: dict[str, int] = {"so2": 0, "no2": 0, "co": 1, "o3": 0, "o3_8h": 0, "pm10": 0, "pm25": 0}

#: Display names (English).
NAMES_EN: dict[str, str] = {
    "so2": "SO2",
    "no2": "NO2",
    "co": "CO",
    "o3": "O3",
    "o3_8h": "O3-8h",
    "pm10": "PM10",
    "pm25": "PM2.5",
}

#: Chinese names as the national platform writes them in ``primarypollutant``.
NAMES_ZH: dict[str, str] = {
    "so2": "二氧化硫",
    "no2": "二氧化氮",
    "co": "一氧化碳",
    "o3": "臭氧1小时",
    "o3_8h": "臭氧8小时",
    "pm10": "颗粒物(PM10)",
    "pm25": "细颗粒物(PM2.5)",
}

#: Every spelling of a pollutant name seen in platform releases, mapped to its code.
PRIMARY_NAME_TO_CODE: dict[str, str] = {
    **{v: k for k, v in NAMES_ZH.items()},
    "细颗粒物": "pm25",
    "颗粒物": "pm10",
    "可吸入颗粒物(PM10)": "pm10",
    "可吸入颗粒物": "pm10",
    "臭氧": "o3",
    "臭氧(1小时)": "o3",
    "臭氧8小时平均": "o3_8h",
    "臭氧(8小时)": "o3_8h",
    "二氧化硫(SO2)": "so2",
    "二氧化氮(NO2)": "no2",
    "一氧化碳(CO)": "co",
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "NO2": "no2",
    "CO": "co",
    "O3": "o3",
    "O3_8h": "o3_8h",
    "O3-8h": "o3_8h",
}

TIME = "time"
DATE = "date"
STATION = "station_code"
CITY = "city"

#: Canonical hourly station frame: one row per station-hour, 1-hour values.
HOURLY_SCHEMA: dict[str, pl.DataType] = {
    STATION: pl.String(),
    TIME: pl.Datetime("us"),
    **{p: pl.Float64() for p in POLLUTANTS},
}

#: The 16 points of the compass, clockwise from north; point ``i`` is centred on ``i × 22.5°``.
COMPASS_16: tuple[str, ...] = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip
#: The same points in Chinese (北、北东北、东北…), as weather services name the 16 directions.
COMPASS_16_ZH: tuple[str, ...] = (
    "北", "北东北", "东北", "东东北", "东", "东东南", "东南", "南东南",
    "南", "南西南", "西南", "西西南", "西", "西西北", "西北", "北西北",
)  # fmt: skip

#: Meteorological values of a station-hour, kept where a source carries them (the PRSA Beijing files);
#: nullable, and a store written before they were kept reads them as null. Wind is where it blows *from*.
METEOROLOGY: dict[str, pl.DataType] = {
    "temperature": pl.Float64(),  # °C
    "pressure": pl.Float64(),  # hPa
    "dew_point": pl.Float64(),  # °C
    "rain": pl.Float64(),  # mm in the hour
    "wind_dir": pl.String(),  # one of COMPASS_16
    "wind_deg": pl.Float64(),  # degrees clockwise from north (0 ≤ d < 360)
    "wind_speed": pl.Float64(),  # m/s
}

METEOROLOGY_UNITS: dict[str, str] = {
    "temperature": "°C",
    "pressure": "hPa",
    "dew_point": "°C",
    "rain": "mm",
    "wind_dir": "",
    "wind_deg": "°",
    "wind_speed": "m/s",
}


def compass_degrees(point: str | None) -> float | None:
    """Degrees (clockwise from north) at the centre of a 16-point compass name (``NNE`` → 22.5)."""
    name = (point or "").strip().upper()
    return COMPASS_16.index(name) * 22.5 if name in COMPASS_16 else None


#: Values the national platform publishes beside the 1-hour values (kept for checks; never
#: used as inputs to assessment statistics).
PLATFORM_COLUMNS: dict[str, pl.DataType] = {
    "so2_24h": pl.Float64(),  # mean of the last 24 hourly values (real-time, no validity minimum)
    "no2_24h": pl.Float64(),
    "co_24h": pl.Float64(),
    "pm10_24h": pl.Float64(),
    "pm25_24h": pl.Float64(),
    "o3_1h_max24": pl.Float64(),  # maximum 1-hour O3 of the last 24 hours
    "o3_8h": pl.Float64(),  # 8-hour moving average ending at the hour (within the natural day)
    "o3_8h_max": pl.Float64(),  # day's maximum 8-hour average so far (at 00:00: yesterday's MDA8)
    "aqi_official": pl.Int64(),
    "primary_official": pl.String(),  # comma-joined pollutant codes
}

#: Canonical daily frame (station or city): daily means, O3 daily max 1-hour and MDA8.
DAILY_SCHEMA: dict[str, pl.DataType] = {
    DATE: pl.Date(),
    "so2": pl.Float64(),
    "no2": pl.Float64(),
    "co": pl.Float64(),
    "o3": pl.Float64(),  # daily maximum 1-hour value
    "o3_8h": pl.Float64(),  # daily maximum 8-hour average (MDA8)
    "pm10": pl.Float64(),
    "pm25": pl.Float64(),
}

#: Station registry columns.
STATION_SCHEMA: dict[str, pl.DataType] = {
    STATION: pl.String(),
    "name": pl.String(),
    CITY: pl.String(),
    "district": pl.String(),
    "province": pl.String(),
    "longitude": pl.Float64(),
    "latitude": pl.Float64(),
    "is_control": pl.Boolean(),
    "valid_from": pl.Date(),
    "valid_to": pl.Date(),
    "replaced_by": pl.String(),
    "source": pl.String(),
}

#: Category names of the six AQI levels (HJ 633—2012 Table 2; HJ 633—2026 Table 1).
CATEGORIES_ZH: tuple[str, ...] = ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染")
CATEGORIES_EN: tuple[str, ...] = (
    "Excellent",
    "Good",
    "Lightly polluted",
    "Moderately polluted",
    "Heavily polluted",
    "Severely polluted",
)

BEIJING = _dt.timezone(_dt.timedelta(hours=8), "Asia/Shanghai")

#: Suffix dropped from a city's name to compare cities (长沙市 and 长沙 are one city).
CITY_SUFFIX = "市"


def city_key(name: str | None) -> str:
    """A city's name as cities are compared and keyed: trimmed, without the ``市`` suffix."""
    return (name or "").strip().removesuffix(CITY_SUFFIX)


def city_name(name: str) -> str:
    """A city's name as notices and documents write it: with the ``市`` suffix (株洲 → 株洲市)."""
    return name if name.endswith(CITY_SUFFIX) else f"{name}{CITY_SUFFIX}"


def city_key_expr(col: str = CITY) -> pl.Expr:
    """Polars expression: :func:`city_key` of a column of city names."""
    return pl.col(col).str.strip_chars().str.strip_suffix(CITY_SUFFIX)


def natural_day(label: _dt.datetime) -> _dt.date:
    """Natural day of an hour-ending label: 00:00 belongs to the previous day."""
    return (label - _dt.timedelta(hours=1)).date()


def natural_day_expr(col: str = TIME) -> pl.Expr:
    """Polars expression: the natural day (date) of an hour-ending time label."""
    return (pl.col(col) - pl.duration(hours=1)).dt.date()
