"""model_answer and poor_answer: valid RESPONSES objects that follow their own path to an ending."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.scoring.answers import POOR, model_answer, poor_answer
from toolkit.scoring.responses import parse_answer, parse_responses
from toolkit.scoring.share_plan import PLAN_MAX, mark_plan

EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_case(EXAMPLE)


def by_decision(responses: dict) -> dict[str, dict]:
    return {a["decision"]: a for a in responses["answers"]}


def test_model_answer_takes_the_best_path(scenario):
    """Does the model answer pick best options, all right ticks and the ideal plan, to safety?"""
    raw = model_answer(scenario)
    parsed = parse_responses(scenario, raw)
    assert parsed.path == ("d1", "d2", "d3", "d4") and parsed.ending == "e-protected"
    answers = by_decision(raw)
    assert answers["d1"]["choice"] == "a" and answers["d2"]["choices"] == ["a", "b", "c"]
    assert answers["d1"]["rationale"] == scenario.decision("d1").rationale.model
    assert "rationale" not in answers["d2"]
    plan = parsed.answers[2].plan
    assert mark_plan(scenario.decision("d3").plan, plan).points == PLAN_MAX


def test_poor_answer_follows_misconceptions(scenario):
    """Does the poor answer take the first misconception option and the path it opens?"""
    raw = poor_answer(scenario)
    parsed = parse_responses(scenario, raw)
    assert [a["choice"] for a in raw["answers"]] == ["b", "b"]
    assert parsed.ending == "e-harmed"
    assert all("rationale" not in a for a in raw["answers"])


def test_worst_plan_earns_nothing_and_shows_its_beliefs(scenario):
    """Does the worst plan score 0 of 7 and read as share-everything, family-first, no record?"""
    decision = scenario.decision("d3")
    raw = {"decision": "d3", **POOR["share-plan"](decision)}
    assert raw["plan"]["lawful_basis"] == "consent" and raw["plan"]["timing"] == "after-meeting"
    marks = mark_plan(decision.plan, parse_answer(decision, raw).plan)
    assert marks.points == 0
    assert set(marks.misconceptions) == {
        "M-share-everything",
        "M-consent-always",
        "M-tell-family-always",
        "M-no-record",
    }


def test_poor_multi_ticks_the_harmful_options(scenario):
    """Does the poor answer to a multi tick the options that carry misconceptions or penalties?"""
    assert POOR["multi"](scenario.decision("d2")) == {"choices": ["d"]}
