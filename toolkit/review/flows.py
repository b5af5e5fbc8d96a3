"""Who knew what, when, and what passed between agencies: shared, shared late, or missed.

Definitions (the reviewer-facing contract of these tables):

* An agency **knows** an event from the event's date if it recorded the event or is in its
  ``known_by``, and from a share's date if the event was shared with it (earliest wins).
* Each share is **due** by the ``by`` date of the event's missed entry for the same
  recipient, when the reviewer gave one; otherwise ``late_after_days`` calendar days after
  the event (default 1: passing a concern on the next day is on time, later is not).
* A share is **late** when it arrives after it was due; its **days late** is arrival minus
  due date in calendar days (times of day are ignored). A repeat share to the same recipient
  (a letter confirming a call) is judged by the first, so it is never late itself.
* A **missed** flow is a missed entry whose recipient was never sent the event at all. A
  missed entry that was later shared counts as a late (or on-time) share, not twice.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.cases.model import Missed, Review, ReviewEvent
from toolkit.review.chronology import agency_lanes, events_frame, timestamp

DEFAULT_LATE_AFTER_DAYS = 1
FLOW_COLUMNS = (
    "event",
    "date",
    "from",
    "to",
    "kind",
    "arrived",
    "due",
    "days_late",
    "method",
    "recorded",
    "themes",
    "steps",
)
MATRIX_COLUMNS = ("shared", "late", "missed", "days_late")


def who_knew(review: Review) -> pd.DataFrame:
    """Event × agency: the date each agency came to know of each event (NaT: never).

    Rows are event ids in chronological order; columns are every agency, in review order.
    """
    lanes = list(agency_lanes(review))
    order = events_frame(review)["id"]
    known: dict[str, dict[str, pd.Timestamp]] = {}
    for event in review.chronology:
        dates: dict[str, pd.Timestamp] = {}
        on_record = [(a, event.date) for a in [event.agency, *event.known_by]]
        for agency_id, when in on_record + [(s.to, s.date) for s in event.shared]:
            stamp = timestamp(when)
            if agency_id not in dates or stamp < dates[agency_id]:
                dates[agency_id] = stamp
        known[event.id] = dates
    frame = pd.DataFrame.from_dict(known, orient="index").reindex(index=order, columns=lanes)
    frame.index.name, frame.columns.name = "event", "agency"
    return frame.apply(pd.to_datetime)


def known_on(review: Review, on: dt.date | str) -> pd.DataFrame:
    """Event × agency booleans: had this agency come to know of this event by ``on``?

    ``on`` is a day: knowledge gained at any time that day counts.
    """
    day = pd.Timestamp(on).normalize()
    return who_knew(review).apply(lambda column: column.dt.normalize() <= day)


def _due(event: ReviewEvent, miss: Missed | None, late_after_days: int) -> pd.Timestamp:
    if miss is not None and miss.by is not None:
        return timestamp(miss.by).normalize()
    return timestamp(event.date).normalize() + pd.Timedelta(days=late_after_days)


def _event_flows(event: ReviewEvent, late_after_days: int) -> list[dict]:
    misses = {}
    for miss in event.missed:
        misses.setdefault(miss.to, miss)
    rows, reached = [], set()
    for share in sorted(event.shared, key=lambda s: timestamp(s.date)):
        miss = misses.get(share.to)
        due, arrived = _due(event, miss, late_after_days), timestamp(share.date)
        days = (arrived.normalize() - due).days if share.to not in reached else 0
        rows.append(
            {
                "to": share.to,
                "kind": "late" if days > 0 else "shared",
                "arrived": arrived,
                "due": due,
                "days_late": max(days, 0),
                "method": share.method,
                "recorded": share.recorded,
                "themes": tuple(miss.themes) if miss else (),
                "steps": tuple(miss.steps) if miss else (),
            }
        )
        reached.add(share.to)
    for miss in event.missed:
        if miss.to not in reached:
            due = _due(event, miss, late_after_days)
            rows.append(
                {"to": miss.to, "kind": "missed", "due": due, "days_late": float("nan")}
                | {"themes": tuple(miss.themes), "steps": tuple(miss.steps)}
            )
    base = {"event": event.id, "date": timestamp(event.date), "from": event.agency}
    return [base | row for row in rows]


def flow_records(review: Review, late_after_days: int = DEFAULT_LATE_AFTER_DAYS) -> pd.DataFrame:
    """One row per flow (FLOW_COLUMNS): every share and every never-made share.

    ``kind`` is ``shared`` (on time, or a repeat), ``late`` or ``missed``; ``arrived`` is
    NaT and ``days_late`` NaN for missed flows. ``themes``/``steps`` come from the missed
    entry for the same recipient, if the reviewer wrote one. Rows follow the chronology.
    """
    rows = []
    for event in review.chronology:
        rows.extend(_event_flows(event, late_after_days))
    frame = pd.DataFrame(rows, columns=list(FLOW_COLUMNS))
    for column in ("date", "arrived", "due"):
        frame[column] = pd.to_datetime(frame[column])
    frame["days_late"] = frame["days_late"].astype(float)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def flow_matrix(review: Review, late_after_days: int = DEFAULT_LATE_AFTER_DAYS) -> pd.DataFrame:
    """(from, to) agency pairs × MATRIX_COLUMNS: counts of shares (late ones included),
    late shares, missed flows, and the total days late — every pair, zeros included."""
    lanes = list(agency_lanes(review))
    flows = flow_records(review, late_after_days)
    index = pd.MultiIndex.from_product([lanes, lanes], names=["from", "to"])
    grouped = (
        flows.assign(
            shared=flows["kind"].isin(["shared", "late"]).astype(int),
            late=(flows["kind"] == "late").astype(int),
            missed=(flows["kind"] == "missed").astype(int),
            days_late=flows["days_late"].where(flows["kind"] == "late", 0).fillna(0),
        )
        .groupby(["from", "to"])[list(MATRIX_COLUMNS)]
        .sum()
    )
    return grouped.reindex(index, fill_value=0).astype(int)


def square(matrix: pd.DataFrame, measure: str = "missed") -> pd.DataFrame:
    """One measure of a flow matrix as a from × to table, agencies in review order."""
    order = list(dict.fromkeys(matrix.index.get_level_values("from")))
    table = matrix[measure].unstack("to", fill_value=0)
    return table.reindex(index=order, columns=order, fill_value=0)
