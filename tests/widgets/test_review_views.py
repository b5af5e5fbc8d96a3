"""The reviewer's panels: filters and sorts, lazy drawing, controls, hostile text kept text."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.cases.model import Agency
from toolkit.review import adhoc_review, events_frame
from toolkit.widgets import review_views as views

LIVE_MARKUP = ("<script", "<img src=x", "<b>", 'href="http://evil')


def assert_inert(html: str) -> None:
    for markup in LIVE_MARKUP:
        assert markup not in html, markup


@pytest.mark.parametrize(
    "key, descending, order",
    [
        ("date", False, ["ev1", "ev2", "ev3", "ev4", "ev5", "ev6"]),
        ("date", True, ["ev6", "ev5", "ev4", "ev3", "ev2", "ev1"]),
        ("agency", False, ["ev4", "ev2", "ev5", "ev3", "ev1", "ev6"]),
        ("id", True, ["ev6", "ev5", "ev4", "ev3", "ev2", "ev1"]),
        # ties keep the chronology's order, in either direction
        ("themes", False, ["ev4", "ev2", "ev6", "ev1", "ev3", "ev5"]),
        ("themes", True, ["ev3", "ev5", "ev1", "ev2", "ev6", "ev4"]),
    ],
)
def test_sort_events(hand_worked, key, descending, order):
    """Does each sort order the hand-worked events as worked out by hand?"""
    events = events_frame(hand_worked)
    assert list(views.sort_events(events, key, descending)["id"]) == order


@pytest.mark.parametrize(
    "agency, theme, involving, ids",
    [
        (views.ALL, views.ALL, False, ["ev1", "ev2", "ev3", "ev4", "ev5", "ev6"]),
        ("school", views.ALL, False, ["ev1", "ev6"]),
        ("school", views.ALL, True, ["ev1", "ev3", "ev4", "ev6"]),
        (views.ALL, "T13", False, ["ev2", "ev5"]),
        ("school", "T4", False, ["ev1"]),
        ("police", "T17", False, []),
    ],
)
def test_filter_events(hand_worked, agency, theme, involving, ids):
    """Do the agency and theme filters keep exactly the events worked out by hand?"""
    events = events_frame(hand_worked)
    assert list(views.filter_events(events, agency, theme, involving)["id"]) == ids


def test_panels_draw_only_when_refreshed(hand_worked, monkeypatch):
    """Is a loaded panel drawn at its first refresh only, and again after a new review?"""
    panel = views.MissedPanel()
    draws = []
    monkeypatch.setattr(panel, "draw", lambda: draws.append(1))
    panel.load(hand_worked)
    assert draws == []
    panel.refresh()
    panel.refresh()
    assert draws == [1]
    panel.load(hand_worked)
    panel.refresh()
    assert draws == [1, 1]


def test_control_callbacks_run_through_wrap(hand_worked):
    """Does every control change go through the app's guard (``wrap``)?"""
    wrapped = []

    def wrap(callback):
        def run(*args):
            wrapped.append(callback.__name__)
            return callback(*args)

        return run

    panel = views.FlowPanel(wrap)
    panel.load(hand_worked)
    panel.refresh()
    panel.measure.value = "late"
    assert wrapped == ["_changed"]


def test_chronology_panel_filters_and_counts(hand_worked):
    """Does the timeline appear once, and do the filters narrow the table with a count?"""
    panel = views.ChronologyPanel()
    panel.load(hand_worked)
    panel.refresh()
    assert 'alt="Swimlane timeline of 6 events across 5 agencies.' in panel.figure.value
    assert 'download="rv-hand-worked-timeline.svg"' in panel.figure.value
    assert "Showing 6 of 6 events." in panel.body.value
    assert ("T13 Delay", "T13") in panel.theme.options
    assert ("Police", "police") in panel.agency.options
    panel.agency.value = "school"
    assert "Showing 2 of 6 events." in panel.body.value
    panel.involving.value = True
    assert "Showing 4 of 6 events." in panel.body.value
    panel.theme.value = "T4"
    assert "Showing 2 of 6 events." in panel.body.value


def test_new_review_resets_the_filters(hand_worked, hostile):
    """After filtering one review, does the next show all of its events again?"""
    panel = views.ChronologyPanel()
    panel.load(hand_worked)
    panel.refresh()
    panel.agency.value = "gp"
    panel.load(hostile)
    panel.refresh()
    assert panel.agency.value == views.ALL
    assert "Showing 4 of 4 events." in panel.body.value


def test_hostile_agency_names_draw_and_stay_text(hostile):
    """Can agency names with markup and $…$ mathtext be charted and tabled safely?"""
    agencies = [
        Agency(id="school", name="$\\undefinedmacro$ <img src=x onerror=alert(1)>", sector="x"),
        Agency(id="gp", name="GP & <b>partners</b>", sector="health"),
    ]
    review = adhoc_review(hostile.chronology, agencies, title="$\\bad$ <script>")
    for panel in (views.ChronologyPanel(), views.FlowPanel(), views.KnowledgePanel()):
        panel.load(review)
        panel.refresh()
        html = getattr(panel, "figure", panel.body).value + panel.body.value
        assert_inert(html)
    assert "&lt;script&gt;alert(&#x27;event&#x27;)&lt;/script&gt;" in html
    assert "GP &amp; &lt;b&gt;partners&lt;/b&gt;" in html


def test_knowledge_panel_by_a_chosen_day(hand_worked):
    """Does the day default to the last event, and does an earlier day show 'not yet'?"""
    panel = views.KnowledgePanel()
    panel.load(hand_worked)
    panel.refresh()
    assert panel.on.value == dt.date(2023, 3, 20)
    assert "not yet, from " not in panel.body.value
    panel.on.value = dt.date(2023, 1, 10)
    assert "not yet, from " in panel.body.value
    panel.on.value = None
    assert "Pick a day" in panel.body.value


def test_flow_panel_measures(hand_worked):
    """Does choosing a measure redraw the heatmap, named for it in alt text and files?"""
    panel = views.FlowPanel()
    panel.load(hand_worked)
    panel.refresh()
    assert "Heatmap of missed shares (never made)" in panel.body.value
    panel.measure.value = "days_late"
    assert "Heatmap of total days late" in panel.body.value
    assert 'download="rv-hand-worked-flows-days-late.png"' in panel.body.value
    assert "Information flows between agencies" in panel.body.value


def test_missed_panel(hand_worked, hostile):
    """Are misses ranked with summaries, and is a chronology without misses said plainly?"""
    panel = views.MissedPanel()
    panel.load(hand_worked)
    panel.refresh()
    html = panel.body.value
    for caption in ("longest delay first", "by theme", "by step"):
        assert caption in html
    quiet = adhoc_review([e.model_copy(update={"missed": []}) for e in hostile.chronology])
    panel.load(quiet)
    panel.refresh()
    assert "No missed shares" in panel.body.value


def test_agreement_panel(hand_worked, hostile):
    """Is kappa shown for two reviewers, and refused for one reviewer or none?"""
    panel = views.AgreementPanel()
    panel.load(hand_worked)
    panel.refresh()
    assert (panel.first.value, panel.second.value) == ("R1", "R2")
    assert "kappa between R1 and R2: 0.61" in panel.body.value
    panel.second.value = "R1"
    assert "Choose two different reviewers." in panel.body.value
    panel.load(hostile)
    panel.refresh()
    assert "no theme codings from two reviewers" in panel.body.value


def test_review_heading_offers_the_xlsx(hand_worked):
    """Does the heading name the review and link its chronology as XLSX?"""
    html = views.review_heading(hand_worked, b"PK")
    assert "Hand-worked chronology for the analysis tests" in html
    assert "England · 6 events · 5 agencies" in html
    assert 'download="rv-hand-worked-chronology.xlsx"' in html
    assert "Download XLSX" in html
    assert hand_worked.anonymisation in html


def test_uploaded_heading_says_where_it_came_from(hostile):
    """Is an upload described as one, not given a nation it never stated?"""
    html = views.review_heading(hostile, uploaded=True)
    assert "Uploaded spreadsheet, held in this session only · 4 events" in html
    assert "United Kingdom" not in html and "Download XLSX" not in html


def test_every_control_is_labelled(hand_worked):
    """Does every control in every panel carry a visible label?"""
    for panel_type in (views.ChronologyPanel, views.KnowledgePanel, views.FlowPanel):
        panel = panel_type()
        controls = panel.widget.children[-2].children
        assert controls and all(c.description.strip() for c in controls)
