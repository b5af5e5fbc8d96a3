"""The reviewer app in a real browser: open, upload an XLSX, see the timeline and flow matrix.

Screenshots go to test-artifacts/reviewer-*.png for a person to look at (and the README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

LOAD_MS = 120_000  # a cold kernel on a busy machine draws the first review in tens of seconds
ROOT = Path(__file__).parents[2]
JIGSAW_XLSX = ROOT / "case_studies" / "chronologies" / "rv-neglect-jigsaw.xlsx"
APP_FILES = ROOT / "tests" / "app" / "files"


def open_app(page, url: str) -> None:
    """Load the page and wait until the first review's timeline is drawn."""
    page.goto(url)
    page.get_by_role("heading", name="SafeShare reviewer").wait_for(timeout=LOAD_MS)
    page.locator('img[alt^="Swimlane timeline"]').wait_for(timeout=LOAD_MS)


def upload(page, path: Path) -> None:
    """Choose a file through the FileUpload's own file input, as a reviewer would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload a chronology").click()
    chooser.value.set_files(str(path))


def screenshot(page, path: Path) -> None:
    """The whole app, not just the viewport: Voilà scrolls inside #rendered_cells."""
    height = page.evaluate(
        "(document.querySelector('#rendered_cells') || document.body).scrollHeight"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(height + 40, 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def test_page_opens_on_a_bundled_review(voila_server, page, artifacts_dir):
    """Does the page show a bundled review's timeline, every tab, and no source code?"""
    open_app(page, voila_server("reviewer"))
    assert page.get_by_role("combobox", name="Bundled review").count() == 1
    assert page.locator("a[download$='-chronology.xlsx']").count() == 1
    assert page.locator("a[download$='-timeline.png']").count() == 1
    screenshot(page, artifacts_dir / "reviewer-start.png")
    page.get_by_role("tab", name="Across reviews").click()
    for chart in ("Bar chart of reviews showing each theme", "Bar chart of serious incident"):
        page.locator(f'img[alt^="{chart}"]').wait_for(timeout=LOAD_MS)
    assert page.get_by_text("Sources: DfE, Serious incident notifications").count() == 1
    screenshot(page, artifacts_dir / "reviewer-across.png")
    page.get_by_role("tab", name="Inter-rater agreement").click()
    page.get_by_text("Overall (pooled over themes) kappa").wait_for(timeout=LOAD_MS)
    screenshot(page, artifacts_dir / "reviewer-agreement.png")
    assert "reviewer.show()" not in page.content()
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0


def test_uploaded_xlsx_shows_timeline_and_flow_matrix(voila_server, page, artifacts_dir):
    """After uploading an XLSX chronology, do its timeline and flow heatmap appear?"""
    open_app(page, voila_server("reviewer"))
    upload(page, JIGSAW_XLSX)
    page.get_by_text("Showing rv-neglect-jigsaw.xlsx: 29 events.").wait_for(timeout=LOAD_MS)
    timeline = page.locator('img[alt^="Swimlane timeline of 29 events across 6 agencies"]')
    timeline.wait_for(timeout=LOAD_MS)
    assert timeline.evaluate("img => img.naturalWidth") > 500  # the PNG really decoded
    assert page.get_by_role("heading", name="Uploaded chronology: rv-neglect-jigsaw.xlsx").count()
    screenshot(page, artifacts_dir / "reviewer-upload.png")
    page.get_by_role("tab", name="Information flows").click()
    heatmap = page.locator('img[alt^="Heatmap of missed shares"]')
    heatmap.wait_for(timeout=LOAD_MS)
    assert heatmap.evaluate("img => img.naturalWidth") > 300
    assert page.get_by_text("Information flows between agencies").count() == 1
    assert page.locator("a[download='uploaded-flows-missed.svg']").count() == 1
    screenshot(page, artifacts_dir / "reviewer-flows.png")


def test_faulty_and_hostile_uploads(voila_server, page, artifacts_dir):
    """Are a faulty sheet's problems listed as text, and does a hostile one run no script?"""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, voila_server("reviewer"))
    upload(page, APP_FILES / "bad-rows.csv")
    alert = page.get_by_role("alert")
    alert.get_by_text("bad-rows.csv:2: date:").wait_for(timeout=LOAD_MS)
    assert "'<script>alert(1)</script>' is not a date" in alert.inner_text()
    screenshot(page, artifacts_dir / "reviewer-problems.png")
    upload(page, APP_FILES / "hostile-cells.xlsx")
    page.get_by_text("Showing hostile-cells.xlsx: 3 events.").wait_for(timeout=LOAD_MS)
    assert page.get_by_text('=HYPERLINK("http://evil.example/","click me")').count() == 1
    for name in ("Who knew what", "Information flows", "Missed opportunities"):
        page.get_by_role("tab", name=name).click()
        page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("a[href^='http://evil']").count() == 0
