"""The merged multi-agency chronology: one row per event, sortable and filterable.

Reviewers assemble one timeline from every agency's records (the single chronology whose
absence reviews keep finding, theme T11). ``events_frame`` is that timeline as a DataFrame;
the filter helpers narrow it by agency, theme, step or dates without losing its order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from toolkit.cases.model import Agency, Review, ReviewEvent

EVENT_COLUMNS = (
    "id",
    "date",
    "agency",
    "agency_name",
    "sector",
    "event",
    "known_by",
    "shared_to",
    "missed_to",
    "themes",
    "steps",
    "findings",
)


def natural(value: str) -> tuple:
    """Sort key that puts T2 before T10 and S2 before S10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))


def timestamp(value: dt.date | dt.datetime | None) -> pd.Timestamp:
    """A date or date-time as a pandas Timestamp (a date is its midnight); None is NaT."""
    return pd.NaT if value is None else pd.Timestamp(value)


def agency_lanes(review: Review) -> dict[str, str]:
    """Agency id → name in the review's own order: the lanes of a swimlane timeline.

    Agencies an event or flow names but the review does not define (a hand-made
    spreadsheet) are appended under their id, so nothing drops off the chart.
    """
    lanes = {agency.id: agency.name for agency in review.agencies}
    for event in review.chronology:
        named = [event.agency, *event.known_by]
        named += [s.to for s in event.shared] + [m.to for m in event.missed]
        for agency_id in named:
            lanes.setdefault(agency_id, agency_id)
    return lanes


def _labels(review: Review, event: ReviewEvent) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Themes and steps the review attaches to an event: its missed shares and findings.

    Reviewers' independent codings are left out on purpose: they are raw material for the
    agreement check, and one reviewer's disputed code should not label the shared timeline.
    """
    themes = {t for miss in event.missed for t in miss.themes}
    steps = {s for miss in event.missed for s in miss.steps}
    for finding in review.findings:
        if event.id in finding.events:
            themes.update(finding.themes)
            steps.update(finding.steps)
    return tuple(sorted(themes, key=natural)), tuple(sorted(steps, key=natural))


def events_frame(review: Review) -> pd.DataFrame:
    """The review's chronology merged into date order, one row per event.

    Columns (EVENT_COLUMNS): ``id``, ``date`` (Timestamp), ``agency``, ``agency_name``,
    ``sector``, ``event``, and tuples ``known_by``, ``shared_to``, ``missed_to``,
    ``themes``, ``steps`` (from the event's missed shares and the findings citing it),
    ``findings`` (ids). Events on the same date keep the order the review gives them.
    """
    agencies: dict[str, Agency] = {a.id: a for a in review.agencies}
    rows = []
    for event in review.chronology:
        agency = agencies.get(event.agency)
        themes, steps = _labels(review, event)
        rows.append(
            {
                "id": event.id,
                "date": timestamp(event.date),
                "agency": event.agency,
                "agency_name": agency.name if agency else event.agency,
                "sector": agency.sector if agency else "",
                "event": event.event,
                "known_by": tuple(event.known_by),
                "shared_to": tuple(s.to for s in event.shared),
                "missed_to": tuple(m.to for m in event.missed),
                "themes": themes,
                "steps": steps,
                "findings": tuple(f.id for f in review.findings if event.id in f.events),
            }
        )
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _any_in(values: pd.Series, wanted: set[str]) -> pd.Series:
    return values.map(lambda items: bool(wanted.intersection(items)))


def by_agency(
    frame: pd.DataFrame, agencies: str | Iterable[str], *, involving: bool = False
) -> pd.DataFrame:
    """Events recorded by these agencies; with ``involving``, also those they knew of,
    received, or should have received."""
    wanted = {agencies} if isinstance(agencies, str) else set(agencies)
    keep = frame["agency"].isin(wanted)
    if involving:
        for column in ("known_by", "shared_to", "missed_to"):
            keep |= _any_in(frame[column], wanted)
    return frame[keep]


def by_theme(frame: pd.DataFrame, themes: str | Iterable[str]) -> pd.DataFrame:
    """Events labelled with any of these themes (T1–T20)."""
    wanted = {themes} if isinstance(themes, str) else set(themes)
    return frame[_any_in(frame["themes"], wanted)]


def by_step(frame: pd.DataFrame, steps: str | Iterable[str]) -> pd.DataFrame:
    """Events labelled with any of these guidance steps (S1–S10)."""
    wanted = {steps} if isinstance(steps, str) else set(steps)
    return frame[_any_in(frame["steps"], wanted)]


def between(
    frame: pd.DataFrame,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Events dated from ``start`` to ``end`` inclusive (``end`` as a date covers that day)."""
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= frame["date"] < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    return frame[keep]


def adhoc_review(
    events: Sequence[ReviewEvent],
    agencies: Sequence[Agency] = (),
    *,
    title: str = "Uploaded chronology",
    nation: str = "uk",
) -> Review:
    """A review around a bare chronology (say, an uploaded spreadsheet) so it can be analysed.

    Agencies the events name but ``agencies`` does not define are added under their id with
    sector ``unknown``. Findings and codings are empty; the result is for analysis, not a
    case file to save.
    """
    defined = {a.id: a for a in agencies}
    for event in events:
        named = [event.agency, *event.known_by, *(s.to for s in event.shared)]
        for agency_id in [*named, *(m.to for m in event.missed)]:
            if agency_id not in defined:
                defined[agency_id] = Agency(id=agency_id, name=agency_id, sector="unknown")
    return Review(
        id="uploaded",
        kind="review",
        title=title,
        nation=nation,
        anonymisation="Supplied by the reviewer.",
        agencies=list(defined.values()),
        chronology=list(events),
    )
