"""The author app: open, edit, save and check; problems to lines; preview, diagram, coverage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from toolkit.app.author import AuthorApp, build, check_file, default_case, resolve
from toolkit.cases.template import write_template
from toolkit.errors import SafeShareError
from toolkit.settings import REPO_ROOT, Settings
from toolkit.storage import Store, open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One preview database for the module: opening one runs the migrations (seconds)."""
    folder = tmp_path_factory.mktemp("preview")
    yield open_store(f"sqlite:///{folder / 'preview.db'}")


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """A case folder holding a fresh scenario and review, as `safeshare new` writes them."""
    folder = tmp_path / "case_studies"
    write_template("scenario", "draft", folder)
    write_template("review", "draft", folder)
    return folder


@pytest.fixture
def app(cases: Path, store: Store) -> AuthorApp:
    """The app opened on the draft scenario."""
    author = AuthorApp([cases], store)
    author.open(cases / "scenarios" / "sc-draft.yaml")
    return author


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def edit(app: AuthorApp, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the editor, save; return the line of the change."""
    text = app.editor.value
    app.editor.value = text.replace(old, new, 1)
    app.save()
    return line_of(app.editor.value, new)


def test_a_sound_scenario_opens_checked_and_playing(app: AuthorApp):
    """Does a fresh scenario open clean, with the preview on its first decision?"""
    assert "sound" in app.status.value
    assert "Validates and lints clean" in app.problems.widget.children[0].value
    restart, learner = app.preview.children
    assert isinstance(restart, w.Button) and learner is app.learner_app.widget
    assert app.learner_app.player.current.id == "d1"
    assert "Every decision and ending is reachable" in app.diagram.value
    assert "<svg" in app.diagram.value
    assert "✓ Model answer scores 100%" in app.coverage.value
    assert app.try_answer.pick.value == "d1"


def test_the_picker_lists_every_case_file(app: AuthorApp, cases: Path):
    """Does the file picker offer both files, labelled relative to their case folder?"""
    labels = [label for label, _ in app.files.options]
    assert labels == ["reviews/rv-draft.yaml", "scenarios/sc-draft.yaml"]
    assert app.files.value == str(cases / "scenarios" / "sc-draft.yaml")


def test_save_writes_the_file_and_refreshes_the_preview(app: AuthorApp):
    """Does Save write the editor's text and replay the preview with the change?"""
    edit(app, "title: A disclosure before the bell", "title: A disclosure at lunchtime")
    assert app.path.read_text(encoding="utf-8") == app.editor.value
    assert app.learner_app.player.scenario.title == "A disclosure at lunchtime"


def test_a_broken_reference_is_listed_and_its_line_shown(app: AuthorApp):
    """Does an unknown `next` appear with a "line N" button that shows line N in the source?"""
    # d2 and d3 become unreachable, and so does the ending only they reach
    line = edit(app, "next: d2", "next: d9")
    button = next(b for b in app.problems.buttons if b.description == f"line {line}")
    button.click()
    assert app.source.focus == line
    assert f'<td class="ss-ln">{line}</td><td>        next: d9</td>' in app.source.html.value
    assert "unknown: d9" in app.diagram.value  # the diagram still draws, marking the fault
    assert "4 problem(s) to fix" in app.status.value


def test_preview_keeps_the_last_sound_version(app: AuthorApp):
    """While the file is broken, does the preview keep the last version that validated?"""
    sound = app.learner_app
    edit(app, "next: d2", "next: d9")
    banner, kept = app.preview.children
    assert "last version that validated" in banner.value
    assert kept is sound.widget
    assert "Self-test" not in app.coverage.value  # scoring needs a sound case


def test_a_real_looking_name_is_a_lint_problem_at_its_line(app: AuthorApp):
    """Does a name outside the cast show under the lint, with a button for its line?"""
    line = edit(
        app, "Just before\n  registration", "Mrs Patel says that just before\n  registration"
    )
    headings = [getattr(c, "value", "") for c in app.problems.widget.children]
    assert "<h4>Anonymisation lint: 1 problem(s)</h4>" in headings
    assert [b.description for b in app.problems.buttons] == [f"line {line}"]


def test_a_yaml_syntax_error_is_one_problem(app: AuthorApp):
    """Does unparseable YAML give one problem, and views that ask for a fix?"""
    app.editor.value = "id: [unclosed\n"
    app.save()
    assert app.checked.checks[0].field == "yaml"
    assert "Fix the problems" in app.diagram.value and "Fix the problems" in app.coverage.value
    assert app.try_answer.pick.options == ()


def test_unsaved_edits_block_switching_files(app: AuthorApp, cases: Path):
    """With unsaved edits, is opening another file refused and the edits kept?"""
    app.editor.value += "\n# my unsaved note\n"
    app.files.value = str(cases / "reviews" / "rv-draft.yaml")
    assert "unsaved edits" in app.notice.value
    assert app.files.value == str(app.path) and app.path.name == "sc-draft.yaml"
    assert app.editor.value.endswith("# my unsaved note\n")
    app.revert()
    app.files.value = str(cases / "reviews" / "rv-draft.yaml")
    assert app.path.name == "rv-draft.yaml"


def test_a_review_opens_without_a_preview(app: AuthorApp, cases: Path):
    """Does a review open sound, with its coverage and no game to play or branches to draw?"""
    app.files.value = str(cases / "reviews" / "rv-draft.yaml")
    assert "sound" in app.status.value
    assert "reviewer app" in app.preview.children[0].value
    assert "no branches" in app.diagram.value
    assert "Themes cited: T4, T6, T10, T13" in app.coverage.value


def test_the_path_box_opens_a_file(app: AuthorApp, cases: Path):
    """Does typing a path and pressing Open load that file?"""
    app.path_box.value = str(cases / "reviews" / "rv-draft.yaml")
    opener = app.file_row.children[2]
    opener.click()
    assert app.path.name == "rv-draft.yaml" and app.notice.value == ""


@pytest.mark.parametrize(
    "typed, message",
    [("notes.txt", "ending .yaml"), ("case_studies/scenarios/sc-none.yaml", "No such file")],
)
def test_the_path_box_refuses_what_is_not_a_case_file(app: AuthorApp, typed: str, message: str):
    """Is a path that is not an existing YAML file refused with a message, nothing opened?"""
    app.path_box.value = typed
    app.file_row.children[2].click()
    assert message in app.notice.value and app.path.name == "sc-draft.yaml"


def test_relative_paths_are_from_the_checkout():
    """Does a relative path resolve against the checkout, not the notebook's folder?"""
    found = resolve("case_studies/scenarios/sc-nursery-bruising.yaml")
    assert found == REPO_ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
    with pytest.raises(SafeShareError):
        resolve("case_studies/anonymisation-allow.txt")


def test_guidance_tab_is_built_when_first_opened(app: AuthorApp):
    """Is the guidance explorer loaded only when its tab is chosen, then kept?"""
    assert "Loading" in app.guidance.children[0].value
    app.tabs.selected_index = 4
    explorer = app.guidance.children[0]
    assert any(isinstance(c, w.Accordion) for c in explorer.children)
    app.tabs.selected_index = 0
    app.tabs.selected_index = 4
    assert app.guidance.children[0] is explorer


def test_check_file_builds_a_draft_of_a_broken_scenario(cases: Path):
    """Does a scenario that fails the rules still give a draft for the diagram, not a case?"""
    path = cases / "scenarios" / "sc-draft.yaml"
    checked = check_file(path, path.read_text(encoding="utf-8").replace("next: d2", "next: d9"))
    assert checked.case is None and checked.draft is not None
    assert "decisions.0.options.0.next" in [p.field for p in checked.checks]


def test_default_case_is_the_example_when_present(cases: Path):
    """Does the app open the bundled example by default, else the first case file?"""
    assert default_case([REPO_ROOT / "case_studies"]).name == "sc-nursery-bruising.yaml"
    assert default_case([cases]).name == "rv-draft.yaml"
    assert default_case([cases / "nothing-here"]) is None


def test_build_opens_the_first_case_with_a_scratch_preview(cases: Path):
    """Does build() open a case from the configured folders, previewing into a temp folder?"""
    app = build(Settings.from_env({}, case_dirs=(cases,)))
    assert app.path == cases / "reviews" / "rv-draft.yaml"
    assert Path(app.scratch.name).is_dir()
    assert app.store.url.startswith(f"sqlite:///{app.scratch.name}")


def test_a_file_that_is_not_utf8_is_refused_with_a_message(app: AuthorApp, cases: Path):
    """Does opening a file that is not UTF-8 say so, leaving the current file open?"""
    bad = cases / "scenarios" / "sc-latin1.yaml"
    bad.write_bytes("title: caf\xe9\n".encode("latin-1"))
    app.path_box.value = str(bad)
    app.file_row.children[2].click()
    assert "Cannot open" in app.notice.value and app.path.name == "sc-draft.yaml"
