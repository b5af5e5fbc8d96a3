"""Tests for toolkit.training.corpus: the bundled corpus meets issue 13's bar; bad rows named."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from toolkit.training.corpus import (
    CorpusError,
    Example,
    all_labels,
    bundled_corpus,
    check_unique,
    corpus_hash,
    read_examples,
)

FILES = Path(__file__).parent / "files"


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    return bundled_corpus()


def test_corpus_is_large_and_many_voiced(corpus):
    """Does the corpus hold at least 1,500 rationales by at least 8 authors, each recorded?"""
    authors = Counter(e.author for e in corpus)
    assert len(corpus) >= 1500
    assert len(authors) >= 8
    assert all(e.author for e in corpus)


def test_every_label_appears_at_least_forty_times(corpus):
    """Is every concept and misconception shown by at least 40 rationales?"""
    counts = Counter(label for e in corpus for label in e.labels)
    short = {label: counts[label] for label in all_labels() if counts[label] < 40}
    assert not short


def test_no_author_dominates(corpus):
    """Does each author write under a tenth of the corpus, so no single voice sets the model?"""
    authors = Counter(e.author for e in corpus)
    assert max(authors.values()) < 0.1 * len(corpus)


def test_corpus_has_the_hard_cases(corpus):
    """Are negated, reported, hedged, asked, hypothetical and listed texts all represented?"""
    tags = Counter(t for e in corpus for t in e.meta.get("tags", []))
    for tag in ("negated", "reported-rejected", "adopted", "hedge", "question", "hypothetical"):
        assert tags[tag] >= 100, tag
    assert tags["list"] >= 100
    assert sum(not e.labels for e in corpus) >= 300  # rationales that show nothing


def test_texts_are_distinct(corpus):
    """Is no text in the corpus twice (a duplicate would count double in training)?"""
    texts = Counter(" ".join(e.text.lower().split()) for e in corpus)
    assert [t for t, n in texts.items() if n > 1] == []


def test_bad_rows_are_all_named_with_file_and_line():
    """Does a bad corpus file give one `file:line: …` per bad row, all in one error?"""
    with pytest.raises(CorpusError) as err:
        read_examples(FILES / "bad-corpus.jsonl")
    lines = str(err.value).splitlines()
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in lines] == [
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
    ]
    assert "text: must be a non-empty string" in lines[0]
    assert "not valid JSON" in lines[1]
    assert "unknown id 'C-made-up'" in lines[2]
    assert "missing author" in lines[3]
    assert "expected a JSON object" in lines[4]
    assert "concepts: must be a list of ids" in lines[5]


def test_duplicate_ids_are_refused():
    """Are two rows with one id refused (a moderation export must not shadow a corpus row)?"""
    row = Example("x", "a", "text", frozenset(), frozenset())
    with pytest.raises(CorpusError, match="duplicate example ids: x"):
        check_unique([row, row])


def test_hash_changes_with_a_label(corpus):
    """Does the fingerprint recorded with a model change when any label changes?"""
    first = corpus[0]
    changed = Example(
        first.id, first.author, first.text, first.concepts ^ {"C-timely"}, first.misconceptions
    )
    assert corpus_hash(corpus) != corpus_hash([changed, *corpus[1:]])
