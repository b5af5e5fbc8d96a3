"""Moderation: a trainer's override, checked, stored beside the scorer's and applied."""

from __future__ import annotations

import pytest

from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary
from toolkit.scoring.report import rationale_misconceptions
from toolkit.workshop.cohorts import cohort_record
from toolkit.workshop.moderation import (
    add_override,
    attempt_overrides,
    check_override,
    latest_by_answer,
    moderate,
    moderated_report,
    moderation_notes,
    suggested_points,
)

RESULT = {
    "decision": "d1",
    "points": 5.0,
    "max_points": 7.0,
    "concepts": ["C-timely", "C-risk-of-harm"],
    "misconceptions": ["M-wait-for-proof"],
    "rationale": {"points": 3.0, "max_points": 5.0},
    "evidence": [
        {"id": "C-timely", "text": "today", "source": "d1 rationale"},
        {"id": "C-risk-of-harm", "text": "risk", "source": "d1 rationale"},
        {"id": "M-wait-for-proof", "text": "wait", "source": "d1 rationale"},
    ],
}
OVERRIDE = {
    "id": 1,
    "answer_id": 9,
    "trainer": "Jo",
    "concepts": ["C-risk-of-harm"],
    "points": 2.0,
    "reason": "timing was not shown",
    "created_at": None,
}


@pytest.mark.parametrize(
    ("decision", "concepts", "points", "reason", "message"),
    [
        ("d2", [], 0, "x", "asks for no rationale"),
        ("d1", ["C-made-up"], 0, "x", "unknown concept"),
        ("d1", [], -1, "x", "between 0 and 5"),
        ("d1", [], 5.5, "x", "between 0 and 5"),
        ("d1", [], 1, "   ", "give a reason"),
        ("d1", [], 1, "x" * 2001, "under 2000"),
    ],
)
def test_check_refuses_bad_overrides(nursery, decision, concepts, points, reason, message):
    """Is an override refused when it names unknown concepts, odd points or no reason?"""
    with pytest.raises(SafeShareError, match=message):
        check_override(nursery.decision(decision), concepts, points, reason)


def test_check_cleans_a_good_override(nursery):
    """Are repeated concepts dropped and the reason trimmed?"""
    got = check_override(nursery.decision("d1"), ["C-timely", "C-timely"], 1, "  fine ")
    assert got == (["C-timely"], 1.0, "fine", None)  # misconceptions: as scored
    judged = check_override(nursery.decision("d1"), [], 0, "x", ["M-dp-barrier"] * 2)
    assert judged[3] == ["M-dp-barrier"]
    with pytest.raises(SafeShareError, match="unknown misconception"):
        check_override(nursery.decision("d1"), [], 0, "x", ["M-made-up"])


def test_suggested_points_follow_the_expect_weights(nursery):
    """Does the form's default equal the scorer's rule (sum of expected weights, capped)?"""
    d1 = nursery.decision("d1")
    assert suggested_points(d1, ["C-risk-of-harm", "C-timely", "C-objective"]) == 3
    assert suggested_points(d1, list(d1.rationale.expect)) == 5


def test_moderate_replaces_the_rationale_part_only():
    """Does an override swap the rationale's concepts and points, keeping the option part?"""
    judged = moderate(RESULT, OVERRIDE)
    assert judged["points"] == 4.0  # 2 option points + the trainer's 2
    assert judged["concepts"] == ["C-risk-of-harm"]
    assert judged["misconceptions"] == ["M-wait-for-proof"]
    assert [e["id"] for e in judged["evidence"]] == ["C-risk-of-harm", "M-wait-for-proof"]
    assert judged["moderated"]["auto_points"] == 5.0 and judged["moderated"]["by"] == "Jo"
    assert RESULT["points"] == 5.0  # the stored result is untouched
    assert moderate(RESULT, None) is RESULT


def test_moderate_can_clear_a_rationale_misconception_and_keeps_an_options():
    """When the trainer says the rationale shows no misconception (the detector missed a
    negation), does it go, with its evidence, while one the chosen option carries stays?"""
    result = {**RESULT, "misconceptions": ["M-wait-for-proof", "M-consent-always"]}
    judged = moderate(result, {**OVERRIDE, "misconceptions": []})
    assert judged["misconceptions"] == ["M-consent-always"]
    assert "M-wait-for-proof" not in [e["id"] for e in judged["evidence"]]
    assert rationale_misconceptions(judged) == ()
    assert judged["moderated"]["auto_misconceptions"] == ["M-wait-for-proof", "M-consent-always"]
    added = moderate(result, {**OVERRIDE, "misconceptions": ["M-dp-barrier"]})
    assert added["misconceptions"] == ["M-consent-always", "M-dp-barrier"]
    assert rationale_misconceptions(added) == ("M-dp-barrier",)
    assert moderate(result, OVERRIDE)["misconceptions"] == result["misconceptions"]  # as scored


def test_latest_override_wins():
    """When an answer was moderated twice, does the later judgement count?"""
    rows = [{**OVERRIDE, "id": 2, "reason": "later"}, OVERRIDE]
    assert latest_by_answer(rows)[9]["reason"] == "later"


def test_add_override_is_checked_against_the_case(store, room, scenarios):
    """Is an override stored only for an answer with a rationale, within the decision's range?"""
    answers = cohort_record(store, room["code"]).answers
    with_text = next(a for a in answers if a["decision_id"] == "d1" and a["rationale"])
    without = next(a for a in answers if a["decision_id"] == "d2")
    with pytest.raises(SafeShareError, match="no rationale"):
        add_override(store, scenarios, without["id"], concepts=[], points=0, reason="x")
    with pytest.raises(SafeShareError, match="between 0 and 5"):
        add_override(store, scenarios, with_text["id"], concepts=[], points=9, reason="x")
    row = add_override(
        store,
        scenarios,
        with_text["id"],
        concepts=["C-objective"],
        points=0,
        reason="not shown",
        trainer="  ",
    )
    assert row["trainer"] == "trainer" and store.overrides(cohort_id=room["id"]) == [row]


def _attempt_of(store, room, name):
    answers = cohort_record(store, room["code"]).answers
    return next(a for a in answers if a["display_name"] == name)["attempt_id"]


def test_learner_summary_reflects_the_override(store, room, nursery, scenarios, analyser):
    """Does the learner's report show the trainer's points, concepts, steps and note?"""
    attempt = _attempt_of(store, room, "<script>alert('name')</script>")
    rows = store.answers(attempt)
    responses = {"answers": [r["answer"] for r in rows]}
    before = moderated_report(nursery, responses, {}, analyser)
    d1 = next(r for r in rows if r["decision_id"] == "d1")
    add_override(
        store,
        scenarios,
        d1["id"],
        concepts=["C-risk-of-harm", "C-timely"],
        points=3,
        reason="Risk and urgency are both there.",
    )
    overrides = attempt_overrides(store, attempt)
    after = moderated_report(nursery, responses, overrides, analyser)
    assert after["points"] == before["points"] + 3
    first = after["decisions"][0]
    assert first["concepts"] == ["C-risk-of-harm", "C-timely"] and first["points"] == 3
    assert first["misconceptions"] == before["decisions"][0]["misconceptions"]
    assert after["steps"]["S5"]["evidence"] > before["steps"]["S5"]["evidence"]
    assert moderation_notes(after) == [
        "Decision 1: your trainer reviewed your reasoning (now 3 of 7 points). "
        "Their note: Risk and urgency are both there."
    ]
    assert moderation_notes(before) == []


def test_learner_report_follows_the_trainers_misconceptions(
    store, room, nursery, scenarios, analyser
):
    """If the trainer clears the misconceptions a rationale was flagged with, does the
    learner's report keep only those the answer itself carries (decision, attempt list,
    feedback), and does the dashboard's misconception frame follow?"""
    from tests.workshop.conftest import Found
    from toolkit.export.frames import cohort_frames
    from toolkit.scoring import score_attempt

    attempt = _attempt_of(store, room, "<script>alert('name')</script>")
    rows = store.answers(attempt)
    responses = {"answers": [r["answer"] for r in rows]}
    before = moderated_report(nursery, responses, {}, analyser)["decisions"]
    blind = score_attempt(nursery, responses, analyse=lambda _: Found((), (), ()))
    blind = blind.to_dict()["decisions"]
    # The decision whose rationale added a misconception its answer does not carry.
    pairs = enumerate(zip(before, blind, strict=True))
    i = next(i for i, (b, n) in pairs if set(b["misconceptions"]) - set(n["misconceptions"]))
    only_rationale = set(before[i]["misconceptions"]) - set(blind[i]["misconceptions"])
    add_override(
        store,
        scenarios,
        rows[i]["id"],
        concepts=before[i]["concepts"],
        points=before[i]["rationale"]["points"],
        reason="You said you would not wait for proof.",
        misconceptions=[],
    )
    after = moderated_report(nursery, responses, attempt_overrides(store, attempt), analyser)
    judged = after["decisions"][i]
    assert judged["misconceptions"] == blind[i]["misconceptions"]
    names = [vocabulary().misconceptions[m].name for m in only_rationale]
    assert not [n for n in names for line in judged["feedback"] if n in line]
    frames = cohort_frames(cohort_record(store, room["code"]), scenarios)
    mine = frames.misconceptions[frames.misconceptions["answer_id"] == rows[i]["id"]]
    assert set(mine["misconception"]) == set(blind[i]["misconceptions"])


def test_unmoderated_report_equals_the_scorer(nursery, analyser):
    """With no overrides, is the moderated report exactly score_attempt's?"""
    from toolkit.scoring import model_answer, score_attempt

    responses = model_answer(nursery)
    expected = score_attempt(nursery, responses, analyse=analyser).to_dict()
    assert moderated_report(nursery, responses, {}, analyser) == expected
