"""Tests for toolkit.review.themes: counts across reviews, by nation and sector.

Labels in the two test reviews (missed entries and findings):

    hand-worked (england; sectors education, health, police, social-care)
      missed: ev1→hv [T4 T6 | S2]  ev2→csc [T13 | S5]  ev3→gp [T19 T4 T6 | S2 S8]
              ev5→csc [T12 T13 | —]  ev5→gp [T10 | S3]
      findings: f1 [T4 | S3]  f2 [T17 | S4]
    second-review (wales; sectors education, housing)
      missed: w1→housing [T7 T4 | S3]  w3→housing [T7 | S6]
      findings: g1 [T7 | S6]

Mentions: T4 = 3 (england) + 1 (wales) = 4; T7 = 3 (wales); T6 = 2; T13 = 2.
Reviews:  T4 appears in both reviews = 2; every other used theme in one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.review.themes import (
    ITEM_COLUMNS,
    labelled_items,
    review_sectors,
    sin_context_frame,
    step_frequencies,
    theme_frequencies,
    theme_step_matrix,
)


def _nonzero(table, column="total"):
    return {k: v for k, v in table[column].items() if v}


def test_labelled_items_are_missed_entries_and_findings(hand_worked, second_review):
    """Is there one row per missed entry and per finding (7 + 3)?"""
    items = labelled_items([hand_worked, second_review])
    assert list(items.columns) == list(ITEM_COLUMNS)
    assert len(items) == 10
    assert items["source"].value_counts().to_dict() == {"missed": 7, "finding": 3}
    assert items.iloc[0]["ref"] == "ev1→hv"


def test_theme_frequencies_by_nation_counting_reviews(hand_worked, second_review):
    """Does a review count once per theme, in its nation's column and the total?"""
    table = theme_frequencies([hand_worked, second_review])
    assert list(table.columns) == ["name", "england", "wales", "total"]
    assert len(table) == 20 and table.index[0] == "T1" and table.index[-1] == "T20"
    assert _nonzero(table) == {
        "T4": 2,
        "T6": 1,
        "T7": 1,
        "T10": 1,
        "T12": 1,
        "T13": 1,
        "T17": 1,
        "T19": 1,
    }
    assert tuple(table.loc["T4", ["england", "wales"]]) == (1, 1)
    assert table.loc["T7", "name"] == "Loss at transitions"


def test_theme_frequencies_counting_mentions(hand_worked, second_review):
    """Counting mentions, is every missed entry and finding with the theme added up?"""
    table = theme_frequencies([hand_worked, second_review], count="mentions")
    assert tuple(table.loc["T4", ["england", "wales", "total"]]) == (3, 1, 4)
    assert tuple(table.loc["T7", ["england", "wales", "total"]]) == (0, 3, 3)
    assert table.loc["T6", "total"] == 2


def test_theme_frequencies_by_sector(hand_worked, second_review):
    """By sector, does a review count under each of its sectors (so sectors overlap)?"""
    table = theme_frequencies([hand_worked, second_review], by="sector")
    assert list(table.columns) == [
        "name",
        "education",
        "health",
        "police",
        "social-care",
        "housing",
        "total",
    ]
    # T4 is in both reviews; both list education
    assert table.loc["T4"].drop("name").to_dict() == {
        "education": 2,
        "health": 1,
        "police": 1,
        "social-care": 1,
        "housing": 1,
        "total": 2,
    }
    mentions = theme_frequencies([hand_worked, second_review], by="sector", count="mentions")
    assert mentions.loc["T7", "housing"] == 3 and mentions.loc["T7", "health"] == 0


def test_step_frequencies_total_only(hand_worked, second_review):
    """Are steps counted the same way, with `by=None` giving the total only?"""
    table = step_frequencies([hand_worked, second_review], by=None)
    assert list(table.columns) == ["name", "total"]
    assert list(table.index) == [f"S{i}" for i in range(1, 11)]
    assert _nonzero(table) == {"S2": 1, "S3": 2, "S4": 1, "S5": 1, "S6": 1, "S8": 1}
    mentions = step_frequencies([hand_worked, second_review], by=None, count="mentions")
    assert _nonzero(mentions) == {"S2": 2, "S3": 3, "S4": 1, "S5": 1, "S6": 2, "S8": 1}


def test_sectors_fall_back_to_agencies(hand_worked):
    """Without `sectors`, does a review count under its agencies' sectors?"""
    bare = hand_worked.model_copy(update={"sectors": []})
    assert review_sectors(bare) == ("education", "health", "social-care", "police")


def test_theme_step_matrix_counts_co_occurrence(hand_worked, second_review):
    """Does the matrix count items carrying both the theme and the step?"""
    matrix = theme_step_matrix([hand_worked, second_review])
    assert matrix.shape == (20, 10)
    # T4×S2: ev1→hv, ev3→gp; T4×S3: f1, w1→housing; T7×S6: w3→housing, g1
    assert matrix.loc["T4", "S2"] == 2
    assert matrix.loc["T4", "S3"] == 2
    assert matrix.loc["T7", "S6"] == 2
    assert matrix.loc["T12"].sum() == 0  # ev5→csc has themes but no steps
    # themes × steps per item: 2·1 + 1·1 + 3·2 + 0 + 1·1 (missed, hand-worked)
    #   + 1·1 + 1·1 (findings) + 2·1 + 1·1 + 1·1 (second review) = 16
    assert matrix.to_numpy().sum() == 16


def test_no_reviews_gives_zero_counts():
    """With no reviews loaded, is every theme present with a zero count?"""
    table = theme_frequencies([])
    assert len(table) == 20 and table["total"].sum() == 0
    assert list(table.columns) == ["name", "total"]


@pytest.mark.parametrize(("by", "count"), [("agency", "reviews"), ("nation", "events")])
def test_bad_grouping_is_refused(hand_worked, by, count):
    """Is an unknown grouping or count a clear ValueError?"""
    with pytest.raises(ValueError):
        theme_frequencies([hand_worked], by=by, count=count)


def test_sin_context_frame_by_year():
    """Is England's notification series a frame by year, gap kept, with the dossier's checks:
    deaths + serious harm + other = total from 2020-21, and 2023-24 is 93 below 2018-19?"""
    frame = sin_context_frame()
    assert frame.index[0] == "2014-15" and frame.index[-1] == "2024-25"
    assert frame.index.is_unique and len(frame) == 11
    assert pd.isna(frame.loc["2017-18", "total"])  # no source: the gap stays a row
    assert str(frame["total"].dtype) == "Int64"
    recent = frame.loc["2020-21":]
    parts = recent["child_death"] + recent["serious_harm"] + recent["other"]
    assert (parts == recent["total"]).all()
    assert frame.loc["2023-24", "total"] + 93 == frame.loc["2018-19", "total"]
    assert frame.loc["2014-15", "note"].startswith("derived")
