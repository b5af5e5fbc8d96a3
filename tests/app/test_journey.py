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


def test_an_over_long_rationale_is_refused_before_scoring(app, monkeypatch):
    """Is an 8.9 MB rationale (the widget has no maximum) refused with the limit and its
    length, before the detector sees it, with nothing stored and Submit still working?"""
    from toolkit.scoring import report

    app.start(Query(scenario=SCENARIO))
    monkeypatch.setattr(report, "default_analyser", lambda: pytest.fail("scored"))
    app.view.step.radio.value = "a"
    app.view.rationale.text.value = "x" * 8_900_000
    assert app.submit("d1") is None
    assert "Your reasoning is 8,900,000 characters long; the limit is 5,000." in texts(app.widget)
    assert app.store.answers(app.attempt["id"]) == [] and not app.view.submit.disabled
    assert app.submit("d1", {"choice": "a", "rationale": "y" * 5_001}) is None
    assert app.store.answers(app.attempt["id"]) == []

    monkeypatch.undo()
    app.view.rationale.text.value = "A risk of harm to the child, so I refer today."
    assert app.submit("d1")["decision"] == "d1"


def test_a_plan_to_share_nothing_can_be_submitted(app):
    """Can a learner submit "share nothing" (no boxes, no basis or condition) and get it
    scored and stored, not "lawful_basis must be a non-empty string, not None"?"""
    app.start(Query(scenario=SCENARIO))
    app.submit("d1", {"choice": "b"})
    app.submit("d1b", {"choice": "a"})
    app._render_play()
    app.view.step.timing.value = "not-needed"
    app.view.step.tell_family.value = "no"
    result = app.submit("d3")
    assert result is not None, texts(app.widget)
    assert result["plan"]["lawful_basis"] == {"points": 0.0, "max_points": 1.0, "given": None}
    (stored,) = [a for a in app.store.answers(app.attempt["id"]) if a["decision_id"] == "d3"]
    assert stored["answer"]["plan"]["condition"] is None


def test_a_rationale_with_a_nul_is_scored_as_it_is_stored(app):
    """Is a rationale pasted with a NUL and control characters saved, and do its evidence
    spans quote the text as stored (cleaned before scoring, not after)?"""
    app.start(Query(scenario=SCENARIO))
    typed = "\x00There is a risk of\x07 significant harm\r\nso I refer to the front door today."
    result = app.submit("d1", {"choice": "a", "rationale": typed})
    (stored,) = app.store.answers(app.attempt["id"])
    text = stored["answer"]["rationale"]
    assert text == "There is a risk of significant harm\nso I refer to the front door today."
    assert result["evidence"] and all(
        text[e["start"] : e["end"]] == e["text"] for e in result["evidence"] if "start" in e
    )


def _notice(app: LearnerApp) -> str:
    return app.notice.value


def _no_internal_ids(app: LearnerApp, *ids: object) -> None:
    shown = texts(app.widget)
    for word in ("attempt", "no answer", "no learner", "no cohort", *map(str, ids)):
        assert word not in shown, f"{word!r} shown to the learner"


def test_after_learner_forget_the_tab_says_plainly_to_start_again(app):
    """After `learner forget`, does Submit in the open tab say in plain words what happened
    and what to do (no "no answer to d2 in attempt 7"), and can the learner start again?"""
    from toolkit.storage.personal import forget_learner

    app.start(Query(scenario=SCENARIO))
    app.submit("d1", {"choice": "b"})
    app._render_play()
    learner, attempt = app.learner["id"], app.attempt["id"]
    forget_learner(app.store, learner)
    assert app.submit("d1b", {"choice": "a"}) is None
    assert "Your answers are no longer stored" in _notice(app)
    assert "Choose a scenario to start again." in _notice(app)
    _no_internal_ids(app, learner, f"attempt {attempt}", "d1b")
    assert "Scenarios" in texts(app.widget) and app.learner is None

    app.open_scenario(SCENARIO)
    assert app.learner["id"] != learner and app.submit("d1", {"choice": "a"})


def test_after_a_cohort_is_deleted_the_tab_says_plainly_to_start_again(app):
    """After `cohort delete`, do Submit and Start in an open workshop tab say what to do,
    and does starting again work on one's own?"""
    cohort = app.store.add_cohort("Room 1", [SCENARIO])
    app.start(Query(session=cohort["code"], scenario=SCENARIO))
    app.submit("d1", {"choice": "a"})
    app._render_play()
    app.store.remove_cohort(cohort["code"])
    assert app.submit("d2", {"choices": ["a"]}) is None
    assert "the workshop was deleted" in _notice(app)
    _no_internal_ids(app, cohort["code"])
    assert app.cohort is None

    app.open_scenario(SCENARIO)
    assert app.learner["cohort_id"] is None and app.player.position == "d1"


def test_starting_with_a_stale_learner_says_plainly_to_start_again(app):
    """If the learner was erased while the list was open, does Start say so plainly?"""
    from toolkit.storage.personal import forget_learner

    app.start(Query(scenario=SCENARIO))
    forget_learner(app.store, app.learner["id"])
    app.show_picker()
    app.open_scenario(SCENARIO)
    assert "Your answers are no longer stored" in _notice(app)
    assert app.player is None


def test_a_deleted_workshops_link_offers_the_list(app):
    """Does the join link of a deleted workshop say so plainly and still offer the list?"""
    cohort = app.store.add_cohort("Room 1", [SCENARIO])
    app.store.remove_cohort(cohort["code"])
    app.start(Query(session=cohort["code"]))
    assert "That workshop code was not recognised" in _notice(app)
    _no_internal_ids(app, cohort["code"])
    assert "Scenarios" in texts(app.widget)


def test_a_page_opened_before_the_cohort_closed_cannot_join_it(app):
    """If the trainer closes the cohort while a learner's page shows its scenario list, does
    Start refuse to join (a message, no learner, no attempt) instead of joining anyway?"""
    cohort = app.store.add_cohort("Room 1", [SCENARIO])
    app.start(Query(session=cohort["code"]))
    assert "Workshop: Room 1" in texts(app.widget)
    app.store.close_cohort(cohort["code"])

    start = next(b for b in _buttons(app.widget) if b.description.startswith("Start:"))
    start.click()
    assert "This workshop session has closed" in app.notice.value
    assert app.player is None and app.learner is None
    assert app.store.cohort_learners(cohort["id"]) == [] and learners(app) == 0


def _buttons(widget: w.Widget) -> list[w.Button]:
    found = [widget] if isinstance(widget, w.Button) else []
    return found + [b for c in getattr(widget, "children", ()) for b in _buttons(c)]


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
