"""The cross-review view: themes and steps across every bundled review, with England's serious
incident notifications beside them as context (the one public figure the dossier gives)."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import pandas as pd

from toolkit.cases.model import Review
from toolkit.review import sin_context_frame, step_frequencies, theme_frequencies
from toolkit.widgets import review_tables as tables
from toolkit.widgets.figures import chart_text, figure_html
from toolkit.widgets.html import text_tag
from toolkit.widgets.review_views import ReviewPanel, Wrap, dropdown, unguarded

GROUPS = {"nation": "Nation", "sector": "Sector"}
COUNTS = {"reviews": "Reviews that show it", "mentions": "Every mention"}


class AcrossPanel(ReviewPanel):
    """Themes and steps across every bundled review, with England's notifications as context."""

    title = "Across reviews"

    def __init__(self, reviews: Sequence[Review], wrap: Wrap = unguarded):
        super().__init__(wrap)
        self.reviews = list(reviews)
        self.group = dropdown("Group by", [(label, key) for key, label in GROUPS.items()])
        self.count = dropdown("Count", [(label, key) for key, label in COUNTS.items()])
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
            self.context.value = notifications_context()

    def draw(self) -> None:
        from toolkit.review.charts import theme_bars

        by, count = self.group.value, self.count.value
        if not self.reviews:
            self.body.value = tables.message("No bundled reviews were found to count across.")
            return
        themes = theme_frequencies(self.reviews, by=by, count=count)
        steps = step_frequencies(self.reviews, by=by, count=count)
        what = "reviews showing each theme" if count == "reviews" else "mentions of each theme"
        title = f"Themes across {len(self.reviews)} bundled reviews, by {GROUPS[by].lower()}"
        named = themes.rename(columns=lambda c: tables.group_name(c) if c != "name" else c)
        figure = theme_bars(named, title=chart_text(title), xlabel=what)
        alt = f"Bar chart of {what}, stacked by {GROUPS[by].lower()}; the table lists the counts."
        note = (
            "Counts over the bundled, fictional reviews only: they show how this library is "
            "built, not how often each failure happens nationally (no published source gives that)."
        )
        self.body.value = (
            text_tag("p", note)
            + figure_html(figure, stem=f"themes-by-{by}-{count}", alt=alt)
            + tables.frequency_table(themes, f"Themes by {GROUPS[by].lower()} ({COUNTS[count]})")
            + tables.frequency_table(steps, f"Steps by {GROUPS[by].lower()} ({COUNTS[count]})")
        )


def notification_gaps(frame: pd.DataFrame) -> str:
    """In words: which years' totals are derived rather than published, and which are missing."""
    notes = frame["note"].fillna("").astype(str)
    derived = [year for year, note in notes.items() if note.startswith("derived")]
    missing = [year for year, total in frame["total"].items() if pd.isna(total)]
    words = []
    if derived:
        words.append(f"{', '.join(derived)}: derived from a later published change, approximate.")
    if missing:
        words.append(f"{', '.join(missing)}: no published total found.")
    return " ".join(words)


def notifications_context() -> str:
    """England's serious incident notifications by year: chart, sources, table and caveats."""
    from toolkit.review.charts import notifications_bars

    frame = sin_context_frame()
    title = "Serious incident notifications in England, by year"
    figure = notifications_bars(frame, title=title)
    gaps = notification_gaps(frame)
    alt = (
        f"Bar chart of serious incident notifications in England each year from {frame.index[0]} "
        f"to {frame.index[-1]}. {gaps} The table below gives every figure."
    )
    caveat = (
        "Context, not comparison: these are notifications that local authorities in England "
        "made to the national panel (before mid-2018, to Ofsted), counted in the year they "
        f"were made, not a count of what happened that year. {gaps}"
    )
    return (
        text_tag("h3", "Context: serious incident notifications, England")
        + text_tag("p", caveat)
        + figure_html(
            figure,
            stem="serious-incident-notifications",
            alt=alt,
            caption=tables.notifications_sources(frame),
        )
        + tables.notifications_table(frame)
    )
