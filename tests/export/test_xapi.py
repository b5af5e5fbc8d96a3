"""xAPI statements: valid actor/verb/object/result per answer, pseudonymous, stable ids."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from toolkit.export.xapi import VERBS, statements, to_json

HOME = "https://safeshare.example.org"


@pytest.fixture
def made(frames, scenarios):
    return statements(frames.answers, scenarios, HOME, "ROOM42")


def check_statement(statement: dict) -> None:
    """The parts of xAPI 1.0.3 an LRS rejects a statement for, checked one by one."""
    uuid.UUID(statement["id"])
    actor = statement["actor"]
    assert actor["objectType"] == "Agent" and set(actor) == {"objectType", "account"}
    assert actor["account"]["homePage"] == HOME and actor["account"]["name"].startswith("L-")
    assert statement["verb"]["id"] in VERBS.values()
    assert statement["verb"]["display"]["en-GB"] in VERBS
    assert statement["object"]["objectType"] == "Activity"
    assert statement["object"]["id"].startswith(HOME + "/xapi/activities/scenarios/")
    score = statement["result"]["score"]
    assert score["min"] <= score["raw"] <= score["max"]
    assert 0 <= score["scaled"] <= 1
    if score["max"]:
        assert score["scaled"] == pytest.approx(score["raw"] / score["max"], abs=1e-4)
    stamp = dt.datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    assert stamp.utcoffset() == dt.timedelta(0)
    uuid.UUID(statement["context"]["registration"])


def test_every_statement_is_well_formed(made):
    """Does each statement have a valid actor, verb, object, result and timestamp?"""
    for statement in made:
        check_statement(statement)


def test_one_answered_per_answer_one_completed_per_finished_attempt(made, frames):
    """Are there as many answered statements as answers, and completed per finished attempt?"""
    verbs = [s["verb"]["display"]["en-GB"] for s in made]
    assert verbs.count("answered") == len(frames.answers)
    finished = frames.answers[frames.answers["finished"]]["attempt_id"].nunique()
    assert verbs.count("completed") == finished == 2


def test_responses_follow_the_interaction_type(made):
    """Is a choice its option id, a multi ids joined by [,], a plan its JSON?"""
    by_decision = {}
    for s in made:
        if s["verb"]["id"] == VERBS["answered"]:
            by_decision.setdefault(s["object"]["id"].rsplit("/", 1)[1], []).append(s)
    assert {s["result"]["response"] for s in by_decision["d1"]} == {"a", "b", "c"}
    assert "a[,]b[,]c" in {s["result"]["response"] for s in by_decision["d2"]}
    plans = [json.loads(s["result"]["response"]) for s in by_decision["d3"]]
    assert {p["timing"] for p in plans} == {"now", "after-meeting"}
    d1 = by_decision["d1"][0]["object"]["definition"]
    assert d1["interactionType"] == "choice" and [c["id"] for c in d1["choices"]] == list("abcd")


def test_moderated_scores_are_exported(made, frames):
    """Does the moderated answer's statement carry the trainer's points?"""
    moderated = frames.answers[frames.answers["moderated"]].iloc[0]
    statement = next(
        s
        for s in made
        if s["result"].get("extensions", {}).get(f"{HOME}/xapi/extensions/moderated")
    )
    assert statement["result"]["score"]["raw"] == moderated["points"] == 2.0


def test_no_display_name_leaves_safeshare(made, frames):
    """Is the actor pseudonymous: no learner's display name anywhere in the statements?"""
    text = to_json(made).decode()
    names = [n for n in frames.answers["name"] if n]
    assert names and not [n for n in names if json.dumps(n)[1:-1] in text]


def test_ids_are_stable_between_exports(frames, scenarios, made):
    """Does exporting the same cohort twice give the same statement ids (no LRS duplicates)?"""
    again = statements(frames.answers, scenarios, HOME, "ROOM42")
    assert [s["id"] for s in again] == [s["id"] for s in made]
    assert len({s["id"] for s in made}) == len(made)


def test_json_is_a_list(made):
    """Is the export one JSON list of statement objects?"""
    decoded = json.loads(to_json(made))
    assert isinstance(decoded, list) and decoded == json.loads(json.dumps(made, default=str))
