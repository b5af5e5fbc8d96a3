"""Debrief: one decision for the projector, with nothing that identifies a learner."""

from __future__ import annotations

import pytest

from toolkit.workshop.debrief import debrief_view, rationale_candidates, redact


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("Sam said wait", ["Sam"], "[name] said wait"),
        ("sam said wait", ["Sam"], "[name] said wait"),
        ("Samuel waited", ["Sam"], "Samuel waited"),
        ("ask L-1d638290fb", ["L-1d638290fb"], "ask [name]"),
        ("call 07700 900123 now", [], "call [phone] now"),
        ("nothing to hide", ["A"], "nothing to hide"),
    ],
)
def test_redact(text, names, expected):
    """Are names, learner ids and detected personal data replaced, and nothing else?"""
    assert redact(text, names) == expected


def test_candidates_are_redacted_and_ranked(frames, nursery):
    """Are the decision's rationales offered best first, with names and phones removed?"""
    found = rationale_candidates(frames.answers, nursery.id, "d1")
    assert len(found) == 4 and list(found["points"]) == sorted(found["points"], reverse=True)
    ben = next(t for t in found["text"] if "wait for proof" in t)
    assert "Ben" not in ben and "[name] thinks so too" in ben and "[phone]" in ben


def test_view_holds_no_learner_identity(frames, nursery):
    """Does the debrief carry the distribution, chosen samples and guidance, but no ids?"""
    chosen = list(rationale_candidates(frames.answers, nursery.id, "d1")["answer_id"])
    view = debrief_view(frames.answers, frames.misconceptions, nursery, "d1", chosen)
    assert (view.number, view.of, view.answered) == (1, 5, 4)
    assert len(view.samples) == 4
    assert [g.step for g in view.guidance] == ["S1", "S5", "S9"]
    assert {name for name, _, _ in view.misconceptions} >= {"Waiting for proof"}
    assert view.notes == nursery.debrief
    text = repr(view)
    for learner, name in zip(frames.answers["learner"], frames.answers["name"], strict=True):
        assert learner not in text
        assert not name or name not in text


def test_only_chosen_samples_are_shown(frames, nursery):
    """Does the view show only the rationales the trainer picked?"""
    found = rationale_candidates(frames.answers, nursery.id, "d1")
    view = debrief_view(frames.answers, frames.misconceptions, nursery, "d1", [found.iloc[0, 0]])
    assert view.samples == (found.iloc[0]["text"],)
    assert debrief_view(frames.answers, frames.misconceptions, nursery, "d1").samples == ()


def test_share_plan_debrief_has_field_charts(frames, nursery):
    """Is a share-plan decision debriefed field by field?"""
    view = debrief_view(frames.answers, frames.misconceptions, nursery, "d3")
    assert set(view.distribution) >= {"items", "recipients", "timing"}
