"""toolkit.settings: defaults, SAFESHARE_* variables, overrides, and the registry docs render."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.errors import SafeShareError
from toolkit.settings import REPO_ROOT, SETTINGS, Settings, default_max_kernels, env_var


def test_defaults_keep_data_out_of_the_served_folder():
    """Does the default database live in var/, outside the notebooks/ folder Voilà serves?"""
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'safeshare.db'}"
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    assert not database.is_relative_to(REPO_ROOT / "notebooks")
    assert settings.case_dirs == (REPO_ROOT / "case_studies",)
    assert (settings.host, settings.port, settings.trainer_token) == ("127.0.0.1", 8866, None)


def test_environment_then_overrides_win():
    """Does a flag beat SAFESHARE_*, which beats the default, and does None mean 'not given'?"""
    env = {"SAFESHARE_PORT": "9000", "SAFESHARE_ROOM": "5", "SAFESHARE_HOST": "0.0.0.0"}
    settings = Settings.from_env(env, port=9100, room=None)
    assert (settings.port, settings.room, settings.host) == (9100, 5, "0.0.0.0")


def test_case_dirs_split_on_the_path_separator():
    """Can several case folders be given in one variable?"""
    settings = Settings.from_env({"SAFESHARE_CASE_DIRS": f"/a{os.pathsep}/b"})
    assert settings.case_dirs == (Path("/a"), Path("/b"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAFESHARE_PORT": "eighty"}, "SAFESHARE_PORT='eighty'"),
        ({"SAFESHARE_PORT": "70000"}, "SAFESHARE_PORT: a port is 0–65535"),
        ({"SAFESHARE_ROOM": "-1"}, "SAFESHARE_ROOM: must be 0 or more"),
        ({"SAFESHARE_RETENTION_DAYS": "0"}, "SAFESHARE_RETENTION_DAYS: must be 1 or more"),
        ({"SAFESHARE_MAX_KERNELS": "0"}, "SAFESHARE_MAX_KERNELS: must be 1 or more"),
        ({"SAFESHARE_PAUSE_IDLE_AFTER": "-5"}, "SAFESHARE_PAUSE_IDLE_AFTER: must be 0 or more"),
        (
            {"SAFESHARE_ROOM": "12", "SAFESHARE_MAX_KERNELS": "10"},
            r"SAFESHARE_ROOM: 12 warm kernels is more than SAFESHARE_MAX_KERNELS \(10\)",
        ),
    ],
)
def test_bad_values_name_their_variable(env, message):
    """Does a bad value raise SafeShareError naming the variable to fix?"""
    with pytest.raises(SafeShareError, match=message):
        Settings.from_env(env)


def test_unknown_override_is_refused():
    """Is a misspelt setting an error rather than silently ignored?"""
    with pytest.raises(SafeShareError, match="unknown setting"):
        Settings.from_env({}, prot=1)


def test_to_env_round_trips_and_keeps_secrets_out_by_default():
    """Does to_env rebuild the same settings in a child, without the token unless asked?"""
    settings = Settings.from_env({}, trainer_token="s3cret", room=4, case_dirs=(Path("/x"),))
    env = settings.to_env()
    assert "SAFESHARE_TRAINER_TOKEN" not in env
    assert Settings.from_env(env) == settings.with_(trainer_token=None)
    assert Settings.from_env(settings.to_env(include_secrets=True)) == settings


def test_registry_lists_every_setting_with_help():
    """Does SETTINGS give docs and --help a row, with help text, for every field?"""
    names = [s.name for s in SETTINGS]
    assert names == list(Settings.__dataclass_fields__)
    assert all(s.help and s.env_var == env_var(s.name) for s in SETTINGS)
    assert {"database_url", "case_dirs", "room", "trainer_token", "retention_days"} <= set(names)


@pytest.mark.parametrize(
    ("memory_gib", "kernels"),
    [(24, 235), (8, 71), (4, 30), (1, 2), (0.5, 2)],
)
def test_max_kernels_defaults_to_what_the_memory_holds(memory_gib, kernels):
    """Is the default cap three quarters of (memory less 1 GiB) in 75 MiB kernels, at least 2?"""
    assert default_max_kernels(int(memory_gib * 2**30)) == kernels


def test_the_log_lives_outside_the_served_folder_and_can_move(tmp_path):
    """Is the app log in var/log/ by default, and can SAFESHARE_LOG_PATH put it elsewhere?"""
    default = Settings.from_env({}).log_path
    assert default == REPO_ROOT / "var" / "log" / "app.log"
    assert not default.is_relative_to(REPO_ROOT / "notebooks")
    moved = Settings.from_env({"SAFESHARE_LOG_PATH": str(tmp_path / "x.log")})
    assert moved.log_path == tmp_path / "x.log"
    assert Settings.from_env(moved.to_env()) == moved
