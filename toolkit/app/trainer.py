"""The trainer app: cohorts and join cards, the live dashboard, debrief, moderation, exports.

Served by its own Voilà on the trainer port, behind a token (``safeshare trainer``); the
learner server never serves it. The dashboard refreshes from a background thread every few
seconds; callbacks and the refresh share one lock, so a click never sees half an update.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import ipywidgets as w

from toolkit.app.guard import guarded
from toolkit.app.trainer_panels import CohortPanel, DebriefPanel, ExportPanel, ModerationPanel
from toolkit.cases import Library
from toolkit.errors import SafeShareError
from toolkit.i18n import LANGUAGES, N_, choose_language, translator
from toolkit.settings import Settings
from toolkit.storage import Store
from toolkit.widgets import feedback
from toolkit.widgets.a11y import PageHelper
from toolkit.widgets.dashboard import CSS, LiveDashboard
from toolkit.widgets.html import text_tag
from toolkit.workshop import cohorts, live

log = logging.getLogger("safeshare.app.trainer")
REFRESH_SECONDS = 2.0
TABS = (N_("Cohorts"), N_("Live"), N_("Debrief"), N_("Moderate"), N_("Export"))
NO_COHORT = N_("Create or choose a cohort first.")


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


class TrainerApp:
    """The trainer's page: a cohort picker above tabs for cohorts, live, debrief, moderation
    and exports. Holds widgets; the store holds the truth. The language switch rebuilds the
    panels in the chosen language, keeping the cohort and the tab."""

    def __init__(
        self,
        library: Library,
        store: Store,
        settings: Settings,
        refresh_seconds: float = REFRESH_SECONDS,
        course: str | None = None,
        language: str = "en",
    ):
        self.library, self.store, self.settings = library, store, settings
        # An LMS instructor's page (issue 14) sees their course's cohort only, and no panel
        # that makes, closes or deletes cohorts; None: a trainer signed in with the token.
        self.course = course
        self.home_page = f"http://{settings.host}:{settings.port}"
        self.refresh_seconds = refresh_seconds
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.evidence: dict = {}  # marked answers, kept between refreshes
        self.record: cohorts.CohortRecord | None = None  # the last read of the cohort
        self.t = translator(language)
        self.helper = PageHelper(self.t.language)
        self.notice = w.HTML()
        self.notice.add_class("ss-live")
        self.cohort = w.Dropdown(options=[], layout=w.Layout(width="44em"))
        self.switch = w.RadioButtons(
            options=[(name, code) for code, name in LANGUAGES.items()], value=self.t.language
        )
        self.switch.add_class("ss-lang-switch")
        self.switch.observe(lambda change: self.guard(self.set_language)(change["new"]), "value")
        self.header = w.HTML()
        self.widget = w.VBox([])
        self.widget.add_class("ss-app")
        self._syncing = False
        self.cohort.observe(lambda _: self.guard(self._picked)(), "value")
        self._build()
        self.refresh_cohorts()

    def _build(self) -> None:
        """The panels and tabs in the page's language (again, after a switch)."""
        t = self.t
        self.helper.lang = t.language
        self.helper.title = t._("SafeShare trainer")
        self.header.value = feedback.CSS + CSS + text_tag("h1", t._("SafeShare — trainer"))
        self.cohort.description = t._("Cohort")
        self.switch.description = t._("Language (Iaith)")
        self.dashboard = LiveDashboard(self.library.scenarios, t)
        self.cohorts = CohortPanel(self) if self.course is None else None
        self.debrief = DebriefPanel(self)
        self.moderation = ModerationPanel(self)
        self.exports = ExportPanel(self)
        panels = [
            (TABS[0], self.cohorts.widget if self.cohorts else None),
            (TABS[1], self.dashboard.widget),
            (TABS[2], self.debrief.widget),
            (TABS[3], self.moderation.widget),
            (TABS[4], self.exports.widget),
        ]
        panels = [(title, widget) for title, widget in panels if widget is not None]
        self.tabs = w.Tab(
            children=[widget for _, widget in panels],
            titles=[t._(title) for title, _ in panels],
        )
        self.tabs.observe(lambda _: self.guard(self.tab_opened)(), "selected_index")
        self.widget.children = [
            self.helper,
            self.header,
            self.switch,
            self.notice,
            self.cohort,
            self.tabs,
        ]

    def set_language(self, language: str) -> None:
        """Show the dashboard in ``language``: rebuilt, on the same cohort and tab."""
        language = choose_language([language])
        if language == self.t.language:
            return
        with self.lock:
            tab = self.tabs.selected_index
            self.t = translator(language)
            self.notice.value = ""
            self._build()
            self.tabs.selected_index = tab
            self.refresh_cohorts(select=self.cohort.value)

    # Messages and guards ---------------------------------------------------------------
    def say(self, text: str, kind: str = "info") -> None:
        """A message in the page's language (``text`` is a message id, or already said)."""
        role = "alert" if kind == "error" else "status"
        message = self.t._(text)
        self.notice.value = text_tag("div", message, class_=f"ss-msg ss-{kind}", role=role)

    def error(self, text: str) -> None:
        self.say(text, "error")

    def guard(self, callback: Any) -> Any:
        """Run ``callback`` under the lock, showing SafeShareErrors and hiding tracebacks."""
        safe = guarded(self.error)(callback)

        def run(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                return safe(*args, **kwargs)

        return run

    # Cohort selection -----------------------------------------------------------------
    def refresh_cohorts(self, select: str | None = None) -> None:
        """Re-read the cohort list (the CLI may have changed it); keep or switch the selection.

        The panels reload only when the selected cohort actually changes.
        """
        rows = self.store.list_cohorts()
        if self.course is not None:
            rows = [c for c in rows if c["code"] == self.course]
        if self.cohorts is not None:
            self.cohorts.show_list(rows)
        t = self.t
        options = [
            (
                t._("{name} ({code}, closed)", name=c["name"], code=c["code"])
                if c["closed"]
                else t._("{name} ({code})", name=c["name"], code=c["code"]),
                c["code"],
            )
            for c in reversed(rows)
        ]
        codes = [code for _, code in options]
        wanted = select or self.cohort.value
        wanted = wanted if wanted in codes else (codes[0] if codes else None)
        before = self.cohort.value
        if options != list(self.cohort.options):
            self._syncing = True
            try:
                self.cohort.options = options
                self.cohort.value = wanted
            finally:
                self._syncing = False
        elif wanted != before:
            self._syncing = True
            try:
                self.cohort.value = wanted
            finally:
                self._syncing = False
        if wanted != before or select:
            self.cohort_changed()

    def tab_opened(self) -> None:
        """Opening Debrief or Moderate reloads its answers (choices already made are kept)."""
        if self.tabs.selected_index is None:
            return
        opened = self.tabs.children[self.tabs.selected_index]
        if opened is self.debrief.widget:
            self.debrief.load()
        elif opened is self.moderation.widget:
            self.moderation.load()

    def _picked(self) -> None:
        if not self._syncing:
            self.cohort_changed()

    def require_cohort(self) -> str:
        if not self.cohort.value:
            raise SafeShareError(NO_COHORT)
        return self.cohort.value

    def selected(self) -> dict[str, Any] | None:
        return self.store.find_cohort(self.cohort.value) if self.cohort.value else None

    def frames(self) -> Any:
        """The selected cohort's frames, read now (None when no cohort is chosen)."""
        code = self.cohort.value
        if not code:
            return None
        from toolkit.export.frames import cohort_frames as build

        # Only answers stored since the last read are fetched and marked.
        self.record = cohorts.cohort_record(self.store, code, self.record)
        return build(self.record, self.library.scenarios, self.evidence)

    def cohort_changed(self) -> None:
        cohort = self.selected()
        self.debrief.picker.update(cohort)
        self.moderation.picker.update(cohort)
        self.debrief.load()
        self.moderation.load()
        self.show_dashboard()

    # Live refresh -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the cohort list and the selected cohort; update the dashboard in place."""
        with self.lock:
            self.refresh_cohorts()
            self.show_dashboard()

    def show_dashboard(self) -> None:
        code = self.cohort.value
        if not code:
            return
        cohort = self.store.find_cohort(code)
        snapshot = live.snapshot(self.frames())
        self.dashboard.show(snapshot, cohort, _now())

    def start_refreshing(self) -> threading.Thread:
        """Refresh every ``refresh_seconds`` in a daemon thread until ``stop`` is set."""

        def loop() -> None:
            while not self.stop.wait(self.refresh_seconds):
                try:
                    self.refresh()
                except Exception:  # noqa: BLE001 - a failed refresh must not end the loop
                    log.exception("dashboard refresh failed")

        thread = threading.Thread(target=loop, name="safeshare-dashboard", daemon=True)
        thread.start()
        return thread


def show(settings: Settings | None = None) -> None:
    """Display the trainer app in the current notebook and start the live refresh.

    Returns None on purpose: a returned widget would be displayed a second time.
    """
    from IPython.display import display

    from toolkit.app.database import kernel_store, show_unavailable
    from toolkit.app.guard import configure_logging
    from toolkit.app.identity import request_query
    from toolkit.cases import load_library
    from toolkit.errors import StoreUnavailable

    settings = settings or Settings.from_env()
    configure_logging(settings.log_path)
    try:
        store = kernel_store(settings)
    except StoreUnavailable as exc:
        show_unavailable(exc)
        return
    library = load_library(settings.case_dirs)
    # An LMS instructor's page names its course (toolkit.serving.lti.course_sign_in), known
    # only once the page asks: no widget of another cohort may exist before then, since a
    # page can read every live widget's state. A preheated kernel is warm from here.
    query = request_query()
    app = TrainerApp(
        library,
        store,
        settings,
        course=query.course,
        language=choose_language([query.lang, query.locale]),
    )
    display(app.widget)
    app.start_refreshing()
