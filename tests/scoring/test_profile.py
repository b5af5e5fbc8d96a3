"""The per-step profile: positive share of evidence weight per step, only steps with evidence."""

from __future__ import annotations

import pytest

from toolkit.guidance import vocabulary
from toolkit.scoring.marks import StepEvidence
from toolkit.scoring.profile import (
    FALLBACK_MISCONCEPTION_STEPS,
    concept_steps,
    misconception_steps,
    step_profile,
)


def ev(step: str, weight: float) -> StepEvidence:
    return StepEvidence(step, weight, "test")


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        ([ev("S5", 1), ev("S5", 1)], {"S5": (1.0, 2)}),
        ([ev("S9", 1), ev("S9", -1)], {"S9": (0.5, 2)}),
        ([ev("S4", -1)], {"S4": (0.0, 1)}),
        ([ev("S8", 2), ev("S8", -1)], {"S8": (2 / 3, 2)}),  # weights count, not just signs
        ([ev("S6", 0)], {}),  # zero is no evidence
        ([], {}),
    ],
)
def test_step_scores(pieces, expected):
    """Is a step's score positive / (positive + negative) weight, with the number of pieces?"""
    profile = step_profile(pieces)
    assert {s: p.evidence for s, p in profile.items()} == {s: n for s, (_, n) in expected.items()}
    assert {s: p.score for s, p in profile.items()} == pytest.approx(
        {s: score for s, (score, _) in expected.items()}
    )


def test_only_steps_with_evidence_in_natural_order():
    """Are steps without evidence left out, and S10 listed after S2?"""
    profile = step_profile([ev("S10", 1), ev("S2", -1), ev("S1", 1)])
    assert list(profile) == ["S1", "S2", "S10"]


def test_to_dict_matches_the_contract():
    """Does a step serialise as {"score", "evidence"} as CASE_FORMAT §4 shows?"""
    profile = step_profile([ev("S5", 1), ev("S5", -1), ev("S5", 1)])
    assert profile["S5"].to_dict() == {"score": 0.667, "evidence": 3}


def test_every_misconception_has_steps():
    """Does every misconception in the vocabulary point at some step, for negative evidence?"""
    vocab = vocabulary()
    for mid in vocab.misconceptions:
        steps = misconception_steps(mid)
        assert steps and set(steps) <= set(vocab.steps), mid
    assert set(FALLBACK_MISCONCEPTION_STEPS) == set(vocab.misconceptions)


def test_concept_steps_come_from_the_vocabulary():
    """Are a concept's steps those CASE_FORMAT §1 lists (C-risk-of-harm → S1 S2 S5)?"""
    assert concept_steps("C-risk-of-harm") == ("S1", "S2", "S5")
    assert concept_steps("C-no-such-thing") == ()
