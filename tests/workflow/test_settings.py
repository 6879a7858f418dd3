"""The settings registry (lantian.config): one declaration per setting, a checked lantian.toml,
argument → environment → file → default, and the rules file reaching the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantian import config
from lantian.cli import app
from lantian.errors import ConfigError

ALL_ENV = [s.env for s in config.REGISTRY if s.env] + [config.CONFIG_ENV]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No setting from the environment; the current directory holds no lantian.toml."""
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _config(tmp_path: Path, text: str, monkeypatch) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    return path


def test_every_setting_is_declared_once_with_help_and_environment_variable():
    names = [s.name for s in config.REGISTRY]
    assert len(names) == len(set(names))
    envs = [s.env for s in config.REGISTRY]
    assert len(envs) == len(set(envs)) and all(env and env.startswith("LANTIAN_") for env in envs)
    assert all(s.help for s in config.REGISTRY)
    # The settings the configuration file and the web interface took before the registry existed.
    assert {"data_dir", "store", "database_url", "rules_file"} <= set(names)
    web = {s.name for s in config.REGISTRY if s.section == "web"}
    assert {"secret_key", "https", "max_upload_bytes", "city", "group", "groups_file"} <= web
    assert {"targets_file", "forecast_file", "air_quality"} <= web


def test_unknown_key_is_refused_with_the_key_and_the_file_named(clean_env, tmp_path):
    path = _config(tmp_path, 'data_dir = "d"\ncolour = "blue"\n', clean_env)
    with pytest.raises(ConfigError) as err:
        config.load()
    assert "colour" in str(err.value) and str(path) in str(err.value)
    path.write_text('[web]\ncty = "株洲"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load()
    assert "web.cty" in str(err.value) and str(path) in str(err.value) and "city" in str(err.value)
    path.write_text('city = "株洲"\n', encoding="utf-8")  # a [web] setting at the top level
    with pytest.raises(ConfigError, match=r"未知设置 city（它属于 \[web\] 表）"):
        config.load()


def test_value_of_the_wrong_type_is_refused_with_the_expected_type(clean_env, tmp_path):
    path = _config(tmp_path, '[web]\nhttps = "yes"\n', clean_env)
    with pytest.raises(ConfigError) as err:
        config.load()
    assert "web.https" in str(err.value) and "布尔值" in str(err.value) and str(path) in str(err.value)
    path.write_text("[web]\nmax_upload_bytes = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="web.max_upload_bytes 至少为 1"):
        config.load()
    path.write_text("store = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="store 应为文件路径"):
        config.load()
    path.write_text('web = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[web\] 表"):
        config.load()


def test_argument_then_environment_then_file_then_default(clean_env, tmp_path):
    _config(
        tmp_path,
        'data_dir = "from-file"\nstore = "store-from-file"\n[web]\ncity = "长沙"\nhttps = true\n',
        clean_env,
    )
    settings = config.load()
    assert settings.value("city") == "长沙" and settings.source("city") == "file"
    assert settings.value("https") is True
    assert settings.data_dir == Path("from-file")
    # The derived defaults follow data_dir.
    assert settings.database_url == "sqlite:///from-file/lantian.db"
    assert settings.source("database_url") == "default"
    clean_env.setenv("LANTIAN_CITY", "株洲")
    clean_env.setenv("LANTIAN_HTTPS", "0")
    clean_env.setenv("LANTIAN_STORE", "store-from-env")
    settings = config.load()
    assert (settings.value("city"), settings.source("city")) == ("株洲", "environment")
    assert settings.value("https") is False
    assert settings.store == Path("store-from-env")
    # What the web layer and the hour command read (the [web] table) shows the same values.
    assert settings.extra["web"]["city"] == "株洲"
    settings = config.load(store="store-from-argument")
    assert (settings.store, settings.source("store")) == (Path("store-from-argument"), "argument")
    assert settings.value("login_attempts") == 5 and settings.source("login_attempts") == "default"
    clean_env.setenv("LANTIAN_MAX_UPLOAD_BYTES", "ten")
    with pytest.raises(ConfigError, match="LANTIAN_MAX_UPLOAD_BYTES"):
        config.load()


def test_missing_config_file_named_by_the_environment_is_refused(clean_env, tmp_path):
    clean_env.setenv(config.CONFIG_ENV, str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="absent.toml 不存在"):
        config.load()


def test_settings_json_lists_every_registered_setting(clean_env, tmp_path):
    path = _config(tmp_path, f'[web]\ncity = "湘潭"\nsecret_key = "{"k" * 40}"\n', clean_env)
    clean_env.setenv("LANTIAN_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["settings", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["config_file"] == str(path)
    rows = {r["name"]: r for r in data["settings"]}
    assert list(rows) == [s.name for s in config.REGISTRY]
    for s in config.REGISTRY:
        assert rows[s.name]["env"] == s.env and rows[s.name]["help"] == s.help
        assert rows[s.name]["default"] == s.describe_default()
    assert rows["city"]["value"] == "湘潭"
    assert rows["city"]["source"] == "file" and rows["city"]["key"] == "web.city"
    assert rows["data_dir"]["source"] == "environment"
    assert rows["data_dir"]["value"] == str(tmp_path / "home")
    assert rows["store"]["value"] == str(tmp_path / "home" / "store")
    assert rows["rules_file"]["value"] is None and rows["rules_file"]["source"] == "default"
    assert rows["secret_key"]["value"] == "***"  # never printed


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_rules_file_of_the_settings_sets_the_cli_deadlines(clean_env, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[deadlines."扬尘"]\nmedium = 4\n', encoding="utf-8")
    url = f"sqlite:///{(tmp_path / 'wf.db').as_posix()}"
    _config(tmp_path, f'database_url = "{url}"\nrules_file = "{rules.as_posix()}"\n', clean_env)
    _cli("org", "add", "市蓝天办", "--kind", "office", "--json")
    _cli("user", "add", "--no-password", "boss", "--name", "王主任", "--role", "admin", "--unit", "市蓝天办", "--json")
    _cli("org", "add", "雨湖区", "--kind", "district", "--as", "boss", "--json")
    case = _cli(
        "case", "new", "--as", "boss", "--source", "patrol", "--category", "扬尘", "--severity", "medium",
        "--district", "雨湖区", "--address", "建设路工地", "--description", "裸土未覆盖",
        "--at", "2026-03-02T09:00", "--json",
    )  # fmt: skip
    assigned = _cli(
        "case", "assign", str(case["id"]), "--unit", "雨湖区", "--as", "boss",
        "--at", "2026-03-02T10:00", "--json",
    )  # fmt: skip
    # rules.toml above: 扬尘 × medium = 4 days (the built-in rule would give 5, lantian.workflow.rules).
    assert assigned["deadline"] == "2026-03-06"
    other = tmp_path / "other.toml"
    other.write_text('[deadlines."扬尘"]\nmedium = 2\n', encoding="utf-8")
    again = _cli(
        "case", "assign", str(case["id"]), "--unit", "雨湖区", "--as", "boss", "--rules", str(other),
        "--at", "2026-03-02T11:00", "--json",
    )  # fmt: skip
    assert again["deadline"] == "2026-03-04"  # --rules (an argument) overrides the file
