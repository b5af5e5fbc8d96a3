"""Share-plan marking: each field against the scenario's plan, with steps named in feedback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from toolkit.cases.model import SharePlan
from toolkit.scoring.responses import PlanAnswer
from toolkit.scoring.share_plan import FIELD_MARKERS, PLAN_MAX, FieldMark, mark_plan

PLAN = SharePlan.model_validate(
    {
        "items": [
            {"id": "notes", "text": "Dated notes", "needed": True},
            {"id": "attendance", "text": "Attendance", "needed": True},
            {"id": "whole-file", "text": "Whole file", "needed": False},
            {"id": "opinion", "text": "Opinions", "needed": False},
        ],
        "recipients": [
            {"id": "csc", "text": "Front door", "needed": True},
            {"id": "chat", "text": "Parents' chat", "needed": False},
        ],
        "lawful_basis": ["legitimate-interests", "recognised-legitimate-interests"],
        "condition": ["safeguarding-children"],
        "timing": "now",
        "tell_family": "not-if-risk",
        "record": True,
    }
)
IDEAL = PlanAnswer(
    items=("notes", "attendance"),
    recipients=("csc",),
    lawful_basis="legitimate-interests",
    condition="safeguarding-children",
    timing="now",
    tell_family="not-if-risk",
    record=True,
)


def field_points(answer: PlanAnswer) -> dict[str, float]:
    return {
        name: detail["points"] for name, detail in mark_plan(PLAN, answer).detail["plan"].items()
    }


def test_ideal_plan_earns_every_field():
    """Does the scenario's own plan earn 7 of 7, with positive evidence and no misconception?"""
    marks = mark_plan(PLAN, IDEAL, "d3")
    assert (marks.points, marks.max_points) == (PLAN_MAX, 7.0)
    assert marks.misconceptions == ()
    assert all(e.weight > 0 for e in marks.evidence)
    assert {e.step for e in marks.evidence} == {"S2", "S3", "S4", "S5", "S7", "S8", "S9"}


@pytest.mark.parametrize(
    ("change", "field", "points"),
    [
        ({"items": ("notes",)}, "items", 0.5),  # one of two needed: too little
        ({"items": ("notes", "attendance", "opinion")}, "items", 0.5),  # one extra costs 0.5
        ({"items": ("notes", "attendance", "opinion", "whole-file")}, "items", 0.0),
        ({"items": ()}, "items", 0.0),
        ({"recipients": ("csc", "chat")}, "recipients", 0.5),
        ({"recipients": ()}, "recipients", 0.0),
        ({"lawful_basis": "recognised-legitimate-interests"}, "lawful_basis", 1.0),
        ({"lawful_basis": "public-task"}, "lawful_basis", 0.0),
        ({"condition": "health-social-care"}, "condition", 0.0),
        ({"timing": "today"}, "timing", 0.5),  # near miss
        ({"timing": "after-meeting"}, "timing", 0.0),
        ({"timing": "not-needed"}, "timing", 0.0),
        ({"tell_family": "no"}, "tell_family", 0.5),
        ({"tell_family": "yes-after"}, "tell_family", 0.5),
        ({"tell_family": "yes-first"}, "tell_family", 0.0),
        ({"record": False}, "record", 0.0),
    ],
)
def test_field_marks(change, field, points):
    """Does changing one field from the ideal plan cost exactly that field's mark?"""
    got = field_points(replace(IDEAL, **change))
    assert got[field] == points
    assert all(v == 1.0 for name, v in got.items() if name != field)


@pytest.mark.parametrize(
    ("change", "misconception"),
    [
        ({"items": ("notes", "attendance", "whole-file", "opinion")}, "M-share-everything"),
        ({"tell_family": "yes-first"}, "M-tell-family-always"),
        ({"record": False}, "M-no-record"),
        ({"lawful_basis": "consent"}, "M-consent-always"),
        ({"condition": "explicit-consent"}, "M-consent-always"),
    ],
)
def test_plan_misconceptions(change, misconception):
    """Is each tell-tale plan choice read as its misconception, with the value as evidence?"""
    marks = mark_plan(PLAN, replace(IDEAL, **change), "d3")
    assert marks.misconceptions == (misconception,)
    assert [t.id for t in marks.triggers] == [misconception]
    assert marks.triggers[0].source.startswith("d3 plan ")


def test_one_extra_item_is_not_share_everything():
    """Is a single unneeded item a minimisation slip rather than M-share-everything?"""
    marks = mark_plan(PLAN, replace(IDEAL, items=("notes", "attendance", "opinion")))
    assert "M-share-everything" not in marks.misconceptions


def test_record_is_never_wrong():
    """Does recording earn the mark even where the plan does not require a record?"""
    relaxed = PLAN.model_copy(update={"record": False})
    assert mark_plan(relaxed, IDEAL).detail["plan"]["record"]["points"] == 1.0
    assert mark_plan(relaxed, replace(IDEAL, record=False)).misconceptions == ()


def test_yes_first_is_fine_when_the_plan_wants_it():
    """Is telling the family first no misconception where the plan expects it?"""
    open_plan = PLAN.model_copy(update={"tell_family": "yes-first"})
    marks = mark_plan(open_plan, replace(IDEAL, tell_family="yes-first"))
    assert marks.points == PLAN_MAX and marks.misconceptions == ()


def test_timing_cites_s9_only_when_now_is_due():
    """Is the emergency step S9 cited for timing only when sharing "now" is expected?"""
    today_plan = PLAN.model_copy(update={"timing": "today"})
    now_line = next(f for f in mark_plan(PLAN, IDEAL).feedback if f.startswith("When"))
    today_line = next(
        f
        for f in mark_plan(today_plan, replace(IDEAL, timing="today")).feedback
        if f.startswith("When")
    )
    assert "(S5, S9)" in now_line and "(S5)" in today_line


def test_every_field_line_names_its_steps():
    """Does each of the seven feedback lines cite at least one step id in brackets?"""
    marks = mark_plan(PLAN, replace(IDEAL, items=("whole-file",), record=False))
    assert len(marks.feedback) == len(FIELD_MARKERS) == 7
    assert all("(S" in line for line in marks.feedback)
    assert "Whole file" in marks.feedback[0] and "Dated notes" in marks.feedback[0]


def test_field_evidence_follows_the_mark():
    """Is a field's evidence 2 × mark − 1: none for a half mark, negative below, -1 at zero?"""
    marks = mark_plan(PLAN, replace(IDEAL, timing="today"), "d3")
    assert not [e for e in marks.evidence if e.source == "d3 plan timing"]
    wrong = mark_plan(PLAN, replace(IDEAL, timing="after-meeting"), "d3")
    timing = [(e.step, e.weight) for e in wrong.evidence if e.source == "d3 plan timing"]
    assert timing == [("S5", -1), ("S9", -1)]
    slim = mark_plan(PLAN, replace(IDEAL, items=("notes",), recipients=("csc", "chat")), "d3")
    assert not [e for e in slim.evidence if e.source in {"d3 plan items", "d3 plan recipients"}]
    thin = mark_plan(PLAN, replace(IDEAL, items=("notes", "opinion")), "d3")  # 0.5 − 0.5 = 0
    assert {(e.step, e.weight) for e in thin.evidence if e.source == "d3 plan items"} == {
        ("S2", -1),
        ("S7", -1),
    }
    quarter = FieldMark("items", 0.25, ("S2", "S7"), "", [])
    assert [(e.step, e.weight) for e in quarter.evidence("x")] == [("S2", -0.5), ("S7", -0.5)]


SHARE_NOTHING = PlanAnswer(
    items=(),
    recipients=(),
    lawful_basis=None,
    condition=None,
    timing="not-needed",
    tell_family="no",
    record=True,
)
NOTHING_NEEDED = SharePlan.model_validate(
    {
        **PLAN.model_dump(),
        "items": [{"id": "notes", "text": "Dated notes", "needed": False}],
        "recipients": [{"id": "csc", "text": "Front door", "needed": False}],
        "timing": "not-needed",
        "tell_family": "no",
    }
)


def test_sharing_nothing_where_sharing_is_needed_is_wrong_field_by_field():
    """Does a plan that shares nothing (no basis, no condition) score 0 for what, whom, basis
    and condition where the key shares, saying a basis would have been needed?"""
    marks = mark_plan(PLAN, SHARE_NOTHING, "d3")
    points = {name: d["points"] for name, d in marks.detail["plan"].items()}
    assert points["items"] == points["recipients"] == 0
    assert points["lawful_basis"] == points["condition"] == 0
    assert marks.detail["plan"]["lawful_basis"]["given"] is None
    basis_line = next(line for line in marks.feedback if line.startswith("Lawful basis"))
    assert "you shared nothing, so you gave none; sharing is needed here" in basis_line
    assert "Legitimate interests" in basis_line


def test_sharing_nothing_where_nothing_is_needed_is_right():
    """Where the key itself shares nothing, does the same plan earn every field?"""
    marks = mark_plan(NOTHING_NEEDED, SHARE_NOTHING, "d3")
    assert marks.points == PLAN_MAX
    assert any("none is needed, as nothing is shared" in line for line in marks.feedback)
