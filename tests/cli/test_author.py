"""`safeshare new` through click: files written where promised, clear refusals, exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from toolkit.cli import cli


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["new", *args], env=env)


def test_new_scenario_writes_a_file_that_validates(tmp_path: Path):
    """Does `safeshare new scenario NAME --dir D` write D/scenarios/sc-NAME.yaml, valid as is?"""
    result = run("scenario", "trip", "--dir", str(tmp_path))
    path = tmp_path / "scenarios" / "sc-trip.yaml"
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.output
    check = CliRunner().invoke(cli, ["validate", str(path)])
    lint = CliRunner().invoke(cli, ["lint", str(path)])
    assert (check.exit_code, check.output) == (0, "")
    assert (lint.exit_code, lint.output) == (0, "")


def test_new_review_defaults_to_the_configured_case_folder(tmp_path: Path):
    """Without --dir, does the review go under the first SAFESHARE_CASE_DIRS folder?"""
    result = run("review", "rv-moves", env={"SAFESHARE_CASE_DIRS": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reviews" / "rv-moves.yaml").is_file()


def test_new_refuses_to_overwrite(tmp_path: Path):
    """Does a second `new` with the same NAME exit 1 saying the file exists, changing nothing?"""
    assert run("scenario", "trip", "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "scenarios" / "sc-trip.yaml"
    path.write_text("my edits\n", encoding="utf-8")
    result = run("scenario", "sc-trip", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert path.read_text(encoding="utf-8") == "my edits\n"


def test_new_refuses_a_bad_name(tmp_path: Path):
    """Does a NAME that is not an id exit 1 with a message saying what an id looks like?"""
    result = run("scenario", "School Trip", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "lower-case letters, digits and hyphens" in result.output
    assert not (tmp_path / "scenarios").exists()


def test_new_refuses_an_unknown_kind(tmp_path: Path):
    """Is a kind other than scenario or review a usage error (exit 2), not a file?"""
    result = run("essay", "trip", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []
