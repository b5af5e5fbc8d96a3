"""The reviewer's desk without a browser: pick, upload, read problems, switch tabs, stay safe."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from pathlib import Path

import ipywidgets as w
import openpyxl
import pytest

from toolkit.app.guard import UNEXPECTED
from toolkit.app.review_desk import UNREADABLE, ReviewerApp
from toolkit.cases import load_case
from toolkit.problems import Problem

ROOT = Path(__file__).parents[2]
FILES = Path(__file__).parent / "files"
REVIEW_FILES = ROOT / "tests" / "review" / "files"  # the analyses' small hand-worked reviews
JIGSAW_XLSX = ROOT / "case_studies" / "chronologies" / "rv-neglect-jigsaw.xlsx"
TABS = {
    "Chronology": 0,
    "Who knew what": 1,
    "Information flows": 2,
    "Missed opportunities": 3,
    "Across reviews": 4,
    "Inter-rater agreement": 5,
}


@pytest.fixture
def reviews():
    found = [load_case(REVIEW_FILES / n) for n in ("hand-worked.yaml", "second-review.yaml")]
    return {review.id: review for review in found}


@pytest.fixture
def app(reviews) -> ReviewerApp:
    app = ReviewerApp(reviews)
    app.start()
    return app


def page_html(widget: w.Widget) -> str:
    """All the HTML the page shows, from every HTML widget in the tree."""
    parts = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        parts.append(page_html(child))
    return "\n".join(parts)


def upload(app: ReviewerApp, name: str, content: bytes) -> None:
    """What the browser does: set the FileUpload's value to the chosen file."""
    app.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        },
    )


def test_start_opens_the_first_review(app):
    """Does the page open on the first bundled review (by title), its timeline drawn?"""
    assert app.picker.value == "rv-hand-worked"
    assert "<h2>Hand-worked chronology for the analysis tests</h2>" in app.heading.value
    assert 'download="rv-hand-worked-chronology.xlsx"' in app.heading.value
    assert "Swimlane timeline of 6 events" in app.panels[0].figure.value
    assert app.notice.value == ""


def test_tabs_draw_when_opened(app):
    """Is a panel drawn when its tab is opened, not before?"""
    agreement = app.panels[TABS["Inter-rater agreement"]]
    assert agreement.body.value == ""
    app.tabs.selected_index = TABS["Inter-rater agreement"]
    assert "kappa between R1 and R2: 0.61" in agreement.body.value
    assert [app.tabs.get_title(i) for i in range(6)] == list(TABS)


def test_picking_a_review_redraws_the_open_tab(app, reviews):
    """After picking another review, does the open tab show it and the others wait?"""
    app.tabs.selected_index = TABS["Missed opportunities"]
    app.picker.value = "rv-second"
    second = reviews["rv-second"]
    assert second.title in app.heading.value
    missed = app.panels[TABS["Missed opportunities"]]
    assert missed.review is second and not missed.stale
    assert app.panels[TABS["Chronology"]].stale


def test_uploading_a_workbook_shows_it(app):
    """Does an uploaded XLSX become the review every tab analyses?"""
    upload(app, "rv-neglect-jigsaw.xlsx", JIGSAW_XLSX.read_bytes())
    assert "Showing rv-neglect-jigsaw.xlsx: 29 events." in app.notice.value
    assert "Uploaded chronology: rv-neglect-jigsaw.xlsx" in app.heading.value
    assert "Uploaded spreadsheet, held in this session only · 29 events" in app.heading.value
    assert app.picker.value is None
    assert app.upload.value == ()  # ready for the same file again
    assert "Swimlane timeline of 29 events across 6 agencies" in app.panels[0].figure.value
    app.tabs.selected_index = TABS["Information flows"]
    assert "Heatmap of missed shares" in app.panels[TABS["Information flows"]].body.value
    app.picker.value = "rv-hand-worked"
    assert "Hand-worked chronology" in app.heading.value


def test_a_faulty_sheet_lists_its_problems_escaped(app):
    """Are the sheet's faults listed as name:row: column: message, as text, review kept?"""
    upload(app, "bad-rows.csv", (FILES / "bad-rows.csv").read_bytes())
    notice = app.notice.value
    assert UNREADABLE in notice
    assert "bad-rows.csv:2: date: &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in notice
    assert "bad-rows.csv:4: event: required cell is empty" in notice
    assert "<script" not in notice and "<img" not in notice
    assert "Hand-worked chronology" in app.heading.value
    assert app.upload.value == ()


def test_hostile_workbook_is_text_on_every_tab(app):
    """Do <script>, onerror= and =HYPERLINK(…) in cells and agency names stay text everywhere?"""
    upload(app, "hostile-cells.xlsx", (FILES / "hostile-cells.xlsx").read_bytes())
    assert "Showing hostile-cells.xlsx: 3 events." in app.notice.value
    for index in TABS.values():
        app.tabs.selected_index = index
    html = page_html(app.widget)
    for markup in ("<script", "<img src=x", "<b>partners", 'href="http://evil'):
        assert markup not in html
    assert "&lt;img src=x onerror=alert(&#x27;agency&#x27;)&gt; School" in html
    assert "=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click me&quot;)" in html


def test_hostile_workbook_downloads_without_formulas(app, tmp_path):
    """Does the XLSX download of a hostile upload hold its formula-like text as text?"""
    upload(app, "hostile-cells.xlsx", (FILES / "hostile-cells.xlsx").read_bytes())
    found = re.search(r'href="data:[^;]+;base64,([^"]+)" download="uploaded-', app.heading.value)
    path = tmp_path / "download.xlsx"
    path.write_bytes(base64.b64decode(found.group(1)))
    book = openpyxl.load_workbook(path)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert book["chronology"]["D4"].value.startswith("=HYPERLINK(")


def test_unexpected_failure_is_an_apology_not_a_traceback(app, monkeypatch):
    """When drawing fails unexpectedly, does the page apologise and the log keep the trace?"""
    flows = app.panels[TABS["Information flows"]]

    def broken() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(flows, "draw", broken)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append
    logger = logging.getLogger("safeshare.app")
    logger.addHandler(handler)
    try:
        app.tabs.selected_index = TABS["Information flows"]
    finally:
        logger.removeHandler(handler)
    assert UNEXPECTED in app.notice.value
    assert "secret internals" not in page_html(app.widget)
    assert [str(r.exc_info[1]) for r in records] == ["secret internals"]


def test_no_reviews_says_how_to_begin():
    """With no bundled reviews, is the picker disabled and the upload suggested?"""
    app = ReviewerApp({})
    app.start()
    assert app.picker.disabled
    assert "Upload a chronology to begin." in app.notice.value


def test_skipped_case_files_are_mentioned(reviews):
    """Are case files that failed to load counted on the page (details in the log)?"""
    problems = [Problem("a.yaml", 1, "id", "x"), Problem("a.yaml", 2, "x", "y")]
    app = ReviewerApp(reviews, problems + [Problem("b.yaml", 1, "id", "x")])
    assert "2 case files could not be loaded" in app.notice.value


def test_every_control_is_labelled(app):
    """Do the picker and upload say what they are for?"""
    assert app.picker.description == "Bundled review"
    assert app.upload.description == "Upload a chronology (.csv or .xlsx)"
    assert app.upload.accept == ".csv,.xlsx"


def test_switching_to_welsh_redraws_the_same_review(reviews):
    """Does the language switch rebuild the page in Welsh on the review that was open?"""
    app = ReviewerApp(reviews)
    app.start()
    first = app.review
    app.switch.value = "cy"
    assert app.review is first and app.t.language == "cy"
    assert "Adolygydd SafeShare" in app.widget.children[2].value
    assert app.panels[0].figure.value, "the timeline is drawn again"
    assert app.tabs.titles[0] == "Cronoleg"
