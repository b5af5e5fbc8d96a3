"""Tests for the trained detector as the apps use it: decisions, evidence, purity, limits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit.guidance import vocabulary
from toolkit.scoring.detector.decide import EXCLUSIVE, decide
from toolkit.scoring.detector.features import read
from toolkit.scoring.detector.model import bundled
from toolkit.scoring.rationale import analyse, analyse_rules
from toolkit.training.corpus import bundled_corpus


def test_bundled_model_speaks_the_contract_vocabulary():
    """Are the model's labels exactly the contract's concepts then misconceptions, in order?"""
    vocab = vocabulary()
    assert bundled().labels == (*vocab.concepts, *vocab.misconceptions)
    assert all(0 < t < 1 for t in bundled().threshold)


def test_bundled_model_records_where_it_came_from():
    """Does the weights file say which corpus, how many rows and authors, and which settings?"""
    trained = bundled().trained
    assert trained["rows"] >= 1500 and len(trained["authors"]) >= 8
    assert len(trained["corpus"]) == 16 and trained["settings"]["min_authors"] >= 2


def test_the_learner_kernel_path_needs_no_numerical_libraries():
    """Does analysing a rationale import neither numpy, scipy nor scikit-learn?"""
    code = (
        "import sys; from toolkit.scoring.rationale import analyse; "
        "analyse('I rang the MASH at once because he is at risk.'); "
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def sample():
    rows = bundled_corpus()
    return rows[:: max(1, len(rows) // 300)]


def test_every_label_shown_has_the_words_behind_it(sample):
    """Does each label come with evidence that quotes the learner's text exactly?"""
    for e in sample:
        found = analyse(e.text)
        shown = set(found.concepts) | set(found.misconceptions)
        quoted = {ev.id for ev in found.evidence}
        assert shown == quoted, e.id
        for ev in found.evidence:
            assert e.text[ev.start : ev.end] == ev.text, e.id
            assert ev.text.strip(), e.id


def test_labels_are_shown_only_at_or_above_their_threshold(sample):
    """Is every label shown one the detector stands behind (confidence ≥ its threshold)?"""
    model = bundled()
    cut = dict(zip(model.labels, model.threshold, strict=True))
    for e in sample[:100]:
        found = analyse(e.text)
        assert set(found.confidence) == set(found.concepts) | set(found.misconceptions)
        assert all(p >= cut[label] for label, p in found.confidence.items()), e.id


def test_a_belief_and_its_denial_are_never_shown_together(sample):
    """Is no rationale told it both holds a misconception and shows the concept denying it?"""
    for e in sample:
        found = analyse(e.text)
        labels = set(found.concepts) | set(found.misconceptions)
        assert not any(a in labels and b in labels for a, b in EXCLUSIVE), e.id


def test_decide_keeps_the_more_confident_of_a_contradiction():
    """When both of a pair pass, does the more probable one stay?"""
    labels = ["C-consent-not-basis", "M-consent-always", "C-timely"]
    assert decide(labels, [0.7, 0.95, 0.2], [0.5, 0.5, 0.5]) == {1}
    assert decide(labels, [0.99, 0.6, 0.9], [0.5, 0.5, 0.5]) == {0, 2}
    assert decide(labels, [0.4, 0.4, 0.4], [0.5, 0.5, 0.5]) == set()
    # the more probable, not the one further above its own (lower) threshold: "I would share
    # without consent." was once challenged as the belief it denies
    assert decide(labels, [0.986, 0.981, 0.2], [0.75, 0.6, 0.5]) == {0}


def test_decide_does_not_challenge_a_belief_stated_with_its_exception():
    """Is an excused belief left out, and only a belief: a concept of the same name stays?"""
    labels = ["C-transparency", "M-tell-family-always", "M-consent-always"]
    probs, thresholds = [0.9, 0.95, 0.9], [0.75, 0.6, 0.6]
    assert decide(labels, probs, thresholds) == {0, 1, 2}
    assert decide(labels, probs, thresholds, {"M-tell-family-always"}) == {0, 2}
    assert decide(labels, probs, thresholds, {"C-transparency"}) == {0, 1, 2}


@pytest.mark.parametrize(
    ("text", "excused"),
    [
        # the exception in the same sentence as the belief's words
        ("I'll ring mum first, it won't add to the risk as she isn't involved.", True),
        ("I will tell the parents first as it is safe to tell them.", True),
        # no exception: the belief is held
        ("I'll ring mum first, she has a right to know.", False),
        # the exception in another sentence is not read as answering this one
        ("Mum must always be told first. It does not add to the risk.", False),
        # denied: not held, so nothing to excuse
        ("I would not tell mum first, it is not safe to tell her.", False),
    ],
)
def test_the_rules_find_a_belief_stated_with_its_exception(text, excused):
    """Does the reading list a belief as excused only where its cue matched, held, and its
    exception stands in the same sentence?"""
    reading = read(text)
    assert any(h.label == "M-tell-family-always" for h in reading.excused) is excused
    assert not any(h.label == "M-tell-family-always" for h in reading.kept) or not excused


STUFFED = [
    "GDPR, consent, safeguarding, DSL, need to know, proportionate.",
    "risk of harm / public task / Sch 1 para 18 / secure email / record / timely",
    "Keywords: MASH, consent not needed, minimum necessary, DSA, Caldicott, accuracy.",
    "lawful basis public task special category safeguarding children condition secure record",
    "Article 6(1)(e). Schedule 1 paragraph 18. Vital interests. Proportionality. Necessity.",
    "Transparency - accuracy - security - accountability - data minimisation - storage.",
    "safeguarding; GDPR; DPA 2018; ICO; information sharing; seven golden rules.",
    "DSL. MASH. Police. Gateway. IRD. LADO. Early help. Front door.",
]


@pytest.mark.parametrize("text", STUFFED)
def test_a_list_of_terms_earns_at_most_one_concept(text):
    """Is keyword stuffing (a list of guidance terms, no reasoning) given at most one concept?"""
    found = analyse(text)
    assert len(found.concepts) <= 1, found.concepts
    assert found.misconceptions == ()


def test_rules_alone_stay_available_for_comparison():
    """Does the pattern-rule detector still answer on its own (for `detector eval`)?"""
    found = analyse_rules("I would not wait for proof; I'd ring the DSL now.")
    assert "C-timely" in found.concepts and found.confidence == {}


def test_rationale_lines_carry_confidence():
    """Does `safeshare rationale` output say how sure the detector is of each label?"""
    from toolkit.scoring.rationale import rationale_lines

    [line] = rationale_lines([json.dumps({"id": "r1", "text": "Rang the MASH at once."})])
    assert set(line["confidence"]) == set(line["concepts"]) | set(line["misconceptions"])


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", "?", "…", "🙂" * 50, "a" * 5000, "not " * 400, "if " * 300, "\u0000x"],
)
def test_odd_text_is_analysed_without_error(text):
    """Does empty, punctuation-only, emoji, huge or NUL text give a result, not a crash?"""
    found = analyse(text)
    assert isinstance(found.concepts, tuple)
    assert read(text).features is not None
