"""SQLite transactions: a write takes the write lock at BEGIN; a read never waits for it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import OperationalError

from tests.sqlitelock import WriteLock
from toolkit.storage import engine, open_store
from toolkit.storage.migrate import HEAD, current_revision

RESULT = {"points": 1.0, "max_points": 2.0}


@pytest.fixture
def busy(tmp_path, monkeypatch):
    """A store holding one cohort, learner, attempt and answer; a 2 s busy timeout."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 2000)  # the same path as 10 s, sooner
    path = tmp_path / "store.db"
    store = open_store(f"sqlite:///{path}")
    cohort = store.add_cohort("Room", ["sc-x"])
    learner = store.learner(cohort_code=cohort["code"])
    attempt = store.open_attempt(learner["id"], "sc-x")
    store.record_answer(attempt["id"], "d1", {"choice": "a"}, RESULT)
    yield store, path, cohort, learner, attempt
    store.close()


def test_reads_do_not_wait_for_another_writer(busy):
    """While another process holds the write lock, do the reads a page and the dashboard
    make (open a cohort, resume, reopen an attempt, answers, the room) answer at once, as
    WAL promises, instead of waiting out the busy timeout and failing?"""
    store, path, cohort, learner, attempt = busy
    with WriteLock(path):
        began = time.monotonic()
        assert current_revision(store.engine) == HEAD
        assert store.find_cohort(cohort["code"])["id"] == cohort["id"]
        assert store.learner_by_resume_key(learner["resume_key"])["id"] == learner["id"]
        assert store.learner(learner["id"])["id"] == learner["id"]
        assert store.open_attempt(learner["id"], "sc-x")["id"] == attempt["id"]
        assert [a["decision_id"] for a in store.answers(attempt["id"])] == ["d1"]
        assert len(store.cohort_answers(cohort["id"])) == 1
        assert len(store.cohort_learners(cohort["id"])) == 1
        assert len(store.cohort_attempts(cohort["id"])) == 1
        assert store.overrides(cohort_id=cohort["id"]) == []
        took = time.monotonic() - began
    assert took < 1.0, f"reads waited {took:.1f} s for the writer"


def test_writes_still_wait_for_the_write_lock(busy):
    """Does a write wait for the lock (then fail past the busy timeout), never half-write?"""
    store, path, cohort, learner, attempt = busy
    with WriteLock(path):
        began = time.monotonic()
        with pytest.raises(OperationalError):
            store.record_answer(attempt["id"], "d2", {"choice": "b"}, RESULT)
        assert time.monotonic() - began >= 1.5
    assert [a["decision_id"] for a in store.answers(attempt["id"])] == ["d1"]
