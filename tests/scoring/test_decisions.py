"""Decision-type registry: choice and multi marking, maxima, penalties, the registry's reach."""

from __future__ import annotations

from typing import get_args

import pytest

from toolkit.cases.model import Decision, DecisionType
from toolkit.scoring import answers, responses
from toolkit.scoring.decisions import KINDS, answer_max, mark_answer, penalty
from toolkit.scoring.responses import Answer


def option(oid: str, points: float, **extra) -> dict:
    return {
        "id": oid,
        "text": f"Option {oid}",
        "points": points,
        "feedback": f"Because {oid} (S5).",
        **extra,
    }


CHOICE = Decision.model_validate(
    {
        "id": "d1",
        "prompt": "What now?",
        "type": "choice",
        "options": [
            option("a", 2, evidence={"S5": 1, "S1": 1}),
            option("b", 1),
            option("c", 0, evidence={"S5": -1}, misconception="M-wait-for-proof"),
        ],
    }
)
MULTI = Decision.model_validate(
    {
        "id": "d2",
        "prompt": "Tick all that apply.",
        "type": "multi",
        "options": [
            option("a", 1, evidence={"S8": 1}),
            option("b", 1, evidence={"S8": 1}),
            option("c", 0, misconception="M-dp-barrier"),  # harmful: default penalty 1
            option("d", 0),  # neutral distractor: no penalty
            option("e", 0, evidence={"S4": -1}, penalty=2),  # explicit penalty
            option("f", 0, misconception="M-consent-always", penalty=0),  # default switched off
        ],
    }
)


def test_registry_covers_every_decision_type():
    """Does each decision type the model allows have a marker, a parser and model/poor answers?"""
    types = set(get_args(DecisionType))
    assert set(KINDS) == types
    assert set(responses.ANSWER_PARSERS) == types
    assert set(answers.MODEL) == set(answers.POOR) == types


@pytest.mark.parametrize(("choice", "points"), [("a", 2), ("b", 1), ("c", 0)])
def test_choice_earns_the_options_points(choice, points):
    """Does a choice earn its option's points out of the best option's?"""
    marks = mark_answer(CHOICE, Answer("d1", choice=choice))
    assert (marks.points, marks.max_points) == (points, 2)
    assert marks.feedback == (f"Because {choice} (S5).",)
    assert marks.detail == {"choice": choice, "best": ["a"]}


def test_choice_passes_on_evidence_and_misconception():
    """Do the option's evidence signs and misconception reach the marks, traced to the option?"""
    good = mark_answer(CHOICE, Answer("d1", choice="a"))
    assert [(e.step, e.weight, e.source) for e in good.evidence] == [
        ("S5", 1, "d1 option a"),
        ("S1", 1, "d1 option a"),
    ]
    bad = mark_answer(CHOICE, Answer("d1", choice="c"))
    assert bad.misconceptions == ("M-wait-for-proof",)
    assert bad.triggers[0].text == "Option c"


@pytest.mark.parametrize(
    ("ticked", "points"),
    [
        (("a", "b"), 2),
        (("a",), 1),
        ((), 0),
        (("a", "b", "d"), 2),  # a neutral distractor costs nothing
        (("a", "b", "c"), 1),  # a harmful pick costs 1 by default
        (("a", "b", "e"), 0),  # an explicit penalty of 2
        (("a", "b", "f"), 2),  # penalty: 0 written out switches the default off
        (("a", "c", "e"), 0),  # floored at 0, never negative
        (("a", "b", "c", "d", "e", "f"), 0),  # ticking everything never pays
    ],
)
def test_multi_points_less_penalties(ticked, points):
    """Is a multi worth ticked points less penalties, floored at 0, out of all positive points?"""
    marks = mark_answer(MULTI, Answer("d2", choices=ticked))
    assert (marks.points, marks.max_points) == (points, 2)


@pytest.mark.parametrize(("oid", "expected"), [("a", 0), ("c", 1), ("d", 0), ("e", 2), ("f", 0)])
def test_penalty_defaults(oid, expected):
    """Does an option's penalty follow the documented default and explicit values?"""
    assert penalty(next(o for o in MULTI.options if o.id == oid)) == expected


def test_multi_feedback_covers_ticked_and_missed():
    """Does a multi explain each ticked option and each right option left unticked?"""
    marks = mark_answer(MULTI, Answer("d2", choices=("a", "c")))
    assert marks.feedback[0].startswith("You ticked “Option a”")
    assert marks.feedback[1].startswith("You ticked “Option c”")
    assert marks.feedback[2].startswith("You did not tick “Option b”")
    assert marks.misconceptions == ("M-dp-barrier",)
    assert marks.detail["penalties"] == 1


def test_answer_max_by_type():
    """Is each type's maximum the documented one (choice best, multi positives, plan 7)?"""
    assert answer_max(CHOICE) == 2
    assert answer_max(MULTI) == 2
    plan = Decision.model_validate(
        {
            "id": "d3",
            "prompt": "Plan",
            "type": "share-plan",
            "plan": {
                "items": [{"id": "x", "text": "X", "needed": True}],
                "recipients": [{"id": "y", "text": "Y", "needed": True}],
                "lawful_basis": ["public-task"],
                "condition": ["none-needed"],
                "timing": "today",
                "tell_family": "yes-after",
            },
        }
    )
    assert answer_max(plan) == 7
