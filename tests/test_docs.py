"""The docs stay honest: every command and setting is documented where users look."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.settings import SETTINGS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group=cli, prefix="safeshare"):
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}", command


@pytest.mark.parametrize("name, command", list(commands()), ids=[n for n, _ in commands()])
def test_every_command_in_readme_and_help(name, command):
    """Is each `safeshare` verb in the README, with a --help that says what it does?"""
    assert f"`{name}" in README, f"{name} is not documented in README.md"
    result = CliRunner().invoke(cli, [*name.split()[1:], "--help"])
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) >= 3


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_in_readme(setting):
    """Is each setting's name and environment variable in the README's settings table?"""
    assert f"| {setting.name} |" in README and f"`{setting.env_var}`" in README


def test_readme_opens_with_the_two_commands():
    """Do the first lines of the README give `make serve` and `make test`?"""
    opening = README[:1200]
    assert "make serve" in opening and "make test" in opening
