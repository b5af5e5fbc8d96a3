"""Tests for toolkit.scoring.limits: the rationale cap and the evidence kept per answer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.scoring.test_responses import EXAMPLE
from toolkit.cases import load_case
from toolkit.errors import ResponseError
from toolkit.scoring import score_attempt
from toolkit.scoring.limits import (
    EVIDENCE_PER_LABEL,
    RATIONALE_MAX_CHARS,
    first_per_label,
    rationale_too_long,
)
from toolkit.scoring.rationale import rationale_lines


@dataclass
class Span:
    id: str
    text: str


def test_the_cap_is_at_least_what_the_contract_promises():
    """Is the stated limit at least the 2,000 characters CASE_FORMAT §4 promises?"""
    assert RATIONALE_MAX_CHARS >= 2_000


@pytest.mark.parametrize(
    ("length", "refused"),
    [(0, False), (RATIONALE_MAX_CHARS, False), (RATIONALE_MAX_CHARS + 1, True)],
)
def test_text_over_the_cap_is_refused_never_cut(length, refused):
    """Is a text of exactly the limit accepted and one character more refused, saying both?"""
    reason = rationale_too_long("é" * length)
    assert (reason is not None) is refused
    if refused:
        assert reason == f"is {length:,} characters, more than the limit of 5,000"


def test_first_spans_of_each_label_are_kept():
    """Does every label keep its first spans, and no label more than EVIDENCE_PER_LABEL?"""
    spans = [Span("C-timely", str(n)) for n in range(50)] + [Span("M-dp-barrier", "x")]
    kept = first_per_label(spans)
    assert [s.text for s in kept if s.id == "C-timely"] == ["0", "1", "2"][:EVIDENCE_PER_LABEL]
    assert [s.id for s in kept].count("M-dp-barrier") == 1


def test_a_repetitive_rationale_stores_a_few_spans_per_label():
    """Does a rationale repeating one reason (within the cap) give a few spans, not hundreds?"""
    scenario = load_case(EXAMPLE)
    reason = "There is a risk of significant harm to the child. "
    text = (reason * 200)[:RATIONALE_MAX_CHARS]
    answer = {"decision": "d1", "choice": "a", "rationale": text}
    (decision,) = score_attempt(scenario, {"answers": [answer]}).to_dict()["decisions"]
    labels = [e["id"] for e in decision["evidence"]]
    assert "C-risk-of-harm" in labels
    assert all(labels.count(label) <= EVIDENCE_PER_LABEL for label in labels)


def test_score_refuses_an_answer_over_the_cap():
    """Is an over-long rationale in RESPONSES a one-line ResponseError naming the answer?"""
    scenario = load_case(EXAMPLE)
    answer = {"decision": "d1", "choice": "a", "rationale": "x" * 8_900_000}
    with pytest.raises(ResponseError) as caught:
        score_attempt(scenario, {"answers": [answer]})
    assert str(caught.value) == (
        "answer to 'd1': rationale is 8,900,000 characters, more than the limit of 5,000; "
        "shorten it (it is never cut)"
    )


def test_rationale_lines_refuse_a_line_over_the_cap():
    """Is the JSONL reader's over-long text refused by line number, before it is analysed?"""
    lines = ['{"id": "a", "text": "fine"}', '{"id": "b", "text": "' + "y" * 5_001 + '"}']
    out = rationale_lines(lines)
    assert next(out)["id"] == "a"
    with pytest.raises(ResponseError, match='^line 2: "text" is 5,001 characters, more than'):
        next(out)
