"""The reviewer notebook's one call: reviews from the configured folders, displayed once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import IPython.display
import pytest

from toolkit.app import reviewer
from toolkit.app.review_desk import ReviewerApp
from toolkit.settings import Settings

ROOT = Path(__file__).parents[2]
HAND_WORKED = ROOT / "tests" / "review" / "files" / "hand-worked.yaml"


@pytest.fixture(autouse=True)
def no_log_file(monkeypatch):
    """Keep the app's log set-up (a file under var/, global to the process) out of tests."""
    monkeypatch.setattr(reviewer, "configure_logging", lambda folder: None)


def case_folder(tmp_path: Path) -> Path:
    """A case folder like case_studies/: a review, a broken review and a scenario folder."""
    (tmp_path / "reviews").mkdir(parents=True)
    (tmp_path / "scenarios").mkdir()
    shutil.copy(HAND_WORKED, tmp_path / "reviews" / "hand-worked.yaml")
    (tmp_path / "reviews" / "broken.yaml").write_text("id: rv-broken\nkind: review\n")
    (tmp_path / "scenarios" / "unreadable.yaml").write_text("{not yaml")
    return tmp_path


def test_review_folders_prefer_reviews_subfolders(tmp_path):
    """Is each folder's reviews/ used when present, and the folder itself otherwise?"""
    with_reviews = case_folder(tmp_path / "a")
    bare = tmp_path / "b"
    bare.mkdir()
    assert reviewer.review_folders([with_reviews, bare]) == [with_reviews / "reviews", bare]


def test_build_reads_reviews_only(tmp_path):
    """Are the folder's reviews offered, broken ones mentioned, scenarios never read?"""
    settings = Settings.from_env({}, case_dirs=(case_folder(tmp_path),))
    app = reviewer.build(settings)
    assert isinstance(app, ReviewerApp)
    assert list(app.reviews) == ["rv-hand-worked"]
    assert "1 case file could not be loaded" in app.notice.value


def test_show_displays_the_app_once_and_opens_a_review(tmp_path, monkeypatch):
    """Does show() display one widget, open the first review, and return nothing?"""
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown.extend(objs))
    settings = Settings.from_env({}, case_dirs=(case_folder(tmp_path),))
    assert reviewer.show(settings) is None
    [widget] = shown
    html = "".join(getattr(child, "value", "") for child in widget.children)
    assert "Hand-worked chronology for the analysis tests" in html


def test_importing_the_app_leaves_matplotlib_unloaded():
    """Does importing the reviewer app leave matplotlib for the first chart to load?"""
    code = "import sys, toolkit.app.reviewer; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
