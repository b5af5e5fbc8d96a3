"""Reviewer analysis: who knew what and when, what was shared, late or missed, across reviews.

Pure functions over a ``Review`` (or many) returning pandas DataFrames; ``charts`` draws
them. Import ``toolkit.review.charts`` separately: it loads matplotlib.
"""

from toolkit.review.agreement import agreement_table, cohen_kappa, kappa, reviewers
from toolkit.review.chronology import (
    adhoc_review,
    agency_lanes,
    between,
    by_agency,
    by_step,
    by_theme,
    events_frame,
)
from toolkit.review.flows import flow_matrix, flow_records, known_on, square, who_knew
from toolkit.review.missed import lag_by, missed_opportunities
from toolkit.review.themes import (
    labelled_items,
    sin_context_frame,
    step_frequencies,
    theme_frequencies,
    theme_step_matrix,
)

__all__ = [
    "adhoc_review",
    "agency_lanes",
    "agreement_table",
    "between",
    "by_agency",
    "by_step",
    "by_theme",
    "cohen_kappa",
    "events_frame",
    "flow_matrix",
    "flow_records",
    "kappa",
    "known_on",
    "labelled_items",
    "lag_by",
    "missed_opportunities",
    "reviewers",
    "sin_context_frame",
    "square",
    "step_frequencies",
    "theme_frequencies",
    "theme_step_matrix",
    "who_knew",
]
