"""Cross-reference and graph rules a typed case must also satisfy (CASE_FORMAT.md §2–3).

Each rule yields ``(loc, message)`` pairs; ``load.py`` turns the loc into a line number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from toolkit.cases.model import Decision, Review, Scenario
from toolkit.guidance import vocabulary

Finding = tuple[tuple[str | int, ...], str]


def _natural(value: str) -> tuple:
    """Sort key that puts S2 before S10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    options = sorted(known, key=_natural)
    listed = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
    return f"unknown {kind} '{value}' (expected one of: {listed})"


def _check(loc, value, known, kind) -> Iterator[Finding]:
    if value not in known:
        yield tuple(loc), _unknown(kind, value, known)


def _duplicates(items: Sequence, loc: tuple, what: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            yield (*loc, index, "id"), f"duplicate {what} id '{item.id}'"
        seen.add(item.id)


def _agency_refs(case: Scenario | Review) -> Iterator[Finding]:
    vocab = vocabulary()
    known = {a.id for a in case.agencies}
    yield from _check(("nation",), case.nation, vocab.nations, "nation")
    for i, agency in enumerate(case.agencies):
        yield from _check(("agencies", i, "sector"), agency.sector, vocab.sectors, "sector")
    for i, event in enumerate(case.chronology):
        yield from _check(("chronology", i, "agency"), event.agency, known, "agency")
        for j, who in enumerate(event.known_by):
            yield from _check(("chronology", i, "known_by", j), who, known, "agency")


def scenario_ids(scenario: Scenario) -> Iterator[Finding]:
    """Ids are unique within their list, and decision and ending ids do not clash."""
    yield from _duplicates(scenario.agencies, ("agencies",), "agency")
    yield from _duplicates(scenario.people, ("people",), "person")
    yield from _duplicates(scenario.decisions, ("decisions",), "decision")
    yield from _duplicates(scenario.endings, ("endings",), "ending")
    decision_ids = {d.id for d in scenario.decisions}
    for i, ending in enumerate(scenario.endings):
        if ending.id in decision_ids:
            yield ("endings", i, "id"), f"ending id '{ending.id}' is also a decision id"
    for i, decision in enumerate(scenario.decisions):
        yield from _duplicates(decision.options, ("decisions", i, "options"), "option")
        if decision.plan:
            loc = ("decisions", i, "plan")
            yield from _duplicates(decision.plan.items, (*loc, "items"), "item")
            yield from _duplicates(decision.plan.recipients, (*loc, "recipients"), "recipient")


def scenario_vocabulary(scenario: Scenario) -> Iterator[Finding]:
    """Every step, sector, concept, misconception, basis and condition id exists."""
    vocab = vocabulary()
    yield from _agency_refs(scenario)
    for i, sector in enumerate(scenario.sectors):
        yield from _check(("sectors", i), sector, vocab.sectors, "sector")
    for i, step in enumerate(scenario.steps):
        yield from _check(("steps", i), step, vocab.steps, "step")
    for i, decision in enumerate(scenario.decisions):
        yield from _decision_vocabulary(("decisions", i), decision)


def _decision_vocabulary(loc: tuple, decision: Decision) -> Iterator[Finding]:
    vocab = vocabulary()
    for j, step in enumerate(decision.steps):
        yield from _check((*loc, "steps", j), step, vocab.steps, "step")
    for j, option in enumerate(decision.options):
        at = (*loc, "options", j)
        for step, sign in option.evidence.items():
            yield from _check((*at, "evidence", step), step, vocab.steps, "step")
            if sign == 0:
                yield (*at, "evidence", step), "evidence is +N (shows the step) or -N (missed it)"
        if option.misconception:
            yield from _check(
                (*at, "misconception"), option.misconception, vocab.misconceptions, "misconception"
            )
    if decision.rationale:
        for concept in decision.rationale.expect:
            at = (*loc, "rationale", "expect", concept)
            yield from _check(at, concept, vocab.concepts, "concept")
            if decision.rationale.expect[concept] <= 0:
                yield at, "a concept's weight must be greater than 0"
    if decision.plan:
        yield from _plan_rules((*loc, "plan"), decision)


def _plan_rules(loc: tuple, decision: Decision) -> Iterator[Finding]:
    vocab, plan = vocabulary(), decision.plan
    for j, basis in enumerate(plan.lawful_basis):
        yield from _check((*loc, "lawful_basis", j), basis, vocab.bases, "lawful basis")
    for j, condition in enumerate(plan.condition):
        yield from _check((*loc, "condition", j), condition, vocab.conditions, "condition")
    if not any(item.needed for item in plan.items):
        yield (*loc, "items"), "a share-plan needs at least one item with `needed: true`"
    if not any(r.needed for r in plan.recipients):
        yield (*loc, "recipients"), "a share-plan needs at least one recipient with `needed: true`"


def successors(scenario: Scenario, index: int) -> list[tuple[tuple, str | None]]:
    """Where each way out of decision ``index`` leads, with the loc that says so.

    An option's own ``next`` wins; otherwise the decision's ``next``; otherwise the
    decision listed after it (None when it is the last: a dead end).
    """
    decision = scenario.decisions[index]
    following = scenario.decisions[index + 1].id if index + 1 < len(scenario.decisions) else None
    default = decision.next or following
    base = ("decisions", index)
    if decision.type == "choice":
        return [
            ((*base, "options", j, "next") if o.next else (*base, "next"), o.next or default)
            for j, o in enumerate(decision.options)
        ]
    return [((*base, "next"), default)]


def scenario_graph(scenario: Scenario) -> Iterator[Finding]:
    """`next` targets exist; every decision is reachable; every path ends; no cycles."""
    index = {d.id: i for i, d in enumerate(scenario.decisions)}
    endings = {e.id for e in scenario.endings}
    edges: dict[int, set[int]] = {}
    for i, decision in enumerate(scenario.decisions):
        edges[i] = set()
        for loc, target in successors(scenario, i):
            if target is None:
                last = f"decision '{decision.id}' is the last on its path"
                yield loc, f"{last} but has no `next` naming an ending"
            elif target in index:
                edges[i].add(index[target])
            elif target not in endings:
                yield loc, _unknown("decision or ending", target, [*index, *endings])
    seen = _reachable(edges)
    yield from _unreachable(scenario, seen)
    yield from _cycles(scenario, edges)
    # Only endings reached from a reachable decision count: a path nobody can take ends nowhere.
    reached = {t for i in seen for _, t in successors(scenario, i)}
    for i, ending in enumerate(scenario.endings):
        if ending.id not in reached:
            yield ("endings", i, "id"), f"ending '{ending.id}' is never reached"


def _reachable(edges: dict[int, set[int]]) -> set[int]:
    if not edges:  # no decisions at all: already a shape problem
        return set()
    seen, stack = {0}, [0]
    while stack:
        for nxt in edges[stack.pop()] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return seen


def _unreachable(scenario: Scenario, seen: set[int]) -> Iterator[Finding]:
    for i, decision in enumerate(scenario.decisions):
        if i not in seen:
            message = f"decision '{decision.id}' cannot be reached from the first decision"
            yield ("decisions", i, "id"), message


def _cycles(scenario: Scenario, edges: dict[int, set[int]]) -> Iterator[Finding]:
    state: dict[int, int] = {}  # 1 = on the current path, 2 = finished
    reported: set[int] = set()

    def visit(node: int) -> Iterator[Finding]:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1 and node not in reported:
                reported.add(node)
                ids = (scenario.decisions[node].id, scenario.decisions[nxt].id)
                cycle = f"cycle: '{ids[0]}' leads back to '{ids[1]}'"
                yield ("decisions", node, "next"), f"{cycle}; paths must move towards an ending"
            elif nxt not in state:
                yield from visit(nxt)
        state[node] = 2

    for start in range(len(scenario.decisions)):
        if start not in state:
            yield from visit(start)


def review_rules(review: Review) -> Iterator[Finding]:
    """A review's ids are unique and every agency, theme, step and event reference exists."""
    vocab = vocabulary()
    agencies = {a.id for a in review.agencies}
    yield from _duplicates(review.agencies, ("agencies",), "agency")
    yield from _duplicates(review.chronology, ("chronology",), "event")
    yield from _duplicates(review.findings, ("findings",), "finding")
    yield from _agency_refs(review)
    for i, sector in enumerate(review.sectors):
        yield from _check(("sectors", i), sector, vocab.sectors, "sector")
    for i, event in enumerate(review.chronology):
        for j, share in enumerate(event.shared):
            yield from _check(("chronology", i, "shared", j, "to"), share.to, agencies, "agency")
        for j, miss in enumerate(event.missed):
            at = ("chronology", i, "missed", j)
            yield from _check((*at, "to"), miss.to, agencies, "agency")
            yield from _ids((*at, "themes"), miss.themes, vocab.themes, "theme")
            yield from _ids((*at, "steps"), miss.steps, vocab.steps, "step")
    events = {e.id for e in review.chronology}
    for i, finding in enumerate(review.findings):
        yield from _ids(("findings", i, "themes"), finding.themes, vocab.themes, "theme")
        yield from _ids(("findings", i, "steps"), finding.steps, vocab.steps, "step")
        yield from _ids(("findings", i, "events"), finding.events, events, "event")
    for i, coding in enumerate(review.codings):
        yield from _check(("codings", i, "event"), coding.event, events, "event")
        yield from _ids(("codings", i, "themes"), coding.themes, vocab.themes, "theme")
    counts = Counter((c.reviewer, c.event) for c in review.codings)
    for i, coding in enumerate(review.codings):
        if counts[(coding.reviewer, coding.event)] > 1:
            twice = f"reviewer '{coding.reviewer}' codes event '{coding.event}' more than once"
            yield ("codings", i, "event"), twice


def _ids(loc: tuple, values: list[str], known, kind: str) -> Iterator[Finding]:
    for j, value in enumerate(values):
        yield from _check((*loc, j), value, known, kind)


SCENARIO_RULES: tuple[Callable[[Scenario], Iterator[Finding]], ...] = (
    scenario_ids,
    scenario_vocabulary,
    scenario_graph,
)
REVIEW_RULES: tuple[Callable[[Review], Iterator[Finding]], ...] = (review_rules,)
