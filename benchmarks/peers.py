"""The peers lantian is measured against, and the exact oracle its hourly AQI is checked with.

Everything here is written for the benchmark only; none of it is lantian code:

- :func:`oracle_aqi` — hourly AQI (HJ 633—2012 Table 1 as the national platform applies it: 1-hour
  values, PM on the 24-hour columns, inputs GB/T 8170-rounded, IAQI by 式1 rounded up) in exact
  rational arithmetic (``fractions.Fraction``), one row at a time;
- :func:`pandas_aqi` — the straightforward vectorised implementation (``np.interp`` + ``ceil``);
- :func:`python_aqi_rows`, :func:`aqi_hub_rows` — per-row calls of the two PyPI packages;
- :func:`duckdb_annual`, :func:`pandas_annual` — the annual assessment of every city hand-written in
  DuckDB SQL and in pandas (definitions in ``ANNUAL_DEFINITION``).

The store's tables are Delta Lake tables: the peers read the Parquet files of each table's current
version, listed from its commit log by :func:`table_files` (the one call into lantian here). A glob of the
table's directory would also read files a newer version replaced (a corrected value would count twice).
"""

from __future__ import annotations

import math
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
# HJ 633—2012 Table 1: the columns the real-time (hourly) report grades each 1-hour value on.
HOURLY_2012 = {
    "so2": (0, 150, 500, 650, 800),  # SO2 1-hour; above 800 the 24-hour value decides (note 2)
    "no2": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "co": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),  # 24-hour column
    "pm25": (0, 35, 75, 115, 150, 250, 350, 500),  # 24-hour column
}
DECIMALS = {"so2": 0, "no2": 0, "co": 1, "o3": 0, "pm10": 0, "pm25": 0}

ANNUAL_DEFINITION = """\
Station daily mean (SO2 NO2 CO PM10 PM2.5): mean of the valid hours of the natural day (labels D 01:00 …
D+1 00:00), valid with ≥ 20 hours (GB 3095 Table 4). Station 8-hour O3 labelled X: mean of hours X-7…X,
valid with ≥ 6 hours; MDA8 of D = max of the windows labelled D 08:00 … D+1 00:00, valid with ≥ 14 valid
windows or when the maximum exceeds 160 (spec §3.3). City daily value = mean of the valid values of its
evaluation stations (control points excluded); its published value is GB/T 8170-rounded (integers; CO
1 dp). Valid day: all six city daily values present (valid_day_2012 = all_six). Good day: valid and daily
AQI ≤ 100, i.e. every published daily value at or below its IAQI-100 breakpoint (HJ 633—2012 Table 1:
SO2 150, NO2 80, CO 4, PM10 150, PM2.5 75, O3-8h 160). Annual: means of the valid city daily values (SO2
NO2 PM10 PM2.5); percentiles of the published daily values (spec §5.2, linear): CO 95th, O3 MDA8 90th,
SO2 and NO2 98th, PM10 and PM2.5 95th; every figure GB/T 8170-rounded; composite index Σ C/S of the
rounded figures with S = 60, 40, 70, 35, 4, 160 (spec §5.4), 2 dp; good-day rate = good / valid days ×
100, 1 dp."""

LIMITS = {"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3_8h": 160}
GOOD_BREAKPOINT = {"so2": 150, "no2": 80, "co": 4, "pm10": 150, "pm25": 75, "o3_8h": 160}


# ---------------------------------------------------------------------------------------------
# Hourly AQI


def _exact(value: float, decimals: int) -> Fraction:
    return Fraction(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def oracle_iaqi(pollutant: str, value: float | None) -> int | None:
    """IAQI of one 1-hour value, exact (HJ 633—2012 式1, rounded up)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value < 0:
        return None
    c = _exact(value, DECIMALS[pollutant])
    bp = HOURLY_2012[pollutant]
    if pollutant == "so2" and c > 800:
        return None  # graded on the 24-hour value, absent from a 1-hour-only frame
    for i in range(len(bp) - 1):
        if c <= bp[i + 1]:
            f = (
                Fraction(IAQI_STEPS[i + 1] - IAQI_STEPS[i], 1) / (bp[i + 1] - bp[i]) * (c - bp[i])
                + IAQI_STEPS[i]
            )
            return math.ceil(f)
    return 500


def oracle_aqi(row: dict) -> tuple[int | None, dict]:
    """Hourly AQI of one station-hour; withheld (None) when a pollutant is missing and AQI ≤ 100."""
    iaqi = {p: oracle_iaqi(p, row[p]) for p in POLLUTANTS}
    present = [v for v in iaqi.values() if v is not None]
    if not present:
        return None, iaqi
    top = max(present)
    if len(present) < len(POLLUTANTS) and top <= 100:
        return None, iaqi
    return top, iaqi


def pandas_aqi(frame):
    """Straightforward pandas/NumPy: round, ``np.interp`` on the breakpoints, ``ceil``, row max."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for p in POLLUTANTS:
        c = frame[p].to_numpy(dtype=float).round(DECIMALS[p])
        bp = np.asarray(HOURLY_2012[p], dtype=float)
        steps = np.asarray(IAQI_STEPS[: len(bp)], dtype=float)
        iaqi = np.ceil(np.interp(c, bp, steps, right=500.0))
        out[f"iaqi_{p}"] = np.where(np.isnan(c), np.nan, iaqi)
    cols = [f"iaqi_{p}" for p in POLLUTANTS]
    aqi = out[cols].max(axis=1)
    missing = out[cols].isna().any(axis=1)
    out["aqi"] = aqi.where(~(missing & (aqi <= 100)))
    return out


def python_aqi_rows(rows: list[dict]) -> list[int | None]:
    """python-aqi (``aqi.to_aqi``, algorithm ``aqi.algos.mep``), one call per station-hour."""
    import aqi
    from aqi import constants as k

    names = {
        "so2": k.POLLUTANT_SO2_1H,
        "no2": k.POLLUTANT_NO2_1H,
        "co": k.POLLUTANT_CO_1H,
        "o3": k.POLLUTANT_O3_1H,
        "pm10": k.POLLUTANT_PM10,
        "pm25": k.POLLUTANT_PM25,
    }
    out = []
    for row in rows:
        pairs = [(names[p], str(row[p])) for p in POLLUTANTS if row[p] is not None]
        try:
            out.append(int(aqi.to_aqi(pairs, algo=aqi.ALGO_MEP)))
        except (IndexError, TypeError, ValueError, ArithmeticError):
            out.append(None)  # values above the package's table
    return out


def aqi_hub_rows(rows: list[dict]) -> list[int | None]:
    """aqi-hub (``aqi_hub.aqi_cn.aqi.cal_aqi_cn``, hourly), one call per station-hour."""
    from aqi_hub.aqi_cn.aqi import cal_aqi_cn

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in rows:
            value, _ = cal_aqi_cn(
                r["pm25"], r["pm10"], r["so2"], r["no2"], r["co"], r["o3"], data_type="hourly"
            )
            out.append(value)
    return out


# ---------------------------------------------------------------------------------------------
# Annual assessment


_DUCKDB_SQL = """
CREATE OR REPLACE MACRO xs_(x) AS CAST(round(x * 1e9) AS HUGEINT);
CREATE OR REPLACE MACRO half_even(x, d) AS CAST(
    CASE WHEN 2 * (xs_(x) % CAST(10 ** (9 - d) AS HUGEINT)) > CAST(10 ** (9 - d) AS HUGEINT)
           THEN xs_(x) // CAST(10 ** (9 - d) AS HUGEINT) + 1
         WHEN 2 * (xs_(x) % CAST(10 ** (9 - d) AS HUGEINT)) = CAST(10 ** (9 - d) AS HUGEINT)
           THEN xs_(x) // CAST(10 ** (9 - d) AS HUGEINT) + ((xs_(x) // CAST(10 ** (9 - d) AS HUGEINT)) % 2)
         ELSE xs_(x) // CAST(10 ** (9 - d) AS HUGEINT) END AS DOUBLE) / (10 ** d);
CREATE OR REPLACE TEMP TABLE h AS
SELECT station_code, time, CAST(time - INTERVAL 1 HOUR AS DATE) AS day, so2, no2, co, o3, pm10, pm25
FROM read_parquet({hourly}, hive_partitioning = false)
WHERE time > TIMESTAMP '{start}' AND time <= TIMESTAMP '{end}';
CREATE OR REPLACE TEMP TABLE sd AS
SELECT station_code, day,
  CASE WHEN count(so2) >= 20 THEN avg(so2) END AS so2,
  CASE WHEN count(no2) >= 20 THEN avg(no2) END AS no2,
  CASE WHEN count(co) >= 20 THEN avg(co) END AS co,
  CASE WHEN count(pm10) >= 20 THEN avg(pm10) END AS pm10,
  CASE WHEN count(pm25) >= 20 THEN avg(pm25) END AS pm25
FROM h GROUP BY station_code, day;
CREATE OR REPLACE TEMP TABLE g AS
SELECT k.station_code, k.day, r.hh, CAST(k.day AS TIMESTAMP) + to_hours(r.hh) AS time
FROM (SELECT DISTINCT station_code, day FROM h) k CROSS JOIN range(1, 25) r(hh);
CREATE OR REPLACE TEMP TABLE w AS
SELECT g.station_code, g.day, g.hh,
  CASE WHEN count(h.o3) OVER win >= 6 THEN avg(h.o3) OVER win END AS o3_8h
FROM g LEFT JOIN h ON h.station_code = g.station_code AND h.time = g.time
WINDOW win AS (PARTITION BY g.station_code, g.day ORDER BY g.hh ROWS BETWEEN 7 PRECEDING AND CURRENT ROW);
CREATE OR REPLACE TEMP TABLE m AS
SELECT station_code, day,
  CASE WHEN count(o3_8h) >= 14 OR max(o3_8h) > 160 THEN max(o3_8h) END AS o3_8h
FROM w WHERE hh >= 8 GROUP BY station_code, day;
CREATE OR REPLACE TEMP TABLE cd AS
SELECT *, half_even(so2, 0) AS r_so2, half_even(no2, 0) AS r_no2, half_even(co, 1) AS r_co,
  half_even(pm10, 0) AS r_pm10, half_even(pm25, 0) AS r_pm25, half_even(o3_8h, 0) AS r_o3_8h
FROM (
  SELECT s.city, coalesce(d.day, m.day) AS day, avg(d.so2) AS so2, avg(d.no2) AS no2, avg(d.co) AS co,
    avg(d.pm10) AS pm10, avg(d.pm25) AS pm25, avg(m.o3_8h) AS o3_8h
  FROM sd d FULL JOIN m USING (station_code, day)
  JOIN read_parquet({stations}, hive_partitioning = false) s ON s.station_code = coalesce(d.station_code, m.station_code)
  WHERE NOT s.is_control
  GROUP BY s.city, coalesce(d.day, m.day)
);
SELECT city,
  count(*) FILTER (WHERE so2 IS NOT NULL AND no2 IS NOT NULL AND co IS NOT NULL AND pm10 IS NOT NULL
                   AND pm25 IS NOT NULL AND o3_8h IS NOT NULL) AS valid_days,
  count(*) FILTER (WHERE r_so2 <= 150 AND r_no2 <= 80 AND r_co <= 4 AND r_pm10 <= 150 AND r_pm25 <= 75
                   AND r_o3_8h <= 160) AS good_days,
  half_even(avg(so2), 0) AS so2, half_even(avg(no2), 0) AS no2, half_even(avg(pm10), 0) AS pm10,
  half_even(avg(pm25), 0) AS pm25, half_even(quantile_cont(r_co, 0.95), 1) AS co_p95,
  half_even(quantile_cont(r_o3_8h, 0.90), 0) AS o3_8h_p90,
  half_even(quantile_cont(r_so2, 0.98), 0) AS so2_p98, half_even(quantile_cont(r_no2, 0.98), 0) AS no2_p98,
  half_even(quantile_cont(r_pm10, 0.95), 0) AS pm10_p95, half_even(quantile_cont(r_pm25, 0.95), 0) AS pm25_p95
FROM cd GROUP BY city
"""


def _finish_annual(frame):
    """Composite index and good-day rate from the rounded annual figures (both peers share this)."""
    import pandas as pd

    f = frame.copy()
    idx = (
        f["so2"] / 60
        + f["no2"] / 40
        + f["pm10"] / 70
        + f["pm25"] / 35
        + f["co_p95"] / 4
        + f["o3_8h_p90"] / 160
    )
    f["composite_index"] = [_he(v, 2) for v in idx]
    f["good_rate"] = [
        _he(100 * g / v, 1) if v else None for g, v in zip(f["good_days"], f["valid_days"], strict=True)
    ]
    return (
        f.sort_values("city")
        .reset_index(drop=True)
        .astype({"valid_days": "int64", "good_days": "int64"}, errors="ignore")
        if isinstance(f, pd.DataFrame)
        else f
    )


def _he(value: float, decimals: int) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    q = Decimal(round(value * 10**9)) / Decimal(10**9)
    return float(q.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def table_files(store: Path, name: str) -> list[str]:
    """The data files of the store's table ``name`` (``hourly``, ``stations``, …) in its current version,
    read from the table's Delta log (``lantian.io.dataset.Dataset.table_files``; absolute paths)."""
    from lantian.io.dataset import Dataset

    return Dataset(store).table_files(name)


def _label_year(path: str) -> int | None:
    """The label year of a data file from its Hive-style partition directory (``label_year=YYYY``, as
    Delta writers lay a partitioned table out); ``None`` when the path names none."""
    for part in Path(path).parts:
        if part.startswith("label_year="):
            return int(part.removeprefix("label_year="))
    return None


def _sql_list(paths: list[str]) -> str:
    """A DuckDB list literal of file paths (``['a', 'b']``)."""
    if not paths:
        raise ValueError("the store's table has no data files: generate the store again")
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def duckdb_annual(store: Path, year: int, threads: int | None = None):
    """Annual figures of every city, hand-written in DuckDB SQL over the Parquet files of the store's
    Delta tables (listed from their logs by :func:`table_files`, inside the timed call)."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    sql = _DUCKDB_SQL.format(
        hourly=_sql_list(table_files(store, "hourly")),
        stations=_sql_list(table_files(store, "stations")),
        start=f"{year}-01-01 00:00:00",
        end=f"{year + 1}-01-01 00:00:00",
    )
    *setup, final = [s for s in sql.split(";") if s.strip()]
    for stmt in setup:
        con.execute(stmt)
    return _finish_annual(con.execute(final).df())


def _half_even_np(x: np.ndarray, d: int) -> np.ndarray:
    xs = np.round(x * 1e9)
    u = 10.0 ** (9 - d)
    q = np.floor(xs / u)
    twice_r = 2 * (xs - q * u)
    q = np.where(twice_r > u, q + 1, np.where(twice_r == u, q + q % 2, q))
    return q / 10.0**d


def pandas_annual(store: Path, year: int):
    """Annual figures of every city, hand-written in pandas (pyarrow reading the hourly table's current
    files, :func:`table_files`, of the label years ``year`` and ``year + 1``)."""
    import pandas as pd

    files = [f for f in table_files(store, "hourly") if _label_year(f) in (None, year, year + 1)]
    h = pd.read_parquet(files, columns=["station_code", "time", *POLLUTANTS])
    h = h[(h["time"] > pd.Timestamp(year, 1, 1)) & (h["time"] <= pd.Timestamp(year + 1, 1, 1))]
    h["station_code"] = h["station_code"].astype(str)
    h["day"] = (h["time"] - pd.Timedelta(hours=1)).dt.normalize()
    g = h.groupby(["station_code", "day"])
    means = g[["so2", "no2", "co", "pm10", "pm25"]].mean()
    counts = g[["so2", "no2", "co", "pm10", "pm25"]].count()
    sd = means.where(counts >= 20)
    # Every hour of each station-day (missing hours as NaN): an 8-hour window ends at every label.
    keys = h[["station_code", "day"]].drop_duplicates()
    grid = keys.loc[keys.index.repeat(24)].reset_index(drop=True)
    grid["hh"] = np.tile(np.arange(1, 25), len(keys))
    grid["time"] = grid["day"] + pd.to_timedelta(grid["hh"], unit="h")
    g = grid.merge(h[["station_code", "time", "o3"]], on=["station_code", "time"], how="left")
    g = g.sort_values(["station_code", "day", "hh"])
    # 24 consecutive rows per station-day: a window ending at hour ≥ 8 stays inside its day.
    g["o3_8h"] = g["o3"].rolling(8, min_periods=6).mean()
    w = g[g["hh"] >= 8]
    wg = w.groupby(["station_code", "day"])["o3_8h"]
    m = pd.DataFrame({"mx": wg.max(), "n": wg.count()})
    sd["o3_8h"] = m["mx"].where((m["n"] >= 14) | (m["mx"] > 160))
    st = pd.read_parquet(table_files(store, "stations"), columns=["station_code", "city", "is_control"])
    st = st[~st["is_control"]]
    sd = sd.reset_index().merge(st[["station_code", "city"]], on="station_code")
    cd = sd.groupby(["city", "day"])[["so2", "no2", "co", "pm10", "pm25", "o3_8h"]].mean()
    rd = cd.copy()
    for c in rd.columns:
        rd[c] = _half_even_np(rd[c].to_numpy(), 1 if c == "co" else 0)
    valid = cd.notna().all(axis=1)
    good = (
        valid
        & (rd["so2"] <= 150)
        & (rd["no2"] <= 80)
        & (rd["co"] <= 4)
        & (rd["pm10"] <= 150)
        & (rd["pm25"] <= 75)
        & (rd["o3_8h"] <= 160)
    )
    exact = cd.groupby(level="city")
    rounded = rd.groupby(level="city")
    counts = pd.DataFrame({"valid": valid, "good": good}).groupby(level="city")
    out = pd.DataFrame(
        {
            "valid_days": counts["valid"].sum(),
            "good_days": counts["good"].sum(),
            "so2": _half_even_np(exact["so2"].mean().to_numpy(), 0),
            "no2": _half_even_np(exact["no2"].mean().to_numpy(), 0),
            "pm10": _half_even_np(exact["pm10"].mean().to_numpy(), 0),
            "pm25": _half_even_np(exact["pm25"].mean().to_numpy(), 0),
            "co_p95": _half_even_np(rounded["co"].quantile(0.95).to_numpy(), 1),
            "o3_8h_p90": _half_even_np(rounded["o3_8h"].quantile(0.90).to_numpy(), 0),
            "so2_p98": _half_even_np(rounded["so2"].quantile(0.98).to_numpy(), 0),
            "no2_p98": _half_even_np(rounded["no2"].quantile(0.98).to_numpy(), 0),
            "pm10_p95": _half_even_np(rounded["pm10"].quantile(0.95).to_numpy(), 0),
            "pm25_p95": _half_even_np(rounded["pm25"].quantile(0.95).to_numpy(), 0),
        }
    ).reset_index()
    return _finish_annual(out)
