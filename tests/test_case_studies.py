"""The bundled case studies: do they validate, lint clean, meet the library's requirements,
and does each scenario's model answer score high and its poor answer low?"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.cases import load_case, load_library, validate_paths
from toolkit.cases.coverage import coverage, render_text, requirements

CASES = Path(__file__).resolve().parent.parent / "case_studies"
SCENARIOS = sorted((CASES / "scenarios").glob("*.yaml"))
MODEL_AT_LEAST = 0.9
POOR_AT_MOST = 0.4


def test_every_bundled_case_validates():
    """Does every scenario and review under case_studies/ pass `safeshare validate`?"""
    assert [str(p) for p in validate_paths([CASES])] == []


def test_every_bundled_case_lints_clean():
    """Does every bundled case pass the anonymisation lint (no real-looking personal data)?"""
    from toolkit.anonymise import lint_paths

    assert [str(p) for p in lint_paths([CASES])] == []


def test_library_meets_its_coverage_requirements():
    """Does the library cover every step, concept, misconception, nation and feature it must?"""
    cov = coverage(load_library([CASES]))
    unmet = requirements(cov)
    assert unmet == [], "\n".join(unmet) + "\n\n" + render_text(cov)


def test_there_are_scenarios_to_check():
    """Is the parametrised self-test below actually fed (a glob that finds nothing passes)?"""
    assert len(SCENARIOS) >= 12


# Model answers the trained detector misreads today (docs/scoring.md, Known misses). Strict:
# when it reads one right, the test fails and the entry comes out.
MODEL_ANSWER_MISSES = {
    "sc-ni-probation-concern": "d6 'an agreement cannot make it necessary to send a club "
    "details…' is read as M-dp-barrier (0.90)",
}


def _model_answer_params() -> list:
    return [
        pytest.param(
            p,
            id=p.stem,
            marks=[
                pytest.mark.xfail(strict=True, reason=f"known miss: {MODEL_ANSWER_MISSES[p.stem]}")
            ]
            if p.stem in MODEL_ANSWER_MISSES
            else [],
        )
        for p in SCENARIOS
    ]


@pytest.mark.parametrize("path", _model_answer_params())
def test_model_answer_scores_high_and_ends_protected(path: Path):
    """Does the scenario's model answer score at least 0.9 and reach a protected ending?"""
    from toolkit.scoring import model_answer, score_attempt

    scenario = load_case(path)
    report = score_attempt(scenario, model_answer(scenario))
    assert answer_score(scenario, report) >= MODEL_AT_LEAST, _explain(report)
    assert report.ending is not None
    assert scenario.ending(report.ending).outcome == "protected"
    assert report.misconceptions == ()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_poor_answer_scores_low_and_names_a_misconception(path: Path):
    """Does a misconception-laden answer score at most 0.4 and list what it got wrong?"""
    from toolkit.scoring import poor_answer, score_attempt

    scenario = load_case(path)
    report = score_attempt(scenario, poor_answer(scenario))
    assert report.score <= POOR_AT_MOST, _explain(report)
    assert report.misconceptions, "the poor answer should trip at least one misconception"
    assert scenario.ending(report.ending).outcome != "protected"


def answer_score(scenario, report) -> float:
    """The score, leaving out the reasoning of a case written in Welsh: the rationale
    detector reads English only, so a Welsh model rationale earns nothing (the app says so
    to Welsh learners; a trainer moderates it). Everything else must still score high."""
    if scenario.language == "en":
        return report.score
    decisions = [d.to_dict() for d in report.decisions]
    reasoning = [d.get("rationale") or {"points": 0, "max_points": 0} for d in decisions]
    points = sum(d["points"] for d in decisions) - sum(r["points"] for r in reasoning)
    most = sum(d["max_points"] for d in decisions) - sum(r["max_points"] for r in reasoning)
    return points / most


def test_a_welsh_case_is_in_the_library():
    """Is there a scenario written in Welsh (language: cy) for the Welsh interface?"""
    assert any(load_case(p).language == "cy" for p in SCENARIOS)


def _explain(report) -> str:
    """Per-decision points, so a failing scenario shows where its marks went."""
    lines = [f"score {report.score:.3f} ({report.points}/{report.max_points})"]
    for decision in report.decisions:
        data = decision.to_dict()
        lines.append(
            f"  {data['decision']}: {data['points']}/{data['max_points']}"
            f" concepts={data['concepts']} misconceptions={data['misconceptions']}"
        )
    return "\n".join(lines)
