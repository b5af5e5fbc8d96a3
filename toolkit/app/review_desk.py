"""The reviewer's desk: choose a bundled review or upload a chronology, then read the analyses.

One instance per browser tab. Nothing is stored: an uploaded spreadsheet lives in this
kernel's memory only, for as long as the tab is open.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import ipywidgets as w

from toolkit.app.guard import guarded
from toolkit.app.uploads import display_name, first_upload, review_from_upload
from toolkit.cases.model import Review
from toolkit.errors import CaseFileError
from toolkit.i18n import LANGUAGES, N_, choose_language, translator
from toolkit.problems import Problem
from toolkit.widgets import feedback, review_tables
from toolkit.widgets import review_views as views
from toolkit.widgets.a11y import PageHelper
from toolkit.widgets.figures import xlsx_bytes
from toolkit.widgets.html import text_tag
from toolkit.widgets.review_across import AcrossPanel

log = logging.getLogger("safeshare.app.reviewer")

INTRO = N_(
    "Analyse a multi-agency chronology: who knew what and when, what was shared, late or "
    "missed, and the failure themes behind it. The bundled reviews are fictional composites."
)
UPLOAD_HINT = N_(
    "A spreadsheet (CSV UTF-8 or XLSX) needs one row per event with the columns id, date "
    "(YYYY-MM-DD), agency and event; known_by, shared and missed are optional. An XLSX file "
    "may add an agencies sheet (id, name, sector). It is read in this session only, never saved."
)
UNREADABLE = N_(
    "This chronology could not be read, so the review below is unchanged. "
    "Fix these cells and upload it again:"
)


class ReviewerApp:
    """The widgets of one reviewer's page, and what happens when they are used.

    The language switch rebuilds the panels in the chosen language on the same review."""

    def __init__(
        self,
        reviews: Mapping[str, Review],
        load_problems: Sequence[Problem] = (),
        language: str = "en",
    ):
        self.reviews = dict(sorted(reviews.items(), key=lambda item: item[1].title))
        self.review: Review | None = None
        self.uploaded = False
        self.t = translator(language)
        self.helper = PageHelper(self.t.language)
        self.notice = w.HTML()
        self.notice.add_class("ss-live")
        self.heading = w.HTML()
        self.switch = w.RadioButtons(
            options=[(name, code) for code, name in LANGUAGES.items()], value=self.t.language
        )
        self.switch.add_class("ss-lang-switch")
        self.switch.observe(lambda change: self._switched(change["new"]), "value")
        self.widget = w.VBox([])
        self.widget.add_class("ss-app")
        self.widget.add_class("ss-reviewer")
        self._build()
        self._skipped(load_problems)

    def _build(self) -> None:
        """Every control and panel in the page's language (again, after a switch)."""
        t, guard = self.t, guarded(self.error)
        self.helper.lang = t.language
        self.helper.title = t._("SafeShare reviewer")
        self.switch.description = t._("Language (Iaith)")
        self.panels: list[views.ReviewPanel] = [
            views.ChronologyPanel(guard, t),
            views.KnowledgePanel(guard, t),
            views.FlowPanel(guard, t),
            views.MissedPanel(guard, t),
            AcrossPanel(list(self.reviews.values()), guard, t),
            views.AgreementPanel(guard, t),
        ]
        self.tabs = w.Tab(
            children=[p.widget for p in self.panels], titles=[t._(p.title) for p in self.panels]
        )
        self.tabs.observe(guard(lambda _: self.refresh()), names="selected_index")
        self.picker = views.dropdown(
            t._("Bundled review"), [(r.title, rid) for rid, r in self.reviews.items()]
        )
        self.picker.layout.width = "36em"
        self.picker.observe(guard(self._picked), names="value")
        self.upload = w.FileUpload(
            accept=".csv,.xlsx",
            multiple=False,
            description=t._("Upload a chronology (.csv or .xlsx)"),
            tooltip=t._("Upload a chronology spreadsheet (.csv or .xlsx)"),
            layout=w.Layout(width="auto"),
        )
        self.upload.observe(guard(self._uploaded), names="value")
        self.widget.children = [
            w.HTML(feedback.CSS + review_tables.CSS),
            self.helper,
            w.HTML(text_tag("h1", t._("SafeShare reviewer")) + text_tag("p", t._(INTRO))),
            self.switch,
            self._source_row(),
            w.HTML(text_tag("p", t._(UPLOAD_HINT), class_="ss-muted")),
            self.notice,
            self.heading,
            self.tabs,
        ]

    def _switched(self, language: str) -> None:
        guarded(self.error)(self.set_language)(language)

    def set_language(self, language: str) -> None:
        """Show the page in ``language``, on the same review and tab."""
        language = choose_language([language])
        if language == self.t.language:
            return
        tab, shown, review = self.tabs.selected_index, self.picker.value, self.review
        self.t = translator(language)
        self.notice.value = ""
        self._build()
        self.tabs.selected_index = tab
        if review is None:
            return
        if shown is not None and shown != self.picker.value:
            self.picker.value = shown  # observed: opens that review again
            return
        if shown is None:
            self.picker.value = None  # an uploaded chronology: no bundled review chosen
        self.show(review, uploaded=self.uploaded)

    def _source_row(self) -> w.Widget:
        row = w.HBox([self.picker, w.HTML(text_tag("span", self.t._("or"))), self.upload])
        row.add_class("ss-source")
        return row

    def _skipped(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            log.warning("bundled review not loaded: %s", problem)
        if problems:
            files = len({p.file for p in problems})
            self.info(
                self.t.ngettext(
                    "{n} case file could not be loaded; `safeshare validate` says why.",
                    "{n} case files could not be loaded; `safeshare validate` says why.",
                    files,
                )
            )

    # Messages ---------------------------------------------------------------------------
    def error(self, text: str) -> None:
        """An alert in the page's language (``text`` is a message id, or already said)."""
        self.notice.value = review_tables.message(self.t._(text), "error")

    def info(self, text: str) -> None:
        self.notice.value = review_tables.message(self.t._(text))

    # Entry ------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the first bundled review, or say how to begin when there is none."""
        guarded(self.error)(self._start)()

    def _start(self) -> None:
        if self.picker.value is not None:
            self.open_review(self.picker.value)
        else:
            self.picker.disabled = True
            self.info(self.t._("No bundled reviews were found. Upload a chronology to begin."))

    def open_review(self, review_id: str) -> None:
        """Show one of the bundled reviews."""
        self.show(self.reviews[review_id])

    def show(self, review: Review, *, uploaded: bool = False) -> None:
        """Make ``review`` the one every panel analyses; draw the panel on view."""
        self.review, self.uploaded = review, uploaded
        xlsx = xlsx_bytes(review.chronology, review.agencies)
        self.heading.value = views.review_heading(review, xlsx, uploaded=uploaded, t=self.t)
        for panel in self.panels:
            panel.load(review)
        self.refresh()

    def refresh(self) -> None:
        """Draw the panel in view if it has not yet drawn the current review."""
        index = self.tabs.selected_index
        if index is not None and self.review is not None:
            self.panels[index].refresh()

    # Callbacks --------------------------------------------------------------------------
    def _picked(self, change: dict) -> None:
        if change["new"] is not None:
            self.notice.value = ""
            self.open_review(change["new"])

    def _uploaded(self, change: dict) -> None:
        upload = first_upload(change["new"])
        if upload is None:
            return
        name, content, t = *upload, self.t
        self.info(t._("Reading {name} …", name=display_name(name)))
        try:
            review = review_from_upload(name, content)
        except CaseFileError as exc:
            self.notice.value = review_tables.problems_panel(exc.problems, t._(UNREADABLE), t)
            return
        finally:
            self.upload.value = ()  # the same file may be uploaded again after a fix
        self.picker.value = None
        self.show(review, uploaded=True)
        self.info(
            t.ngettext(
                "Showing {name}: {n} event.",
                "Showing {name}: {n} events.",
                len(review.chronology),
                name=display_name(name),
            )
        )
