"""toolkit.scoring.detector.windows: a long rationale is read in parts as well as whole:
sentence by sentence, and a long sentence clause by clause."""

from __future__ import annotations

import json
import time

import pytest

from toolkit.scoring.detector import windows
from toolkit.scoring.detector.features import read, window
from toolkit.scoring.detector.model import ModelFileError, bundled, parse_model
from toolkit.scoring.rationale import analyse
from toolkit.scoring.text import parse
from toolkit.training.corpus import bundled_corpus

LABELS = ("C-timely", "M-dp-barrier")


def texts(text: str, mode: str = "clauses") -> list[str]:
    return [text[a:b] for a, b in windows.spans(parse(text), mode)]


# One sentence of 32 words, four clauses: a learner's whole plan in one breath (the browser
# journey's first answer). Read whole, its risk of harm and recipient were missed.
ONE_BREATH = (
    "Unexplained bruises on a two-year-old who flinches are a risk of significant harm, so I "
    "will refer to the front door today without waiting for proof, and record my decision "
    "and reasons."
)


def test_one_sentence_has_no_windows():
    """Is a one-sentence text of ordinary length scored whole only (its one window would be
    itself)?"""
    assert texts("I rang the MASH at once because he is at risk.") == []
    assert texts("") == []


def test_a_long_sentence_is_read_clause_by_clause():
    """Is a sentence of 25 words or more also read in its clauses of four words or more,
    as written, and only when the model file asks for clauses?"""
    assert texts(ONE_BREATH) == [
        "Unexplained bruises on a two-year-old who flinches are a risk of significant harm",
        "so I will refer to the front door today without waiting for proof",
        "and record my decision and reasons.",
    ]
    assert texts(ONE_BREATH, "sentences") == []
    assert texts(ONE_BREATH, "none") == []
    short = "She is at risk, so I rang the MASH, and I wrote it up."  # 14 words
    assert texts(short) == []


def test_a_concept_in_a_clause_of_a_long_sentence_is_found():
    """Are the risk of harm and the recipient found in one long sentence (both missed when
    it was read whole only), with the words behind each quoted?"""
    found = analyse(ONE_BREATH)
    assert {"C-risk-of-harm", "C-right-recipient", "C-timely", "C-record-decision"} <= set(
        found.concepts
    )
    assert found.misconceptions == ()
    quoted = {e.id: e.text for e in found.evidence}
    assert "harm" in quoted["C-risk-of-harm"]


def test_a_clause_alone_never_decides_a_belief():
    """Does a misconception ignore the clause windows: "I will tell Mother first what we
    are sharing and why" read alone looks like telling the family whatever the risk, but its
    sentence weighs the risk?"""
    got = windows.combine(LABELS, [0.2, 0.2], [], [[0.3, 0.99]])
    assert got == pytest.approx((0.3, 0.2)), "a concept takes a clause; a belief does not"
    text = (  # the housing move's model answer, d3
        "We share under public task and the legal obligation to notify out-of-area "
        "placements, following the regional data sharing agreement. "
        "I will check the address and names are accurate before sending, and send it by "
        "secure email to named contacts. I will tell Mother first what we are sharing and "
        "why, because it is her right to know and telling her does not add to the risk."
    )
    model, reading = bundled(), read(text)
    belief = model.labels.index("M-tell-family-always")

    def score(first: int, last: int) -> tuple[float, ...]:
        return model.score(window(reading, first, last)).probabilities

    whole = model.score(reading.features).probabilities
    clause = text.index("I will tell Mother first what we are sharing and why")
    alone = [
        score(first, last)[belief]
        for first, last in windows.clause_ranges(reading.parsed)
        if reading.parsed.words[first].start == clause
    ]
    with_clauses = windows.probabilities(model.labels, reading.parsed, whole, score, "clauses")
    without = windows.probabilities(model.labels, reading.parsed, whole, score, "sentences")
    assert alone and alone[0] > 0.9, "read alone, the clause looks like the belief"
    assert with_clauses[belief] == without[belief]  # the clause window is never consulted
    assert windows.probabilities(model.labels, reading.parsed, whole, score, "none") == whole


def test_windows_are_each_sentence_and_each_pair():
    """Are the windows every sentence and every two neighbouring sentences, as written?"""
    assert texts("She is scared. I rang the MASH! Then I wrote it up.") == [
        "She is scared.",
        "She is scared. I rang the MASH!",
        "I rang the MASH!",
        "I rang the MASH! Then I wrote it up.",
        "Then I wrote it up.",
    ]


def test_a_concept_takes_its_best_window_and_a_belief_the_mean():
    """Does a concept take the best of whole and windows, a misconception their mean?"""
    got = windows.combine(LABELS, [0.2, 0.2], [[0.9, 0.9], [0.1, 0.5]])
    assert got == pytest.approx((0.9, 0.55))
    assert windows.combine(LABELS, [0.3, 0.4], []) == (0.3, 0.4)


def test_a_concept_in_one_sentence_of_a_plan_is_found():
    """Is accuracy found in the middle sentence of a three-part plan (missed whole)?"""
    text = (
        "We share under public task, following the regional data sharing agreement. "
        "I will check the address and names are accurate before sending. "
        "I will send it by secure email to named contacts."
    )
    assert "C-accuracy" in analyse(text).concepts


def test_a_view_rejected_in_the_next_sentence_is_not_a_belief():
    """Is "Some say GDPR stops us. It doesn't." no misconception, though its first window
    read alone would be one?"""
    found = analyse("Some people say GDPR stops us sharing. It doesn't.")
    assert found.misconceptions == ()


def test_thousands_of_sentences_cost_a_bounded_time():
    """Does a text of 1,250 one-word sentences window only the first MAX_SENTENCES?"""
    text = "ok. " * 1250
    assert len(windows.spans(parse(text))) == 2 * windows.MAX_SENTENCES - 1
    start = time.perf_counter()
    analyse(text)
    assert time.perf_counter() - start < 2.0


def test_one_endless_sentence_costs_a_bounded_time():
    """Does a 5,000-character sentence of 250 clauses read at most MAX_CLAUSES of them?"""
    text = ("we must act now, " * 300)[:4990] + "."
    assert len(windows.clause_ranges(parse(text))) == windows.MAX_CLAUSES
    start = time.perf_counter()
    analyse(text)
    assert time.perf_counter() - start < 2.0


def test_the_model_file_says_how_it_reads_and_refuses_nonsense():
    """Does the bundled model read in windows, and is an unknown reading mode refused?"""
    assert bundled().windows == "clauses"
    data = bundled().to_dict()
    data["windows"] = "paragraphs"
    with pytest.raises(ModelFileError, match="windows must be one of none, sentences, clauses"):
        parse_model(json.dumps(data))
    del data["windows"]
    assert parse_model(json.dumps(data)).windows == "none", "older files: the whole text only"


def test_a_window_keeps_its_question_mark():
    """Is a question still a question when its sentence is read alone?"""
    assert texts("Should I ring the police? Not sure.") == [
        "Should I ring the police?",
        "Should I ring the police? Not sure.",
        "Not sure.",
    ]
    assert analyse("Should I ring the police now? Not sure.").concepts == ()


def test_a_window_that_is_the_whole_text_is_not_read_again():
    """For two sentences, is the pair window (the whole text) taken from the whole reading?"""
    text = "She is scared. I rang the MASH."
    asked: list[tuple[int, int]] = []

    def score(first: int, last: int) -> list[float]:
        asked.append((first, last))
        return [0.1, 0.1]

    got = windows.probabilities(LABELS, parse(text), [0.9, 0.2], score)
    assert asked == [(0, 2), (3, 6)], "each sentence alone; the pair is the whole text"
    assert got == pytest.approx((0.9, (0.2 + 0.2) / 2))


def test_a_window_has_the_features_of_its_text_read_afresh():
    """Are a sentence window's features, taken from the whole reading, those of its own text
    read alone, on 300 corpus rationales of two or more sentences (the shape and the
    stuffing guard judged for the window)? At most 1 window in 500 may differ: the rare
    multi-word class term or abbreviation read across a sentence boundary. (A clause window
    keeps its sentence's scope, and a window holding someone's view that a later sentence
    rebuts keeps that rebuttal, so neither is meant to equal its text read alone.)"""
    rows = [e for e in bundled_corpus() if e.text.count(". ") >= 1][::10][:300]
    seen = differ = 0
    for e in rows:
        reading = read(e.text)
        for (a, b), (first, last) in zip(
            windows.spans(reading.parsed, "sentences"),
            windows.sentence_ranges(reading.parsed),
            strict=True,
        ):
            if any(reading.parsed.rebutted[first : last + 1]):
                continue
            seen += 1
            fresh = {o[0] for o in read(e.text[a:b]).features}
            differ += fresh != {o[0] for o in window(reading, first, last)}
    assert seen > 500
    assert differ <= seen / 500, (differ, seen)


def test_a_stuffed_window_is_judged_on_its_own_matches():
    """Is a list of terms in one sentence withheld in its window, though the whole text,
    mostly reasoning, keeps its other matches?"""
    text = (
        "I rang the MASH straight away because she is at risk of significant harm. "
        "Public task, special category, secure email, minimum necessary."
    )
    reading = read(text)
    alone = read(text[text.index("Public") :])
    second = windows.sentence_ranges(reading.parsed)[-1]
    assert {o[0] for o in window(reading, *second)} == {o[0] for o in alone.features}
    assert any(o[0].startswith("rw:") for o in window(reading, *second))
