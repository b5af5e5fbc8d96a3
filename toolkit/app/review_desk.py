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
from toolkit.problems import Problem
from toolkit.widgets import feedback, review_tables
from toolkit.widgets import review_views as views
from toolkit.widgets.figures import xlsx_bytes
from toolkit.widgets.html import text_tag
from toolkit.widgets.review_across import AcrossPanel

log = logging.getLogger("safeshare.app.reviewer")

INTRO = (
    "Analyse a multi-agency chronology: who knew what and when, what was shared, late or "
    "missed, and the failure themes behind it. The bundled reviews are fictional composites."
)
UPLOAD_HINT = (
    "A spreadsheet (CSV UTF-8 or XLSX) needs one row per event with the columns id, date "
    "(YYYY-MM-DD), agency and event; known_by, shared and missed are optional. An XLSX file "
    "may add an agencies sheet (id, name, sector). It is read in this session only, never saved."
)
UNREADABLE = (
    "This chronology could not be read, so the review below is unchanged. "
    "Fix these cells and upload it again:"
)


class ReviewerApp:
    """The widgets of one reviewer's page, and what happens when they are used."""

    def __init__(self, reviews: Mapping[str, Review], load_problems: Sequence[Problem] = ()):
        self.reviews = dict(sorted(reviews.items(), key=lambda item: item[1].title))
        self.review: Review | None = None
        self.notice = w.HTML()
        self.heading = w.HTML()
        guard = guarded(self.error)
        self.panels: list[views.ReviewPanel] = [
            views.ChronologyPanel(guard),
            views.KnowledgePanel(guard),
            views.FlowPanel(guard),
            views.MissedPanel(guard),
            AcrossPanel(list(self.reviews.values()), guard),
            views.AgreementPanel(guard),
        ]
        self.tabs = w.Tab(
            children=[p.widget for p in self.panels], titles=[p.title for p in self.panels]
        )
        self.tabs.observe(guard(lambda _: self.refresh()), names="selected_index")
        self.picker = views.dropdown(
            "Bundled review", [(r.title, rid) for rid, r in self.reviews.items()]
        )
        self.picker.layout.width = "36em"
        self.picker.observe(guard(self._picked), names="value")
        self.upload = w.FileUpload(
            accept=".csv,.xlsx",
            multiple=False,
            description="Upload a chronology (.csv or .xlsx)",
            tooltip="Upload a chronology spreadsheet (.csv or .xlsx)",
            layout=w.Layout(width="auto"),
        )
        self.upload.observe(guard(self._uploaded), names="value")
        self.widget = w.VBox(
            [
                w.HTML(feedback.CSS + review_tables.CSS),
                w.HTML(text_tag("h1", "SafeShare reviewer") + text_tag("p", INTRO)),
                self._source_row(),
                w.HTML(text_tag("p", UPLOAD_HINT, class_="ss-muted")),
                self.notice,
                self.heading,
                self.tabs,
            ]
        )
        self.widget.add_class("ss-app")
        self.widget.add_class("ss-reviewer")
        self._skipped(load_problems)

    def _source_row(self) -> w.Widget:
        row = w.HBox([self.picker, w.HTML(text_tag("span", "or")), self.upload])
        row.add_class("ss-source")
        return row

    def _skipped(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            log.warning("bundled review not loaded: %s", problem)
        if problems:
            files = len({p.file for p in problems})
            self.info(f"{files} case file(s) could not be loaded; `safeshare validate` says why.")

    # Messages ---------------------------------------------------------------------------
    def error(self, text: str) -> None:
        self.notice.value = review_tables.message(text, "error")

    def info(self, text: str) -> None:
        self.notice.value = review_tables.message(text)

    # Entry ------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the first bundled review, or say how to begin when there is none."""
        guarded(self.error)(self._start)()

    def _start(self) -> None:
        if self.picker.value is not None:
            self.open_review(self.picker.value)
        else:
            self.picker.disabled = True
            self.info("No bundled reviews were found. Upload a chronology to begin.")

    def open_review(self, review_id: str) -> None:
        """Show one of the bundled reviews."""
        self.show(self.reviews[review_id])

    def show(self, review: Review, *, uploaded: bool = False) -> None:
        """Make ``review`` the one every panel analyses; draw the panel on view."""
        self.review = review
        xlsx = xlsx_bytes(review.chronology, review.agencies)
        self.heading.value = views.review_heading(review, xlsx, uploaded=uploaded)
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
        name, content = upload
        self.info(f"Reading {display_name(name)} …")
        try:
            review = review_from_upload(name, content)
        except CaseFileError as exc:
            self.notice.value = review_tables.problems_panel(exc.problems, UNREADABLE)
            return
        finally:
            self.upload.value = ()  # the same file may be uploaded again after a fix
        self.picker.value = None
        self.show(review, uploaded=True)
        self.info(f"Showing {display_name(name)}: {len(review.chronology)} events.")
