"""Monthly scores and ranking, scoring configurations, air-quality providers, periods."""

from __future__ import annotations

import pytest
from wf_helpers import T0

from lantian.errors import ConfigError, InputError
from lantian.periods import parse_period
from lantian.workflow import cycle
from lantian.workflow.scoring import (
    AirQualityResult,
    ScoringConfig,
    WorkResult,
    air_quality_from_file,
    check_air_weight,
    competition_rank,
    config_from_toml,
    score_units,
)


def test_competition_ranking_shares_ranks_and_skips():
    # standards.md §6.2: ties share the rank, the next rank is skipped ("1, 2, 2, 4")
    assert competition_rank([90.0, 85.5, 85.5, 80.0]) == [1, 2, 2, 4]
    assert competition_rank([3.1, 2.9, 2.9], descending=False) == [3, 1, 1]


def test_scores_combine_air_quality_and_work_as_documented():
    config = ScoringConfig(
        2026
    )  # air 60 / work 40; shares 0.4 / 0.4 / 0.2; span 20 %; penalties 5, 5, 1/3/5/10
    work = [
        WorkResult("雨湖区", "district", due=4, on_time=3, overdue=1, repeated=0, escalations={"remind": 1}),
        WorkResult("岳塘区", "district", due=0, on_time=0, overdue=0, repeated=0),
        WorkResult("湘潭县", "district", due=2, on_time=2, overdue=0, repeated=1),
        WorkResult("住建", "department", due=5, on_time=4, overdue=1, repeated=0, escalations={"notify": 1}),
    ]
    air = {
        "雨湖区": AirQualityResult("雨湖区", 4.0, -10.0, 80.0),
        "岳塘区": AirQualityResult("岳塘区", 5.0, 5.0, 100.0),
    }
    out = score_units(work, air, config)
    rows = {r["unit"]: r for r in out["district"]}
    # 雨湖区: air = .4×100 + .4×80 + .2×(50+25) = 87; work = 75 − 5 − 1 = 69; total = .6×87 + .4×69 = 79.8
    assert (rows["雨湖区"]["air_score"], rows["雨湖区"]["work_score"], rows["雨湖区"]["score"]) == (
        87.0,
        69.0,
        79.8,
    )
    # 岳塘区: air = .4×80 + .4×100 + .2×(50−12.5) = 79.5; work = 100; total = 47.7 + 40 = 87.7
    assert (rows["岳塘区"]["air_score"], rows["岳塘区"]["score"]) == (79.5, 87.7)
    # 湘潭县: no air-quality result → scored on work alone (100 − 5 = 95) and flagged
    assert (rows["湘潭县"]["score"], rows["湘潭县"]["air_quality_missing"]) == (95.0, True)
    assert [(r["unit"], r["rank"]) for r in out["district"]] == [("湘潭县", 1), ("岳塘区", 2), ("雨湖区", 3)]
    # 住建: work only: 80 − 5 − 3 = 72
    assert out["department"] == [dict(out["department"][0], unit="住建", score=72.0, rank=1)]


def test_air_weight_may_only_stay_or_grow():
    check_air_weight(ScoringConfig(2026, air_quality_weight=60), ScoringConfig(2025, air_quality_weight=60))
    with pytest.raises(
        ConfigError, match=r"air-quality weight for 2026 \(55\) is lower than for 2025 \(60\)"
    ):
        check_air_weight(
            ScoringConfig(2026, air_quality_weight=55), ScoringConfig(2025, air_quality_weight=60)
        )


def test_stored_configurations_are_checked_against_neighbouring_years(wf):
    cycle.save_scoring_config(wf, "boss", ScoringConfig(2025, air_quality_weight=50), T0)
    cycle.save_scoring_config(wf, "boss", ScoringConfig(2026, air_quality_weight=60), T0)
    with pytest.raises(ConfigError, match="lower than for 2026"):
        cycle.save_scoring_config(wf, "boss", ScoringConfig(2027, air_quality_weight=45), T0)
    with pytest.raises(ConfigError, match="lower than for 2026"):
        cycle.save_scoring_config(wf, "boss", ScoringConfig(2027, air_quality_weight=59), T0)
    with pytest.raises(ConfigError, match=r"2026 \(60\) is lower than for 2025 \(65\)"):
        cycle.save_scoring_config(wf, "boss", ScoringConfig(2025, air_quality_weight=65), T0)
    assert cycle.scoring_config_for(wf, 2026)[0].air_quality_weight == 60
    assert cycle.scoring_config_for(wf, 2027) == (ScoringConfig(2027), False)
    from lantian.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        cycle.save_scoring_config(wf, "lead", ScoringConfig(2028, air_quality_weight=70), T0)


def test_scoring_configuration_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "year = 2026\n[weights]\nair_quality = 65\n[work]\noverdue_penalty = 4\n"
        "[work.escalation_penalty]\nrefer = 20\n",
        encoding="utf-8",
    )
    config = config_from_toml(path)
    assert (config.air_quality_weight, config.work_weight, config.overdue_penalty) == (65.0, 35.0, 4.0)
    assert config.escalation_penalty == {"remind": 1.0, "notify": 3.0, "interview": 5.0, "refer": 20.0}
    path.write_text("year = 2026\n[air_quality]\ncomposite_index = 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sum to 1"):
        config_from_toml(path)
    path.write_text("[weights]\nair_quality = 60\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="year"):
        config_from_toml(path)
    path.write_text("year = 2026\n[weights]\nair_quality = 160\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="0..100"):
        config_from_toml(path)


def test_air_quality_provider_reads_csv_and_toml(tmp_path):
    csv_path = tmp_path / "aq.csv"
    csv_path.write_text(
        "period,unit,composite_index,change_rate_pct,target_progress\n2026-03,雨湖区,4.12,-5.3,80\n",
        encoding="utf-8",
    )
    assert air_quality_from_file(csv_path)("2026-03") == {
        "雨湖区": AirQualityResult("雨湖区", 4.12, -5.3, 80.0)
    }
    assert air_quality_from_file(csv_path)("2026-04") == {}
    toml_path = tmp_path / "aq.toml"
    toml_path.write_text(
        '[[results]]\nperiod = "2026-03"\nunit = "岳塘区"\ncomposite_index = 5.0\nchange_rate_pct = 1.0\n'
        "target_progress = 90\n",
        encoding="utf-8",
    )
    assert air_quality_from_file(toml_path)("2026-03")["岳塘区"].composite_index == 5.0
    csv_path.write_text("period,unit,composite_index\n2026-03,雨湖区,4\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        air_quality_from_file(csv_path)
    csv_path.write_text(
        "period,unit,composite_index,change_rate_pct,target_progress\n2026-03,雨湖区,abc,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="record 2 is malformed"):
        air_quality_from_file(csv_path)


def test_periods():
    assert (
        parse_period("2026-W10", kind="weekly").start.isoformat(),
        parse_period("2026-W10", kind="weekly").end.isoformat(),
    ) == (
        "2026-03-02",
        "2026-03-08",
    )
    q = parse_period("2026-Q1", kind="quarterly")
    assert [m.label for m in q.months()] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ] and q.end.isoformat() == "2026-03-31"
    assert parse_period("2026-02", kind="monthly").end.isoformat() == "2026-02-28"
    for kind, text in (
        ("monthly", "2026-13"),
        ("weekly", "2026-W60"),
        ("daily", "03/05/2026"),
        ("quarterly", "2026-Q5"),
    ):
        with pytest.raises(InputError, match="不是有效的") as info:
            parse_period(text, kind=kind)
        assert "not a valid" in info.value.en
