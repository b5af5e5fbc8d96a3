"""toolkit.app.journey.LearnerApp in-process: what the page's query leads to."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from toolkit.app.identity import Query
from toolkit.app.journey import LearnerApp
from toolkit.cases import load_library
from toolkit.storage import open_store

REPO = Path(__file__).parents[2]
SCENARIO = "sc-nursery-bruising"


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
