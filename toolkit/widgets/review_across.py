"""The cross-review view: themes and steps across every bundled review, with England's serious
incident notifications beside them as context (the one public figure the dossier gives)."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import pandas as pd

from toolkit.cases.model import Review
from toolkit.i18n import N_, Translator
from toolkit.review import sin_context_frame, step_frequencies, theme_frequencies
from toolkit.widgets import review_tables as tables
from toolkit.widgets.figures import chart_text, figure_html
from toolkit.widgets.html import text_tag
from toolkit.widgets.review_views import ENGLISH, ReviewPanel, Wrap, dropdown, unguarded

GROUPS = {"nation": N_("Nation"), "sector": N_("Sector")}
COUNTS = {"reviews": N_("Reviews that show it"), "mentions": N_("Every mention")}


class AcrossPanel(ReviewPanel):
    """Themes and steps across every bundled review, with England's notifications as context."""

    title = N_("Across reviews")

    def __init__(self, reviews: Sequence[Review], wrap: Wrap = unguarded, t: Translator = ENGLISH):
        super().__init__(wrap, t)
        self.reviews = list(reviews)
        self.group = dropdown(t._("Group by"), [(t._(label), key) for key, label in GROUPS.items()])
        self.count = dropdown(t._("Count"), [(t._(label), key) for key, label in COUNTS.items()])
        self.set_controls(self.group, self.count)
        self.context = w.HTML()
        self.widget.children = [*self.widget.children, self.context]

    def load(self, review: Review) -> None:
        """The cross-review view does not depend on the review being read."""
        self.stale = self.stale or not self.context.value

    def refresh(self) -> None:
        if self.stale:
            self.stale = False
            self.draw()
            self.context.value = notifications_context(self.t)

    def draw(self) -> None:
        from toolkit.review.charts import theme_bars

        by, count, t = self.group.value, self.count.value, self.t
        if not self.reviews:
            message = t._("No bundled reviews were found to count across.")
            self.body.value = tables.message(message)
            return
        themes = theme_frequencies(self.reviews, by=by, count=count)
        steps = step_frequencies(self.reviews, by=by, count=count)
        what = (
            t._("reviews showing each theme")
            if count == "reviews"
            else t._("mentions of each theme")
        )
        group, counted = t._(GROUPS[by]), t._(COUNTS[count])
        title = t.ngettext(
            "Themes across {n} bundled review, by {group}",
            "Themes across {n} bundled reviews, by {group}",
            len(self.reviews),
            group=group.lower(),
        )
        named = themes.rename(columns=lambda c: tables.group_name(c, t) if c != "name" else c)
        figure = theme_bars(named, title=chart_text(title), xlabel=what)
        alt = t._(
            "Bar chart of {what}, stacked by {group}; the table lists the counts.",
            what=what,
            group=group.lower(),
        )
        note = t._(
            "Counts over the bundled, fictional reviews only: they show how this library is "
            "built, not how often each failure happens nationally (no published source gives that)."
        )
        self.body.value = (
            text_tag("p", note)
            + figure_html(figure, stem=f"themes-by-{by}-{count}", alt=alt, t=t)
            + tables.frequency_table(
                themes, t._("Themes by {group} ({count})", group=group.lower(), count=counted), t
            )
            + tables.frequency_table(
                steps, t._("Steps by {group} ({count})", group=group.lower(), count=counted), t
            )
        )


def notification_gaps(frame: pd.DataFrame, t: Translator = ENGLISH) -> str:
    """In words: which years' totals are derived rather than published, and which are missing."""
    notes = frame["note"].fillna("").astype(str)
    derived = [year for year, note in notes.items() if note.startswith("derived")]
    missing = [year for year, total in frame["total"].items() if pd.isna(total)]
    words = []
    if derived:
        words.append(
            t._(
                "{years}: derived from a later published change, approximate.",
                years=", ".join(derived),
            )
        )
    if missing:
        words.append(t._("{years}: no published total found.", years=", ".join(missing)))
    return " ".join(words)


def notifications_context(t: Translator = ENGLISH) -> str:
    """England's serious incident notifications by year: chart, sources, table and caveats."""
    from toolkit.review.charts import notifications_bars

    frame = sin_context_frame()
    title = t._("Serious incident notifications in England, by year")
    figure = notifications_bars(frame, title=title)
    gaps = notification_gaps(frame, t)
    alt = t._(
        "Bar chart of serious incident notifications in England each year from {first} to "
        "{last}. {gaps} The table below gives every figure.",
        first=frame.index[0],
        last=frame.index[-1],
        gaps=gaps,
    )
    caveat = t._(
        "Context, not comparison: these are notifications that local authorities in England "
        "made to the national panel (before mid-2018, to Ofsted), counted in the year they "
        "were made, not a count of what happened that year. {gaps}",
        gaps=gaps,
    )
    return (
        text_tag("h3", t._("Context: serious incident notifications, England"))
        + text_tag("p", caveat)
        + figure_html(
            figure,
            stem="serious-incident-notifications",
            alt=alt,
            caption=tables.notifications_sources(frame, t),
            t=t,
        )
        + tables.notifications_table(frame, t)
    )
