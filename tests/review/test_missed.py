"""Tests for toolkit.review.missed on the hand-worked chronology.

The chronology ends on 2023-03-20 (ev6; no share is later). Working, lag = reached (or the
end, when never reached) − event date; days late = the same point − `by`:

    entry       known   reached   lag                          by      days late  themes
    ev1→hv      01-10   never     01-10→03-20 = 21+28+20 = 69  01-12   67         2
    ev2→csc     01-20   02-03     11 + 3 = 14                  01-24   10         1
    ev3→gp      02-01   never     02-01→03-20 = 28+19 = 47     —       NaN        3
    ev5→csc     03-01   03-15     14                           03-02   13         2
    ev5→gp      03-01   never     03-01→03-20 = 19             03-03   17         1

Ranked by lag (desc), then themes (desc), then date: ev1→hv, ev3→gp, ev5→gp, then the
two 14-day lags, where ev5→csc's two themes beat ev2→csc's one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.cases.model import ReviewEvent
from toolkit.review.chronology import adhoc_review
from toolkit.review.missed import MISSED_COLUMNS, chronology_end, lag_by, missed_opportunities


def test_chronology_end_is_the_last_date_mentioned(hand_worked):
    """Is the end the latest event or share date (here ev6, listed out of order)?"""
    assert chronology_end(hand_worked) == pd.Timestamp("2023-03-20")


def test_missed_opportunities_ranked_with_lags(hand_worked):
    """Are the missed entries ranked and their lags and days late as worked by hand?"""
    missed = missed_opportunities(hand_worked)
    assert list(missed.columns) == list(MISSED_COLUMNS)
    assert list(missed.index) == [1, 2, 3, 4, 5]
    got = [
        (m.event, m.to, m.never, m.lag_days, None if pd.isna(m.days_late) else int(m.days_late))
        for m in missed.itertuples()
    ]
    assert got == [
        ("ev1", "hv", True, 69, 67),
        ("ev3", "gp", True, 47, None),
        ("ev5", "gp", True, 19, 17),
        ("ev5", "csc", False, 14, 13),
        ("ev2", "csc", False, 14, 10),
    ]
    assert missed.loc[2, "themes"] == ("T19", "T4", "T6")  # as the reviewer wrote them
    assert missed.loc[2, "steps"] == ("S2", "S8")
    assert missed.loc[4, "reached"] == pd.Timestamp("2023-03-15")
    assert missed.loc[1, "text"] == "Child X arrives hungry"


def test_lag_by_theme_and_step(hand_worked):
    """Does the summary count each opportunity under each of its themes, with lag stats?"""
    by_theme = lag_by(missed_opportunities(hand_worked))
    # T4 and T6: ev1→hv (69) and ev3→gp (47), both never shared → mean 58
    assert by_theme.loc["T4"].to_dict() == {
        "missed": 2,
        "never": 2,
        "mean_lag": 58.0,
        "max_lag": 69,
    }
    # T13: ev2→csc (14) and ev5→csc (14), both shared in the end
    assert by_theme.loc["T13"].to_dict() == {
        "missed": 2,
        "never": 0,
        "mean_lag": 14.0,
        "max_lag": 14,
    }
    assert list(by_theme.index) == ["T4", "T6", "T10", "T12", "T13", "T19"]
    by_step = lag_by(missed_opportunities(hand_worked), "steps")
    assert list(by_step.index) == ["S2", "S3", "S5", "S8"]  # ev5→csc has no steps
    assert by_step.loc["S3", "missed"] == 1


def test_no_missed_entries_gives_empty_tables():
    """With nothing missed, are both tables empty rather than errors?"""
    review = adhoc_review(
        [ReviewEvent(id="e1", date=dt.date(2024, 1, 1), agency="school", event="x")]
    )
    missed = missed_opportunities(review)
    assert missed.empty and list(missed.columns) == list(MISSED_COLUMNS)
    assert lag_by(missed).empty
