"""Model and poor answers to any scenario, as RESPONSES.json objects.

They are the library's self-test: every scenario's model answer should score ≥ 0.9 and its
poor answer ≤ 0.4. Both follow the path their own choices open, from the first decision
to an ending.

- **model** — the best option of each choice (first among equals), every positively scored
  option of a multi (net of any penalty), the scenario's ideal plan (its first accepted
  basis and condition), and the rationale's ``model`` text where the author wrote one.
- **poor** — the lowest-scoring option that carries a misconception (else the lowest-scoring
  option), every harmful option of a multi (else every 0-point one), and the worst plan:
  every item to every recipient, consent as basis and condition (or any basis/condition the
  scenario does not accept), the timing furthest from the right one, the family told first
  where the plan says not to (else not told at all), no record. A poor answer gives no
  rationale: it earns nothing there, as an empty answer would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolkit.cases.model import Decision, Option, Scenario, SharePlan
from toolkit.guidance import vocabulary
from toolkit.scoring.decisions import penalty
from toolkit.scoring.responses import leads_to
from toolkit.scoring.share_plan import TIMING_ORDER

Picker = Callable[[Decision], dict[str, Any]]


def _best_choice(decision: Decision) -> dict[str, Any]:
    best = max(decision.options, key=lambda o: o.points)  # max keeps the first among equals
    return {"choice": best.id}


def _best_multi(decision: Decision) -> dict[str, Any]:
    return {"choices": [o.id for o in decision.options if o.points - penalty(o) > 0]}


def _ideal_plan(decision: Decision) -> dict[str, Any]:
    plan = decision.plan
    return {
        "plan": {
            "items": [i.id for i in plan.items if i.needed],
            "recipients": [r.id for r in plan.recipients if r.needed],
            "lawful_basis": plan.lawful_basis[0],
            "condition": plan.condition[0],
            "timing": plan.timing,
            "tell_family": plan.tell_family,
            "record": True,
        }
    }


def _harmful(option: Option) -> bool:
    return option.misconception is not None or penalty(option) > 0


def _worst_choice(decision: Decision) -> dict[str, Any]:
    wrong = [o for o in decision.options if o.misconception] or decision.options
    return {"choice": min(wrong, key=lambda o: o.points).id}


def _worst_multi(decision: Decision) -> dict[str, Any]:
    harmful = [o.id for o in decision.options if _harmful(o)]
    return {"choices": harmful or [o.id for o in decision.options if o.points == 0]}


def _not_accepted(preferred: str, accepted: list[str], known: dict) -> str:
    if preferred not in accepted:
        return preferred
    return next((k for k in known if k not in accepted), accepted[0])


def _worst_timing(expected: str) -> str:
    """A timing that earns nothing: two steps away where one exists, else not sharing at all."""
    if expected not in TIMING_ORDER:
        return "now"
    here = TIMING_ORDER.index(expected)
    far = [t for i, t in enumerate(TIMING_ORDER) if abs(i - here) >= 2]
    return far[0] if far else "not-needed"


def _worst_plan(decision: Decision) -> dict[str, Any]:
    plan: SharePlan = decision.plan
    vocab = vocabulary()
    risky = plan.tell_family in {"not-if-risk", "no"}
    return {
        "plan": {
            "items": [i.id for i in plan.items],
            "recipients": [r.id for r in plan.recipients],
            "lawful_basis": _not_accepted("consent", plan.lawful_basis, vocab.bases),
            "condition": _not_accepted("explicit-consent", plan.condition, vocab.conditions),
            "timing": _worst_timing(plan.timing),
            "tell_family": "yes-first" if risky else "no",
            "record": False,
        }
    }


MODEL: dict[str, Picker] = {"choice": _best_choice, "multi": _best_multi, "share-plan": _ideal_plan}
POOR: dict[str, Picker] = {
    "choice": _worst_choice,
    "multi": _worst_multi,
    "share-plan": _worst_plan,
}


def _follow(scenario: Scenario, pickers: dict[str, Picker], learner: str, reasons: bool) -> dict:
    by_id = {d.id: d for d in scenario.decisions}
    answers: list[dict[str, Any]] = []
    here = scenario.decisions[0].id
    while here in by_id:
        decision = by_id[here]
        answer = {"decision": decision.id, **pickers[decision.type](decision)}
        if reasons and decision.rationale and decision.rationale.model:
            answer["rationale"] = decision.rationale.model
        answers.append(answer)
        here = leads_to(scenario, decision.id, answer.get("choice"))
    return {"scenario": scenario.id, "learner": learner, "answers": answers}


def model_answer(scenario: Scenario) -> dict[str, Any]:
    """The RESPONSES object a model learner would submit (see the module docstring)."""
    return _follow(scenario, MODEL, "model-answer", reasons=True)


def poor_answer(scenario: Scenario) -> dict[str, Any]:
    """The RESPONSES object of a learner holding the scenario's misconceptions."""
    return _follow(scenario, POOR, "poor-answer", reasons=False)
