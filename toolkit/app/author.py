"""The author app: open a case file, edit it, save and check, and see it as learners will.

One call from ``notebooks/author.ipynb`` in JupyterLab. Saving writes the file, then runs the
same checks as ``safeshare validate`` and ``safeshare lint``; the preview plays the case in
the real learner app over a throw-away database, so authoring never touches learners' results.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w

from toolkit.app.guard import configure_logging, guarded
from toolkit.app.journey import LearnerApp
from toolkit.cases import Library, Review, Scenario, case_files, load_library
from toolkit.cases.lenient import lenient
from toolkit.cases.load import check_document
from toolkit.cases.yamlsource import YamlSyntaxError, read_yaml
from toolkit.errors import SafeShareError
from toolkit.problems import Problem
from toolkit.settings import REPO_ROOT, Settings
from toolkit.storage import Store, open_store
from toolkit.widgets.authoring import (
    CSS,
    ProblemList,
    SourceView,
    review_coverage_html,
    scenario_coverage_html,
    self_test_html,
)
from toolkit.widgets.branching import branching_svg, diagram_faults
from toolkit.widgets.guidance_explorer import guidance_explorer
from toolkit.widgets.html import esc, tag, text_tag
from toolkit.widgets.try_answer import TryAnswer

DEFAULT_CASE = Path("scenarios", "sc-nursery-bruising.yaml")
YAML_SUFFIXES = (".yaml", ".yml")
TABS = ("Preview", "Branching", "Coverage", "Try an answer", "Guidance")


@dataclass
class Checked:
    """One check of a file's text: the sound case (if any), a best-effort draft, problems."""

    text: str
    case: Scenario | Review | None = None
    draft: Scenario | Review | None = None  # built even from a broken file, for the diagram
    checks: list[Problem] = field(default_factory=list)
    lint: list[Problem] = field(default_factory=list)


def check_file(path: Path, text: str) -> Checked:
    """Validate ``text`` as the case file ``path`` and lint the file as saved there."""
    from toolkit.anonymise import lint_paths

    result = Checked(text, lint=lint_paths([path]))
    try:
        document = read_yaml(path, text)
    except YamlSyntaxError as exc:
        result.checks = [exc.problem]
        return result
    result.case, result.checks = check_document(str(path), document)
    result.draft = result.case
    if result.draft is None and isinstance(document, dict):
        kinds = {"scenario": Scenario, "review": Review}
        if document.get("kind") in kinds:
            result.draft = lenient(kinds[document["kind"]], document)
    return result


def default_case(case_dirs: Sequence[Path]) -> Path | None:
    """The example scenario if a case folder holds it, else the first case file found."""
    for folder in case_dirs:
        if (Path(folder) / DEFAULT_CASE).is_file():
            return Path(folder) / DEFAULT_CASE
    return next((p for p in case_files(case_dirs) if p.is_file()), None)


def resolve(text: str) -> Path:
    """A path typed by the author: relative to the checkout, a YAML file that exists."""
    path = Path(text.strip()).expanduser()
    path = path if path.is_absolute() else REPO_ROOT / path
    if path.suffix.lower() not in YAML_SUFFIXES:
        raise SafeShareError("Open a case file ending .yaml or .yml.")
    if not path.is_file():
        raise SafeShareError(f"No such file: {path}. Make one with `safeshare new`.")
    return path


class AuthorApp:
    """The author's page: file picker, editor, problems, and tabs of views of the case."""

    def __init__(self, case_dirs: Sequence[Path], store: Store):
        self.case_dirs, self.store = list(case_dirs), store
        self.path: Path | None = None
        self.saved_text = ""
        self.checked: Checked | None = None
        self.learner_app: LearnerApp | None = None
        self.scratch: tempfile.TemporaryDirectory | None = None  # the preview database's folder
        self._syncing = False  # True while the picker is set from code, not by the author
        self._guidance_built = False  # the explorer loads the whole library: only when asked
        self.notice = w.HTML()
        self._build_file_row()
        self._build_editor()
        self._build_tabs()
        header = w.HTML(
            text_tag("h2", "SafeShare: write and check a case")
            + text_tag(
                "p",
                "Edit the YAML, then Save and check: problems list below with a button to show "
                "each line. The tabs show the case as learners see it.",
                class_="ss-muted",
            )
        )
        self.widget = w.VBox(
            [w.HTML(CSS), header, self.file_row, self.notice, self.work, self.tabs],
            layout=w.Layout(width="100%"),
        )
        self.widget.add_class("ss-author")

    # Layout -----------------------------------------------------------------------------
    def _build_file_row(self) -> None:
        self.files = w.Dropdown(
            description="Case file", options=self._file_options(), layout=w.Layout(width="28em")
        )
        self.files.observe(guarded(self.error)(self._picked), "value")
        self.path_box = w.Text(
            placeholder="or a path: case_studies/scenarios/sc-….yaml",
            layout=w.Layout(width="28em"),
        )
        opener = w.Button(description="Open", tooltip="Open the file named in the path box")
        opener.on_click(guarded(self.error)(lambda _: self.open(resolve(self.path_box.value))))
        self.file_row = w.HBox([self.files, self.path_box, opener])

    def _build_editor(self) -> None:
        self.editor = w.Textarea(layout=w.Layout(width="100%", height="34em"))
        self.editor.add_class("ss-editor")
        save = w.Button(
            description="Save and check",
            button_style="primary",
            tooltip="Save the file, then validate and lint it",
        )
        save.on_click(guarded(self.error)(lambda _: self.save()))
        revert = w.Button(description="Revert", tooltip="Discard edits since the last save")
        revert.on_click(guarded(self.error)(lambda _: self.revert()))
        self.status = w.HTML()
        self.source = SourceView()
        self.problems = ProblemList(self.source.show)
        left = w.VBox(
            [self.editor, w.HBox([save, revert]), self.status], layout=w.Layout(width="58%")
        )
        right = w.VBox(
            [w.HTML(text_tag("h3", "Problems")), self.problems.widget, self.source.widget],
            layout=w.Layout(width="42%"),
        )
        self.work = w.HBox([left, right], layout=w.Layout(width="100%"))

    def _build_tabs(self) -> None:
        self.preview = w.VBox()
        self.diagram = w.HTML()
        self.coverage = w.HTML()
        self.try_answer = TryAnswer()
        self.guidance = w.VBox([w.HTML(text_tag("p", "Loading the case library…"))])
        self.tabs = w.Tab(
            children=[
                self.preview,
                self.diagram,
                self.coverage,
                self.try_answer.widget,
                self.guidance,
            ],
            titles=TABS,
        )
        self.tabs.observe(guarded(self.error)(self._tab_changed), "selected_index")

    # Messages ---------------------------------------------------------------------------
    def error(self, text: str) -> None:
        self.notice.value = f'<div class="ss-msg ss-error" role="alert">{esc(text)}</div>'

    def _file_options(self) -> list[tuple[str, str]]:
        options = []
        for folder in self.case_dirs:
            for path in case_files([folder]):
                if path.is_file():  # a missing folder is "named", not found
                    options.append((str(path.relative_to(folder)), str(path)))
        return options

    # Files ------------------------------------------------------------------------------
    def _picked(self, change: dict) -> None:
        if not self._syncing and change["new"] and Path(change["new"]) != self.path:
            self.open(Path(change["new"]))

    @property
    def dirty(self) -> bool:
        return self.path is not None and self.editor.value != self.saved_text

    def open(self, path: Path) -> None:
        """Load ``path`` into the editor and check it; refuses while edits are unsaved."""
        if self.dirty:
            self._show_current()
            raise SafeShareError(
                f"{self.path.name} has unsaved edits: Save and check, or Revert, first."
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SafeShareError(f"Cannot open {path}: {exc}") from None
        self.path, self.saved_text, self.editor.value = path, text, text
        self.notice.value = ""
        self._show_current()
        self._check()

    def _show_current(self) -> None:
        current = str(self.path)
        self._syncing = True
        try:
            if current not in {value for _, value in self.files.options}:
                self.files.options = [*self.files.options, (current, current)]
            self.files.value = current
        finally:
            self._syncing = False

    def save(self) -> None:
        """Write the editor's text to the file, then re-validate, re-lint and refresh the views."""
        if self.path is None:
            raise SafeShareError("Open a case file first.")
        try:
            self.path.write_text(self.editor.value, encoding="utf-8")
        except OSError as exc:
            raise SafeShareError(f"Cannot save {self.path}: {exc.strerror}") from None
        self.saved_text = self.editor.value
        self.notice.value = ""
        self._check()

    def revert(self) -> None:
        if self.path is not None:
            self.editor.value = self.saved_text

    # Checking and views -----------------------------------------------------------------
    def _check(self) -> None:
        self.checked = checked = check_file(self.path, self.saved_text)
        self.problems.update(checked.checks, checked.lint)
        self.source.update(checked.text, [*checked.checks, *checked.lint])
        count = len(checked.checks) + len(checked.lint)
        verdict = "sound" if not count else f"{count} problem(s) to fix"
        self.status.value = text_tag("p", f"Checked {self.path.name}: {verdict}.")
        self._refresh_views(checked)

    def _refresh_views(self, checked: Checked) -> None:
        draft = checked.draft
        scenario = draft if isinstance(draft, Scenario) else None
        self.try_answer.set_scenario(scenario)
        if isinstance(draft, Review):
            self.coverage.value = review_coverage_html(draft)
            self.diagram.value = text_tag("p", "A review has no branches to draw.")
        elif scenario is not None:
            self.coverage.value = scenario_coverage_html(scenario) + (
                self_test_html(scenario) if checked.case else ""
            )
            self.diagram.value = _diagram_html(scenario)
        else:
            self.coverage.value = self.diagram.value = text_tag(
                "p", "Fix the problems listed above to see this view."
            )
        self._refresh_preview(checked)

    def _refresh_preview(self, checked: Checked) -> None:
        if isinstance(checked.case, Scenario):
            self.learner_app = LearnerApp(
                Library(scenarios={checked.case.id: checked.case}), self.store
            )
            self.learner_app.open_scenario(checked.case.id)
            restart = w.Button(description="Restart preview", tooltip="Play from the start")
            restart.on_click(guarded(self.error)(lambda _: self._refresh_preview(self.checked)))
            self.preview.children = [restart, self.learner_app.widget]
            return
        if isinstance(checked.case, Review):
            note = "Reviews are read in the reviewer app (`make reviewer`); nothing to play here."
        elif self.learner_app is not None:
            note = "This preview is the last version that validated; fix the problems to update it."
        else:
            note = "Fix the problems listed above to preview the case."
        banner = w.HTML(f'<div class="ss-msg ss-info" role="status">{esc(note)}</div>')
        kept = [self.learner_app.widget] if self.learner_app and checked.case is None else []
        self.preview.children = [banner, *kept]

    def _tab_changed(self, change: dict) -> None:
        if TABS[change["new"]] == "Guidance" and not self._guidance_built:
            self._guidance_built = True
            self.guidance.children = [guidance_explorer(load_library(self.case_dirs))]


def _diagram_html(scenario: Scenario) -> str:
    faults = diagram_faults(scenario)
    listed = (
        tag("ul", "".join(text_tag("li", f) for f in faults), class_="ss-error")
        if faults
        else text_tag("p", "Every decision and ending is reachable.", class_="ss-ok")
    )
    return listed + tag("div", branching_svg(scenario), class_="ss-diagram")


def build(settings: Settings, path: Path | None = None) -> AuthorApp:
    """The author app over the configured case folders, previewing into a temporary database."""
    configure_logging(settings.log_path)
    scratch = tempfile.TemporaryDirectory(prefix="safeshare-preview-")
    app = AuthorApp(settings.case_dirs, open_store(f"sqlite:///{scratch.name}/preview.db"))
    app.scratch = scratch  # removed when the app (and kernel) goes
    start = path or default_case(settings.case_dirs)
    if start is not None:
        app.open(Path(start))
    return app


def show(settings: Settings | None = None, path: Path | str | None = None) -> None:
    """Display the author app, opened on ``path`` or the example scenario.

    Returns None on purpose: a returned widget would be displayed a second time.
    """
    from IPython.display import display

    app = build(settings or Settings.from_env(), Path(path) if path else None)
    display(app.widget)
