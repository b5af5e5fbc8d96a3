"""The learner app opened from an LMS launch (toolkit.app.lms_learner), in-process."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import pytest
from sqlalchemy import func, select, update

from tests.lms.answers import SCENARIO, play
from tests.lms.platform import Spec
from tests.lms.test_launch import ticket_of
from toolkit.app.identity import Query, parse_query
from toolkit.app.lms_learner import FROM_COURSE, TICKET_REFUSED, LmsLearnerApp
from toolkit.storage import tables as t


def texts(widget: w.Widget) -> str:
    found = [widget.value] if isinstance(widget, w.HTML) else []
    found += [widget.description] if isinstance(widget, w.Button) else []
    return " ".join(found + [texts(c) for c in getattr(widget, "children", ())])


def rows(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


@pytest.fixture
def launched(lms):
    """A learner's ticket from a real launch, and a fresh learner app on the same store."""
    ticket = ticket_of(lms.launch(Spec(user="sub-learner")))
    return ticket, LmsLearnerApp(lms.library, lms.store)


def test_a_ticket_opens_the_first_decision_without_a_resume_code(launched):
    """Does the page opened with the launch's ticket show the scenario's first decision,
    say to come back through the course, and show no resume code or other scenarios?"""
    ticket, app = launched
    app.start(parse_query(f"ticket={ticket}"))
    shown = texts(app.widget)
    assert app.player is not None and app.player.current.id == "d1"
    assert FROM_COURSE in shown and "resume code" not in shown.lower()
    assert list(app._offered()) == [SCENARIO]


def test_a_used_ticket_is_refused_and_creates_nothing(launched, lms):
    """Is the same ticket refused the second time (a reload, a copied link), with a plain
    sentence and no new learner, attempt or answer?"""
    ticket, app = launched
    app.start(Query(ticket=ticket))
    before = {tab.name: rows(lms.store, tab) for tab in (t.learners, t.attempts, t.answers)}

    again = LmsLearnerApp(lms.library, lms.store)
    again.start(Query(ticket=ticket))
    assert TICKET_REFUSED in texts(again.widget)
    assert again.player is None and again.learner is None
    assert {tab.name: rows(lms.store, tab) for tab in (t.learners, t.attempts, t.answers)} == before


def test_an_expired_ticket_is_refused(launched, lms):
    """Is a ticket past its ticket_seconds refused, with nothing started?"""
    ticket, app = launched
    with lms.store.writing() as conn:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(t.lms_tickets).values(expires_at=past))
    app.start(Query(ticket=ticket))
    assert TICKET_REFUSED in texts(app.widget) and app.player is None
    assert rows(lms.store, t.attempts) == 0


@pytest.mark.parametrize("given", ["x" * 43, "short", "<script>", "?"])
def test_a_made_up_ticket_is_refused(lms, given):
    """Is a well-formed but unknown ticket, or a malformed one, refused (never ignored)?"""
    app = LmsLearnerApp(lms.library, lms.store)
    app.start(parse_query(f"ticket={given}"))
    assert TICKET_REFUSED in texts(app.widget) and rows(lms.store, t.learners) == 0


def test_each_answer_is_stored_and_the_attempt_bound_for_its_grade(launched, lms):
    """Is the attempt bound to the link at once (before any answer), is each answer stored
    as it is given, and is the finished attempt's grade due?"""
    from toolkit.storage import lms as records

    ticket, app = launched
    app.start(Query(ticket=ticket))
    assert rows(lms.store, t.lms_grades) == 1
    play(app)
    assert len(lms.store.answers(app.attempt["id"])) == 4
    (due,) = records.claim_due_grades(lms.store)
    assert due["attempt_id"] == app.attempt["id"] and due["subject"] == "sub-learner"


def test_a_relaunch_resumes_where_the_learner_stopped(lms):
    """After two answers and a closed tab, does a new launch reopen the same attempt at the
    third decision?"""
    from tests.lms.answers import PATH

    first = LmsLearnerApp(lms.library, lms.store)
    first.start(Query(ticket=ticket_of(lms.launch(Spec(user="back-again")))))
    play(first, PATH[:2])

    again = LmsLearnerApp(lms.library, lms.store)
    again.start(Query(ticket=ticket_of(lms.launch(Spec(user="back-again")))))
    assert again.attempt["id"] == first.attempt["id"]
    assert again.player.current.id == "d3"


def test_a_paused_lms_page_says_to_reopen_from_the_course(launched):
    """Does the idle pause of an LMS page point back to the course, with no resume link?"""
    ticket, app = launched
    app.start(Query(ticket=ticket))
    app.pause(1800)
    shown = texts(app.widget)
    assert "This page is paused" in shown and FROM_COURSE in shown and "?resume=" not in shown


def test_an_lms_learner_s_record_and_erasure_cover_their_lms_id(launched, lms):
    """Does `learner export` include the LMS id (issuer and sub), and does `learner forget`
    erase it with the learner, their tickets and their pending grade?"""
    from toolkit.storage.personal import forget_learner, learner_record

    ticket, app = launched
    app.start(Query(ticket=ticket))
    record = learner_record(lms.store, app.learner["id"])
    assert record["lms_identities"] == [
        {
            "issuer": lms.platform.issuer,
            "subject": "sub-learner",
            "created_at": record["lms_identities"][0]["created_at"],
        }
    ]
    forget_learner(lms.store, app.learner["id"])
    for table in (t.lms_learners, t.lms_grades, t.lms_tickets, t.learners):
        assert rows(lms.store, table) == 0, table.name


def test_a_welsh_launch_opens_the_page_in_welsh(lms):
    """Does a launch whose locale is cy-GB open the learner page in Welsh, remembered with
    the attempt?"""
    ticket = ticket_of(lms.launch(Spec(user="sub-cymraeg", locale="cy-GB")))
    app = LmsLearnerApp(lms.library, lms.store)
    app.start(parse_query(f"ticket={ticket}&locale=cy"))
    assert app.lang == "cy" and app.player is not None
    shown = texts(app.widget)
    assert "agorwch y gweithgaredd hwn eto" in shown and FROM_COURSE not in shown
    [attempt] = lms.store.attempts(app.learner["id"])
    assert attempt["language"] == "cy"
