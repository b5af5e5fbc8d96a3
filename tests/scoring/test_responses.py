"""RESPONSES.json parsing: typed answers on the learner's path, or a one-line ResponseError."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.errors import ResponseError
from toolkit.scoring.fileio import read_responses
from toolkit.scoring.responses import PlanAnswer, leads_to, parse_responses

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
FILES = Path(__file__).parent / "files" / "responses"
BAD = sorted((FILES / "bad").glob("*.json"))

# Each bad file → words its one-line error must contain.
EXPECTED = {
    "empty-file": "the responses file is empty",
    "whitespace-only": "the responses file is empty",
    "not-json": "not valid JSON (Expecting property name enclosed in double quotes at line 2",
    "empty-object": "responses are empty",
    "top-level-list": "responses are empty",
    "no-answers": "responses have no answers",
    "answers-not-a-list": "responses have no answers",
    "answer-not-an-object": "answer 1 must be an object, not 'd1'",
    "answer-without-decision": "answer 1 decision must be a non-empty string, not None",
    "unknown-decision": "answer 2 decision: unknown id 'd9' (expected one of: d1, d1b, d2, d3, d4)",
    "unknown-option": "decision 'd1' choice: unknown id 'z' (expected one of: a, b, c, d)",
    "unknown-ticked-option": "decision 'd2' choices: unknown id 'q'",
    "ticked-twice": "decision 'd2' choices lists 'a' more than once",
    "duplicate-answer": "decision 'd1' is answered more than once",
    "off-path-branch-not-taken": "answer to 'd1b' is off the learner's path (d1 → d2)",
    "off-path-after-gap": "answer to 'd3' is off the learner's path (d1 → d2)",
    "off-path-after-ending": "answer to 'd2' is off the learner's path (d1 → d1b → e-harmed)",
    "choices-for-a-choice": "'d1' is a choice decision; give `choice`, not `choices`",
    "choice-not-a-string": "decision 'd1' choice must be a non-empty string, not 1",
    "choices-not-a-list": "decision 'd2' choices must be a list of ids, not 'a'",
    "missing-choice": "answer to 'd1' has no `choice`",
    "misspelt-field": "answer to 'd1' has unknown field 'choise'",
    "unknown-top-field": "responses has unknown field 'learner_id'",
    "wrong-scenario": "responses are for scenario 'sc-other', not 'sc-nursery-bruising'",
    "learner-not-a-string": "learner must be a non-empty string, not 42",
    "rationale-not-text": "answer to 'd1': rationale must be text",
    "plan-not-an-object": "decision 'd3' plan must be an object with items, recipients",
    "plan-missing-fields": "decision 'd3' plan is missing lawful_basis, condition, timing",
    "plan-unknown-item": "decision 'd3' plan items: unknown id 'diary'",
    "plan-unknown-basis": "decision 'd3' plan lawful_basis: unknown id 'gdpr'",
    "plan-bad-timing": "decision 'd3' plan timing: unknown id 'tomorrow'",
    "plan-record-not-bool": "decision 'd3' plan record must be true or false, not 'yes'",
    "plan-items-not-a-list": "decision 'd3' plan items must be a list of ids",
}


@pytest.fixture(scope="module")
def scenario():
    return load_case(EXAMPLE)


def test_every_bad_file_has_an_expectation():
    """Is each bad file listed with its message (and no listed file missing)?"""
    assert {p.stem for p in BAD} == set(EXPECTED)


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_gives_one_line_error(path: Path, scenario):
    """Does each faulty responses file raise a ResponseError with one clear line?"""
    with pytest.raises(ResponseError) as info:
        parse_responses(scenario, read_responses(path))
    message = str(info.value)
    assert "\n" not in message
    assert EXPECTED[path.stem] in message


def test_model_answer_parses_into_typed_answers(scenario):
    """Does a full answer become typed answers in path order, ending where its choices lead?"""
    parsed = parse_responses(scenario, read_responses(FILES / "model-answer.json"))
    assert parsed.path == ("d1", "d2", "d3", "d4")
    assert (parsed.ending, parsed.waiting, parsed.complete) == ("e-protected", None, True)
    d1, d2, d3, _ = parsed.answers
    assert d1.choice == "a" and d1.rationale.startswith("Unexplained bruises")
    assert d2.choices == ("a", "b", "c")
    assert isinstance(d3.plan, PlanAnswer) and d3.plan.items == (
        "body-map",
        "attendance",
        "drop-off",
    )
    assert d3.plan.record is True


def test_answers_in_any_order_follow_the_path(scenario):
    """Are answers matched by decision id, so file order does not matter, and may stop early?"""
    parsed = parse_responses(scenario, read_responses(FILES / "incomplete-stops-before-plan.json"))
    assert parsed.path == ("d1", "d2")
    assert (parsed.ending, parsed.waiting, parsed.complete) == (None, "d3", False)


def test_scenario_and_learner_may_be_left_out(scenario):
    """Does a bare answer sheet take the scenario's id and an anonymous learner?"""
    parsed = parse_responses(scenario, read_responses(FILES / "no-learner-choice-only.json"))
    assert (parsed.scenario, parsed.learner) == ("sc-nursery-bruising", "anonymous")
    assert parsed.answers[0].rationale is None


def test_branch_taken_by_the_learners_choice(scenario):
    """Does the path follow the chosen option's `next` (d1=b goes to d1b, then to an ending)?"""
    parsed = parse_responses(scenario, read_responses(FILES / "poor-waits-for-proof.json"))
    assert parsed.path == ("d1", "d1b") and parsed.ending == "e-harmed"


@pytest.mark.parametrize(
    ("decision", "choice", "target"),
    [
        ("d1", "a", "d2"),
        ("d1", "b", "d1b"),
        ("d2", None, "d3"),
        ("d3", None, "d4"),
        ("d4", "c", "e-mixed"),
    ],
)
def test_leads_to(scenario, decision, choice, target):
    """Does each way out lead where the scenario says (option next, decision next, following)?"""
    assert leads_to(scenario, decision, choice) == target


def _plan_answer(**plan):
    base = {
        "items": [],
        "recipients": [],
        "lawful_basis": None,
        "condition": None,
        "timing": "not-needed",
        "tell_family": "no",
        "record": True,
    }
    answers = [
        {"decision": "d1", "choice": "b"},
        {"decision": "d1b", "choice": "a"},
        {"decision": "d3", "plan": {**base, **plan}},
    ]
    return {"scenario": "sc-nursery-bruising", "answers": answers}


def test_a_plan_sharing_nothing_needs_no_basis_or_condition(scenario):
    """Is a plan with no items and no recipients taken with a null basis and condition?"""
    parsed = parse_responses(scenario, _plan_answer())
    plan = parsed.answers[-1].plan
    assert (plan.lawful_basis, plan.condition, plan.shares_nothing) == (None, None, True)
    named = parse_responses(scenario, _plan_answer(lawful_basis="public-task"))
    assert named.answers[-1].plan.lawful_basis == "public-task"


@pytest.mark.parametrize("shared", [{"items": ["body-map"]}, {"recipients": ["csc"]}])
def test_a_plan_that_shares_still_needs_a_basis(scenario, shared):
    """Does a plan sharing anything still need its basis, with a one-line reason?"""
    with pytest.raises(ResponseError) as caught:
        parse_responses(scenario, _plan_answer(**shared))
    assert str(caught.value) == (
        "decision 'd3' plan lawful_basis must be given when the plan shares something "
        "(null only when it shares no items with no recipients)"
    )
