"""Tests for toolkit.storage.clean: free text any backend can store, kept as typed otherwise.

The store tests run on SQLite and, when SAFESHARE_TEST_PG_URL is set, on PostgreSQL, which
refused a NUL in a rationale for ever (issue 15, finding 9).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.storage import open_store
from toolkit.storage.clean import clean_json, clean_text

HOSTILE = "a\x00b\x01c\x1b[31md\x7fe\x85f\r\ng\rh\ti\nj \ud800k 😀 é ﬁ"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("I would tell the DSL\x00 now", "I would tell the DSL now"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("tab\there, new\nline", "tab\there, new\nline"),
        ("bell\x07 escape\x1b DEL\x7f C1\x9b", "bell escape DEL C1"),
        ("half a pair \ud83d here", "half a pair \ufffd here"),
        ("Cymraeg: ŵ ŷ, Gàidhlig, 😀, ﬁle, e\u0301", "Cymraeg: ŵ ŷ, Gàidhlig, 😀, ﬁle, e\u0301"),
    ],
)
def test_clean_text(typed, kept):
    """Are NUL, controls and lone surrogates dropped or replaced, and all else kept?"""
    assert clean_text(typed) == kept


@given(st.text())
def test_clean_text_is_storable_and_idempotent(text):
    """Is any text cleaned to UTF-8-encodable text without controls, and clean once for all?"""
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert not any(ord(c) < 32 and c not in "\t\n" for c in cleaned)
    assert clean_text(cleaned) == cleaned


def test_clean_json_reaches_every_string():
    """Are strings cleaned at any depth of a JSON document, keys too, other values kept?"""
    document = {"a\x00": ["x\x00", {"y": "z\x00"}], "n": 1.5, "t": True, "none": None}
    assert clean_json(document) == {"a": ["x", {"y": "z"}], "n": 1.5, "t": True, "none": None}


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


def test_every_free_text_field_is_stored_clean(store):
    """Do a rationale, its evidence, a cohort name, a display name and a trainer's reason
    holding NUL and other controls save (on PostgreSQL too) and read back cleaned?"""
    cohort = store.add_cohort("Room\x00 1", ["sc-nursery-bruising"])
    learner = store.learner(cohort_code=cohort["code"], display_name="Sam\x00")
    attempt = store.open_attempt(learner["id"], "sc-nursery-bruising")
    answer = {"decision": "d1", "choice": "a", "rationale": HOSTILE}
    result = {"points": 1.0, "max_points": 2.0, "evidence": [{"id": "C-timely", "text": "d\x7fe"}]}
    stored = store.record_answer(attempt["id"], "d1", answer, result)
    expected = clean_text(HOSTILE)
    assert stored["answer"]["rationale"] == stored["rationale"] == expected
    assert "\x00" not in expected and "\ud800" not in expected and "😀" in expected
    assert stored["result"]["evidence"][0]["text"] == "de"
    override = store.add_override(stored["id"], "trainer\x00", ["C-timely"], 2.0, "fair\x00 point")
    assert (override["trainer"], override["reason"]) == ("trainer", "fair point")
    assert store.find_cohort(cohort["code"])["name"] == "Room 1"
    assert store.learner(learner["id"])["display_name"] == "Sam"
