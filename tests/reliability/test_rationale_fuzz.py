"""Any text a learner types can be analysed: known labels, and evidence that quotes the text.

Learners paste anything into a rationale box: other alphabets, emoji, combining marks, control
characters, text that normalises to a different length. The analyser must return known
concept and misconception ids whose evidence spans are exact slices of what was typed, and
the JSONL reader must answer every line or raise ResponseError.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ResponseError
from toolkit.guidance import vocabulary
from toolkit.scoring.rationale import analyse, rationale_lines

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
# Words the detector looks for, so fuzzed texts find labels and evidence, mixed with traps:
# negation, case and width variants, ligatures and expanding characters, markup, controls.
PHRASES = [
    "I would share now", "because the child is at risk of significant harm", "not",
    "without consent", "we must wait for proof", "tell the DSL", "record my decision",
    "public task", "Schedule 1 para 18", "GDPR forbids this", "I would not wait for proof",
    "ＣＯＮＳＥＮＴ", "ﬁle", "straße", "İ", "e\u0301", "\u200b", "\u202e", "\x00", "\r\n",
    "<script>", "😀", "…", "—", ".", ",", ";", "?", "  ",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PHRASES) | st.text(max_size=8), max_size=30).map(" ".join),
)
KNOWN = set(vocabulary().concepts) | set(vocabulary().misconceptions)


@FUZZ
@given(texts)
def test_evidence_quotes_the_text(text):
    """Are labels known ids, and is every evidence span an exact slice of the input?"""
    result = analyse(text)
    assert set(result.concepts) <= set(vocabulary().concepts)
    assert set(result.misconceptions) <= set(vocabulary().misconceptions)
    for evidence in (*result.evidence, *result.withheld):
        assert evidence.id in KNOWN
        assert 0 <= evidence.start <= evidence.end <= len(text)
        assert evidence.text == text[evidence.start : evidence.end]
        assert evidence.text in text
    labels = {e.id for e in result.evidence}
    assert labels == set(result.concepts) | set(result.misconceptions)


def test_long_rationale_is_analysed_in_reasonable_time():
    """Is a 100,000-character rationale analysed, quoting itself, within a few seconds?"""
    import time

    text = ("I would share now because the child is at risk of harm; not waiting. " * 1500)[
        :100_000
    ]
    began = time.perf_counter()
    result = analyse(text)
    assert time.perf_counter() - began < 20
    assert all(text[e.start : e.end] == e.text for e in result.evidence)


records = st.builds(
    lambda i, t: f'{{"id": {i}, "text": {t}}}',
    st.sampled_from(['"r1"', "1", "true", "null", '""', "[]"]),
    st.sampled_from(['"x"', "1", "null", '"not risk"', "{}"]),
)


@FUZZ
@given(st.lists(st.text(max_size=60) | records, max_size=6))
def test_jsonl_lines_answer_or_refuse(lines):
    """Does every JSONL input give one output per line or a ResponseError naming a line?"""
    try:
        out = list(rationale_lines(lines))
    except ResponseError as error:
        assert str(error).startswith("line ")
    else:
        assert len(out) == sum(1 for line in lines if line.lstrip("\ufeff").strip())
