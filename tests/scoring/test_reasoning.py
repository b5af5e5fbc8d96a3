"""Rationale marks: points from expected concepts, evidence for steps, feedback asking for more.

The detector is replaced by a stub here, so these tests pin the marking rules alone; the
detector's own accuracy is tested in test_rationale.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from toolkit.cases.model import Decision
from toolkit.scoring.feedback import misconception_line
from toolkit.scoring.reasoning import mark_rationale, rationale_max


@dataclass
class Span:
    id: str
    text: str
    start: int
    end: int


@dataclass
class Found:
    concepts: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    evidence: list[Span] = field(default_factory=list)


def stub(*ids: str):
    """A detector that 'finds' the given ids, each triggered by the first word of the text."""

    def analyse(text: str) -> Found:
        word = text.split()[0]
        spans = [Span(i, word, 0, len(word)) for i in ids]
        return Found(
            [i for i in ids if i.startswith("C-")], [i for i in ids if i.startswith("M-")], spans
        )

    return analyse


DECISION = Decision.model_validate(
    {
        "id": "d1",
        "prompt": "What now?",
        "type": "choice",
        "options": [
            {"id": "a", "text": "A", "points": 2, "feedback": "Yes (S5)."},
            {"id": "b", "text": "B", "points": 0, "feedback": "No (S5)."},
        ],
        "rationale": {
            "prompt": "Why?",
            "expect": {"C-risk-of-harm": 2, "C-timely": 1, "C-record-decision": 1},
            "min_words": 10,
        },
    }
)
NO_SPEC = DECISION.model_copy(update={"rationale": None})
TEN_WORDS = "There is a clear risk to the child so act today."


def test_max_is_the_sum_of_expected_weights():
    """Is a rationale's maximum the sum of its expect weights (0 when none is asked for)?"""
    assert rationale_max(DECISION) == 4 and rationale_max(NO_SPEC) == 0


@pytest.mark.parametrize(
    ("found", "points"),
    [
        ((), 0),
        (("C-risk-of-harm",), 2),
        (("C-risk-of-harm", "C-timely", "C-record-decision"), 4),
        (("C-objective",), 0),  # a sound concept, but not one this decision expects
        (("C-risk-of-harm", "C-risk-of-harm"), 2),  # found twice still counts once
    ],
)
def test_points_are_weights_of_expected_concepts(found, points):
    """Does a rationale earn the weights of the expected concepts found, and nothing else?"""
    marks = mark_rationale(DECISION, TEN_WORDS, stub(*found))
    assert (marks.points, marks.max_points) == (points, 4)


def test_unexpected_concepts_still_count_as_step_evidence():
    """Does a concept the decision did not ask for still add +1 on each of its steps?"""
    marks = mark_rationale(DECISION, TEN_WORDS, stub("C-objective", "C-timely"))
    assert [(e.step, e.weight) for e in marks.evidence] == [("S2", 1), ("S5", 1), ("S9", 1)]
    assert marks.concepts == ("C-objective", "C-timely")


def test_misconceptions_are_listed_negative_and_corrected():
    """Is a misconception in the text listed, -1 on its steps, and met with a kind correction?"""
    marks = mark_rationale(DECISION, TEN_WORDS, stub("M-wait-for-proof"))
    assert marks.misconceptions == ("M-wait-for-proof",)
    assert [(e.step, e.weight) for e in marks.evidence] == [("S5", -1)]
    line = misconception_line("M-wait-for-proof")
    assert line in marks.feedback and "S5" in line


def test_triggers_carry_the_detectors_words():
    """Does each detection keep the words (and offsets) that triggered it?"""
    marks = mark_rationale(DECISION, TEN_WORDS, stub("C-risk-of-harm"))
    (trigger,) = marks.triggers
    assert (trigger.id, trigger.text, trigger.start, trigger.end) == (
        "C-risk-of-harm",
        "There",
        0,
        5,
    )
    assert trigger.to_dict() == {
        "id": "C-risk-of-harm",
        "text": "There",
        "source": "d1 rationale",
        "start": 0,
        "end": 5,
    }


def test_short_rationale_earns_but_is_asked_for_more():
    """Does a rationale under min_words keep its points but get a line asking for more?"""
    marks = mark_rationale(DECISION, "Risk of harm.", stub("C-risk-of-harm"))
    assert marks.points == 2
    assert marks.feedback[0].startswith("Your reasoning has 3 words; write at least 10")


def test_missing_expected_concepts_get_nudges_citing_steps():
    """Is each expected concept not shown met with a line naming it and its steps?"""
    marks = mark_rationale(DECISION, TEN_WORDS, stub("C-risk-of-harm"))
    assert len(marks.feedback) == 2
    assert "“Timely”" in marks.feedback[0] and "(S5, S9)" in marks.feedback[0]
    assert "(S3, S7)" in marks.feedback[1]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_rationale_earns_nothing_of_the_maximum(text):
    """Does a missing rationale score 0 of the maximum and invite reasoning?"""
    marks = mark_rationale(DECISION, text, stub("C-risk-of-harm"))
    assert (marks.points, marks.max_points) == (0, 4)
    assert marks.feedback[0].startswith("You gave no reasoning")


def test_rationale_without_a_prompt_is_evidence_only():
    """Is reasoning given where none was asked read for evidence but worth no points?"""
    marks = mark_rationale(NO_SPEC, TEN_WORDS, stub("C-risk-of-harm"))
    assert (marks.points, marks.max_points) == (0, 0)
    assert {e.step for e in marks.evidence} == {"S1", "S2", "S5"}
    assert mark_rationale(NO_SPEC, None, stub()).feedback == ()
