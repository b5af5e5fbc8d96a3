"""The guidance explorer: every step with its points, sources and the cases that exercise it."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from toolkit.cases import Library, load_case
from toolkit.cases.template import write_template
from toolkit.guidance import vocabulary
from toolkit.widgets.guidance_explorer import (
    CaseUse,
    cases_by_step,
    guidance_explorer,
    step_html,
    step_title,
)

EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """The example scenario and the review template: one case of each kind."""
    scenario = load_case(EXAMPLE)
    review = load_case(write_template("review", "explore", tmp_path))
    return Library(scenarios={scenario.id: scenario}, reviews={review.id: review})


def test_every_step_is_listed_in_order(library: Library):
    """Are S1…S10 all present, in order, even those no case exercises?"""
    assert list(cases_by_step(library)) == [f"S{n}" for n in range(1, 11)]


def test_scenario_use_names_the_case_and_its_decisions(library: Library):
    """Does S9 list the example as a whole case and through d1, d1b and d4?"""
    uses = cases_by_step(library)["S9"]
    assert uses == [
        CaseUse(
            "sc-nursery-bruising",
            "Bruising noticed at nursery",
            "scenario",
            ("whole case", "d1", "d1b", "d4"),
        )
    ]


def test_a_decision_alone_counts(library: Library):
    """Is a step only decisions list (not the case) still counted, without "whole case"?"""
    scenario = library.scenarios["sc-nursery-bruising"]
    narrowed = scenario.model_copy(update={"steps": ["S1"]})
    uses = cases_by_step(Library(scenarios={scenario.id: narrowed}))
    assert [u.where for u in uses["S9"]] == [("d1", "d1b", "d4")]
    assert [u.where for u in uses["S1"]] == [("whole case", "d1", "d2")]


def test_review_use_names_findings_and_events(library: Library):
    """Does S3 list the review through finding f2 and event ev1 (a missed sharing)?"""
    uses = {u.case_id: u for u in cases_by_step(library)["S3"]}
    assert uses["rv-explore"].where == ("f2", "ev1")
    assert uses["rv-explore"].kind == "review"


def test_step_panel_has_points_sources_and_cases(library: Library):
    """Does a step's panel show its published heading, key points, linked sources and cases?"""
    step = vocabulary().step("S5")
    html = step_html("S5", cases_by_step(library)["S5"])
    assert step.key_points[0].replace("'", "&#x27;") in html
    assert '<a href="https://ico.org.uk/' in html and 'rel="noopener"' in html
    assert "Cases that exercise S5 (2)" in html
    assert "C-timely" in html


def test_step_without_cases_says_so(library: Library):
    """Does a step no case exercises say so rather than show an empty list?"""
    assert cases_by_step(library)["S6"] == []
    assert "No bundled case exercises this step yet." in step_html("S6", [])


def test_title_counts_cases():
    """Does a panel title give the step, its short name and the number of cases?"""
    use = CaseUse("sc-x", "X", "scenario", ("d1",))
    assert step_title("S9", [use]) == "S9 · Sharing in an emergency · 1 case"
    assert step_title("S6", []) == "S6 · Data sharing agreements · 0 cases"


def test_explorer_widget_has_one_panel_per_step(library: Library):
    """Is the widget an accordion of ten panels titled S1…S10?"""
    explorer = guidance_explorer(library)
    accordion = next(c for c in explorer.children if isinstance(c, w.Accordion))
    assert len(accordion.children) == 10
    assert [t.split(" · ")[0] for t in accordion.titles] == [f"S{n}" for n in range(1, 11)]


def test_case_titles_are_escaped():
    """Is a case title holding markup shown as text in the step panel?"""
    use = CaseUse("sc-x", "<script>alert(1)</script>", "scenario", ("d1",))
    html = step_html("S1", [use])
    assert "<script" not in html and "&lt;script&gt;" in html
