"""Hostile text in a real browser: a cohort name, a case file and a rationale full of markup.

The learner joins a cohort whose name is a script, plays `sc-hostile-text` (every author's
field carries script tags, event handlers and javascript: links, each setting
window.__pwned) and types a 100,000-character rationale of markup, which is refused as over
the limit, then the same markup cut to the limit, which is saved. After every screen the test
asks the page whether anything ran, and checks the payloads are visible as text.
"""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import HOSTILE_SCENARIO
from toolkit.scoring.limits import RATIONALE_MAX_CHARS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]
COHORT_NAME = '<img src=x onerror="window.__pwned=\'cohort\'"><script>alert("cohort")</script>'
RATIONALE_UNIT = (
    "<script>window.__pwned='rationale'</script><img src=x onerror=alert(1)> "
    '[link](javascript:alert(2)) =HYPERLINK("http://evil.example") '
)
RATIONALE = (RATIONALE_UNIT * (100_000 // len(RATIONALE_UNIT) + 1))[:100_000]
# Live markup no payload may create anywhere on the page.
LIVE = (
    "[onerror], [onload], [onmouseover], a[href^='javascript:' i], iframe, "
    ".ss-app img, .ss-app svg, .ss-app script, .ss-app b"
)
WAIT = 90_000  # ms: a page waits for its kernel, on a busy machine


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    page.close(run_before_unload=True)
    context.close()


def assert_inert(page, where: str) -> None:
    """Nothing ran and no payload became markup."""
    assert page.evaluate("() => window.__pwned === undefined"), (
        f"{where}: a payload ran: {page.evaluate('() => window.__pwned')}"
    )
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"
    assert page.locator(LIVE).count() == 0, f"{where}: live markup: {page.locator(LIVE).count()}"


def visible(page) -> str:
    return page.inner_text("body").replace("\xa0", " ")


def answer(page, option: str, last: bool = False) -> None:
    page.get_by_role("radio", name=re.compile(re.escape(option) + "$")).check()
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Answer saved.").wait_for(timeout=WAIT)
    label = "See the outcome" if last else "Next decision"
    page.get_by_role("button", name=label).click()


def test_hostile_text_renders_as_text_and_never_runs(hostile_server, hostile_store, page):
    """Do hostile cohort, case and rationale text show as text, with no script run?"""
    cohort = hostile_store.add_cohort(COHORT_NAME, [HOSTILE_SCENARIO])
    page.goto(hostile_server.url + f"?session={cohort['code']}")
    page.get_by_text("Workshop:").wait_for(timeout=WAIT)
    assert COHORT_NAME in visible(page)
    assert_inert(page, "picker")

    page.get_by_role("button", name=re.compile("^Start")).first.click()
    page.get_by_role("button", name="Submit answer").wait_for(timeout=WAIT)
    text = visible(page)
    assert '<script>window.__pwned="title"</script>Hostile <b>title</b>' in text
    assert "[markdown link](javascript:" in text
    assert_inert(page, "decision 1")

    page.get_by_role("radio", name=re.compile("Share now$")).check()
    page.get_by_role("textbox").fill(RATIONALE)
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Your reasoning is 100,000 characters long").wait_for(timeout=WAIT)
    assert "100,000 of 5,000 characters: too long" in visible(page)
    assert_inert(page, "over the limit")
    page.get_by_role("textbox").fill(RATIONALE[:RATIONALE_MAX_CHARS])
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Answer saved.").wait_for(timeout=WAIT)
    assert '<script>window.__pwned="feedback-a"</script>Feedback A (S5)' in visible(page)
    assert_inert(page, "feedback")

    page.get_by_role("button", name="Next decision").click()
    answer(page, "Second share now")
    answer(page, "Third share now", last=True)
    page.get_by_text("Your result:").wait_for(timeout=WAIT)
    assert '<script>window.__pwned="ending-title"</script>The end' in visible(page)
    assert_inert(page, "summary")

    learner = hostile_store.cohort_learners(cohort["id"])[0]
    (attempt,) = hostile_store.attempts(learner["id"])
    first = hostile_store.answers(attempt["id"])[0]
    stored = RATIONALE[:RATIONALE_MAX_CHARS].strip()
    assert first["rationale"] == stored, "the rationale is stored as typed"
