"""Data protection of the product itself: one learner's data on request, erasure, retention.

A learner (or the operator on their behalf) may ask for everything stored about them, or
for it to be erased; learners who played outside any cohort must not be kept for ever; and
nothing a trainer exports may carry a learner's resume code.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.security.conftest import FILES, HOSTILE_SCENARIO
from toolkit.errors import MissingEntry
from toolkit.storage import open_store
from toolkit.storage.personal import forget_learner, learner_record, purge_unattached

RESULT = {"points": 1.0, "max_points": 2.0, "feedback": ["Shared (S5)."]}


def learner_with_answers(store, cohort_code=None, words="my own reasoning"):
    learner = store.learner(cohort_code=cohort_code, display_name="Sam")
    attempt = store.open_attempt(learner["id"], HOSTILE_SCENARIO)
    answer = {"decision": "d1", "choice": "a", "rationale": words}
    stored = store.record_answer(attempt["id"], "d1", answer, RESULT)
    return learner, stored


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    yield store
    store.close()


def test_a_learner_gets_everything_stored_about_them_and_nothing_else(store):
    """Does the record hold their answers, rationales and trainer notes, no key, no one else?"""
    me, answer = learner_with_answers(store, words="why I shared")
    store.add_override(answer["id"], "Trainer T", ["C-timely"], 2.0, "well argued")
    other, _ = learner_with_answers(store, words="someone else's words")

    record = learner_record(store, me["id"])
    text = json.dumps(record)  # JSON-ready as it stands

    assert record["learner"]["id"] == me["id"] and record["learner"]["display_name"] == "Sam"
    assert [a["rationale"] for a in record["answers"]] == ["why I shared"]
    assert [o["reason"] for o in record["overrides"]] == ["well argued"]
    assert len(record["attempts"]) == 1
    assert me["resume_key"] not in text and "resume_key" not in text
    assert other["id"] not in text and "someone else's words" not in text


def test_erasure_removes_the_learner_and_only_them(store):
    """After forgetting a learner, is every row of theirs gone and everyone else's kept?"""
    me, answer = learner_with_answers(store)
    store.add_override(answer["id"], "Trainer T", [], 0.0, "note")
    other, _ = learner_with_answers(store)

    assert forget_learner(store, me["id"]) == 4  # override, answer, attempt, learner
    with pytest.raises(MissingEntry):
        store.learner_by_resume_key(me["resume_key"])
    with pytest.raises(MissingEntry):
        learner_record(store, me["id"])
    assert learner_record(store, other["id"])["answers"]
    assert forget_learner(store, me["id"]) == 0


def test_learners_outside_a_cohort_are_purged_after_retention(store):
    """Are self-study learners older than the cut-off erased, and cohort learners left to
    their cohort's own retention date?"""
    cohort = store.add_cohort("Room 4", [HOSTILE_SCENARIO])
    alone, _ = learner_with_answers(store)
    in_room, _ = learner_with_answers(store, cohort_code=cohort["code"])

    assert purge_unattached(store, dt.datetime.now(dt.UTC) - dt.timedelta(days=1)) == []
    assert purge_unattached(store, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == [
        alone["id"]
    ]
    assert learner_record(store, in_room["id"])["answers"]
    store.purge(dt.datetime.now(dt.UTC) + dt.timedelta(days=365))
    with pytest.raises(MissingEntry):
        learner_record(store, in_room["id"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xapi"])
def test_exports_never_carry_a_resume_code(store, fmt):
    """Does no cohort export (CSV, XLSX, xAPI) contain any learner's resume code?"""
    exports = pytest.importorskip("toolkit.app.exports", reason="the workshop engineer's app")
    from toolkit.cases import load_library

    cohort = store.add_cohort("Room 5", [HOSTILE_SCENARIO])
    learner, _ = learner_with_answers(store, cohort_code=cohort["code"])
    scenarios = load_library([FILES]).scenarios
    data, _ = exports.export_cohort(store, scenarios, cohort["code"], fmt, "https://example.org")
    if fmt == "xlsx":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as book:
            data = b"".join(book.read(name) for name in book.namelist())
    assert learner["resume_key"].encode() not in data
    assert learner["id"].encode() in data or fmt != "csv", "the export does name learners"
