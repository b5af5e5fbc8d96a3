"""toolkit.app.journey.LearnerApp in-process: what the page's query leads to."""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as w
import pytest

from toolkit.app.identity import Query, parse_query
from toolkit.app.journey import LearnerApp
from toolkit.cases import load_library
from toolkit.storage import open_store

REPO = Path(__file__).parents[2]
SCENARIO = "sc-nursery-bruising"
DRILL = REPO / "tests" / "reliability" / "files" / "scenarios"


@pytest.fixture
def app(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield LearnerApp(load_library([REPO / "case_studies" / "scenarios"]), store)
    store.close()


def texts(widget: w.Widget) -> str:
    found = [widget.value] if isinstance(widget, w.HTML) else []
    found += [widget.description] if isinstance(widget, w.Button) else []
    return " ".join(found + [texts(c) for c in getattr(widget, "children", ())])


def learners(app: LearnerApp) -> int:
    from sqlalchemy import func, select

    from toolkit.storage import tables as t

    with app.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.learners)).scalar()


def test_a_wrong_resume_code_keeps_the_scenario_list_open(app):
    """With a resume code nobody holds (and a scenario asked for), does the learner get the
    message and the scenario list with the resume box, and no new learner or attempt?"""
    app.start(Query(scenario=SCENARIO, resume="ABCD-EFGH-JKMN-PQRS"))
    shown = texts(app.widget)
    assert "That resume code was not recognised" in shown
    assert "Scenarios" in shown and "Started before?" in shown and "Resume" in shown
    assert app.player is None and app.learner is None and learners(app) == 0


def test_a_right_resume_code_opens_the_scenario_where_it_stopped(app):
    """Does the holder's code, with the scenario, reopen their attempt at the next decision?"""
    app.start(Query(scenario=SCENARIO))
    app.submit("d1", {"choice": app.player.scenario.decisions[0].options[0].id})
    key, attempt = app.learner["resume_key"], app.attempt["id"]

    again = LearnerApp(app.library, app.store)
    again.start(Query(scenario=SCENARIO, resume=key.lower()))
    assert "Welcome back" in texts(again.widget)
    assert again.attempt["id"] == attempt and learners(again) == 1


def test_a_workshop_learner_may_give_a_name_for_the_trainer(app):
    """In a cohort, is there an optional name box, and is the name (tidied) stored on the
    learner the trainer sees? Without a cohort, is there no box and no name?"""
    cohort = app.store.add_cohort("Room 1", [SCENARIO])
    app.start(Query(session=cohort["code"]))
    assert app.name_box in app.body.children
    app.name_box.value = "  Sam\n\t<b>R</b>  " + "x" * 60
    app.open_scenario(SCENARIO)
    (row,) = app.store.cohort_learners(cohort["id"])
    assert row["display_name"] == "Sam <b>R</b> " + "x" * 27  # 40 characters, markup as text
    assert len(row["display_name"]) == 40

    alone = LearnerApp(app.library, app.store)
    alone.start(Query())
    assert alone.name_box not in alone.body.children
    alone.name_box.value = "Ignored"
    alone.open_scenario(SCENARIO)
    assert alone.learner["display_name"] is None


@pytest.mark.parametrize("typed", ["", "   ", "\n\t\x1b", "\u200b"])
def test_a_blank_name_leaves_the_learner_pseudonymous(typed):
    """Does a name of only spaces or control characters count as no name at all?"""
    from toolkit.app.journey import display_name

    assert display_name(typed) is None


def first_answer(decision) -> dict:
    """The first option of a choice or multi decision (the kinds these tests answer)."""
    first = decision.options[0].id
    return {"choice": first} if decision.type == "choice" else {"choices": [first]}


def continue_link(app: LearnerApp) -> str:
    found = re.search(r'<a href="([^"]*)" class="ss-continue">', texts(app.widget))
    assert found, f"no Continue link on the page: {texts(app.widget)[:300]}"
    return html.unescape(found.group(1))


def test_a_paused_page_continues_where_the_learner_was(app):
    """After two answers, does pausing show why and a Continue link, and does that link
    (its query, read as a new page reads it) reopen the attempt at decision 3?"""
    from toolkit.app.pause import pause_page, when_paused

    app.start(Query(scenario=SCENARIO))
    for _ in range(2):
        app.submit(app.player.current.id, first_answer(app.player.current))
        app._render_play()
    at = app.player.current.id
    when_paused(app.pause)
    pause_page(1830)  # what the server runs in the kernel before freeing it
    shown = texts(app.widget)
    assert "This page is paused" in shown and "for 30 minutes" in shown
    assert "Submit answer" not in shown

    again = LearnerApp(app.library, app.store)
    again.start(parse_query(continue_link(app)[1:]))
    assert again.attempt["id"] == app.attempt["id"] and again.player.current.id == at
    assert "Welcome back" in texts(again.widget) and learners(again) == 1


@pytest.mark.parametrize(
    ("where", "link"),
    [("picker", "?"), ("cohort picker", "?session={code}"), ("summary", "?resume={key}")],
)
def test_continue_from_the_list_or_the_summary(app, where, link):
    """Paused on the list (never started, or in a cohort) or at a summary, does Continue
    reopen the list: as a newcomer, in the cohort, or as the same learner?"""
    if where == "summary":  # four choices in a row, so every answer leads to the end
        app = LearnerApp(load_library([DRILL]), app.store)
    cohort = app.store.add_cohort("Room 1", [SCENARIO]) if where == "cohort picker" else None
    app.start(Query(session=cohort["code"] if cohort else None))
    if where == "summary":
        app.open_scenario("sc-fault-drill")
        while not app.player.finished:
            decision = app.player.current
            app.submit(decision.id, first_answer(decision))
        app._render_play()
    app.pause(60)
    key = app.learner["resume_key"] if app.learner else ""
    assert continue_link(app) == link.format(code=cohort["code"] if cohort else "", key=key)
