"""Moderation: a trainer's judgement of a rationale, kept beside the scorer's, and what it changes.

The automatic detector can miss a concept a learner plainly showed, or credit one they did
not. A trainer may then say which concepts the rationale shows and what it earns, with a
reason. The scorer's result is never overwritten: the override is stored in its own table
and applied when results are read, so exports, the dashboard and the learner's summary all
show the moderated figures while the automatic ones stay available for audit.

An override replaces only the rationale part of a decision: its concepts, its points (0 up
to the sum of the decision's ``expect`` weights) and, if the trainer says so, the
misconceptions it shows (the detector can flag one the learner negated, or miss one). The
option or plan part, and misconceptions an option carries, stay as scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolkit.cases import Decision, Scenario
from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary
from toolkit.scoring.report import from_rationale, rationale_misconceptions
from toolkit.storage import Store

REASON_MAX = 2000
TRAINER_MAX = 80  # the overrides.trainer column


def rationale_max(decision: Decision) -> float:
    """The most a decision's rationale can earn: the sum of its expected concepts' weights."""
    return float(sum(decision.rationale.expect.values())) if decision.rationale else 0.0


def suggested_points(decision: Decision, concepts: Iterable[str]) -> float:
    """What the scorer's rule would give for these concepts: a default for the trainer's form."""
    expect = decision.rationale.expect if decision.rationale else {}
    return min(rationale_max(decision), float(sum(expect.get(c, 0) for c in set(concepts))))


def check_override(
    decision: Decision,
    concepts: Iterable[str],
    points: float,
    reason: str,
    misconceptions: Iterable[str] | None = None,
) -> tuple[list[str], float, str, list[str] | None]:
    """The override's concepts, points, reason and misconceptions (None: as scored), cleaned;
    SafeShareError says what is wrong."""
    if decision.rationale is None:
        raise SafeShareError(f"decision {decision.id} asks for no rationale: nothing to moderate")
    vocab = vocabulary()
    concepts = list(dict.fromkeys(concepts))
    unknown = [c for c in concepts if c not in vocab.concepts]
    if unknown:
        raise SafeShareError(f"unknown concept(s): {', '.join(unknown)}")
    if misconceptions is not None:
        misconceptions = list(dict.fromkeys(misconceptions))
        unknown = [m for m in misconceptions if m not in vocab.misconceptions]
        if unknown:
            raise SafeShareError(f"unknown misconception(s): {', '.join(unknown)}")
    most = rationale_max(decision)
    points = float(points)
    if not 0 <= points <= most:
        raise SafeShareError(f"rationale points must be between 0 and {most:g}, not {points:g}")
    reason = (reason or "").strip()
    if not reason:
        raise SafeShareError("give a reason for the override: the learner will read it")
    if len(reason) > REASON_MAX:
        raise SafeShareError(f"keep the reason under {REASON_MAX} characters")
    return concepts, points, reason, misconceptions


def add_override(
    store: Store,
    scenarios: Mapping[str, Scenario],
    answer_id: int,
    *,
    concepts: Iterable[str],
    points: float,
    reason: str,
    trainer: str = "trainer",
    misconceptions: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Check and store a trainer's override of one answer's rationale; returns the stored row.
    ``misconceptions`` None keeps the rationale's misconceptions as the scorer found them."""
    answer = store.find_answer(answer_id)
    if not (answer.get("rationale") or "").strip():
        raise SafeShareError("this answer has no rationale to moderate")
    scenario = scenarios.get(answer["scenario_id"])
    if scenario is None:
        raise SafeShareError(f"scenario {answer['scenario_id']} is not in the case library")
    decision = scenario.decision(answer["decision_id"])
    concepts, points, reason, misconceptions = check_override(
        decision, concepts, points, reason, misconceptions
    )
    trainer = (trainer or "trainer").strip()[:TRAINER_MAX] or "trainer"
    return store.add_override(answer_id, trainer, concepts, points, reason, misconceptions)


def latest_by_answer(overrides: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """The override in force for each answer: the most recent (rows come oldest first)."""
    latest: dict[int, Mapping[str, Any]] = {}
    for row in sorted(overrides, key=lambda r: r["id"]):
        latest[row["answer_id"]] = row
    return latest


def _stamp(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def moderation_of(result: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """What is shown about an override: who, when, why, and what the scorer had said."""
    shown = {
        "by": override["trainer"],
        "reason": override["reason"],
        "at": _stamp(override.get("created_at")),
        "auto_points": result.get("points", 0),
        "auto_concepts": list(result.get("concepts", [])),
    }
    if override.get("misconceptions") is not None:
        shown["auto_misconceptions"] = list(result.get("misconceptions", []))
        shown["rationale_misconceptions"] = list(override["misconceptions"])
    return shown


def moderate(result: Mapping[str, Any], override: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A stored decision result with the override applied (the result itself when none).

    Pure: a new dict is returned. Points become the option/plan part plus the trainer's
    rationale points; concepts become the trainer's, and so do the rationale's
    misconceptions when the override names them (an option's stay); evidence for what the
    trainer removed is dropped; a ``moderated`` entry records the change.
    """
    if override is None:
        return result
    rationale = dict(result.get("rationale") or {})
    auto_part = float(rationale.get("points", 0.0))
    points = round(float(result.get("points", 0.0)) - auto_part + float(override["points"]), 3)
    concepts = list(override["concepts"])
    misconceptions = list(result.get("misconceptions", []))
    removed: set[str] = set()
    judged = override.get("misconceptions")
    if judged is not None:
        in_rationale = set(rationale_misconceptions(result))
        removed = in_rationale - set(judged)
        kept = result.get("answer_misconceptions")
        if kept is None:  # stored before scores said which the answer carries: best guess
            kept = [m for m in misconceptions if m not in in_rationale]
        misconceptions = list(dict.fromkeys([*kept, *judged]))
    known = vocabulary().concepts
    evidence = [
        e
        for e in result.get("evidence", [])
        if (e.get("id") not in known or e["id"] in concepts)
        and not (e.get("id") in removed and from_rationale(e))
    ]
    return {
        **result,
        "points": points,
        "concepts": concepts,
        "misconceptions": misconceptions,
        "evidence": evidence,
        "rationale": {**rationale, "points": float(override["points"])},
        "moderated": moderation_of(result, override),
    }


@dataclass(frozen=True)
class _Judged:
    """A detection the trainer made: satisfies toolkit.scoring.reasoning.Detection."""

    concepts: Sequence[str]
    misconceptions: Sequence[str]
    evidence: Sequence[Any] = ()


def _judged_analyser(override: Mapping[str, Any], detect: Any) -> Any:
    concepts = tuple(override["concepts"])
    judged = override.get("misconceptions")

    def analyse(text: str) -> _Judged:
        found = detect(text)
        misconceptions = tuple(found.misconceptions if judged is None else judged)
        kept = [e for e in found.evidence if e.id in concepts or e.id in misconceptions]
        return _Judged(concepts, misconceptions, tuple(kept))

    return analyse


def _judged_score(scenario: Scenario, answer: Any, override: Mapping[str, Any], detect: Any):
    """One answer scored with the trainer's concepts, and the trainer's rationale points."""
    from toolkit.scoring.report import score_decision

    scored = score_decision(scenario, answer, _judged_analyser(override, detect))
    rationale = dict(scored.detail.get("rationale", {}))
    points = scored.marks.points - float(rationale.get("points", 0.0)) + override["points"]
    detail = {**scored.detail, "rationale": {**rationale, "points": float(override["points"])}}
    return replace(scored, marks=replace(scored.marks, points=points), detail=detail)


def moderated_report(
    scenario: Scenario,
    responses: Mapping[str, Any],
    overrides: Mapping[str, Mapping[str, Any]],
    analyse: Any = None,
) -> dict[str, Any]:
    """The score object (CASE_FORMAT §4) of ``responses`` with overrides (by decision id) applied.

    Re-scores every answer as :func:`toolkit.scoring.score_attempt` does, except that an
    overridden rationale's concepts and points are the trainer's, so the step profile and
    totals follow the trainer's judgement too.
    """
    from toolkit.scoring.report import assemble, default_analyser, score_decision
    from toolkit.scoring.responses import parse_responses

    parsed = parse_responses(scenario, responses)
    detect = analyse or default_analyser()
    decisions = tuple(
        _judged_score(scenario, a, overrides[a.decision], detect)
        if a.decision in overrides
        else score_decision(scenario, a, detect)
        for a in parsed.answers
    )
    report = assemble(parsed, decisions).to_dict()
    for entry in report["decisions"]:
        override = overrides.get(entry["decision"])
        if override is not None:
            entry["moderated"] = {
                "by": override["trainer"],
                "reason": override["reason"],
                "at": _stamp(override.get("created_at")),
            }
    return report


def attempt_overrides(store: Store, attempt_id: int) -> dict[str, Mapping[str, Any]]:
    """The override in force for each decision of one attempt, by decision id."""
    decisions = {a["id"]: a["decision_id"] for a in store.answers(attempt_id)}
    latest = latest_by_answer(store.overrides(attempt_id=attempt_id))
    return {decisions[answer_id]: row for answer_id, row in latest.items()}


def moderation_notes(report: Mapping[str, Any]) -> list[str]:
    """One plain sentence per moderated decision, for the learner's summary."""
    notes = []
    for number, entry in enumerate(report.get("decisions", []), start=1):
        moderated = entry.get("moderated")
        if moderated:
            notes.append(
                f"Decision {number}: your trainer reviewed your reasoning "
                f"(now {entry['points']:g} of {entry['max_points']:g} points). "
                f"Their note: {moderated['reason']}"
            )
    return notes
