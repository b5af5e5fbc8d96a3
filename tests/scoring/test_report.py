"""score_attempt and score_file: whole attempts on the example scenario against committed goldens.

Goldens live in files/golden/<responses file>.json. After a deliberate change to scoring or
to the rationale detector, rewrite them with ``SAFESHARE_UPDATE_GOLDENS=1 pytest
tests/scoring/test_report.py`` and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.errors import CaseFileError, ResponseError
from toolkit.scoring import model_answer, poor_answer, score_attempt, score_file
from toolkit.scoring.fileio import read_responses
from toolkit.scoring.responses import parse_responses

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
FILES = Path(__file__).parent / "files"
RESPONSES = sorted((FILES / "responses").glob("*.json"))
GOLDEN = FILES / "golden"
UPDATE = os.environ.get("SAFESHARE_UPDATE_GOLDENS") == "1"

CONTRACT_KEYS = {
    "scenario",
    "learner",
    "points",
    "max_points",
    "score",
    "decisions",
    "steps",
    "misconceptions",
}
DECISION_KEYS = {
    "decision",
    "points",
    "max_points",
    "concepts",
    "misconceptions",
    "evidence",
    "feedback",
}


@pytest.fixture(scope="module")
def scenario():
    return load_case(EXAMPLE)


@pytest.mark.parametrize("path", RESPONSES, ids=[p.stem for p in RESPONSES])
def test_score_matches_golden(path: Path):
    """Does each responses file score exactly as its committed golden says?"""
    got = score_file(EXAMPLE, path)
    golden = GOLDEN / path.name
    if UPDATE:
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden for {path.name}: run with SAFESHARE_UPDATE_GOLDENS=1"
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_every_golden_has_its_responses_file():
    """Is each golden still backed by a responses file (no stale goldens)?"""
    assert {p.name for p in GOLDEN.glob("*.json")} == {p.name for p in RESPONSES}


@pytest.mark.parametrize("path", RESPONSES, ids=[p.stem for p in RESPONSES])
def test_score_object_has_the_contract_shape(path: Path):
    """Does every score object carry CASE_FORMAT §4's keys and types, 0 ≤ score ≤ 1?"""
    got = score_file(EXAMPLE, path)
    assert CONTRACT_KEYS <= set(got)
    assert 0 <= got["score"] <= 1 and got["points"] <= got["max_points"]
    for decision in got["decisions"]:
        assert DECISION_KEYS <= set(decision)
        assert 0 <= decision["points"] <= decision["max_points"]
        assert all(set(e) >= {"id", "text"} for e in decision["evidence"])
    for step, entry in got["steps"].items():
        assert step.startswith("S") and set(entry) == {"score", "evidence"}
        assert 0 <= entry["score"] <= 1 and entry["evidence"] > 0
    assert len(got["misconceptions"]) == len(set(got["misconceptions"]))


def test_model_answer_scores_at_least_0_9(scenario):
    """Does the model answer (best options, ideal plan, model rationales) score ≥ 0.9?"""
    committed = read_responses(FILES / "responses" / "model-answer.json")
    assert model_answer(scenario) == committed
    report = score_attempt(scenario, committed)
    assert report.score >= 0.9, report.to_dict()
    assert report.misconceptions == ()
    assert report.ending == "e-protected"


def test_poor_answer_that_waits_for_proof_scores_at_most_0_4(scenario):
    """Does waiting for proof (d1=b, d1b=b) score ≤ 0.4, reach harm and list M-wait-for-proof?"""
    report = score_attempt(
        scenario, read_responses(FILES / "responses" / "poor-waits-for-proof.json")
    )
    assert report.score <= 0.4
    assert report.ending == "e-harmed"
    assert report.misconceptions[0] == "M-wait-for-proof"


def test_poor_answer_that_asks_parents_and_shares_everything(scenario):
    """Does asking consent first and sharing everything score ≤ 0.4, with each belief listed?"""
    path = FILES / "responses" / "poor-consent-shares-everything.json"
    report = score_attempt(scenario, read_responses(path))
    assert report.score <= 0.4
    expected = {
        "M-consent-always",  # d1=c, and consent as basis
        # "I would also wait until we are certain" in the d1 rationale is missed today:
        # a known miss in tests/scoring/test_rationale.py
        "M-dp-barrier",  # d2=d
        "M-share-everything",  # every item
        "M-tell-family-always",  # yes-first
        "M-no-record",  # record false
        "M-paperwork-first",  # d4=c
    }
    assert expected <= set(report.misconceptions), report.misconceptions
    assert report.steps["S4"].score < 0.5 and report.steps["S8"].score < 0.5


def test_helper_answers_bracket_the_example(scenario):
    """Do model_answer and poor_answer land either side of the bar for the example?"""
    assert score_attempt(scenario, model_answer(scenario)).score >= 0.9
    poor = score_attempt(scenario, poor_answer(scenario))
    assert poor.score <= 0.4 and poor.misconceptions


def test_incomplete_attempt_scores_what_was_answered(scenario):
    """Is an attempt that stops early scored on the decisions met, marked incomplete?"""
    path = FILES / "responses" / "incomplete-stops-before-plan.json"
    got = score_attempt(scenario, read_responses(path)).to_dict()
    assert [d["decision"] for d in got["decisions"]] == ["d1", "d2"]
    assert got["max_points"] == 7 + 3
    assert (got["complete"], got["ending"], got["waiting"]) == (False, None, "d3")


def test_parsed_and_raw_responses_score_alike(scenario):
    """Does score_attempt give the same report for a raw dict and its parsed Responses?"""
    raw = read_responses(FILES / "responses" / "partial-near-misses.json")
    assert score_attempt(scenario, raw) == score_attempt(scenario, parse_responses(scenario, raw))


def test_score_file_names_the_file_in_errors():
    """Does a bad responses file give one line naming the file, for the CLI to print?"""
    bad = FILES / "responses" / "bad" / "off-path-branch-not-taken.json"
    with pytest.raises(ResponseError, match=r"off-path-branch-not-taken\.json: answer to 'd1b'"):
        score_file(EXAMPLE, bad)


def test_score_file_refuses_a_review(tmp_path: Path):
    """Is a review passed as the scenario refused as a case-file problem, not a crash?"""
    review = tmp_path / "rv.yaml"
    review.write_text(
        "id: rv-x\nkind: review\ntitle: T\nnation: wales\nanonymisation: Fictional.\n"
        "agencies: [{id: school, name: School, sector: education}]\n"
        "chronology: [{id: ev1, date: 2022-03-14, agency: school, event: E}]\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseFileError, match="expected a scenario"):
        score_file(review, FILES / "responses" / "model-answer.json")


def test_scoring_imports_no_widget_notebook_or_database_module():
    """Does scoring a file load no ipywidgets, IPython, SQLAlchemy or storage module?"""
    code = (
        "import sys; from toolkit.scoring import score_file; "
        f"score_file({str(EXAMPLE)!r}, {str(FILES / 'responses' / 'model-answer.json')!r}); "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'ipywidgets', 'IPython', "
        "'sqlalchemy'} or m.startswith(('toolkit.storage', 'toolkit.widgets', 'toolkit.app'))]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
