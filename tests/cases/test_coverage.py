"""Library coverage: counts over small hand-made libraries, and the requirements they miss."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toolkit.cases.coverage import (
    coverage,
    exercised_steps,
    render_text,
    requirements,
)
from toolkit.cases.load import Library
from toolkit.cases.model import Review, Scenario
from toolkit.guidance import vocabulary
from toolkit.problems import Problem

STEPS = [f"S{n}" for n in range(1, 11)]
NATIONS = ["england", "wales", "scotland", "northern-ireland"]
SECTORS = sorted(vocabulary().sectors)
TAGS = ["emergency", "tell-family-raises-risk", "share-less", "not-sharing-right"]


def _choice(
    decision_id: str, misconceptions: list[str] = (), steps: list[str] = ()
) -> dict[str, Any]:
    options = [{"id": "best", "text": "Share", "points": 2, "feedback": "Right (S5)."}]
    options += [
        {"id": f"m{i}", "text": "Wrong", "points": 0, "feedback": "No.", "misconception": m}
        for i, m in enumerate(misconceptions)
    ]
    if len(options) < 2:
        options.append({"id": "meh", "text": "Later", "points": 1, "feedback": "Late."})
    return {
        "id": decision_id,
        "prompt": "?",
        "type": "choice",
        "steps": list(steps),
        "options": options,
    }


def _plan(decision_id: str) -> dict[str, Any]:
    plan = {
        "items": [{"id": "notes", "text": "Notes", "needed": True}],
        "recipients": [{"id": "csc", "text": "Children's services", "needed": True}],
        "lawful_basis": ["public-task"],
        "condition": ["none-needed"],
        "timing": "now",
        "tell_family": "not-if-risk",
    }
    return {"id": decision_id, "prompt": "?", "type": "share-plan", "plan": plan}


def scenario(sid: str, **fields: Any) -> Scenario:
    """A scenario with every feature the library needs; ``fields`` override any of them."""
    first = _choice("d1", sorted(vocabulary().misconceptions))
    first["rationale"] = {"expect": {c: 1 for c in vocabulary().concepts}, "model": "…"}
    document = {
        "id": sid,
        "kind": "scenario",
        "title": "T",
        "nation": "england",
        "sectors": ["education"],
        "minutes": 10,
        "objectives": ["O"],
        "steps": STEPS,
        "anonymisation": "Fictional.",
        "agencies": [{"id": "school", "name": "School", "sector": "education"}],
        "context": "C",
        "decisions": [first, _choice("d2"), _choice("d3"), _plan("d4")],
        "endings": [
            {"id": "e-good", "title": "G", "outcome": "protected", "text": "Safe."},
            {"id": "e-bad", "title": "B", "outcome": "harmed", "text": "Harmed."},
        ],
        "debrief": "S5 matters.",
        "sources": ["ICO 10 step guide"],
        "tags": TAGS,
    }
    return Scenario.model_validate({**document, **fields})


def review(rid: str, events: int = 15, reviewers: tuple[str, ...] = ("R1", "R2")) -> Review:
    """A review with shared and missed sharing, a finding and coders; ``events`` long."""
    chronology = [
        {"id": f"ev{i}", "date": dt.date(2022, 1, 1), "agency": "school", "event": "E"}
        for i in range(events)
    ]
    chronology[0]["shared"] = [{"to": "csc", "date": dt.date(2022, 1, 2)}]
    chronology[0]["missed"] = [{"to": "hv", "themes": ["T6"]}]
    agencies = [
        {"id": "school", "name": "School", "sector": "education"},
        {"id": "csc", "name": "Children's services", "sector": "social-care"},
        {"id": "hv", "name": "Health visiting", "sector": "health"},
    ]
    return Review.model_validate(
        {
            "id": rid,
            "kind": "review",
            "title": "R",
            "nation": "wales",
            "anonymisation": "Fictional.",
            "agencies": agencies,
            "chronology": chronology,
            "findings": [{"id": "f1", "text": "F", "themes": ["T6"], "events": ["ev0"]}],
            "codings": [{"reviewer": r, "event": "ev0", "themes": ["T6"]} for r in reviewers],
        }
    )


def complete_library() -> Library:
    """Twelve scenarios (three per nation, sectors spread) and four reviews: meets everything."""
    scenarios = [
        scenario(f"sc-{i:02d}", nation=NATIONS[i % 4], sectors=[SECTORS[i % len(SECTORS)]])
        for i in range(12)
    ]
    reviews = [review(f"rv-{i}") for i in range(4)]
    return Library(
        scenarios={s.id: s for s in scenarios},
        reviews={r.id: r for r in reviews},
    )


def with_scenario(library: Library, replacement: Scenario) -> Library:
    return Library(
        scenarios={**library.scenarios, replacement.id: replacement},
        reviews=library.reviews,
        problems=library.problems,
    )


def test_complete_library_meets_every_requirement():
    """Does a library with every feature report no unmet requirement?"""
    assert requirements(coverage(complete_library())) == []


def test_empty_library_misses_everything_it_should():
    """Does an empty library report the scenario and review counts, every step and nation?"""
    unmet = requirements(coverage(Library()))
    assert "library has 0 scenario(s); needs at least 12" in unmet
    assert "library has 0 review(s); needs at least 4" in unmet
    assert "scenarios cover 0 sector(s); need at least 8" in unmet
    for step in STEPS:
        assert f"step {step} is in 0 scenario(s); needs at least 2" in unmet
    for nation in NATIONS:
        assert f"nation {nation} is in 0 scenario(s); needs at least 2" in unmet
    assert not any("nation uk" in u for u in unmet), "the UK-wide nation is not required"


def _decisions(n: int) -> list[dict[str, Any]]:
    return [_choice(f"d{i}") for i in range(1, n)] + [_plan(f"d{n}")]


BREAKS = [
    ("too few decisions", {"decisions": _decisions(3)}, "sc-00: 3 decisions; needs 4–8"),
    ("too many decisions", {"decisions": _decisions(9)}, "sc-00: 9 decisions; needs 4–8"),
    (
        "one ending",
        {"endings": [{"id": "e", "title": "E", "outcome": "protected", "text": "T"}]},
        "sc-00: 1 ending(s); needs at least 2",
    ),
    ("no sources", {"sources": []}, "sc-00: no sources"),
    ("blank debrief", {"debrief": "  "}, "sc-00: no debrief"),
]


@pytest.mark.parametrize("fields, message", [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_one_broken_scenario_is_named(fields: dict[str, Any], message: str):
    """Does breaking one scenario's shape report exactly that scenario and fault?"""
    library = with_scenario(complete_library(), scenario("sc-00", **fields))
    assert requirements(coverage(library)) == [message]


def test_emergency_needs_both_the_tag_and_step_s9():
    """Is a scenario an emergency only when tagged `emergency` AND exercising S9?"""
    tag_only = scenario("sc-a", steps=["S5"], tags=["emergency"])
    step_only = scenario("sc-b", tags=[])
    decisions = [_choice("d1", steps=["S9"]), *_decisions(4)[1:]]
    both = scenario("sc-c", steps=["S5"], tags=["emergency"], decisions=decisions)
    library = Library(scenarios={s.id: s for s in (tag_only, step_only, both)})
    assert coverage(library).emergencies == ("sc-c",)


def test_steps_come_from_the_scenario_and_its_decisions_in_order():
    """Are decision-level steps counted, and is S10 sorted after S9, not after S1?"""
    decisions = [_choice("d1"), _choice("d2", steps=["S9", "S2"]), *_decisions(4)[2:]]
    case = scenario("sc-a", steps=["S10", "S2"], decisions=decisions)
    assert exercised_steps(case) == ("S2", "S9", "S10")


def test_concepts_and_misconceptions_count_scenarios_not_mentions():
    """Does a concept expected twice in one scenario count once, and do zeros show?"""
    first = _choice("d1", ["M-no-record", "M-no-record"])
    first["rationale"] = {"expect": {"C-timely": 1}}
    second = _choice("d2")
    second["rationale"] = {"expect": {"C-timely": 2}}
    case = scenario("sc-a", decisions=[first, second, _choice("d3"), _plan("d4")])
    cov = coverage(Library(scenarios={"sc-a": case}))
    assert cov.concepts["C-timely"] == 1
    assert cov.concepts["C-objective"] == 0
    assert cov.misconceptions == {m: int(m == "M-no-record") for m in vocabulary().misconceptions}
    assert "concept C-objective is in 0 scenario(s); needs at least 1" in requirements(cov)


def test_feature_counts_fall_short_one_at_a_time():
    """Do too few share-plans and too few of each tag each produce their own sentence?"""
    scenarios = [
        scenario(f"sc-{i:02d}", tags=[], decisions=[_choice(f"d{j}") for j in range(1, 5)])
        for i in range(12)
    ]
    cov = coverage(Library(scenarios={s.id: s for s in scenarios}))
    unmet = requirements(cov)
    assert "0 scenario(s) with a share-plan decision; need at least 4" in unmet
    assert "0 scenario(s) with an emergency (tag `emergency` and step S9); need at least 4" in unmet
    assert "0 scenario(s) with tag `tell-family-raises-risk`; need at least 3" in unmet
    assert "0 scenario(s) with tag `share-less`; need at least 2" in unmet
    assert "0 scenario(s) with tag `not-sharing-right`; need at least 2" in unmet


REVIEW_BREAKS = [
    ("too short", review("rv-0", events=14), "rv-0: 14 events; needs 15–40"),
    ("too long", review("rv-0", events=41), "rv-0: 41 events; needs 15–40"),
    ("one coder", review("rv-0", reviewers=("R1",)), "rv-0: 1 reviewer(s) coded it; needs 2"),
]


@pytest.mark.parametrize(
    "broken, message", [b[1:] for b in REVIEW_BREAKS], ids=[b[0] for b in REVIEW_BREAKS]
)
def test_one_broken_review_is_named(broken: Review, message: str):
    """Does a review outside 15–40 events, or with one coder, fail on that alone?"""
    library = complete_library()
    library.reviews["rv-0"] = broken
    assert requirements(coverage(library)) == [message]


def test_review_without_sharing_or_findings_is_reported():
    """Does a review with no shared, missed or findings say which are missing?"""
    library = complete_library()
    bare = review("rv-0").model_copy(update={"findings": [], "agencies": []})
    bare = bare.model_copy(
        update={
            "chronology": [
                e.model_copy(update={"shared": [], "missed": []}) for e in bare.chronology
            ]
        }
    )
    library.reviews["rv-0"] = bare
    assert requirements(coverage(library)) == [
        "rv-0: 0 agencies; needs at least 3",
        "rv-0: no sharing recorded (`shared`)",
        "rv-0: no missed sharing recorded (`missed`)",
        "rv-0: no findings",
    ]


def test_files_that_fail_validation_are_reported():
    """Is a case file left out for failing validation named, rather than silently uncounted?"""
    library = complete_library()
    library.problems.append(Problem("case_studies/scenarios/sc-x.yaml", 3, "id", "bad"))
    assert requirements(coverage(library)) == [
        "case_studies/scenarios/sc-x.yaml: does not validate, so it is left out of coverage"
    ]


def test_render_text_prints_the_matrix_and_tables():
    """Does the text report show a step row per scenario, totals, and nation/sector tables?"""
    library = Library(
        scenarios={"sc-a": scenario("sc-a", steps=["S1", "S10"], decisions=_decisions(4))}
    )
    text = render_text(coverage(library))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("scenario"))
    assert header.split() == ["scenario", *STEPS]
    row = next(line for line in lines if line.startswith("sc-a"))
    assert row.split() == ["sc-a", "x", ".", ".", ".", ".", ".", ".", ".", ".", "x"]
    totals = next(line for line in lines if line.startswith("(scenarios)"))
    assert totals.split()[1:] == ["1", "0", "0", "0", "0", "0", "0", "0", "0", "1"]
    assert any(line.split() == ["england", "1"] for line in lines)
    assert any(line.split() == ["education", "1"] for line in lines)
