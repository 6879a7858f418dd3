"""The documentation covers what the code declares: every command, switch and setting.

- Commands: the command tree of ``lantian.cli.app`` (walked through Typer's click command) against the
  ``### `lantian …` `` headings of docs/cli.md, with the options each section names.
- Switches: the fields of ``lantian.standards.Options`` against docs/switches.md.
- Settings: ``lantian.config.REGISTRY`` against docs/settings.md.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import typer.main

from lantian import config
from lantian.cli import app
from lantian.standards import Options
from shared_paths import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


def _commands() -> dict[str, object]:
    """Every leaf command by its path (``aqi compute``); groups only hold commands."""
    found: dict[str, object] = {}

    def walk(command, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def _options(command) -> set[str]:
    """The long name of each option (``--switch`` for ``--switch/-s``; flags by their first name)."""
    return {
        next(o for o in p.opts if o.startswith("--"))
        for p in command.params
        if any(o.startswith("--") for o in p.opts)
    }


def _cli_sections() -> dict[str, str]:
    """docs/cli.md: command path → text of its section (heading ``### `lantian PATH ARGS` ``)."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    parts = re.split(r"^### `lantian ([^`]*)`\s*$", text, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        path = " ".join(w for w in heading.split() if not w.isupper())  # drop ARGUMENTS
        body = body.split("\n## ")[0]
        assert path not in sections, f"docs/cli.md documents lantian {path} twice"
        sections[path] = body
    return sections


def test_there_are_commands_to_document():
    assert {"aqi compute", "assess", "rank", "case new", "report monthly", "serve"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_command_documented(path):
    sections = _cli_sections()
    assert path in sections, f"docs/cli.md has no section ### `lantian {path}`"
    first = sections[path].strip().split("\n\n")[0]
    assert first and not first.startswith("Options"), f"lantian {path}: say in one line what it does"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_command_options_documented(path):
    """Each section names every option of its command, and only real ones."""
    body = _cli_sections().get(path, "")
    named = set(re.findall(r"`(--[\w-]+)", body))
    real = _options(COMMANDS[path]) - {"--help"}
    assert not named - real, (
        f"lantian {path}: docs/cli.md names options it does not have: {sorted(named - real)}"
    )
    assert not real - named, f"lantian {path}: options missing from docs/cli.md: {sorted(real - named)}"


def test_cli_doc_has_no_unknown_command():
    unknown = set(_cli_sections()) - set(COMMANDS)
    assert not unknown, f"docs/cli.md documents commands that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Options)])
def test_switch_in_switches_doc(name):
    text = (DOCS / "switches.md").read_text(encoding="utf-8")
    assert re.search(rf"^\|\s*`{name}`", text, re.M), f"docs/switches.md has no table row for {name}"


@pytest.mark.parametrize("setting", config.REGISTRY, ids=lambda s: s.key)
def test_setting_in_settings_doc(setting):
    """docs/settings.md names each setting's lantian.toml key and its environment variable."""
    path = DOCS / "settings.md"
    assert path.is_file(), "docs/settings.md is missing: document every setting of lantian.config.REGISTRY"
    text = path.read_text(encoding="utf-8")
    assert f"`{setting.key}`" in text or f"`{setting.name}`" in text, f"docs/settings.md lacks {setting.key}"
    if setting.env:
        assert setting.env in text, f"docs/settings.md lacks the environment variable {setting.env}"
