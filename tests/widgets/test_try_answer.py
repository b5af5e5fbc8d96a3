"""The "try an answer" box: the scorer's findings highlighted, points under `expect`, escaped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.cases.model import Scenario
from toolkit.widgets.try_answer import TryAnswer, highlighted, rationale_html

EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
HOSTILE = Path(__file__).parent / "files" / "hostile-labels.yaml"


@dataclass(frozen=True)
class Span:
    id: str
    start: int
    end: int


@pytest.fixture
def example() -> Scenario:
    return load_case(EXAMPLE)


def test_spans_are_marked_in_place():
    """Is each span wrapped in a mark naming its id, with the text around it kept?"""
    html = highlighted("share today with care", [Span("C-timely", 0, 11)])
    assert html == (
        '<p><mark class="ss-concept" title="C-timely">share today'
        '<span class="ss-tag">C-timely</span></mark> with care</p>'
    )


def test_overlapping_spans_become_one_mark_naming_both():
    """Do overlapping findings merge into one mark that hides neither id?"""
    html = highlighted("not wait for proof", [Span("C-timely", 0, 18), Span("M-x", 4, 8)])
    assert html.count("<mark") == 1
    assert 'title="C-timely, M-x"' in html and 'class="ss-misconception"' in html


def test_highlighting_escapes_the_text():
    """Does a sample holding markup show as text, inside and outside marks?"""
    text = "<b>risk</b> <script>x</script>"
    html = highlighted(text, [Span("C-risk-of-harm", 0, 11)])
    assert "<script" not in html and "<b>" not in html
    assert "&lt;b&gt;risk&lt;/b&gt;" in html


def test_model_rationale_earns_every_expected_concept(example: Scenario, table_rows):
    """Does d1's model rationale earn all 5 points, each concept ticked?"""
    d1 = example.decision("d1")
    html = rationale_html(d1, d1.rationale.model)
    assert "Earns 5 of 5 rationale points" in html
    earned = {row[0]: row[3] for row in table_rows(html)[1:]}
    assert earned == {
        "C-risk-of-harm": "✓ 2",
        "C-timely": "✓ 1",
        "C-record-decision": "✓ 1",
        "C-right-recipient": "✓ 1",
    }


def test_a_misconception_is_shown_with_its_correction(example: Scenario):
    """Does a sample holding a misconception name it and show the learner's correction?"""
    html = rationale_html(example.decision("d1"), "Data protection forbids sharing this.")
    assert "Earns 0 of 5" in html
    assert "Misconceptions found: M-dp-barrier" in html
    assert 'class="ss-misconception"' in html


def test_empty_sample_asks_for_text(example: Scenario):
    """Does an empty box ask for a sample instead of scoring nothing?"""
    assert "Type a sample rationale" in rationale_html(example.decision("d1"), "  ")


def test_box_opens_on_the_first_decision_with_its_model(example: Scenario):
    """Does the box offer only decisions with a rationale, filled with d1's model, analysed?"""
    box = TryAnswer()
    box.set_scenario(example)
    assert [value for _, value in box.pick.options] == ["d1", "d3"]
    assert box.pick.value == "d1"
    assert box.text.value == example.decision("d1").rationale.model
    assert "Earns 5 of 5" in box.result.value
    assert "expect: C-risk-of-harm ×2" in box.expects.value


def test_author_sample_survives_a_recheck(example: Scenario):
    """After a re-check of the same file, is the author's own sample kept and re-analysed?"""
    box = TryAnswer()
    box.set_scenario(example)
    box.text.value = "I would refer today."
    box.set_scenario(example)
    assert box.text.value == "I would refer today."
    assert "Earns" in box.result.value


def test_picking_another_decision_loads_its_model(example: Scenario):
    """Does choosing d3 fill the box with d3's model rationale?"""
    box = TryAnswer()
    box.set_scenario(example)
    box.pick.value = "d3"
    assert box.text.value == example.decision("d3").rationale.model


def test_no_scenario_or_no_rationale_says_so():
    """With a review open (no scenario), does the box explain that nothing asks for a rationale?"""
    box = TryAnswer()
    box.set_scenario(None)
    assert box.pick.options == () and "No decision here asks for a rationale" in box.expects.value
    box.analyse()
    assert box.result.value == ""


def test_hostile_case_text_stays_text():
    """Are a hostile prompt and model rationale escaped in the box and its result?"""
    box = TryAnswer()
    box.set_scenario(load_case(HOSTILE))
    html = box.expects.value + box.result.value + "".join(label for label, _ in box.pick.options)
    assert "<script" not in box.expects.value and "<script" not in box.result.value
    assert "&lt;script&gt;" in html
