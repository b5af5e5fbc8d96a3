"""What the case library covers, and which of the library's requirements (issue 5) it misses.

Pure functions over a loaded ``Library``: ``coverage`` counts, ``requirements`` judges,
``render_text`` prints. The CLI and the author app call the same three.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from toolkit.cases.library import Library
from toolkit.cases.model import Review, Scenario
from toolkit.guidance import vocabulary

NATIONS = ("england", "wales", "scotland", "northern-ireland")
TAGS = ("emergency", "tell-family-raises-risk", "share-less", "not-sharing-right")
DECISIONS_RANGE = (4, 8)
EVENTS_RANGE = (15, 40)


@dataclass(frozen=True)
class ReviewCoverage:
    """The shape of one review: enough to judge whether reviewers have material to analyse."""

    events: int
    agencies: int
    shared: int
    missed: int
    findings: int
    reviewers: int


@dataclass(frozen=True)
class Coverage:
    """Counts over the library. Scenario-keyed maps are sorted by scenario id.

    ``concepts`` and ``misconceptions`` count *scenarios* (not mentions) that teach each id,
    and hold every vocabulary id, so a zero is visible rather than missing.
    """

    steps: dict[str, tuple[str, ...]]
    nations: dict[str, int]
    sectors: dict[str, int]
    concepts: dict[str, int]
    misconceptions: dict[str, int]
    tags: dict[str, int]
    share_plans: tuple[str, ...]
    emergencies: tuple[str, ...]
    decisions: dict[str, int]
    endings: dict[str, int]
    without_debrief: tuple[str, ...]
    without_sources: tuple[str, ...]
    reviews: dict[str, ReviewCoverage]
    # Files that failed validation: their cases are missing from every count above.
    invalid_files: tuple[str, ...] = ()

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(self.steps)

    def step_counts(self) -> dict[str, int]:
        """Scenarios exercising each step, for every step S1–S10."""
        counts = Counter(step for steps in self.steps.values() for step in steps)
        return {step: counts[step] for step in _step_ids()}


def _natural(value: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))


def _step_ids() -> list[str]:
    return sorted(vocabulary().steps, key=_natural)


def exercised_steps(scenario: Scenario) -> tuple[str, ...]:
    """Steps the scenario declares, or that any of its decisions declares, in S1…S10 order."""
    steps = set(scenario.steps)
    for decision in scenario.decisions:
        steps.update(decision.steps)
    return tuple(sorted(steps, key=_natural))


def taught_concepts(scenario: Scenario) -> set[str]:
    """Concepts a rationale in the scenario expects."""
    return {c for d in scenario.decisions if d.rationale for c in d.rationale.expect}


def taught_misconceptions(scenario: Scenario) -> set[str]:
    """Misconceptions a learner can pick as an option in the scenario."""
    return {o.misconception for d in scenario.decisions for o in d.options if o.misconception}


def _count(ids: Iterable[str], found: Iterable[Iterable[str]]) -> dict[str, int]:
    counts = Counter(item for items in found for item in set(items))
    return {i: counts[i] for i in ids}


def review_coverage(review: Review) -> ReviewCoverage:
    """Events, agencies, sharing (done and missed), findings and coders of one review."""
    return ReviewCoverage(
        events=len(review.chronology),
        agencies=len(review.agencies),
        shared=sum(len(e.shared) for e in review.chronology),
        missed=sum(len(e.missed) for e in review.chronology),
        findings=len(review.findings),
        reviewers=len({c.reviewer for c in review.codings}),
    )


def _is_emergency(scenario: Scenario) -> bool:
    return "emergency" in scenario.tags and "S9" in exercised_steps(scenario)


def coverage(library: Library) -> Coverage:
    """Count what the library's scenarios and reviews cover."""
    vocab = vocabulary()
    scenarios = [library.scenarios[k] for k in sorted(library.scenarios)]
    return Coverage(
        steps={s.id: exercised_steps(s) for s in scenarios},
        nations=_count(vocab.nations, ([s.nation] for s in scenarios)),
        sectors=_count(vocab.sectors, (s.sectors for s in scenarios)),
        concepts=_count(vocab.concepts, map(taught_concepts, scenarios)),
        misconceptions=_count(vocab.misconceptions, map(taught_misconceptions, scenarios)),
        tags=_count(TAGS, (s.tags for s in scenarios)),
        share_plans=tuple(
            s.id for s in scenarios if any(d.type == "share-plan" for d in s.decisions)
        ),
        emergencies=tuple(s.id for s in scenarios if _is_emergency(s)),
        decisions={s.id: len(s.decisions) for s in scenarios},
        endings={s.id: len(s.endings) for s in scenarios},
        without_debrief=tuple(s.id for s in scenarios if not s.debrief.strip()),
        without_sources=tuple(s.id for s in scenarios if not s.sources),
        reviews={k: review_coverage(library.reviews[k]) for k in sorted(library.reviews)},
        invalid_files=tuple(sorted({p.file for p in library.problems})),
    )


# --- requirements -----------------------------------------------------------------------------
# Each check returns the unmet requirements it is responsible for, as sentences.


def _at_least(counts: Mapping[str, int], minimum: int, what: str, unit: str) -> list[str]:
    return [
        f"{what} {key} is in {n} {unit}; needs at least {minimum}"
        for key, n in counts.items()
        if n < minimum
    ]


def _steps_ok(cov: Coverage) -> list[str]:
    return _at_least(cov.step_counts(), 2, "step", "scenario(s)")


def _teaching_ok(cov: Coverage) -> list[str]:
    return _at_least(cov.concepts, 1, "concept", "scenario(s)") + _at_least(
        cov.misconceptions, 1, "misconception", "scenario(s)"
    )


def _nations_ok(cov: Coverage) -> list[str]:
    return _at_least({n: cov.nations.get(n, 0) for n in NATIONS}, 2, "nation", "scenario(s)")


def _breadth_ok(cov: Coverage) -> list[str]:
    unmet = []
    sectors = sum(1 for n in cov.sectors.values() if n)
    if sectors < 8:
        unmet.append(f"scenarios cover {sectors} sector(s); need at least 8")
    if len(cov.scenarios) < 12:
        unmet.append(f"library has {len(cov.scenarios)} scenario(s); needs at least 12")
    return unmet


def _features_ok(cov: Coverage) -> list[str]:
    wanted = [
        (len(cov.share_plans), 4, "a share-plan decision"),
        (len(cov.emergencies), 4, "an emergency (tag `emergency` and step S9)"),
        (cov.tags["tell-family-raises-risk"], 3, "tag `tell-family-raises-risk`"),
        (cov.tags["share-less"], 2, "tag `share-less`"),
        (cov.tags["not-sharing-right"], 2, "tag `not-sharing-right`"),
    ]
    return [
        f"{have} scenario(s) with {what}; need at least {need}"
        for have, need, what in wanted
        if have < need
    ]


def _scenario_shape_ok(cov: Coverage) -> list[str]:
    low, high = DECISIONS_RANGE
    unmet = [
        f"{sid}: {n} decisions; needs {low}–{high}"
        for sid, n in cov.decisions.items()
        if not low <= n <= high
    ]
    unmet += [f"{sid}: {n} ending(s); needs at least 2" for sid, n in cov.endings.items() if n < 2]
    unmet += [f"{sid}: no debrief" for sid in cov.without_debrief]
    unmet += [f"{sid}: no sources" for sid in cov.without_sources]
    return unmet


def _review_ok(rid: str, review: ReviewCoverage) -> list[str]:
    low, high = EVENTS_RANGE
    checks = [
        (low <= review.events <= high, f"{review.events} events; needs {low}–{high}"),
        (review.agencies >= 3, f"{review.agencies} agencies; needs at least 3"),
        (review.shared >= 1, "no sharing recorded (`shared`)"),
        (review.missed >= 1, "no missed sharing recorded (`missed`)"),
        (review.findings >= 1, "no findings"),
        (review.reviewers >= 2, f"{review.reviewers} reviewer(s) coded it; needs 2"),
    ]
    return [f"{rid}: {message}" for ok, message in checks if not ok]


def _reviews_ok(cov: Coverage) -> list[str]:
    unmet = [u for rid, review in cov.reviews.items() for u in _review_ok(rid, review)]
    if len(cov.reviews) < 4:
        unmet.append(f"library has {len(cov.reviews)} review(s); needs at least 4")
    return unmet


def _valid_ok(cov: Coverage) -> list[str]:
    return [
        f"{name}: does not validate, so it is left out of coverage" for name in cov.invalid_files
    ]


REQUIREMENTS: tuple[Callable[[Coverage], list[str]], ...] = (
    _valid_ok,
    _breadth_ok,
    _steps_ok,
    _teaching_ok,
    _nations_ok,
    _features_ok,
    _scenario_shape_ok,
    _reviews_ok,
)


def requirements(cov: Coverage) -> list[str]:
    """Every unmet library requirement, as a sentence; empty when the library is complete."""
    return [unmet for check in REQUIREMENTS for unmet in check(cov)]


# --- rendering --------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _step_matrix(cov: Coverage) -> str:
    steps = _step_ids()
    rows = [[sid, *("x" if s in cov.steps[sid] else "." for s in steps)] for sid in cov.scenarios]
    totals = cov.step_counts()
    rows.append(["(scenarios)", *(str(totals[s]) for s in steps)])
    return _table(["scenario", *steps], rows)


def _counts(title: str, counts: Mapping[str, int]) -> str:
    return _table([title, "scenarios"], [[k, str(n)] for k, n in counts.items()])


def _features(cov: Coverage) -> dict[str, int]:
    return {
        **{f"tag {tag}": n for tag, n in cov.tags.items()},
        "emergency with S9": len(cov.emergencies),
        "share-plan decision": len(cov.share_plans),
    }


def _review_table(cov: Coverage) -> str:
    headers = ["review", "events", "agencies", "shared", "missed", "findings", "reviewers"]
    rows = [[rid, *(str(getattr(r, h)) for h in headers[1:])] for rid, r in cov.reviews.items()]
    return _table(headers, rows)


def render_text(cov: Coverage) -> str:
    """The step × scenario matrix; nation, sector, feature, concept, misconception and review
    tables. Plain text, fixed-width columns, for a terminal or a notebook's ``<pre>``."""
    parts = [
        f"{len(cov.scenarios)} scenario(s), {len(cov.reviews)} review(s)",
        _step_matrix(cov),
        _counts("nation", cov.nations),
        _counts("sector", cov.sectors),
        _counts("feature", _features(cov)),
        _counts("concept", cov.concepts),
        _counts("misconception", cov.misconceptions),
        _review_table(cov),
    ]
    return "\n\n".join(parts) + "\n"
