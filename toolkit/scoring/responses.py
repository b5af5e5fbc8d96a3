"""A learner's RESPONSES (CASE_FORMAT §4) checked against a scenario and turned into typed answers.

Everything a learner's file can get wrong — an empty file, unknown decision or option ids, a
value of the wrong type, an answer given twice, an answer to a decision the learner never
reached — is a :class:`~toolkit.errors.ResponseError` with a one-line message, never a crash.

The learner's path is followed from the first decision using the learner's own choices
(an option's ``next``, else the decision's ``next``, else the following decision — see
:func:`toolkit.cases.rules.successors`). An attempt may stop early: the path then ends at
the first unanswered decision, ``complete`` is False and only the answered decisions are
scored. Answers are matched to decisions by id, so their order in the file does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.cases.model import Decision, Scenario
from toolkit.cases.rules import successors
from toolkit.errors import ResponseError
from toolkit.guidance import vocabulary
from toolkit.guidance.vocabulary import TELL_FAMILY, TIMINGS
from toolkit.scoring.limits import rationale_too_long

TOP_FIELDS = {"scenario", "learner", "answers"}
PLAN_FIELDS = (
    "items",
    "recipients",
    "lawful_basis",
    "condition",
    "timing",
    "tell_family",
    "record",
)
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class PlanAnswer:
    """A learner's share-plan: what, to whom, on what basis, when, telling whom, recorded.

    A plan that shares nothing (no items, no recipients) needs no basis or condition: they
    may be None (CASE_FORMAT §4).
    """

    items: tuple[str, ...]
    recipients: tuple[str, ...]
    lawful_basis: str | None
    condition: str | None
    timing: str
    tell_family: str
    record: bool

    @property
    def shares_nothing(self) -> bool:
        return not self.items and not self.recipients


@dataclass(frozen=True)
class Answer:
    """One answer; exactly one of ``choice``/``choices``/``plan`` is set, by decision type."""

    decision: str
    choice: str | None = None
    choices: tuple[str, ...] | None = None
    plan: PlanAnswer | None = None
    rationale: str | None = None


@dataclass(frozen=True)
class Responses:
    """A learner's answers in path order, with where the path led.

    ``ending`` is the ending reached (None when the attempt stopped early); ``waiting`` is
    the first unanswered decision on the path (None when complete).
    """

    scenario: str
    learner: str
    answers: tuple[Answer, ...]
    ending: str | None
    waiting: str | None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(answer.decision for answer in self.answers)

    @property
    def complete(self) -> bool:
        return self.ending is not None


def _fail(message: str) -> None:
    """Refuse the responses with a one-line message: ids and values quoted from the file
    may hold line breaks or control characters, which would break the CLI's one-line
    errors (and could forge a second line), so they are shown escaped."""
    raise ResponseError("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(f"{what} must be a non-empty string, not {value!r}")
    return value


def _ids(value: Any, known: Collection[str], what: str) -> tuple[str, ...]:
    """A list of distinct known ids (an empty list is a valid answer: nothing ticked)."""
    if not isinstance(value, list):
        _fail(f"{what} must be a list of ids, not {value!r}")
    for item in value:
        _one_of(item, known, what)
    if len(set(value)) != len(value):
        twice = next(v for v in value if value.count(v) > 1)
        _fail(f"{what} lists '{twice}' more than once")
    return tuple(value)


def _one_of(value: Any, known: Collection[str], what: str) -> str:
    _string(value, what)
    if value not in known:
        listed = ", ".join(known)
        _fail(f"{what}: unknown id '{value}' (expected one of: {listed})")
    return value


def _parse_choice(decision: Decision, raw: Any) -> dict[str, Any]:
    options = {o.id: o for o in decision.options}
    return {"choice": _one_of(raw, options, f"decision '{decision.id}' choice")}


def _parse_multi(decision: Decision, raw: Any) -> dict[str, Any]:
    options = {o.id: o for o in decision.options}
    return {"choices": _ids(raw, options, f"decision '{decision.id}' choices")}


def _parse_plan(decision: Decision, raw: Any) -> dict[str, Any]:
    where = f"decision '{decision.id}' plan"
    if not isinstance(raw, dict):
        _fail(f"{where} must be an object with {', '.join(PLAN_FIELDS)}, not {raw!r}")
    _no_strangers(raw, set(PLAN_FIELDS), where)
    missing = [name for name in PLAN_FIELDS if name not in raw]
    if missing:
        _fail(f"{where} is missing {', '.join(missing)}")
    plan, vocab = decision.plan, vocabulary()
    record = raw["record"]
    if not isinstance(record, bool):
        _fail(f"{where} record must be true or false, not {record!r}")
    items = _ids(raw["items"], [i.id for i in plan.items], f"{where} items")
    recipients = _ids(raw["recipients"], [r.id for r in plan.recipients], f"{where} recipients")
    # Sharing nothing needs no basis or condition: null is then an answer, not a gap.
    optional = not items and not recipients
    return {
        "plan": PlanAnswer(
            items=items,
            recipients=recipients,
            lawful_basis=_basis(
                raw["lawful_basis"], vocab.bases, f"{where} lawful_basis", optional
            ),
            condition=_basis(raw["condition"], vocab.conditions, f"{where} condition", optional),
            timing=_one_of(raw["timing"], TIMINGS, f"{where} timing"),
            tell_family=_one_of(raw["tell_family"], TELL_FAMILY, f"{where} tell_family"),
            record=record,
        )
    }


def _basis(value: Any, known: Collection[str], what: str, optional: bool) -> str | None:
    """A basis or condition id; null only for a plan that shares nothing."""
    if value is None and optional:
        return None
    if value is None:
        _fail(
            f"{what} must be given when the plan shares something (null only when it shares "
            "no items with no recipients)"
        )
    return _one_of(value, known, what)


# Decision type → (the answer's key in RESPONSES.json, its parser). A new type is one entry.
ANSWER_PARSERS: dict[str, tuple[str, Callable[[Decision, Any], dict[str, Any]]]] = {
    "choice": ("choice", _parse_choice),
    "multi": ("choices", _parse_multi),
    "share-plan": ("plan", _parse_plan),
}
ANSWER_KEYS = {key for key, _ in ANSWER_PARSERS.values()}


def _no_strangers(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Refuse unknown keys: a misspelt key would otherwise drop an answer silently."""
    unknown = sorted(set(raw) - allowed)
    if unknown:
        _fail(f"{where} has unknown field '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")


def parse_answer(decision: Decision, raw: Mapping[str, Any]) -> Answer:
    """One raw answer object → :class:`Answer`, checked against its decision's type."""
    key, parser = ANSWER_PARSERS[decision.type]
    where = f"answer to '{decision.id}'"
    _no_strangers(raw, {"decision", "rationale", *ANSWER_KEYS}, where)
    wrong = sorted((ANSWER_KEYS - {key}) & set(raw))
    if wrong:
        _fail(
            f"{where}: '{decision.id}' is a {decision.type} decision; "
            f"give `{key}`, not `{wrong[0]}`"
        )
    if key not in raw:
        _fail(f"{where} has no `{key}`")
    rationale = raw.get("rationale")
    if rationale is not None and not isinstance(rationale, str):
        _fail(f"{where}: rationale must be text, not {rationale!r}")
    too_long = rationale_too_long(rationale or "")
    if too_long:
        _fail(f"{where}: rationale {too_long}; shorten it (it is never cut)")
    return Answer(decision=decision.id, rationale=rationale, **parser(decision, raw[key]))


def _raw_answers(scenario: Scenario, raw: Any) -> dict[str, Mapping[str, Any]]:
    """The answers by decision id, refusing non-objects, unknown ids and duplicates."""
    known = [d.id for d in scenario.decisions]
    answers = raw.get("answers")
    if not isinstance(answers, list) or not answers:
        _fail("responses have no answers (expected a non-empty `answers` list)")
    by_decision: dict[str, Mapping[str, Any]] = {}
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            _fail(f"answer {number} must be an object, not {answer!r}")
        decision = _one_of(answer.get("decision"), known, f"answer {number} decision")
        if decision in by_decision:
            _fail(f"decision '{decision}' is answered more than once")
        by_decision[decision] = answer
    return by_decision


def leads_to(scenario: Scenario, decision_id: str, choice: str | None = None) -> str:
    """Where answering ``decision_id`` leads: the chosen option's way out for a choice decision,
    else the decision's only way out (its ``next`` or the decision listed after it)."""
    position = next(i for i, d in enumerate(scenario.decisions) if d.id == decision_id)
    ways = successors(scenario, position)
    if choice is None:
        return ways[0][1]
    options = [o.id for o in scenario.decisions[position].options]
    return ways[options.index(choice)][1]


def _walk(scenario: Scenario, raw: dict[str, Mapping[str, Any]]) -> tuple[tuple[Answer, ...], str]:
    """Parse answers along the learner's path; return them and where the path stopped."""
    index = {d.id: i for i, d in enumerate(scenario.decisions)}
    answers: list[Answer] = []
    here: str | None = scenario.decisions[0].id
    while here in index and here in raw:
        answer = parse_answer(scenario.decisions[index[here]], raw[here])
        answers.append(answer)
        here = leads_to(scenario, here, answer.choice)
    reached = [a.decision for a in answers]
    for decision in raw:
        if decision not in reached:
            route = " → ".join([*reached, here or "?"])
            _fail(f"answer to '{decision}' is off the learner's path ({route})")
    return tuple(answers), here


def parse_responses(scenario: Scenario, raw: Any) -> Responses:
    """Check a decoded RESPONSES.json object against ``scenario``; raise ResponseError if unfit.

    ``scenario`` must match the scenario's id when given; ``learner`` defaults to
    ``"anonymous"`` so a trainer can score a pasted answer sheet.
    """
    if not isinstance(raw, dict) or not raw:
        _fail("responses are empty (expected an object with `scenario`, `learner`, `answers`)")
    _no_strangers(raw, TOP_FIELDS, "responses")
    named = raw.get("scenario", scenario.id)
    if _string(named, "scenario") != scenario.id:
        _fail(f"responses are for scenario '{named}', not '{scenario.id}'")
    learner = _string(raw.get("learner", ANONYMOUS), "learner")
    answers, stop = _walk(scenario, _raw_answers(scenario, raw))
    ending = stop if stop in {e.id for e in scenario.endings} else None
    return Responses(scenario.id, learner, answers, ending, None if ending else stop)
