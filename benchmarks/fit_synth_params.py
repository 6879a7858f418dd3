"""Fit the synthetic generator's parameters from the real data in ``../shared/data``.

Writes ``src/lantian/data/synth_params.json`` (small; the generator reads only that file).

Sources (see ``../shared/data/README.md``):

- ``prsa-beijing/``: 12 Beijing stations, hourly, 2013-03 → 2017-02 — monthly log-normal
  parameters, empirical quantiles, diurnal profiles per month, day-to-day and hour-to-hour
  persistence, the cross-pollutant correlation of daily anomalies, the spread between stations of a
  city, and the lengths of missing-data runs (station outages and single-instrument outages).
- ``aqistudy-daily/``: daily city values of 366 cities, 2015–2016 — each city's seasonal level relative
  to Beijing (log ratio), so the 340 synthetic cities carry real geographic contrasts.
- ``cnemc/``: national-platform hourly releases — the rate of isolated missing values per pollutant.

Run: ``python benchmarks/fit_synth_params.py [--data ../shared/data]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")
PRSA_COLUMNS = {"SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3", "PM10": "pm10", "PM2.5": "pm25"}
AQISTUDY_COLUMNS = [
    "city",
    "date",
    "aqi",
    "aqi_range",
    "level",
    "pm25",
    "pm10",
    "so2",
    "co",
    "no2",
    "o3",
    "rank",
]
FLOOR = {"so2": 1.0, "no2": 1.0, "co": 0.1, "o3": 1.0, "pm10": 1.0, "pm25": 1.0}
SEASON = [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0]  # Dec-Jan-Feb, Mar-May, Jun-Aug, Sep-Nov (index by month-1)
#: Probabilities of the monthly empirical quantiles the generator maps its latent normal values through.
PROBS = [
    0.001,
    0.005,
    0.01,
    0.025,
    0.05,
    *[round(0.1 + 0.05 * i, 2) for i in range(17)],
    0.95,
    0.975,
    0.99,
    0.995,
    0.999,
]
ROOT = Path(__file__).resolve().parents[1]


def _prsa(data: Path) -> pl.DataFrame:
    frames = []
    for path in sorted((data / "prsa-beijing").glob("*.csv.gz")):
        f = pl.read_csv(path, null_values=["NA"], infer_schema_length=0)
        f = f.select(
            pl.col("station"),
            pl.datetime(
                pl.col("year").cast(int),
                pl.col("month").cast(int),
                pl.col("day").cast(int),
                pl.col("hour").cast(int),
            ).alias("t"),
            *[pl.col(k).cast(pl.Float64).alias(v) for k, v in PRSA_COLUMNS.items()],
        ).with_columns(pl.col("co") / 1000.0)
        frames.append(f)
    return pl.concat(frames)


def _runs(mask: np.ndarray) -> list[int]:
    """Lengths of runs of True."""
    if not mask.any():
        return []
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(np.flatnonzero(d == -1) - np.flatnonzero(d == 1))


def fit(data: Path) -> dict:
    prsa = _prsa(data).filter(pl.col("station") != "Dingling")  # Dingling: the control point
    stations = prsa["station"].unique().sort().to_list()
    years = prsa["t"].dt.year().n_unique()
    out: dict = {
        "source": "fitted by benchmarks/fit_synth_params.py from ../shared/data "
        "(PRSA Beijing 2013-03..2017-02; aqistudy-daily 2015-2016; cnemc releases)",
        "pollutants": list(POLLUTANTS),
    }
    logs = prsa.with_columns(
        [pl.col(p).clip(lower_bound=FLOOR[p]).log().alias(p) for p in POLLUTANTS]
    ).with_columns(month=pl.col("t").dt.month(), hour=pl.col("t").dt.hour(), day=pl.col("t").dt.date())
    per: dict = {}
    daily_anoms = {}
    for p in POLLUTANTS:
        x = logs.select("station", "t", "day", "month", "hour", p).drop_nulls()
        monthly = x.group_by("month").agg(mu=pl.col(p).mean(), sigma=pl.col(p).std()).sort("month")
        diurnal = (
            x.join(monthly, on="month")
            .group_by("month", "hour")
            .agg(d=(pl.col(p) - pl.col("mu")).mean())
            .sort("month", "hour")
        )
        d = diurnal["d"].to_numpy().reshape(12, 24)
        d = d - d.mean(axis=1, keepdims=True)
        station_off = x.group_by("station").agg(m=pl.col(p).mean())["m"].to_numpy()
        # Remove month, hour and station means; split the rest into a daily part and an hourly part.
        st = x.group_by("station").agg(so=pl.col(p).mean() - x[p].mean())
        resid = (
            x.join(monthly, on="month")
            .join(st, on="station")
            .join(diurnal, on=["month", "hour"])
            .with_columns(r=pl.col(p) - pl.col("mu") - pl.col("d") - pl.col("so"))
        )
        day_part = (
            resid.group_by("station", "day").agg(dm=pl.col("r").mean(), n=pl.len()).filter(pl.col("n") >= 20)
        )
        var_total = float(resid["r"].var())
        var_day = float(day_part["dm"].var())
        h = (
            resid.join(day_part, on=["station", "day"])
            .with_columns(h=pl.col("r") - pl.col("dm"))
            .sort("station", "t")
        )
        hv = h["h"].to_numpy()
        same = (h["station"].to_numpy()[1:] == h["station"].to_numpy()[:-1]) & (
            np.diff(h["t"].to_numpy()).astype("timedelta64[h]").astype(int) == 1
        )
        phi_h = float(np.corrcoef(hv[:-1][same], hv[1:][same])[0, 1])
        dd = day_part.sort("station", "day")
        dv = dd["dm"].to_numpy()
        same_d = (dd["station"].to_numpy()[1:] == dd["station"].to_numpy()[:-1]) & (
            np.diff(dd["day"].to_numpy()).astype("timedelta64[D]").astype(int) == 1
        )
        phi_d = float(np.corrcoef(dv[:-1][same_d], dv[1:][same_d])[0, 1])
        raw = prsa[p].drop_nulls().to_numpy()
        by_month = prsa.select(pl.col("t").dt.month().alias("m"), p).drop_nulls()
        mq = [
            [round(float(v), 3) for v in np.quantile(by_month.filter(pl.col("m") == m)[p].to_numpy(), PROBS)]
            for m in range(1, 13)
        ]
        per[p] = {
            "mu": [round(v, 4) for v in monthly["mu"].to_list()],
            "sigma": [round(v, 4) for v in monthly["sigma"].to_list()],
            "diurnal": [[round(float(v), 4) for v in row] for row in d],
            "daily_share": round(var_day / var_total, 4),
            "phi_day": round(phi_d, 4),
            "phi_hour": round(phi_h, 4),
            "station_sd": round(float(np.std(station_off, ddof=1)), 4),
            "monthly_quantiles": mq,
            "quantiles": {
                str(q): round(float(np.quantile(raw, q / 100)), 3) for q in (1, 5, 25, 50, 75, 95, 99)
            },
        }
        daily_anoms[p] = day_part.group_by("day").agg(pl.col("dm").mean().alias(p))
    joined = None
    for p in POLLUTANTS:
        joined = daily_anoms[p] if joined is None else joined.join(daily_anoms[p], on="day")
    corr = np.corrcoef(joined.select(POLLUTANTS).to_numpy().T)
    out["daily_correlation"] = [[round(float(v), 3) for v in row] for row in corr]
    out["pollutant"] = per
    out["probs"] = PROBS

    # Missing data: station outages (all six missing) and single-instrument outages.
    station_runs: list[int] = []
    single_runs: list[int] = []
    for s in stations:
        f = prsa.filter(pl.col("station") == s).sort("t")
        miss = f.select([pl.col(p).is_null() for p in POLLUTANTS]).to_numpy()
        all_miss = miss.all(axis=1)
        station_runs += _runs(all_miss)
        for j in range(len(POLLUTANTS)):
            single_runs += _runs(miss[:, j] & ~all_miss)
    station_years = len(stations) * years
    runs = np.array(station_runs)
    singles = np.array(single_runs)
    out["outages"] = {
        "station_per_year": round(len(runs) / station_years, 3),
        "station_hours_quantiles": [int(np.quantile(runs, q)) for q in np.linspace(0, 1, 21)],
        "instrument_per_year": round(len(singles) / station_years / len(POLLUTANTS), 3),
        "instrument_hours_quantiles": [int(np.quantile(singles, q)) for q in np.linspace(0, 1, 21)],
    }

    # City levels relative to Beijing, per season, from the aqistudy daily city values (0 = missing).
    frames = []
    for path in sorted((data / "aqistudy-daily" / "daily").glob("*.csv.gz")):
        f = pl.read_csv(
            path, has_header=False, new_columns=AQISTUDY_COLUMNS, infer_schema_length=0, encoding="utf8-lossy"
        )
        frames.append(f)
    city = (
        pl.concat(frames)
        .with_columns(pl.col("city").str.strip_chars("\ufeff"), pl.col("date").str.to_date(strict=False))
        .filter(pl.col("date").dt.year().is_in([2015, 2016]))
        .with_columns(
            season=pl.col("date").dt.month().map_elements(lambda m: SEASON[m - 1], return_dtype=pl.Int64)
        )
    )
    city = city.with_columns([pl.col(p).cast(pl.Float64, strict=False) for p in POLLUTANTS])
    levels = city.group_by("city", "season").agg(
        [pl.col(p).filter(pl.col(p) > 0).log().mean().alias(p) for p in POLLUTANTS] + [pl.len().alias("n")]
    )
    complete = (
        levels.filter(pl.col("n") >= 60).group_by("city").agg(pl.len().alias("k")).filter(pl.col("k") == 4)
    )
    levels = levels.join(complete, on="city").drop_nulls(POLLUTANTS)
    bj = levels.filter(pl.col("city") == "北京").sort("season")
    offsets = {}
    for name, grp in levels.sort("city", "season").group_by("city", maintain_order=True):
        g = grp.sort("season")
        if g.height != 4:
            continue
        offsets[name[0]] = {
            p: [round(float(a - b), 3) for a, b in zip(g[p], bj[p], strict=True)] for p in POLLUTANTS
        }
    out["cities"] = offsets

    # Isolated missing values in the national-platform releases.
    rates = {}
    cn = [
        pl.read_csv(p, infer_schema_length=0, null_values=["NA", ""])
        for p in sorted((data / "cnemc").glob("*.csv"))
    ]
    cols = {"so2": "so2", "no2": "no2", "co": "co", "o3": "o3_24h", "pm10": "pm10", "pm25": "pm2_5"}
    total = sum(f.height for f in cn)
    for p, c in cols.items():
        rates[p] = round(sum(f[c].is_null().sum() for f in cn) / total, 4)
    out["isolated_missing"] = rates
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "lantian" / "data" / "synth_params.json")
    args = ap.parse_args()
    params = fit(args.data)
    args.out.write_text(
        json.dumps(params, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(params['cities'])} cities)")


if __name__ == "__main__":
    main()
