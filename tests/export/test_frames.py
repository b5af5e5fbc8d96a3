"""Stored results → tidy frames: one row per answer, answer-step, misconception, attempt."""

from __future__ import annotations

import dataclasses

import pytest

from toolkit.export.frames import (
    ANSWER_COLUMNS,
    answer_text,
    answers_frame,
    misconceptions_frame,
    progress_frame,
    rationale_misconceptions,
    steps_frame,
)

HOSTILE = "<script>alert('name')</script>"


def test_one_row_per_answer_in_arrival_order(record, scenarios):
    """Does the answers frame hold every stored answer once, in order, with its columns?"""
    frame = answers_frame(record, scenarios)
    assert list(frame.columns) == ANSWER_COLUMNS
    assert list(frame["answer_id"]) == [a["id"] for a in record.answers]
    assert frame["answered_at"].dt.tz is not None


def test_moderated_answer_shows_both_marks(record, scenarios):
    """Does a moderated answer carry the trainer's points and concepts beside the scorer's?"""
    frame = answers_frame(record, scenarios).set_index("answer_id")
    moderated = frame[frame["moderated"]]
    assert len(moderated) == 1
    row = moderated.iloc[0]
    assert (row["points"], row["auto_points"]) == (2.0, 0.0)
    assert row["concepts"] == ("C-risk-of-harm",) and row["auto_concepts"] == ()
    assert row["moderation_reason"] == "<b>Reason</b> =1+1 shows risk"
    assert row["name"] == HOSTILE


def test_answer_text_reads_like_the_options(nursery):
    """Are choices, ticks and plans given in words, not only ids?"""
    d1, d2, d3 = (nursery.decision(d) for d in ("d1", "d2", "d3"))
    assert answer_text(d1, {"choice": "b"}).startswith("Keep a close eye")
    assert answer_text(d2, {"choices": []}) == "(none ticked)"
    assert answer_text(d2, {"choices": ["a", "d"]}).count("; ") == 1
    plan = {"items": ["body-map"], "recipients": ["csc"], "timing": "now", "record": True}
    assert "items: body-map" in answer_text(d3, {"plan": plan})
    assert answer_text(None, {"choice": "zz"}) == "zz"


def _reproducing_analyser(record):
    """The detector as it ran when the answers were stored: each text → its stored marks."""
    stored = {}
    for row in record.answers:
        result = row["auto_result"]
        stored[row["rationale"]] = (result["concepts"], rationale_misconceptions(result))

    @dataclasses.dataclass
    class Found:
        concepts: tuple
        misconceptions: tuple
        evidence: tuple = ()

    return lambda text: Found(*map(tuple, stored.get(text, ((), ()))))


def test_steps_match_a_fresh_score_of_each_attempt(record, scenarios, nursery):
    """Does evidence rebuilt from stored results give the scorer's step profile exactly?"""
    from toolkit.scoring import score_attempt

    moderated = {a["attempt_id"] for a in record.answers if a["override"]}
    steps = steps_frame(record, scenarios)
    analyse = _reproducing_analyser(record)
    checked = 0
    for attempt in record.attempts:
        if attempt["id"] in moderated:
            continue
        rows = sorted(
            (a for a in record.answers if a["attempt_id"] == attempt["id"]), key=lambda a: a["seq"]
        )
        answers = [a["answer"] for a in rows]
        report = score_attempt(nursery, {"answers": answers}, analyse=analyse).to_dict()
        mine = steps[steps["learner"] == attempt["learner_id"]].groupby("step").sum()
        assert set(mine.index) == set(report["steps"])
        for step, expected in report["steps"].items():
            plus, minus = mine.loc[step, "positive"], mine.loc[step, "negative"]
            assert plus / (plus + minus) == pytest.approx(expected["score"], abs=1e-3)
            assert mine.loc[step, "pieces"] == expected["evidence"]
        checked += 1
    assert checked == 3


def test_moderation_moves_the_step_evidence(record, scenarios):
    """Does a concept the trainer credited add evidence on each of its steps?"""
    moderated = next(a for a in record.answers if a["override"])
    auto = dataclasses.replace(record, answers=[{**moderated, "result": moderated["auto_result"]}])
    judged = dataclasses.replace(record, answers=[moderated])
    before = steps_frame(auto, scenarios).set_index("step")["positive"]
    after = steps_frame(judged, scenarios).set_index("step")["positive"]
    for step in ("S1", "S2", "S5"):  # the steps of C-risk-of-harm
        assert after.get(step, 0) == before.get(step, 0) + 1


def test_unusable_answers_give_no_evidence_and_no_crash(record, scenarios):
    """Is an answer to a vanished scenario or option skipped rather than breaking the frame?"""
    odd = dict(record.answers[0], scenario_id="sc-gone")
    changed = dict(record.answers[0], answer={"decision": "d1", "choice": "zz"})
    broken = dataclasses.replace(record, answers=[odd, changed])
    assert steps_frame(broken, scenarios).empty
    assert len(answers_frame(broken, scenarios)) == 2


def test_misconceptions_say_where_they_showed(record):
    """Is each misconception tagged option, plan or rationale by what carried it?"""
    frame = misconceptions_frame(record)
    sources = set(zip(frame["decision"], frame["misconception"], frame["source"], strict=True))
    assert ("d2", "M-dp-barrier", "option") in sources
    assert ("d3", "M-no-record", "plan") in sources
    assert ("d3", "M-wait-for-proof", "rationale") in sources


def test_rationale_misconceptions_leave_out_option_ones():
    """Are only misconceptions the rationale showed counted as the rationale's?"""
    result = {
        "misconceptions": ["M-consent-always", "M-wait-for-proof"],
        "evidence": [
            {"id": "M-consent-always", "source": "d1 option c"},
            {"id": "M-wait-for-proof", "source": "d1 rationale"},
        ],
    }
    assert rationale_misconceptions(result) == ("M-wait-for-proof",)


def test_progress_shows_where_each_learner_is(record, scenarios):
    """Does progress say finished, on which decision, or not started, for every learner?"""
    frame = progress_frame(record, scenarios).set_index("name")
    assert frame.loc["Asha", "finished"] and frame.loc["Asha", "ending"] == "e-protected"
    ben = frame.loc["Ben onerror=alert(2)"]
    assert (ben["current"], ben["current_number"], ben["answered"]) == ("d3", 3, 2)
    assert ben["current_label"] == "What to share, with whom"
    idle = frame.loc[""]
    assert idle["scenario"] is None and idle["answered"] == 0 and not idle["finished"]
    assert len(frame) == len(record.learners)
