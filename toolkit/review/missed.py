"""Missed opportunities: each share a reviewer judged should have happened, ranked by its cost.

The cost of a missed share is measured as **lag**: calendar days from the day the event was
known (its date) to the day the agency that should have been told came to know of it (see
``flows.who_knew``). When that agency never learnt of it, the lag runs to the last date in
the chronology — the end of the story the review tells — and ``never`` is true; such lags
are lower bounds. Ties are broken by the number of themes (more failure patterns first),
then by date.
"""

from __future__ import annotations

import pandas as pd

from toolkit.cases.model import Review
from toolkit.review.chronology import natural, timestamp
from toolkit.review.flows import who_knew

MISSED_COLUMNS = (
    "event",
    "date",
    "from",
    "to",
    "by",
    "reached",
    "never",
    "lag_days",
    "days_late",
    "themes",
    "steps",
    "n_themes",
    "text",
)


def chronology_end(review: Review) -> pd.Timestamp:
    """The last date the review's chronology mentions (events and shares alike)."""
    dates = [timestamp(e.date) for e in review.chronology]
    dates += [timestamp(s.date) for e in review.chronology for s in e.shared]
    return max(dates).normalize()


def _days(later: pd.Timestamp, earlier: pd.Timestamp) -> int:
    return int((later.normalize() - earlier.normalize()).days)


def missed_opportunities(review: Review) -> pd.DataFrame:
    """One row per missed entry (MISSED_COLUMNS), ranked: the index is the rank, from 1.

    ``reached`` is when the recipient came to know (NaT: never); ``lag_days`` is from the
    event to ``reached`` (or to the chronology's end); ``days_late`` is from the reviewer's
    ``by`` date to the same point, never below 0, and NaN when no ``by`` was given.
    """
    knew, end = who_knew(review), chronology_end(review)
    rows = []
    for event in review.chronology:
        known = timestamp(event.date)
        for miss in event.missed:
            reached = knew.at[event.id, miss.to] if miss.to in knew.columns else pd.NaT
            until = end if pd.isna(reached) else reached
            by = timestamp(miss.by)
            rows.append(
                {
                    "event": event.id,
                    "date": known,
                    "from": event.agency,
                    "to": miss.to,
                    "by": by,
                    "reached": reached,
                    "never": bool(pd.isna(reached)),
                    "lag_days": _days(until, known),
                    "days_late": float("nan") if pd.isna(by) else max(_days(until, by), 0),
                    "themes": tuple(miss.themes),
                    "steps": tuple(miss.steps),
                    "n_themes": len(miss.themes),
                    "text": event.event,
                }
            )
    frame = pd.DataFrame(rows, columns=list(MISSED_COLUMNS))
    for column in ("date", "by", "reached"):
        frame[column] = pd.to_datetime(frame[column])
    frame["days_late"] = frame["days_late"].astype(float)
    frame = frame.sort_values(
        ["lag_days", "n_themes", "date"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
    return frame


def lag_by(missed: pd.DataFrame, key: str = "themes") -> pd.DataFrame:
    """Missed opportunities summarised per theme (``key="themes"``) or step (``"steps"``).

    Columns: ``missed`` (how many), ``never`` (of which never shared), ``mean_lag`` and
    ``max_lag`` in days. An opportunity with two themes counts under each.
    """
    exploded = missed.explode(key).dropna(subset=[key])
    if exploded.empty:
        return pd.DataFrame(columns=["missed", "never", "mean_lag", "max_lag"])
    table = exploded.groupby(key).agg(
        missed=("event", "size"),
        never=("never", "sum"),
        mean_lag=("lag_days", "mean"),
        max_lag=("lag_days", "max"),
    )
    table["never"] = table["never"].astype(int)
    return table.loc[sorted(table.index, key=natural)]
