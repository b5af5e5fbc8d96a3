"""Tests for toolkit.review.flows on the hand-worked chronology (tests/review/files).

Working, with the default ``late_after_days=1`` (due = the `by` date, else event + 1 day):

    ev1 school→csc   sent 01-11, due 01-11 (01-10 + 1)        on time
    ev1 school→hv    missed, never sent                         missed
    ev2 gp→csc       sent 02-03, due 01-24 (by)                 late 10  (7 Jan days + 3)
    ev3 police→school sent 02-01, due 02-02                     on time
    ev3 police→csc   sent 02-06, due 02-02                      late 4
    ev3 police→gp    missed, never sent                         missed
    ev4 csc→school   sent 02-10, due 02-11                      on time
    ev4 csc→school   sent 02-20 again: a repeat, judged by the first → on time
    ev5 hv→csc       sent 03-15, due 03-02 (by)                 late 13
    ev5 hv→gp        missed, never sent                         missed
"""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.review.flows import (
    FLOW_COLUMNS,
    MATRIX_COLUMNS,
    flow_matrix,
    flow_records,
    known_on,
    square,
    who_knew,
)

T = pd.Timestamp
NaT = pd.NaT


def test_who_knew_dates_each_agency_came_to_know(hand_worked):
    """Is each agency's date the earliest of: recorded it, known_by, or was sent it?"""
    expected = pd.DataFrame(
        # school          gp               hv               csc              police
        [
            [T("2023-01-10"), NaT, NaT, T("2023-01-11"), NaT],  # ev1
            [NaT, T("2023-01-20"), T("2023-01-20"), T("2023-02-03"), NaT],  # ev2
            [T("2023-02-01"), NaT, NaT, T("2023-02-06"), T("2023-02-01")],  # ev3
            [T("2023-02-10"), NaT, NaT, T("2023-02-10"), NaT],  # ev4 (repeat share ignored)
            [NaT, NaT, T("2023-03-01"), T("2023-03-15"), NaT],  # ev5
            [T("2023-03-20"), NaT, NaT, T("2023-03-20"), NaT],  # ev6
        ],
        index=pd.Index(["ev1", "ev2", "ev3", "ev4", "ev5", "ev6"], name="event"),
        columns=pd.Index(["school", "gp", "hv", "csc", "police"], name="agency"),
    )
    pd.testing.assert_frame_equal(who_knew(hand_worked), expected)


def test_known_on_a_day(hand_worked):
    """On 3 February, had csc heard of ev2 (sent that day) but not of ev3 (sent on the 6th)?"""
    known = known_on(hand_worked, "2023-02-03")
    assert known.loc["ev2"].to_dict() == {
        "school": False,
        "gp": True,
        "hv": True,
        "csc": True,
        "police": False,
    }
    assert known.loc["ev3", "school"] and not known.loc["ev3", "csc"]
    assert not known.loc[["ev4", "ev5", "ev6"]].to_numpy().any()


def test_flow_records_kinds_and_days_late(hand_worked):
    """Is each flow classed and its lateness counted as in the module docstring's working?"""
    flows = flow_records(hand_worked)
    assert list(flows.columns) == list(FLOW_COLUMNS)
    got = [
        (f.event, f.to, f.kind, None if pd.isna(f.days_late) else int(f.days_late))
        for f in flows.itertuples()
    ]
    assert got == [
        ("ev1", "csc", "shared", 0),
        ("ev1", "hv", "missed", None),
        ("ev2", "csc", "late", 10),
        ("ev3", "school", "shared", 0),  # shares sorted by date within an event
        ("ev3", "csc", "late", 4),
        ("ev3", "gp", "missed", None),
        ("ev4", "school", "shared", 0),
        ("ev4", "school", "shared", 0),
        ("ev5", "csc", "late", 13),
        ("ev5", "gp", "missed", None),
    ]
    late = flows[(flows["event"] == "ev5") & (flows["to"] == "csc")].iloc[0]
    assert late["themes"] == ("T12", "T13")  # from the missed entry for the same recipient
    assert late["due"] == T("2023-03-02")
    assert pd.isna(flows.loc[1, "arrived"]) and flows.loc[1, "due"] == T("2023-01-12")


def test_flow_matrix_by_hand(hand_worked):
    """Does the matrix hold exactly the hand-counted flows, zeros everywhere else?"""
    matrix = flow_matrix(hand_worked)
    assert list(matrix.columns) == list(MATRIX_COLUMNS)
    assert len(matrix) == 25  # 5 agencies × 5
    nonzero = matrix[matrix.sum(axis=1) > 0]
    expected = {
        # (from, to): (shared, late, missed, days_late)
        ("school", "hv"): (0, 0, 1, 0),
        ("school", "csc"): (1, 0, 0, 0),
        ("gp", "csc"): (1, 1, 0, 10),
        ("hv", "gp"): (0, 0, 1, 0),
        ("hv", "csc"): (1, 1, 0, 13),
        ("csc", "school"): (2, 0, 0, 0),
        ("police", "school"): (1, 0, 0, 0),
        ("police", "gp"): (0, 0, 1, 0),
        ("police", "csc"): (1, 1, 0, 4),
    }
    assert {k: tuple(v) for k, v in nonzero.iterrows()} == expected
    # totals: 7 shares, 3 late, 3 missed, 10 + 4 + 13 = 27 days late
    assert matrix.sum().to_dict() == {"shared": 7, "late": 3, "missed": 3, "days_late": 27}


def test_late_after_days_moves_the_due_date_without_a_by(hand_worked):
    """With 5 days' grace, is police→csc (5 days after ev3, no `by`) on time while the
    `by`-dated gp→csc and hv→csc stay late?"""
    matrix = flow_matrix(hand_worked, late_after_days=5)
    assert tuple(matrix.loc[("police", "csc")]) == (1, 0, 0, 0)
    assert tuple(matrix.loc[("gp", "csc")]) == (1, 1, 0, 10)
    assert matrix["days_late"].sum() == 23  # 10 + 13


def test_square_is_from_by_to_in_review_order(hand_worked):
    """Does `square` give one measure as a from × to table in the review's agency order?"""
    table = square(flow_matrix(hand_worked), "missed")
    assert list(table.index) == ["school", "gp", "hv", "csc", "police"]
    assert list(table.columns) == ["school", "gp", "hv", "csc", "police"]
    assert table.loc["police", "gp"] == 1 and table.loc["gp", "police"] == 0
    assert int(table.to_numpy().sum()) == 3


@pytest.mark.parametrize("measure", MATRIX_COLUMNS)
def test_every_measure_squares(hand_worked, measure):
    """Can every measure be drawn as a square table with the matrix's total?"""
    matrix = flow_matrix(hand_worked)
    assert square(matrix, measure).to_numpy().sum() == matrix[measure].sum()
