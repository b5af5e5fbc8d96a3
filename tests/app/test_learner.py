"""The learner entry point: cheap to import, and a library snapshot shared by warm kernels."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from toolkit.app import learner
from toolkit.settings import Settings


def test_importing_the_entry_point_pulls_in_nothing_heavy(repo_root):
    """Can toolkit.serving import the learner module without widgets, SQLAlchemy or pydantic?"""
    code = (
        "import sys, toolkit.app.learner, toolkit.app.database; "
        "print(sorted({'ipywidgets', 'sqlalchemy', 'pydantic', 'IPython'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_snapshot_holds_the_scenarios_and_kernels_read_it(tmp_path, monkeypatch):
    """Does a kernel get the server's parsed scenarios (and no reviews) from the snapshot?"""
    settings = Settings.from_env({})
    path = tmp_path / "library.pickle"
    count = learner.write_library_snapshot(settings, path)
    monkeypatch.setenv(learner.SNAPSHOT_VAR, str(path))
    # Case folders that do not exist: anything read must come from the snapshot.
    library = learner.read_library(settings.with_(case_dirs=(tmp_path / "none",)))
    assert len(library.scenarios) == count > 0
    assert library.reviews == {}
    assert set(library.files) == set(library.scenarios)


def test_failed_snapshot_means_parsing_here_not_waiting(tmp_path, monkeypatch):
    """When the server's snapshot failed, does a kernel parse the cases itself at once?"""
    path = tmp_path / "library.pickle"
    (tmp_path / ("library.pickle" + learner.FAILED_SUFFIX)).touch()
    monkeypatch.setenv(learner.SNAPSHOT_VAR, str(path))
    monkeypatch.setattr(learner, "SNAPSHOT_WAIT_SECONDS", 600.0)
    parsed = object()
    monkeypatch.setattr("toolkit.cases.load_library", lambda _paths: parsed)
    began = time.monotonic()
    assert learner.read_library(Settings.from_env({})) is parsed
    assert time.monotonic() - began < 30  # not the 600 s wait for a snapshot never coming


def test_snapshot_failure_leaves_a_marker(tmp_path, monkeypatch):
    """If parsing fails in the server, is a marker left so kernels stop waiting?"""
    path = tmp_path / "library.pickle"

    def explode(_paths):
        raise RuntimeError("unreadable case folder")

    monkeypatch.setattr("toolkit.cases.load_library", explode)
    with pytest.raises(RuntimeError):
        learner.write_library_snapshot(Settings.from_env({}), path)
    assert (tmp_path / ("library.pickle" + learner.FAILED_SUFFIX)).exists()
    assert not path.exists()


def test_a_warm_kernel_never_migrates_and_gives_up_plainly(tmp_path, monkeypatch):
    """In a kernel of our server (which migrates at start), with the database not ready
    within store_wait, does show() leave the database alone, mark the kernel failed (so it
    leaves the room) and say what to do, without a traceback?"""
    from sqlalchemy import inspect

    from toolkit.app.database import STORE_PREPARED_VAR, UNAVAILABLE, UNAVAILABLE_CY
    from toolkit.storage.engine import make_engine

    url = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    monkeypatch.setenv(STORE_PREPARED_VAR, "1")
    monkeypatch.setenv("SAFESHARE_READY_DIR", str(tmp_path))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
    # As in a kernel, but this test process's logging stays as it is.
    monkeypatch.setattr("toolkit.app.guard.configure_logging", lambda folder: None)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))

    assert learner.show(Settings.from_env({}, database_url=url, store_wait=0.2)) is None
    assert (tmp_path / "k-1.failed").exists() and not (tmp_path / "k-1").exists()
    assert [getattr(obj, "data", "") for obj in shown] == [
        f'<div class="ss-msg ss-error" role="alert"><p>{UNAVAILABLE}</p>'
        f'<p lang="cy">{UNAVAILABLE_CY}</p></div>'
    ]
    assert inspect(make_engine(url)).get_table_names() == [], "a kernel never migrates"
