"""Tests for toolkit.review.chronology: the merged timeline and its filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.cases.model import ReviewEvent
from toolkit.review.chronology import (
    EVENT_COLUMNS,
    adhoc_review,
    agency_lanes,
    between,
    by_agency,
    by_step,
    by_theme,
    events_frame,
)


def test_events_are_merged_into_date_order(hand_worked):
    """Does the timeline put ev5 (1 March) before ev6 (20 March) although the file does not?"""
    frame = events_frame(hand_worked)
    assert list(frame.columns) == list(EVENT_COLUMNS)
    assert list(frame["id"]) == ["ev1", "ev2", "ev3", "ev4", "ev5", "ev6"]
    assert frame["date"].is_monotonic_increasing
    assert frame.loc[0, "agency_name"] == "Primary school"
    assert frame.loc[0, "sector"] == "education"


def test_events_carry_themes_and_steps_from_missed_shares_and_findings(hand_worked):
    """Does each event carry the union of its missed entries' and its findings' labels?"""
    frame = events_frame(hand_worked).set_index("id")
    # ev1: missed [T4, T6] / [S2]  +  finding f1 [T4] / [S3]
    assert frame.at["ev1", "themes"] == ("T4", "T6")
    assert frame.at["ev1", "steps"] == ("S2", "S3")
    assert frame.at["ev1", "findings"] == ("f1",)
    # ev3: missed [T19, T4, T6] / [S2, S8] + f1 → natural order puts T19 last
    assert frame.at["ev3", "themes"] == ("T4", "T6", "T19")
    assert frame.at["ev3", "steps"] == ("S2", "S3", "S8")
    # ev5: two missed entries [T12, T13] and [T10] / [S3]
    assert frame.at["ev5", "themes"] == ("T10", "T12", "T13")
    assert frame.at["ev4", "themes"] == ()


def test_codings_do_not_label_the_timeline(hand_worked):
    """Is a theme only a reviewer coded (R2 gave ev4 T6) kept off the shared timeline?"""
    frame = events_frame(hand_worked).set_index("id")
    assert "T6" not in frame.at["ev4", "themes"]


def test_by_agency_recorded_or_involving(hand_worked):
    """Does the agency filter take the recording agency, and with `involving` also those
    who knew, were sent it, or should have been?"""
    frame = events_frame(hand_worked)
    assert list(by_agency(frame, "school")["id"]) == ["ev1", "ev6"]
    # school was sent ev3 and ev4
    assert list(by_agency(frame, "school", involving=True)["id"]) == ["ev1", "ev3", "ev4", "ev6"]
    # gp recorded ev2; should have had ev3 and ev5
    assert list(by_agency(frame, ["gp"], involving=True)["id"]) == ["ev2", "ev3", "ev5"]


def test_theme_step_and_date_filters(hand_worked):
    """Do the theme, step and date filters keep the right events, in order?"""
    frame = events_frame(hand_worked)
    assert list(by_theme(frame, "T6")["id"]) == ["ev1", "ev3"]
    assert list(by_theme(frame, {"T13", "T17"})["id"]) == ["ev2", "ev5", "ev6"]
    assert list(by_step(frame, "S3")["id"]) == ["ev1", "ev3", "ev5"]
    assert list(between(frame, "2023-02-01", "2023-02-10")["id"]) == ["ev3", "ev4"]
    assert list(between(frame, start=dt.date(2023, 3, 1))["id"]) == ["ev5", "ev6"]
    assert by_theme(frame, "T1").empty


def test_times_of_day_sort_within_a_day():
    """Do events with times sort by time, and does `between` take the whole end day?"""
    events = [
        ReviewEvent(id="b", date=dt.datetime(2024, 1, 2, 15, 0), agency="x", event="later"),
        ReviewEvent(id="a", date=dt.datetime(2024, 1, 2, 9, 0), agency="x", event="earlier"),
        ReviewEvent(id="c", date=dt.date(2024, 1, 1), agency="x", event="day before"),
    ]
    frame = events_frame(adhoc_review(events))
    assert list(frame["id"]) == ["c", "a", "b"]
    assert list(between(frame, end="2024-01-02")["id"]) == ["c", "a", "b"]
    assert frame["date"].dtype == "datetime64[ns]"


def test_adhoc_review_names_unknown_agencies_by_id():
    """Can a bare chronology (an uploaded sheet) be analysed, its agencies inferred?"""
    events = [
        ReviewEvent(
            id="e1",
            date=dt.date(2024, 1, 1),
            agency="school",
            event="x",
            shared=[{"to": "csc", "date": dt.date(2024, 1, 2)}],
        )
    ]
    review = adhoc_review(events)
    assert agency_lanes(review) == {"school": "school", "csc": "csc"}
    assert {a.sector for a in review.agencies} == {"unknown"}
    assert isinstance(events_frame(review).loc[0, "date"], pd.Timestamp)


def test_lanes_follow_the_review_and_add_undefined_agencies(hand_worked):
    """Are lanes in the review's agency order, with any undefined agency appended?"""
    assert list(agency_lanes(hand_worked)) == ["school", "gp", "hv", "csc", "police"]
    stray = hand_worked.chronology[0].model_copy(update={"known_by": ["school", "nursery"]})
    review = hand_worked.model_copy(update={"chronology": [stray]})
    assert list(agency_lanes(review))[-1] == "nursery"
