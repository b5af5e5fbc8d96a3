"""toolkit.storage.lms on SQLite and PostgreSQL: single-use tickets and nonces, courses."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import update

from toolkit.storage import lms as records
from toolkit.storage import open_store
from toolkit.storage import tables as t


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


def test_a_ticket_is_taken_once_even_by_racing_pages(store):
    """Of eight pages taking one ticket at the same moment, does exactly one get it?"""
    cohort = store.add_cohort("Course", [])
    secret = records.issue_ticket(store, "learner", cohort["id"], 60)
    won, lost = [], []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        try:
            won.append(records.redeem_ticket(store, secret, "learner"))
        except records.TicketRefused as exc:
            lost.append(str(exc))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and lost == ["ticket already used"] * 7


def test_a_ticket_is_refused_when_expired_or_of_another_kind(store):
    """Is an instructor ticket useless as a learner's, and any ticket after its expiry?"""
    cohort = store.add_cohort("Course", [])
    secret = records.issue_ticket(store, "instructor", cohort["id"], 60)
    with pytest.raises(records.TicketRefused, match="unknown"):
        records.redeem_ticket(store, secret, "learner")
    with store.writing() as conn:
        conn.execute(update(t.lms_tickets).values(expires_at=dt.datetime.now(dt.UTC)))
    with pytest.raises(records.TicketRefused, match="expired"):
        records.redeem_ticket(store, secret, "instructor")
    with store.engine.connect() as conn:  # only the digest is stored, never the ticket
        assert secret not in str(conn.execute(t.lms_tickets.select()).all())


def test_a_nonce_is_taken_once(store):
    """Does taking OIDC state return it once, then nothing (a replayed launch)?"""
    records.put_state(store, "lti1p3-nonce-abc", True, 60)
    assert records.take_state(store, "lti1p3-nonce-abc") is True
    assert records.take_state(store, "lti1p3-nonce-abc") is None
    records.put_state(store, "gone", True, -1)
    assert records.get_state(store, "gone") is None and records.forget_expired(store) == 1


def test_a_course_keeps_its_cohort_until_purged(store):
    """Does a course map to one cohort across launches, and to a new one after a purge?"""
    first = records.course_cohort(store, "https://lms", "d1", "c1", "Course A", 90)
    again = records.course_cohort(store, "https://lms", "d1", "c1", "Renamed", 90)
    assert first["id"] == again["id"] and again["name"] == "Course A"
    store.remove_cohort(first["code"])
    fresh = records.course_cohort(store, "https://lms", "d1", "c1", "Course A", 90)
    assert fresh["code"] != first["code"]  # a new cohort (SQLite may reuse the row id)
