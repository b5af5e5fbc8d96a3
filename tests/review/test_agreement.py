"""Tests for toolkit.review.agreement: Cohen's kappa checked against hand calculation.

Hand-worked codings (tests/review/files/hand-worked.yaml). Both reviewers coded ev1–ev5
(n = 5); R1 alone coded ev6, which is left out. Themes either used: T4 T6 T12 T13 T19.

    theme  R1 yes      R2 yes         a b c d   p_o   p_e                          kappa
    T4     ev1 ev3     ev1 ev3        2 0 0 3   1.0   .4·.4 + .6·.6 = .52          1
    T6     ev1         ev3 ev4        0 1 2 2   .4    .2·.4 + .8·.6 = .56   (.4−.56)/.44 = −4/11
    T12    ev5         ev5            1 0 0 4   1.0   .2·.2 + .8·.8 = .68          1
    T13    ev2         ev2 ev5        1 0 1 3   .8    .2·.4 + .8·.6 = .56   (.8−.56)/.44 = 6/11
    T19    ev3         ev3            1 0 0 4   1.0   .68                          1

Pooled: a = 5, b = 1, c = 3, d = 16, n = 25; p_o = 21/25 = .84;
p_e = (6/25)(8/25) + (19/25)(17/25) = (48 + 323)/625 = .5936;
kappa = (.84 − .5936)/(1 − .5936) = .2464/.4064 = 77/127 ≈ 0.6063.
"""

from __future__ import annotations

import math

import pytest

from toolkit.cases.model import Coding
from toolkit.review.agreement import (
    AGREEMENT_COLUMNS,
    OVERALL,
    agreement_table,
    cohen_kappa,
    kappa,
    reviewers,
)


def test_kappa_per_theme_by_hand(hand_worked):
    """Does each theme's kappa match the hand calculation in the module docstring?"""
    assert kappa(hand_worked, "T4") == pytest.approx(1.0)
    assert kappa(hand_worked, "T6") == pytest.approx(-4 / 11)
    assert kappa(hand_worked, "T12") == pytest.approx(1.0)
    assert kappa(hand_worked, "T13") == pytest.approx(6 / 11)
    assert kappa(hand_worked, "T19") == pytest.approx(1.0)


def test_overall_kappa_is_pooled(hand_worked):
    """Is overall kappa the pooled 2×2 (77/127), not the mean of per-theme kappas?"""
    assert kappa(hand_worked) == pytest.approx(77 / 127)
    mean = (1 - 4 / 11 + 1 + 6 / 11 + 1) / 5
    assert kappa(hand_worked) != pytest.approx(mean)


def test_agreement_table_cells(hand_worked):
    """Does the table hold the 2×2 cells, p_o and p_e for each theme and overall?"""
    table = agreement_table(hand_worked)
    assert list(table.columns) == list(AGREEMENT_COLUMNS)
    assert list(table.index) == ["T4", "T6", "T12", "T13", "T19", OVERALL]
    cells = ["events", "both", "first_only", "second_only", "neither"]
    assert list(table.loc["T6", cells]) == [5, 0, 1, 2, 2]
    assert list(table.loc[OVERALL, cells]) == [5, 5, 1, 3, 16]
    assert table.loc["T6", "observed"] == pytest.approx(0.4)
    assert table.loc["T6", "expected"] == pytest.approx(0.56)
    assert table.loc[OVERALL, "expected"] == pytest.approx(0.5936)
    assert table.attrs["reviewers"] == ("R1", "R2")


def test_unused_theme_has_no_kappa(hand_worked):
    """Is kappa undefined (NaN) for a theme nobody used — all agree, but by chance?"""
    assert math.isnan(kappa(hand_worked, "T1"))


def test_swapping_reviewers_keeps_kappa(hand_worked):
    """Is kappa symmetric in the two reviewers?"""
    assert kappa(hand_worked, pair=("R2", "R1")) == pytest.approx(77 / 127)
    table = agreement_table(hand_worked, pair=("R2", "R1"))
    assert table.loc["T6", "first_only"] == 2 and table.loc["T6", "second_only"] == 1


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ((20, 5, 10, 15), 0.4),  # textbook: p_o = .7, p_e = .5 → .4
        ((0, 5, 5, 0), -1.0),  # total disagreement
        ((3, 0, 0, 0), math.nan),  # only "yes": nothing to agree on by more than chance
        ((0, 0, 0, 0), math.nan),  # no events
    ],
)
def test_cohen_kappa_table(cells, expected):
    """Does the 2×2 formula give known values and NaN where kappa is undefined?"""
    got = cohen_kappa(*cells)["kappa"]
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_three_reviewers_need_a_pair():
    """With three reviewers, must the caller name two, and then only their events count?"""
    codings = [
        Coding(reviewer="R1", event="e1", themes=["T4"]),
        Coding(reviewer="R2", event="e1", themes=["T4"]),
        Coding(reviewer="R3", event="e1", themes=[]),
        Coding(reviewer="R1", event="e2", themes=[]),
        Coding(reviewer="R2", event="e2", themes=[]),
    ]
    assert reviewers(codings) == ["R1", "R2", "R3"]
    with pytest.raises(ValueError, match="two"):
        kappa(codings)
    with pytest.raises(ValueError, match="different"):
        kappa(codings, pair=("R1", "R1"))
    # R1 vs R2: T4 a=1 d=1 → p_o 1, p_e .5 → 1
    assert kappa(codings, pair=("R1", "R2")) == pytest.approx(1.0)
    # R1 vs R3 share e1 only: a single event → p_e = 1·0 + 0·1 = 0, p_o = 0 → kappa 0
    assert kappa(codings, pair=("R1", "R3")) == pytest.approx(0.0)


def test_no_shared_events_gives_nan():
    """When the two reviewers coded different events, is kappa NaN rather than an error?"""
    codings = [
        Coding(reviewer="R1", event="e1", themes=["T4"]),
        Coding(reviewer="R2", event="e2", themes=["T4"]),
    ]
    assert math.isnan(kappa(codings))
    assert agreement_table(codings).loc[OVERALL, "events"] == 0
