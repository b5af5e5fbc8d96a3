"""The trainer app in-process: cohorts, a live dashboard that keeps its place, debrief,
moderation that reaches the learner's summary, and exports — with learners played through
the real learner app."""

from __future__ import annotations

import base64
import io
import re
import time

import ipywidgets as w
import openpyxl
import pytest

from toolkit.app.exports import export_cohort
from toolkit.app.identity import Query
from toolkit.app.journey import LearnerApp
from toolkit.app.trainer import TrainerApp
from toolkit.cases import load_library
from toolkit.settings import REPO_ROOT, Settings
from toolkit.storage import open_store

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SCENARIO = "sc-nursery-bruising"
GOOD = [
    (
        "d1",
        {
            "choice": "a",
            "rationale": "Bruises on a toddler are a risk of significant harm, so "
            "I refer to the front door today and record my decision.",
        },
    ),
    ("d2", {"choices": ["a", "b", "c"]}),
]

FINISH = [  # after GOOD: d3 and d4, to the end of the scenario
    (
        "d3",
        {
            "plan": {
                "items": ["body-map"],
                "recipients": ["csc"],
                "lawful_basis": "legitimate-interests",
                "condition": "safeguarding-children",
                "timing": "now",
                "tell_family": "not-if-risk",
                "record": True,
            },
            "rationale": "Only the body map.",
        },
    ),
    ("d4", {"choice": "a"}),
]


@pytest.fixture(scope="module")
def library():
    return load_library([REPO_ROOT / "case_studies"])


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'trainer.db'}") as s:
        yield s


@pytest.fixture
def app(library, store):
    return TrainerApp(library, store, Settings.from_env({}), refresh_seconds=0.1)


def html_of(widget) -> str:
    """Every HTML value under ``widget``, joined: what the page shows."""
    own = getattr(widget, "value", "") if isinstance(widget, w.HTML) else ""
    return own + "".join(html_of(c) for c in getattr(widget, "children", ()))


def create(app, name="Room 1"):
    app.cohorts.name.value = name
    app.cohorts.scenarios.value = (SCENARIO,)
    app.cohorts.create()
    return app.cohort.value


def learner(library, store, code, name=None, answers=GOOD):
    """A learner who joins ``code`` in the learner app and answers ``answers``."""
    tab = LearnerApp(library, store)
    tab.start(Query(session=code))
    if name:
        tab.learner = store.learner(cohort_code=code, display_name=name)
    tab.open_scenario(SCENARIO)
    for decision, answer in answers:
        tab.submit(decision, answer)
    return tab


def test_the_app_is_what_its_panels_expect(app):
    """Does TrainerApp have everything the panels use of it (the TrainerPage protocol)?"""
    from toolkit.app.trainer_panels import TrainerPage

    methods = {name for name, value in vars(TrainerPage).items() if callable(value)}
    used = set(TrainerPage.__annotations__) | {m for m in methods if not m.startswith("_")}
    assert used and [name for name in sorted(used) if not hasattr(app, name)] == []


def test_creating_a_cohort_shows_its_join_card(app, store):
    """Does creating a cohort select it and show the code, learner URL and a QR code?"""
    code = create(app, "DSL <b>refresher</b>")
    card = app.cohorts.card.value
    assert f"Join code: {code}" in card and f"?session={code}" in card
    assert "data:image/png;base64," in card
    assert "DSL &lt;b&gt;refresher&lt;/b&gt;" in app.cohorts.listing.value
    assert store.find_cohort(code)["scenarios"] == [SCENARIO]


def test_dashboard_shows_answers_with_names_as_text(app, library, store):
    """After learners answer, does the dashboard count them, escaping a hostile name?"""
    code = create(app)
    learner(library, store, code, HOSTILE)
    learner(library, store, code, answers=GOOD[:1])
    app.refresh()
    panels = {k: v.value for k, v in app.dashboard.panels.items()}
    assert "<strong>2</strong>joined" in panels["summary"]
    assert "Answers to 1. The first hour (2 learners)" in panels["distribution"]
    assert HOSTILE not in "".join(panels.values())
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in panels["learners"]
    assert "onerror=alert(1)&gt;" in panels["learners"]


def test_refresh_keeps_the_trainers_place(app, library, store):
    """Does a refresh update values without replacing widgets or the trainer's choices?"""
    code = create(app)
    learner(library, store, code)
    app.refresh()
    app.dashboard.decision.value = (SCENARIO, "d2")
    app.dashboard.axis.value = "decision"
    app.tabs.selected_index = 1
    before = [c.model_id for c in app.dashboard.widget.children]
    shown = app.dashboard.panels["distribution"].value
    learner(library, store, code)
    app.refresh()
    assert [c.model_id for c in app.dashboard.widget.children] == before
    assert app.dashboard.decision.value == (SCENARIO, "d2")
    assert app.dashboard.axis.value == "decision" and app.tabs.selected_index == 1
    assert app.dashboard.panels["distribution"].value != shown  # 2 learners now


def test_background_refresh_picks_up_new_answers(app, library, store):
    """Does the refresh thread show a new learner's answer within a second?"""
    code = create(app)
    app.start_refreshing()
    try:
        learner(library, store, code)
        deadline = time.monotonic() + 5
        while "<strong>1</strong>started" not in app.dashboard.panels["summary"].value:
            assert time.monotonic() < deadline, app.dashboard.panels["summary"].value
            time.sleep(0.05)
    finally:
        app.stop.set()


def test_debrief_shows_picked_samples_without_names(app, library, store):
    """Does the projector view show the chosen rationale but no learner name or id?"""
    code = create(app)
    tab = learner(library, store, code, "Priya Shah")
    app.refresh()
    app.debrief.load()
    assert len(app.debrief.samples.options) == 1
    app.debrief.samples.value = (app.debrief.samples.options[0][1],)
    app.debrief.show()
    html = app.debrief.view.value
    assert "risk of significant harm" in html and "How the room answered" in html
    assert "Priya" not in html and tab.learner["id"] not in html


def test_moderation_reaches_the_learner_summary(app, library, store):
    """Does a trainer's override change the learner's end-of-scenario summary?"""
    code = create(app)
    tab = learner(library, store, code, answers=[*GOOD, *FINISH])
    app.moderation.load()
    d1 = next(v for _, v in app.moderation.answer.options)
    app.moderation.answer.value = d1
    app.moderation.concepts.value = ("C-risk-of-harm",)
    app.moderation.points.value = 2
    app.moderation.reason.value = "Only the risk is <b>clearly</b> argued."
    app.moderation.save()
    assert "Override saved" in app.notice.value
    tab._render_summary()
    summary = html_of(tab.widget)
    assert "your trainer reviewed your reasoning" in summary
    assert "Only the risk is &lt;b&gt;clearly&lt;/b&gt; argued." in summary


def test_moderation_can_clear_a_misconception_the_detector_flagged(app, library, store):
    """Does the Moderate form offer the rationale's flagged misconceptions, and does clearing
    them take them off the dashboard's frames and the learner's summary?"""
    from toolkit.guidance import vocabulary

    code = create(app)
    said = "I must get consent from the parents before I share anything with social care."
    tab = learner(library, store, code, answers=[("d1", {"choice": "a", "rationale": said})])
    app.moderation.load()
    app.moderation.answer.value = next(v for _, v in app.moderation.answer.options)
    assert app.moderation.misconceptions.value == ("M-consent-always",)
    assert "M-consent-always" in app.moderation.detail.value  # what the scorer said
    app.moderation.misconceptions.value = ()
    app.moderation.reason.value = "Read in context, you were describing the parents' view."
    app.moderation.save()
    assert "Override saved" in app.notice.value
    (row,) = store.overrides(cohort_id=1)
    assert row["misconceptions"] == []
    answers = app.frames().answers
    assert list(answers["misconceptions"]) == [()] and list(answers["auto_misconceptions"]) == [
        ("M-consent-always",)
    ]
    for decision, answer in [GOOD[1], *FINISH]:
        tab.submit(decision, answer)
    tab._render_summary()  # what "See the outcome" shows
    summary = html_of(tab.widget)
    assert "your trainer reviewed your reasoning" in summary
    assert vocabulary().misconceptions["M-consent-always"].name not in summary


def test_moderation_refuses_without_a_reason(app, library, store):
    """Is an override with no reason refused with a message, and nothing stored?"""
    code = create(app)
    learner(library, store, code)
    app.moderation.load()
    app.moderation.reason.value = ""
    app.guard(app.moderation.save)()
    assert "give a reason" in app.notice.value and store.overrides(cohort_id=1) == []


def test_export_tab_gives_a_workbook(app, library, store):
    """Does the Export tab give a download link to a workbook with every answer?"""
    code = create(app)
    learner(library, store, code, HOSTILE)
    app.exports.export("xlsx")
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', app.exports.links.value).group(1)
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href)))
    assert book["answers"].max_row == 1 + len(GOOD)
    data, name = export_cohort(store, library.scenarios, code, "csv", "http://h")
    assert name == f"safeshare-{code}-answers.csv" and data.startswith(b"\xef\xbb\xbf")


def test_delete_needs_confirmation(app, store):
    """Is a cohort deleted only once the trainer ticks the confirmation box?"""
    code = create(app)
    app.guard(app.cohorts.delete)()
    assert "Tick the box" in app.notice.value and store.find_cohort(code)
    app.cohorts.confirm.value = True
    app.cohorts.delete()
    assert store.list_cohorts() == [] and app.cohort.value is None
