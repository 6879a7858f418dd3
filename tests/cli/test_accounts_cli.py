"""Accounts on the command line: ``lantian init`` for a new deployment, ``user add --password-stdin``,
``user passwd``, ``user disable|enable`` (issue "Deployable by a real office", Build 1: password from a
prompt or ``--password-stdin``; rules: minimum length from the setting ``password_min_length``, never
the user name; argon2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lantian import config
from lantian.cli import app
from lantian.store import open_database
from lantian.store.models import Organisation, User
from lantian.workflow.passwords import verify_password

ALL_ENV = [s.env for s in config.REGISTRY if s.env] + [config.CONFIG_ENV, "LANTIAN_USER"]


@pytest.fixture()
def home(monkeypatch, tmp_path):
    """A fresh machine: no setting but the data directory, no lantian.toml."""
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path / "office"))
    return tmp_path / "office"


class _Ran:
    """A command's exit code and what the user reads: its output, or the one-line error that the
    console entry point (``lantian.cli.main``) prints for a lantian error."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.output = result.output + ("" if result.exception is None else str(result.exception))


def _run(*args: str, stdin: str | None = None) -> _Ran:
    return _Ran(CliRunner().invoke(app, list(args), input=stdin))


def _users(home) -> dict[str, User]:
    db = open_database(f"sqlite:///{home / 'lantian.db'}")
    try:
        with db.session() as s:
            users = {u.username: u for u in s.query(User).all()}
            for u in users.values():
                s.expunge(u)
            return users
    finally:
        db.dispose()


def test_init_creates_the_database_office_and_first_admin(home):
    result = _run("init", "--admin", "wang", "--name", "王主任", "--office", "株洲市蓝天办",
                  "--password-stdin", "--json", stdin="wang-secret-1\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["admin"]["role"] == "admin" and data["admin"]["unit"] == "株洲市蓝天办"
    assert (home / "lantian.db").exists()  # the default database of the settings registry
    wang = _users(home)["wang"]
    assert wang.password_hash.startswith("$argon2id$") and verify_password(wang.password_hash, "wang-secret-1")
    db = open_database(f"sqlite:///{home / 'lantian.db'}")
    with db.session() as s:
        assert s.query(Organisation).filter_by(name="株洲市蓝天办").one().kind == "office"
    db.dispose()
    again = _run("init", "--password-stdin", stdin="another-secret\n")
    assert again.exit_code != 0 and "已有用户" in again.output and "Traceback" not in again.output


def test_init_refuses_a_weak_password_and_stores_nothing(home):
    short = _run("init", "--password-stdin", stdin="short\n")
    assert short.exit_code != 0 and "至少需要 10 个字符" in short.output
    same = _run("init", "--admin", "administrator", "--password-stdin", stdin="Administrator\n")
    assert same.exit_code != 0 and "不能与用户名相同" in same.output
    empty = _run("init", "--password-stdin", stdin="")
    assert empty.exit_code != 0 and "标准输入中没有密码" in empty.output
    assert not (home / "lantian.db").exists() or _users(home) == {}


def test_password_min_length_is_a_setting(home, monkeypatch):
    monkeypatch.setenv("LANTIAN_PASSWORD_MIN_LENGTH", "16")
    result = _run("init", "--password-stdin", stdin="fifteen-chars-x\n")
    assert result.exit_code != 0 and "至少需要 16 个字符" in result.output


def test_user_add_passwd_disable_enable(home):
    assert _run("init", "--admin", "wang", "--password-stdin", stdin="wang-secret-1\n").exit_code == 0
    assert _run("org", "add", "天元区", "--kind", "district", "--as", "wang").exit_code == 0
    added = _run("user", "add", "ty", "--name", "天元区联络员", "--role", "officer", "--unit", "天元区",
                 "--password-stdin", "--as", "wang", "--json", stdin="tianyuan-pass-1\n")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["has_password"] is True
    assert verify_password(_users(home)["ty"].password_hash, "tianyuan-pass-1")

    changed = _run("user", "passwd", "ty", "--password-stdin", "--as", "wang", stdin="tianyuan-pass-2\n")
    assert changed.exit_code == 0, changed.output
    assert verify_password(_users(home)["ty"].password_hash, "tianyuan-pass-2")
    # an officer may not set another user's password
    refused = _run("user", "passwd", "wang", "--password-stdin", "--as", "ty", stdin="taken-over-123\n")
    assert refused.exit_code != 0 and verify_password(_users(home)["wang"].password_hash, "wang-secret-1")

    assert _run("user", "disable", "ty", "--as", "wang").exit_code == 0
    assert _users(home)["ty"].active is False
    last_admin = _run("user", "disable", "wang", "--as", "wang")
    assert last_admin.exit_code != 0 and "不能停用自己的账号" in last_admin.output
    assert _run("user", "enable", "ty", "--as", "wang").exit_code == 0
    assert _users(home)["ty"].active is True


def test_user_add_without_a_terminal_asks_for_password_stdin(home):
    assert _run("init", "--admin", "wang", "--password-stdin", stdin="wang-secret-1\n").exit_code == 0
    result = _run("user", "add", "li", "--name", "李巡查", "--role", "inspector", "--as", "wang")
    assert result.exit_code != 0 and "--password-stdin" in result.output
    assert "li" not in _users(home)
    ok = _run("user", "add", "li", "--name", "李巡查", "--role", "inspector", "--no-password", "--as", "wang")
    assert ok.exit_code == 0 and _users(home)["li"].password_hash is None
