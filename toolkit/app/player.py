"""The scenario player: a pure state machine over one scenario and one learner's answers.

It knows where the learner is, which decision may be answered now, and where each answer
leads. It never trusts the page: an answer to any decision but the current one is refused,
whatever the browser shows or hides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.cases.model import Decision, Ending, Scenario
from toolkit.errors import AccessDenied


def next_id(scenario: Scenario, decision: Decision, answer: Mapping[str, Any]) -> str:
    """Where an answer leads: the chosen option's ``next``, the decision's, or the following one."""
    if decision.type == "choice":
        option = next((o for o in decision.options if o.id == answer.get("choice")), None)
        if option is not None and option.next:
            return option.next
    if decision.next:
        return decision.next
    ids = [d.id for d in scenario.decisions]
    return ids[ids.index(decision.id) + 1]


@dataclass
class Player:
    """Position in a scenario, rebuilt from stored answers when a learner resumes."""

    scenario: Scenario
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    position: str = ""

    def __post_init__(self) -> None:
        stored, self.answers = self.answers, {}
        self.position = self.scenario.decisions[0].id
        self.path = []
        for decision_id in list(stored):
            if decision_id != self.position:
                break  # stored answers off the path (a changed case file) are ignored
            self.answer(decision_id, stored[decision_id])

    @property
    def finished(self) -> bool:
        return self.position in {e.id for e in self.scenario.endings}

    @property
    def current(self) -> Decision | None:
        return None if self.finished else self.scenario.decision(self.position)

    @property
    def ending(self) -> Ending | None:
        return self.scenario.ending(self.position) if self.finished else None

    def check_answerable(self, decision_id: str) -> Decision:
        """The decision, if it is the one the learner may answer now; AccessDenied otherwise."""
        if self.finished:
            raise AccessDenied("this scenario is finished")
        if decision_id != self.position:
            raise AccessDenied(f"decision {decision_id!r} is not the current decision")
        return self.scenario.decision(decision_id)

    def answer(self, decision_id: str, answer: Mapping[str, Any]) -> str:
        """Record an answer to the current decision and move on; returns the new position."""
        decision = self.check_answerable(decision_id)
        self.answers[decision_id] = dict(answer)
        self.path.append(decision_id)
        self.position = next_id(self.scenario, decision, answer)
        return self.position

    def progress(self) -> tuple[int, int]:
        """(answered, longest remaining estimate) for a progress indicator."""
        return len(self.path), len(self.path) + (0 if self.finished else 1)

    def responses(self, learner: str) -> dict[str, Any]:
        """The answers so far in CASE_FORMAT §4 RESPONSES form, ready for the scorer."""
        return {
            "scenario": self.scenario.id,
            "learner": learner,
            "answers": [{"decision": d, **self.answers[d]} for d in self.path],
        }
