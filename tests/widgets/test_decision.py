"""Decision widgets: the rationale box states its limit and counts words and characters."""

from __future__ import annotations

from tests.scoring.test_responses import EXAMPLE
from toolkit.cases import load_case
from toolkit.scoring.limits import RATIONALE_MAX_CHARS
from toolkit.widgets.decision import DecisionView, RationaleBox


def test_the_box_states_the_limit_and_counts():
    """Does the box say the limit up front, and count words and characters as text arrives?"""
    box = RationaleBox("Why?", min_words=10)
    assert "at most 5,000 characters" in box.text.placeholder
    assert box.count.value.endswith("0 words (at least 10 suggested), 0 of 5,000 characters</span>")
    box.text.value = "Risk of harm, so I act now."
    assert "7 words (at least 10 suggested), 27 of 5,000 characters" in box.count.value


def test_the_count_warns_past_the_limit():
    """Past the limit, does the count turn into a warning read out to screen readers?"""
    box = RationaleBox("Why?")
    box.text.value = "w " * RATIONALE_MAX_CHARS
    assert 'role="alert"' in box.count.value
    assert "10,000 of 5,000 characters: too long, shorten it before you submit" in box.count.value


def test_submitting_past_the_limit_is_missing_a_shorter_text():
    """Does the view refuse to submit an over-long rationale, saying its length and the limit?"""
    decision = load_case(EXAMPLE).decisions[0]
    view = DecisionView(decision, 1)
    view.step.radio.value = decision.options[0].id
    view.rationale.text.value = "x" * (RATIONALE_MAX_CHARS + 1)
    assert view.missing() == (
        "Your reasoning is 5,001 characters long; the limit is 5,000. "
        "Shorten it and press Submit again."
    )
    view.rationale.text.value = "x" * RATIONALE_MAX_CHARS
    assert view.missing() is None


def _plan_form():
    decision = next(d for d in load_case(EXAMPLE).decisions if d.type == "share-plan")
    return DecisionView(decision, 3)


def test_a_share_nothing_plan_asks_only_when_and_whether_to_tell():
    """With nothing ticked, does the form ask for timing and telling the family only, and
    give a plan with no basis and no condition?"""
    view = _plan_form()
    assert view.missing() == "Choose when to share, whether to tell the family first."
    view.step.timing.value = "not-needed"
    view.step.tell_family.value = "no"
    assert view.missing() is None
    plan = view.answer()["plan"]
    assert plan["items"] == plan["recipients"] == []
    assert plan["lawful_basis"] is None and plan["condition"] is None
    view.step.items["body-map"].value = True
    assert view.missing() == "Choose a lawful basis, a condition first."
