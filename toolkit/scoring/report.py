"""score_attempt: one learner's responses to one scenario → a ScoreReport (CASE_FORMAT §4).

Pure: no files, no clock, no globals beyond the read-only vocabulary. A decision's points
are its answer's points plus its rationale's; its maximum is the answer's maximum
(:func:`toolkit.scoring.decisions.answer_max`) plus the rationale's (the sum of the
``expect`` weights). The attempt's score is total points over total maximum across the
decisions the learner actually met on their path — a branch they never saw neither helps
nor hurts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.cases.model import Scenario
from toolkit.scoring.decisions import mark_answer
from toolkit.scoring.marks import Marks, StepEvidence, Trigger, combine, unique
from toolkit.scoring.profile import StepScore, step_profile
from toolkit.scoring.reasoning import Analyser, mark_rationale
from toolkit.scoring.responses import Answer, Responses, parse_responses


def _num(value: float) -> float:
    """Rounded for reports: 0.1 + 0.2 should print as 0.3 in a golden file."""
    return round(float(value), 3)


@dataclass(frozen=True)
class DecisionScore:
    """One answered decision: points, what the reasoning showed, and feedback citing steps."""

    decision: str
    type: str
    marks: Marks
    detail: Mapping[str, Any]

    @property
    def points(self) -> float:
        return self.marks.points

    @property
    def max_points(self) -> float:
        return self.marks.max_points

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "points": _num(self.points),
            "max_points": _num(self.max_points),
            "concepts": list(self.marks.concepts),
            "misconceptions": list(self.marks.misconceptions),
            "evidence": [t.to_dict() for t in self.marks.triggers],
            "feedback": list(self.marks.feedback),
            "type": self.type,
            **self.detail,
        }


@dataclass(frozen=True)
class ScoreReport:
    """The whole attempt: totals, per-decision scores, the step profile, misconceptions, path."""

    scenario: str
    learner: str
    decisions: tuple[DecisionScore, ...]
    steps: Mapping[str, StepScore]
    misconceptions: tuple[str, ...]
    path: tuple[str, ...]
    ending: str | None
    waiting: str | None

    @property
    def points(self) -> float:
        return sum(d.points for d in self.decisions)

    @property
    def max_points(self) -> float:
        return sum(d.max_points for d in self.decisions)

    @property
    def score(self) -> float:
        """Points over maximum, 0–1 (0 when nothing scoreable was answered)."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def evidence(self) -> tuple[StepEvidence, ...]:
        return tuple(e for d in self.decisions for e in d.marks.evidence)

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for d in self.decisions for t in d.marks.triggers)

    def to_dict(self) -> dict[str, Any]:
        """The CASE_FORMAT §4 score object, plus ``path``, ``ending``, ``complete``, ``waiting``."""
        return {
            "scenario": self.scenario,
            "learner": self.learner,
            "points": _num(self.points),
            "max_points": _num(self.max_points),
            "score": _num(self.score),
            "decisions": [d.to_dict() for d in self.decisions],
            "steps": {step: s.to_dict() for step, s in self.steps.items()},
            "misconceptions": list(self.misconceptions),
            "path": list(self.path),
            "ending": self.ending,
            "complete": self.ending is not None,
            "waiting": self.waiting,
        }


def from_rationale(evidence: Mapping[str, Any]) -> bool:
    """Was this evidence entry of a score dict found in the rationale (its source is
    "<decision> rationale", as mark_rationale names it), not in an option or plan field?"""
    return str(evidence.get("source", "")).endswith("rationale")


def rationale_misconceptions(result: Mapping[str, Any]) -> tuple[str, ...]:
    """Misconceptions a decision's rationale showed (not those an option or plan field
    carried), from its score dict: the trainer's, when an override says which they are."""
    judged = (result.get("moderated") or {}).get("rationale_misconceptions")
    if judged is not None:
        return tuple(judged)
    return tuple(
        dict.fromkeys(
            e["id"]
            for e in result.get("evidence", [])
            if e.get("id") in result.get("misconceptions", ()) and from_rationale(e)
        )
    )


def score_decision(scenario: Scenario, answer: Answer, analyse: Analyser) -> DecisionScore:
    """Mark one answer: its option/plan part and its rationale, added together."""
    decision = next(d for d in scenario.decisions if d.id == answer.decision)
    chosen = mark_answer(decision, answer)
    reasoning = mark_rationale(decision, answer.rationale, analyse)
    # Which misconceptions the answer itself carries (its option or plan fields), so that a
    # trainer's judgement of the rationale can replace the rationale's alone.
    detail = {
        **chosen.detail,
        **reasoning.detail,
        "answer_misconceptions": list(chosen.misconceptions),
    }
    return DecisionScore(decision.id, decision.type, combine([chosen, reasoning]), detail)


def default_analyser() -> Analyser:
    """The rationale detector, imported on first use so `import toolkit.scoring` stays light."""
    from toolkit.scoring.rationale import analyse

    return analyse


def score_attempt(
    scenario: Scenario,
    responses: Responses | Mapping[str, Any],
    *,
    analyse: Analyser | None = None,
) -> ScoreReport:
    """Score one learner's attempt at ``scenario``.

    ``responses`` is a decoded RESPONSES.json object (checked here, raising
    :class:`~toolkit.errors.ResponseError` if it does not fit) or already-parsed
    :class:`Responses`. ``analyse`` replaces the rationale detector — for a trainer's
    alternative matcher, or a test that wants the scoring rules without the detector.
    """
    parsed = responses if isinstance(responses, Responses) else parse_responses(scenario, responses)
    analyse = analyse or default_analyser()
    return assemble(parsed, tuple(score_decision(scenario, a, analyse) for a in parsed.answers))


def assemble(parsed: Responses, decisions: tuple[DecisionScore, ...]) -> ScoreReport:
    """The report over scored decisions: step profile and misconceptions pooled from them."""
    return ScoreReport(
        scenario=parsed.scenario,
        learner=parsed.learner,
        decisions=decisions,
        steps=step_profile(e for d in decisions for e in d.marks.evidence),
        misconceptions=unique(m for d in decisions for m in d.marks.misconceptions),
        path=parsed.path,
        ending=parsed.ending,
        waiting=parsed.waiting,
    )
