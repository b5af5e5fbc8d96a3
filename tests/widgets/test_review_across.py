"""The cross-review panel: themes by nation or sector, and England's notifications as context."""

from __future__ import annotations

import pandas as pd

from toolkit.review import sin_context_frame
from toolkit.widgets.review_across import AcrossPanel, notification_gaps, notifications_context


def test_across_panel_counts_by_nation_then_sector(hand_worked, hostile, table_rows):
    """Are themes charted and tabled by nation, and by sector when asked?"""
    panel = AcrossPanel([hand_worked])
    panel.load(hostile)  # the review being read does not change the cross-review view
    panel.refresh()
    html = panel.body.value
    assert 'alt="Bar chart of reviews showing each theme, stacked by nation' in html
    assert 'download="themes-by-nation-reviews.png"' in html
    assert table_rows(html)[0] == ["Id", "Name", "England", "Total"]
    panel.group.value = "sector"
    panel.count.value = "mentions"
    header = table_rows(panel.body.value)[0]
    assert header[2:] == ["Education", "Health", "Police", "Social care", "Total"]
    assert "mentions of each theme" in panel.body.value


def test_context_is_drawn_once(hand_worked, monkeypatch):
    """Is the notifications context drawn at the first refresh only, whatever is loaded next?"""
    calls = []
    monkeypatch.setattr(
        "toolkit.widgets.review_across.notifications_context", lambda t: calls.append(1) or "ctx"
    )
    panel = AcrossPanel([hand_worked])
    panel.load(hand_worked)
    panel.refresh()
    panel.load(hand_worked)
    panel.refresh()
    assert calls == [1]
    assert panel.context.value == "ctx"


def test_no_reviews_is_said_plainly():
    """With no bundled reviews, is there a message instead of an empty chart?"""
    panel = AcrossPanel([])
    panel.refresh()  # nothing loaded yet: nothing drawn
    assert panel.body.value == ""
    panel.load(None)
    panel.refresh()
    assert "No bundled reviews" in panel.body.value


def test_notifications_context_has_chart_source_and_table(table_rows):
    """Does the context show the chart with its sources as caption, and every year's row?"""
    html = notifications_context()
    assert "<figcaption>Sources: DfE, Serious incident notifications" in html
    assert 'download="serious-incident-notifications.svg"' in html
    years = [row[0] for row in table_rows(html)[1:]]
    assert years == list(sin_context_frame().index)


def test_notification_gaps_in_words():
    """Are derived and missing years named, and nothing said when there are none?"""
    assert notification_gaps(sin_context_frame()) == (
        "2014-15: derived from a later published change, approximate. "
        "2017-18: no published total found."
    )
    clean = pd.DataFrame({"total": [1, 2], "note": ["", None]}, index=["2020-21", "2021-22"])
    assert notification_gaps(clean) == ""
