"""The reviewer's views: one panel per analysis, each with its labelled controls.

A panel is given a review with ``load`` and draws only when ``refresh`` is called (the app
calls it when the panel's tab is opened), so choosing a review costs one panel's drawing,
not six. Control callbacks run through ``wrap``, which the app sets to its error guard:
this layer may not import the app's guard, and must not let a traceback reach the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w
import pandas as pd

from toolkit.cases.model import Review
from toolkit.guidance import vocabulary
from toolkit.i18n import N_, Translator, translator
from toolkit.review import (
    agency_lanes,
    agreement_table,
    by_agency,
    by_theme,
    events_frame,
    flow_matrix,
    flow_records,
    known_on,
    lag_by,
    missed_opportunities,
    reviewers,
    square,
    who_knew,
)
from toolkit.review.chronology import natural
from toolkit.widgets import review_tables as tables
from toolkit.widgets.figures import chart_text, figure_html
from toolkit.widgets.html import esc, tag, text_tag

Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]
LABELLED = {"description_width": "initial"}
KNOWLEDGE_KEY = N_(
    "“knew” and the date they learnt of it; “not yet” and the later date they learnt of it; "
    "“never” if they never did."
)
ENGLISH = translator("en")
ALL = "__all__"  # the "no filter" choice of a dropdown (agency and theme ids never take it)

# Sort orders of the chronology table: key → (label, sort key of one row of events_frame).
SORTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "date": (N_("Date"), lambda e: e.date),
    "agency": (N_("Agency"), lambda e: str(e.agency_name).casefold()),
    "id": (N_("Event id"), lambda e: natural(e.id)),
    "themes": (N_("Number of themes"), lambda e: len(e.themes)),
}
# Flow matrix measures: column of flows.flow_matrix → what the heatmap's cells count.
MEASURES: dict[str, str] = {
    "missed": N_("Missed shares (never made)"),
    "late": N_("Shares made late"),
    "shared": N_("Shares made (late ones included)"),
    "days_late": N_("Total days late"),
}


def unguarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    """The default ``wrap``: run callbacks as they are (tests, JupyterLab)."""
    return callback


def dropdown(label: str, options: Sequence[tuple[str, Any]], value: Any = None) -> w.Dropdown:
    """A dropdown with a visible label that never truncates."""
    value = value if value is not None else (options[0][1] if options else None)
    return w.Dropdown(description=label, options=list(options), value=value, style=LABELLED)


def sort_events(events: pd.DataFrame, key: str, descending: bool = False) -> pd.DataFrame:
    """Events in the order of ``SORTS[key]``; ties keep chronological order."""
    order = SORTS[key][1]
    rows = list(events.itertuples(index=False))
    positions = sorted(range(len(rows)), key=lambda i: order(rows[i]), reverse=descending)
    return events.iloc[positions]


def filter_events(
    events: pd.DataFrame, agency: str = ALL, theme: str = ALL, involving: bool = False
) -> pd.DataFrame:
    """Events of one agency (or all), labelled with one theme (or any)."""
    if agency != ALL:
        events = by_agency(events, agency, involving=involving)
    if theme != ALL:
        events = by_theme(events, theme)
    return events


class ReviewPanel:
    """A tab's content: labelled controls above, HTML below. Subclasses fill ``draw``."""

    title = ""

    def __init__(self, wrap: Wrap = unguarded, t: Translator = ENGLISH):
        self.wrap, self.t = wrap, t
        self.review: Review | None = None
        self.lanes: dict[str, str] = {}
        self.stale = False
        self._refitting = False
        self.body = w.HTML()
        self.widget = w.VBox([self.body])
        self.widget.add_class("ss-panel")

    def set_controls(self, *controls: w.Widget) -> None:
        """Show these controls above the body; changing any of them redraws the panel."""
        for control in controls:
            control.observe(self.wrap(self._changed), names="value")
        row = w.HBox(list(controls), layout=w.Layout(flex_flow="row wrap"))
        row.add_class("ss-controls")
        self.widget.children = [row, self.body]

    def _changed(self, _change: object) -> None:
        if not self._refitting:
            self.draw()

    def load(self, review: Review) -> None:
        """Take a new review; it is drawn at the next ``refresh``."""
        self.review, self.lanes, self.stale = review, agency_lanes(review), True

    def refresh(self) -> None:
        """Draw the panel if its review changed since it was last drawn."""
        if self.stale and self.review is not None:
            self.stale = False
            self.prepare()
            self.draw()

    def prepare(self) -> None:
        """Fit the controls to a new review, and draw what the controls do not change."""

    def draw(self) -> None:
        raise NotImplementedError

    def chart_lanes(self) -> dict[str, str]:
        return {agency: chart_text(name) for agency, name in self.lanes.items()}

    def refit(self, control: w.ValueWidget, **traits: Any) -> None:
        """Change a control's traits (options, value) without redrawing for each change."""
        self._refitting = True
        try:
            for name, value in traits.items():
                setattr(control, name, value)
        finally:
            self._refitting = False


class ChronologyPanel(ReviewPanel):
    """The swimlane timeline and the merged chronology, filterable and sortable."""

    title = N_("Chronology")

    def __init__(self, wrap: Wrap = unguarded, t: Translator = ENGLISH):
        super().__init__(wrap, t)
        self.agency = dropdown(t._("Agency"), [(t._("All agencies"), ALL)])
        self.involving = w.Checkbox(
            description=t._("Include events it knew of, received or should have received"),
            value=False,
            indent=False,
            style=LABELLED,
        )
        self.theme = dropdown(t._("Theme"), [(t._("All themes"), ALL)])
        self.sort = dropdown(
            t._("Sort by"), [(t._(label), key) for key, (label, _) in SORTS.items()]
        )
        self.descending = dropdown(
            t._("Order"), [(t._("Ascending"), False), (t._("Descending"), True)], False
        )
        self.set_controls(self.agency, self.involving, self.theme, self.sort, self.descending)
        self.events = pd.DataFrame()
        self.figure = w.HTML()
        self.widget.children = [self.figure, *self.widget.children]

    def prepare(self) -> None:
        self.events = events_frame(self.review)
        themes = sorted({t for ts in self.events["themes"] for t in ts}, key=natural)
        names, t = vocabulary().themes, self.t
        theme_options = [
            (f"{theme} {t.term(names[theme].name)}" if theme in names else theme, theme)
            for theme in themes
        ]
        agency_options = [(name, agency) for agency, name in self.lanes.items()]
        self.refit(self.agency, options=[(t._("All agencies"), ALL), *agency_options], value=ALL)
        self.refit(self.theme, options=[(t._("All themes"), ALL), *theme_options], value=ALL)
        self.figure.value = self._timeline()

    def _timeline(self) -> str:
        from toolkit.review.charts import timeline

        review = self.review
        flows = flow_records(review)
        figure = timeline(self.events, flows, self.chart_lanes(), title=chart_text(review.title))
        alt = self.t._(
            "Swimlane timeline of {events} events across {agencies} agencies. Solid arrows are "
            "shares made (amber when late); dashed arrows are shares that should have happened "
            "and did not. The table below lists every event.",
            events=len(self.events),
            agencies=len(self.lanes),
        )
        return figure_html(figure, stem=f"{review.id}-timeline", alt=alt, t=self.t)

    def draw(self) -> None:
        shown = filter_events(
            self.events, self.agency.value, self.theme.value, self.involving.value
        )
        shown = sort_events(shown, self.sort.value, self.descending.value)
        count = text_tag(
            "p",
            self.t.ngettext(
                "Showing {n} of {total} events.",
                "Showing {n} of {total} events.",
                len(shown),
                total=len(self.events),
            ),
        )
        self.body.value = count + tables.chronology_table(shown, self.lanes, self.t)


class KnowledgePanel(ReviewPanel):
    """Who knew what, and by when: every event against every agency."""

    title = N_("Who knew what")

    def __init__(self, wrap: Wrap = unguarded, t: Translator = ENGLISH):
        super().__init__(wrap, t)
        self.on = w.DatePicker(description=t._("Who knew by"), style=LABELLED)
        self.set_controls(self.on)

    def prepare(self) -> None:
        last = max(pd.Timestamp(e.date) for e in self.review.chronology)
        self.refit(self.on, value=last.date())

    def draw(self) -> None:
        review, on = self.review, self.on.value
        known = known_on(review, on) if isinstance(on, dt.date) else None
        t = self.t
        note = t._("Pick a day to see who knew by then.")
        if known is not None:
            note = t._("By {date}: {key}", date=f"{on:%Y-%m-%d}", key=t._(KNOWLEDGE_KEY))
        table = tables.who_knew_table(who_knew(review), events_frame(review), self.lanes, known, t)
        self.body.value = text_tag("p", note) + table


class FlowPanel(ReviewPanel):
    """The agency × agency flow matrix as a heatmap, and the pairs as a table."""

    title = N_("Information flows")

    def __init__(self, wrap: Wrap = unguarded, t: Translator = ENGLISH):
        super().__init__(wrap, t)
        self.measure = dropdown(t._("Show"), [(t._(label), key) for key, label in MEASURES.items()])
        self.set_controls(self.measure)

    def draw(self) -> None:
        from toolkit.review.charts import flow_heatmap

        t = self.t
        review, label = self.review, t._(MEASURES[self.measure.value])
        matrix = flow_matrix(review)
        figure = flow_heatmap(
            square(matrix, self.measure.value), self.chart_lanes(), title=chart_text(label)
        )
        alt = t._(
            "Heatmap of {measure}: one row per sending agency, one column per receiving "
            "agency; each non-zero count is written in its cell and listed in the table below.",
            measure=label[:1].lower() + label[1:],
        )
        stem = f"{review.id}-flows-{self.measure.value.replace('_', '-')}"
        self.body.value = figure_html(figure, stem=stem, alt=alt, t=t) + tables.flow_pairs_table(
            matrix, self.lanes, t
        )


class MissedPanel(ReviewPanel):
    """Missed opportunities ranked by delay, and summarised by theme and step."""

    title = N_("Missed opportunities")

    def draw(self) -> None:
        t = self.t
        missed = missed_opportunities(self.review)
        if missed.empty:
            message = t._("No missed shares are recorded in this chronology.")
            self.body.value = tables.message(message)
            return
        intro = t._(
            "Lag is the number of days from the event to the day the agency that should have "
            "been told came to know of it. Where it never did, the lag runs to the last date "
            "in the chronology, so it is a lower bound."
        )
        self.body.value = (
            text_tag("p", intro)
            + tables.missed_table(missed, self.lanes, t)
            + tables.lag_table(lag_by(missed, "themes"), "themes", t)
            + tables.lag_table(lag_by(missed, "steps"), "steps", t)
        )


class AgreementPanel(ReviewPanel):
    """Cohen's kappa between two reviewers' independent theme codings."""

    title = N_("Inter-rater agreement")

    def __init__(self, wrap: Wrap = unguarded, t: Translator = ENGLISH):
        super().__init__(wrap, t)
        self.first = dropdown(t._("First reviewer"), [])
        self.second = dropdown(t._("Second reviewer"), [])
        self.set_controls(self.first, self.second)

    def prepare(self) -> None:
        names = [(name, name) for name in reviewers(self.review)]
        self.refit(self.first, options=names, value=names[0][1] if names else None)
        second = names[1][1] if len(names) > 1 else None
        self.refit(self.second, options=names, value=second)

    def draw(self) -> None:
        first, second, t = self.first.value, self.second.value, self.t
        if len(self.first.options) < 2:
            self.body.value = tables.message(
                t._(
                    "This chronology has no theme codings from two reviewers. Agreement needs "
                    "two reviewers who coded the same events independently (the review's "
                    "codings)."
                )
            )
        elif first == second:
            self.body.value = tables.message(t._("Choose two different reviewers."), "error")
        else:
            table = agreement_table(self.review, pair=(first, second))
            self.body.value = tables.agreement_html(table, t)


def review_heading(
    review: Review,
    xlsx: bytes | None = None,
    *,
    uploaded: bool = False,
    t: Translator = ENGLISH,
) -> str:
    """The review's title, nation (or "uploaded") and size, summary, and its XLSX download."""
    from toolkit.widgets.figures import XLSX_MIME, download_link

    nations = vocabulary().nations
    origin = t.term(nations[review.nation].name) if review.nation in nations else review.nation
    if uploaded:
        origin = t._("Uploaded spreadsheet, held in this session only")
    facts = " · ".join(
        [
            origin,
            t.ngettext("{n} event", "{n} events", len(review.chronology)),
            t.ngettext("{n} agency", "{n} agencies", len(review.agencies)),
        ]
    )
    parts = text_tag("h2", review.title) + text_tag("p", facts, class_="ss-muted")
    if review.summary:
        parts += text_tag("p", review.summary)
    if not uploaded:
        parts += text_tag("p", review.anonymisation, class_="ss-muted")
    if xlsx is not None:
        link = download_link(xlsx, f"{review.id}-chronology.xlsx", XLSX_MIME, t._("Download XLSX"))
        parts += tag("p", link + " " + esc(t._("(the chronology, with an agencies sheet)")))
    return tag("div", parts, class_="ss-review-heading")
