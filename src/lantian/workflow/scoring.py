"""Monthly assessment scores of districts and departments (月考核), and their ranking.

A unit's score (0–100, 2 decimals, GB/T 8170 rounding) combines two parts with weights that sum to 100:

``air`` (districts with air-quality results only), the shares of three sub-scores (each 0–100):
  * composite index: ``100 × best index among the districts / own index`` (smaller index is better);
  * target progress: the reported progress towards the year's target in percent, clipped to 0–100;
  * change rate: ``50 − 50 × change_rate_pct / change_rate_span_pct`` clipped to 0–100
    (an improvement of ``span`` % or more earns 100, a deterioration of ``span`` % or more earns 0).

``work`` (every unit): ``100 × on-time rectification rate`` minus a penalty per overdue case, per
repeated problem (a reopened case) and per escalation step by level; not below 0. A unit with no case
due in the period has an on-time rate of 100 %.

A sub-score without its figure (no target progress: no district target is known; no change rate: no
data for the same month last year) is left out and the shares of the others are scaled to sum to 1
(shares 0.4/0.4/0.2 without target progress: composite index 2/3, change rate 1/3).

Missing air-quality data: departments are scored on work alone (score = work part); a district with no
air-quality result for the period is scored the same way and flagged ``air_quality_missing``, with the
reason in ``air_quality_note``: ``no_station`` (the station registry names no station of the city in the
district), ``no_data`` (its stations have no data in the period) or ``no_result`` (the results given, e.g.
an ``--air-quality`` file, name no result for it).

An overdue case costs the work part twice, as documented above: it is a due case not rectified on time
(the on-time rate falls) and it carries the overdue penalty. A unit whose only due case is overdue
therefore has a work part of 0 (``max(0, 100 × 0 − 5)``); its score is 0.00 only when it has no
air-quality result as well (the score is then the work part alone).

Ranking: districts and departments are ranked separately, by score descending, on the 2-decimal value;
equal scores share a rank and the next rank is skipped (competition ranking 1, 2, 2, 4; standards §6.2).

The air-quality weight may only stay or grow from one year to the next (issue 6): a configuration whose
weight is lower than the previous year's is refused by :func:`check_air_weight`.

Configuration file (TOML)::

    year = 2026
    [weights]
    air_quality = 60          # points of 100; the work part gets the rest
    [air_quality]             # shares of the air part, summing to 1
    composite_index = 0.4
    target_progress = 0.4
    change_rate = 0.2
    change_rate_span_pct = 20
    [work]
    overdue_penalty = 5       # points per overdue case
    repeat_penalty = 5        # points per reopened case
    [work.escalation_penalty] # points per escalation step reached in the period
    remind = 1
    notify = 3
    interview = 5
    refer = 10
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lantian.calc.rounding import round_decimal
from lantian.config import read_toml
from lantian.errors import ConfigError, InputError
from lantian.workflow.rules import LEVEL_NAMES

DEFAULT_ESCALATION_PENALTY = {"remind": 1.0, "notify": 3.0, "interview": 5.0, "refer": 10.0}


@dataclass(frozen=True)
class AirQualityResult:
    """Air-quality results of one district for one period, from the assessment (``None``: not known)."""

    unit: str
    composite_index: float
    change_rate_pct: float | None
    target_progress: float | None


@dataclass(frozen=True)
class AirQualityTable(Mapping):
    """The air-quality results of one period by district, and the districts that have a monitoring
    station (``monitored``; ``None`` when not known, e.g. results read from a file)."""

    results: Mapping[str, AirQualityResult]
    monitored: frozenset[str] | None = None

    def __getitem__(self, unit: str) -> AirQualityResult:
        return self.results[unit]

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


#: Results of a period (``2026-03``) by district: a mapping, or an :class:`AirQualityTable`.
AirQualityProvider = Callable[[str], Mapping[str, AirQualityResult]]


@dataclass(frozen=True)
class WorkResult:
    """Work results of one unit for one period."""

    unit: str
    kind: str
    due: int
    on_time: int
    overdue: int
    repeated: int
    escalations: Mapping[str, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float:
        return 1.0 if self.due == 0 else self.on_time / self.due


@dataclass(frozen=True)
class ScoringConfig:
    """Scoring rules of one assessment year (see the module docstring)."""

    year: int
    air_quality_weight: float = 60.0
    composite_index_share: float = 0.4
    target_progress_share: float = 0.4
    change_rate_share: float = 0.2
    change_rate_span_pct: float = 20.0
    overdue_penalty: float = 5.0
    repeat_penalty: float = 5.0
    escalation_penalty: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ESCALATION_PENALTY))

    @property
    def work_weight(self) -> float:
        return 100.0 - self.air_quality_weight

    def validate(self) -> ScoringConfig:
        if not 0 <= self.air_quality_weight <= 100:
            raise ConfigError(f"air-quality weight {self.air_quality_weight} must be within 0..100 points.")
        shares = (self.composite_index_share, self.target_progress_share, self.change_rate_share)
        if any(s < 0 for s in shares) or not math.isclose(sum(shares), 1.0, abs_tol=1e-9):
            raise ConfigError(f"air-quality shares {shares} must be ≥ 0 and sum to 1.")
        if self.change_rate_span_pct <= 0:
            raise ConfigError("change_rate_span_pct must be > 0.")
        if self.overdue_penalty < 0 or self.repeat_penalty < 0:
            raise ConfigError("penalties must be ≥ 0.")
        bad = set(self.escalation_penalty) - set(LEVEL_NAMES)
        if bad or any(v < 0 for v in self.escalation_penalty.values()):
            raise ConfigError(
                f"escalation penalties must be ≥ 0 for levels {list(LEVEL_NAMES)}; got {bad or 'negative'}."
            )
        return self

    def to_dict(self) -> dict:
        out = asdict(self)
        out["escalation_penalty"] = dict(self.escalation_penalty)
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> ScoringConfig:
        return cls(**dict(data)).validate()


def config_from_toml(path: str | Path) -> ScoringConfig:
    """Read a scoring configuration file (format in the module docstring)."""
    path = Path(path)
    data = read_toml(path, "考核评分文件")
    try:
        year = int(data["year"])
        air, work = data.get("air_quality", {}), data.get("work", {})
        defaults = ScoringConfig(year)
        unknown = set(data) - {"year", "weights", "air_quality", "work"}
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}.")
        return ScoringConfig(
            year=year,
            air_quality_weight=float(data.get("weights", {}).get("air_quality", defaults.air_quality_weight)),
            composite_index_share=float(air.get("composite_index", defaults.composite_index_share)),
            target_progress_share=float(air.get("target_progress", defaults.target_progress_share)),
            change_rate_share=float(air.get("change_rate", defaults.change_rate_share)),
            change_rate_span_pct=float(air.get("change_rate_span_pct", defaults.change_rate_span_pct)),
            overdue_penalty=float(work.get("overdue_penalty", defaults.overdue_penalty)),
            repeat_penalty=float(work.get("repeat_penalty", defaults.repeat_penalty)),
            escalation_penalty={
                **DEFAULT_ESCALATION_PENALTY,
                **{k: float(v) for k, v in work.get("escalation_penalty", {}).items()},
            },
        ).validate()
    except KeyError as exc:
        raise ConfigError(f"{path}: missing {exc.args[0]!r}; the file needs `year = YYYY`.") from exc
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{path}: {exc}") from exc


def check_air_weight(new: ScoringConfig, previous: ScoringConfig | None) -> None:
    """Refuse an air-quality weight lower than the previous year's (it may only stay or grow)."""
    if previous is not None and new.air_quality_weight < previous.air_quality_weight:
        raise ConfigError(
            f"the air-quality weight for {new.year} ({new.air_quality_weight:g}) is lower than for "
            f"{previous.year} ({previous.air_quality_weight:g}); the weight may only stay or grow — "
            f"set it to at least {previous.air_quality_weight:g}."
        )


def round2(value: float) -> float:
    return float(round_decimal(repr(float(value)), 2))


def competition_rank(values: list[float], descending: bool = True) -> list[int]:
    """Ranks with ties sharing a rank and the next rank skipped (1, 2, 2, 4)."""
    return [1 + sum(1 for w in values if (w > v if descending else w < v)) for v in values]


def _clip(value: float) -> float:
    return min(100.0, max(0.0, value))


def work_score(result: WorkResult, config: ScoringConfig) -> float:
    penalty = (
        config.overdue_penalty * result.overdue
        + config.repeat_penalty * result.repeated
        + sum(config.escalation_penalty.get(level, 0.0) * n for level, n in result.escalations.items())
    )
    return max(0.0, 100.0 * result.on_time_rate - penalty)


def _missing_note(unit: str, monitored: frozenset[str] | None) -> str:
    if monitored is None:
        return "no_result"
    return "no_data" if unit in monitored else "no_station"


def score_units(
    work: list[WorkResult],
    air: Mapping[str, AirQualityResult],
    config: ScoringConfig,
    monitored: frozenset[str] | None = None,
) -> dict[str, list[dict]]:
    """Scores and ranks per kind (``district``, ``department``); see the module docstring.
    ``monitored``: the districts with a monitoring station (default: those of ``air`` when it is an
    :class:`AirQualityTable`, else not known)."""
    if monitored is None and isinstance(air, AirQualityTable):
        monitored = air.monitored
    indices = [air[w.unit].composite_index for w in work if w.kind == "district" and w.unit in air]
    best = min(indices) if indices else None
    out: dict[str, list[dict]] = {"district": [], "department": []}
    for w in work:
        row = {
            "unit": w.unit,
            "due": w.due,
            "on_time": w.on_time,
            "on_time_rate_pct": round2(100 * w.on_time_rate),
            "overdue": w.overdue,
            "repeated": w.repeated,
            "escalations": {level: w.escalations.get(level, 0) for level in LEVEL_NAMES},
            "work_score": round2(work_score(w, config)),
        }
        aq = air.get(w.unit) if w.kind == "district" else None
        if aq is not None:
            if aq.composite_index <= 0:
                raise InputError(f"composite index of {w.unit} is {aq.composite_index}; it must be > 0.")
            parts: dict[str, float] = {"composite_index": 100.0 * best / aq.composite_index}
            shares = {"composite_index": config.composite_index_share}
            if aq.target_progress is not None:
                parts["target_progress"] = _clip(aq.target_progress)
                shares["target_progress"] = config.target_progress_share
            if aq.change_rate_pct is not None:
                parts["change_rate"] = _clip(50.0 - 50.0 * aq.change_rate_pct / config.change_rate_span_pct)
                shares["change_rate"] = config.change_rate_share
            # sub-scores without a figure are left out, the others' shares scaled to sum to 1
            air_score = sum(shares[k] * v for k, v in parts.items())
            if len(parts) < 3:
                total_share = sum(shares.values())
                air_score = air_score / total_share if total_share > 0 else parts["composite_index"]
            row["air_quality"] = {
                "composite_index": aq.composite_index,
                "change_rate_pct": aq.change_rate_pct,
                "target_progress": aq.target_progress,
                **{f"{k}_score": round2(v) for k, v in parts.items()},
            }
            row["air_score"] = round2(air_score)
            total = (config.air_quality_weight * air_score + config.work_weight * work_score(w, config)) / 100
        else:
            row["air_quality"] = None
            row["air_score"] = None
            total = work_score(w, config)
        if w.kind == "district":
            row["air_quality_missing"] = aq is None
            row["air_quality_note"] = _missing_note(w.unit, monitored) if aq is None else None
        row["score"] = round2(total)
        out[w.kind].append(row)
    for rows in out.values():
        for row, rank in zip(rows, competition_rank([r["score"] for r in rows]), strict=True):
            row["rank"] = rank
        rows.sort(key=lambda r: (r["rank"], r["unit"]))
    return out


_AIR_COLUMNS = ("period", "unit", "composite_index", "change_rate_pct", "target_progress")


def air_quality_from_file(path: str | Path) -> AirQualityProvider:
    """A provider reading air-quality results from a CSV or TOML file.

    CSV: header ``period,unit,composite_index,change_rate_pct,target_progress``, one row per district and
    month (``period`` as ``2026-03``). TOML: ``[[results]]`` tables with the same keys.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"air-quality file {path} not found.")
    if path.suffix.lower() == ".toml":
        records = read_toml(path, "空气质量得分文件", InputError).get("results", [])
    else:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = set(_AIR_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise InputError(
                    f"{path}: missing column(s) {sorted(missing)}; expected {', '.join(_AIR_COLUMNS)}."
                )
            records = list(reader)
    table: dict[str, dict[str, AirQualityResult]] = {}
    for n, rec in enumerate(records, start=2):
        try:
            result = AirQualityResult(
                unit=str(rec["unit"]).strip(),
                composite_index=float(rec["composite_index"]),
                change_rate_pct=float(rec["change_rate_pct"]),
                target_progress=float(rec["target_progress"]),
            )
            period = str(rec["period"]).strip()
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{path}: record {n} is malformed ({exc}); expected {', '.join(_AIR_COLUMNS)}."
            ) from exc
        table.setdefault(period, {})[result.unit] = result

    def provider(period: str) -> Mapping[str, AirQualityResult]:
        return table.get(period, {})

    return provider
