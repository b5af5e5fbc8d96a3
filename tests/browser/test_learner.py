"""The example scenario played end to end in chromium: by keyboard, by mouse, resumed, attacked.

One learner server for this module (its own database, which the tests open). The points and
score the page shows are checked against `safeshare score --json` on the answers given.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from toolkit.cases import load_case
from toolkit.cli import cli
from toolkit.guidance import vocabulary
from toolkit.storage import open_store
from toolkit.widgets.decision import TELL_FAMILY_LABELS, TIMING_LABELS

from . import helpers as h

pytestmark = pytest.mark.timeout(300)

SCENARIO_ID = "sc-nursery-bruising"
SCENARIO_FILE = h.REPO_ROOT / "case_studies" / "scenarios" / f"{SCENARIO_ID}.yaml"
HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=\"window.__ssPwned=1;alert('img')\"> "
    "I would keep watching and wait for more marks before I refer anything."
)

# A decision with its feedback, down to the button that goes on.
FEEDBACK_REGION = {"top": ".ss-decision", "bottom": ".ss-app button.mod-primary"}

# The protected path, answered by keyboard: d1 → d2 → d3 → d4 → e-protected, with a
# misconception at d2 and a plan that over-shares, so the summary has strengths and gaps.
KEYBOARD_ANSWERS = [
    {
        "decision": "d1",
        "choice": "a",
        "rationale": "Unexplained bruises on a two-year-old who flinches are a risk of "
        "significant harm, so I will refer to the front door today without waiting for "
        "proof, and record my decision and reasons.",
    },
    {"decision": "d2", "choices": ["a", "b", "d"]},
    {
        "decision": "d3",
        "plan": {
            "items": ["body-map", "attendance", "whole-file"],
            "recipients": ["csc"],
            "lawful_basis": "legitimate-interests",
            "condition": "safeguarding-children",
            "timing": "today",
            "tell_family": "not-if-risk",
            "record": True,
        },
        "rationale": "We rely on legitimate interests, and injury details are health data, so "
        "Schedule 1 paragraph 18 applies. I will not tell Mother first because it could "
        "increase the risk.",
    },
    {"decision": "d4", "choice": "a"},
]

# Sharing nothing (issue 15): d1=b → d1b → d3 with no boxes ticked and no basis or condition.
SHARE_NOTHING_ANSWERS = [
    {"decision": "d1", "choice": "b"},
    {"decision": "d1b", "choice": "a"},
    {
        "decision": "d3",
        "plan": {
            "items": [],
            "recipients": [],
            "lawful_basis": None,
            "condition": None,
            "timing": "not-needed",
            "tell_family": "no",
            "record": True,
        },
    },
]

# Another branch, by mouse: d1=b → d1b → d3 → d4=b → e-harmed; reloaded after two answers.
MOUSE_ANSWERS = [
    {"decision": "d1", "choice": "b", "rationale": HOSTILE},
    {"decision": "d1b", "choice": "a"},
    {
        "decision": "d3",
        "plan": {
            "items": ["body-map", "whole-file", "opinion"],
            "recipients": ["csc", "parents-group"],
            "lawful_basis": "consent",
            "condition": "explicit-consent",
            "timing": "today",
            "tell_family": "yes-first",
            "record": False,
        },
        "rationale": "Mother should agree first, so I will ask her consent and then send "
        "everything we hold to make sure nothing is missed.",
    },
    {"decision": "d4", "choice": "b"},
]


@pytest.fixture(scope="module")
def scenario():
    return load_case(SCENARIO_FILE)


@pytest.fixture(scope="module")
def learner_app(serve_app):
    """This module's own learner server; stopped (and checked for leftovers) at the end."""
    served = h.start_learner(serve_app)
    yield served
    h.stop_learner(served)


@pytest.fixture
def app_page(browser):
    page = h.new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def shots(artifacts_dir: Path, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """shots("01-picker", top=..., bottom=...) saves test-artifacts/learner/<test>-01-picker.png."""
    folder = artifacts_dir / "learner"

    def take(page: Any, stage: str, **region: Any) -> Path:
        return h.snap(page, folder / f"{request.node.name}-{stage}.png", **region)

    return take


# Labels on the page for each answer -------------------------------------------------------
def option_text(scenario, decision_id: str, option_id: str) -> str:
    return next(o.text for o in scenario.decision(decision_id).options if o.id == option_id)


def plan_labels(scenario, decision_id: str, plan: dict[str, Any]) -> dict[str, Any]:
    """The visible label of every control a share-plan answer touches."""
    spec, vocab = scenario.decision(decision_id).plan, vocabulary()
    texts = {c.id: c.text for c in [*spec.items, *spec.recipients]}
    basis, condition = plan["lawful_basis"], plan["condition"]  # null in a share-nothing plan
    return {
        "boxes": [texts[k] for k in [*plan["items"], *plan["recipients"]]],
        "basis": vocab.bases[basis].name if basis else None,
        "condition": vocab.conditions[condition].name if condition else None,
        "timing": TIMING_LABELS[plan["timing"]],
        "tell_family": TELL_FAMILY_LABELS[plan["tell_family"]],
        "record": plan["record"],
    }


def first_control(scenario, decision_id: str) -> str:
    """The label of a decision's first control (its first option, or first plan item)."""
    decision = scenario.decision(decision_id)
    if decision.type == "share-plan":
        return decision.plan.items[0].text
    return decision.options[0].text


def next_label(finished: bool) -> str:
    return "See the outcome" if finished else "Next decision"


# Keyboard driver --------------------------------------------------------------------------
def keyboard_answer(page, scenario, answer: dict[str, Any]) -> None:
    """Fill one decision with Tab, Shift+Tab, Space and arrow keys; submit with Enter."""
    decision = answer["decision"]
    if "choice" in answer and decision == "d1":
        # Land on the option below the wanted one, then move up with an arrow key.
        options = [o.id for o in scenario.decision(decision).options]
        below = options[options.index(answer["choice"]) + 1]
        h.press_on(page, option_text(scenario, decision, below))
        page.keyboard.press("ArrowUp")
        assert h.focused(page).startswith(option_text(scenario, decision, answer["choice"]))
    elif "choice" in answer:
        h.press_on(page, option_text(scenario, decision, answer["choice"]))
    elif "choices" in answer:
        # Tick the last one first, then go back up with Shift+Tab.
        texts = [option_text(scenario, decision, c) for c in answer["choices"]]
        h.press_on(page, texts[-1])
        for text in reversed(texts[:-1]):
            h.press_on(page, text, backwards=True)
    else:
        labels = plan_labels(scenario, decision, answer["plan"])
        for text in labels["boxes"]:
            h.press_on(page, text)
        h.tab_to(page, "Article 6 lawful basis")
        h.pick_with_arrows(page, labels["basis"])
        h.tab_to(page, "Special category condition")
        h.pick_with_arrows(page, labels["condition"])
        h.press_on(page, labels["timing"])
        h.press_on(page, labels["tell_family"])
        if labels["record"]:
            h.press_on(page, "I will record")
    if "rationale" in answer:
        h.tab_to(page, "Your reasoning")
        page.keyboard.type(answer["rationale"])
    h.press_on(page, "Submit answer", key="Enter")


# Mouse driver -----------------------------------------------------------------------------
def mouse_answer(page, scenario, answer: dict[str, Any]) -> None:
    """Fill one decision by clicking (dropdowns through select_option: a native popup)."""
    decision = answer["decision"]
    if "choice" in answer:
        page.get_by_role("radio", name=option_text(scenario, decision, answer["choice"])).click()
    elif "choices" in answer:
        for choice in answer["choices"]:
            name = option_text(scenario, decision, choice)
            page.get_by_role("checkbox", name=name, exact=True).click()
    else:
        labels = plan_labels(scenario, decision, answer["plan"])
        for text in labels["boxes"]:
            page.get_by_role("checkbox", name=text, exact=True).click()
        if labels["basis"]:
            page.get_by_label("Article 6 lawful basis").select_option(label=labels["basis"])
        if labels["condition"]:
            page.get_by_label("Special category condition").select_option(label=labels["condition"])
        page.get_by_role("radio", name=labels["timing"], exact=True).click()
        page.get_by_role("radio", name=labels["tell_family"], exact=True).click()
        if labels["record"]:
            page.get_by_role("checkbox", name="I will record").click()
    if "rationale" in answer:
        box = page.get_by_role("textbox", name="Your reasoning")
        box.click()
        box.fill(answer["rationale"])
    page.get_by_role("button", name="Submit answer").click()


# What `safeshare score` says, and what the database holds -------------------------------
def safeshare_score(tmp_path: Path, learner: str, answers: list[dict[str, Any]]) -> dict:
    """`safeshare score SCENARIO RESPONSES.json --json` on these answers."""
    responses = tmp_path / "responses.json"
    body = {"scenario": SCENARIO_ID, "learner": learner, "answers": answers}
    responses.write_text(json.dumps(body), encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(SCENARIO_FILE), str(responses), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def stored(database_url: str, resume_key: str) -> tuple[dict, list[dict]]:
    """(the learner's one attempt at the scenario, its answers) straight from the database."""
    store = open_store(database_url)
    try:
        learner = store.learner_by_resume_key(resume_key)
        attempts = [a for a in store.attempts(learner["id"]) if a["scenario_id"] == SCENARIO_ID]
        assert len(attempts) == 1, f"expected one attempt, found {attempts}"
        return {**attempts[0], "learner": learner["id"]}, store.answers(attempts[0]["id"])
    finally:
        store.close()


def assert_stored_once(answers_in_db: list[dict], given: list[dict[str, Any]]) -> None:
    """Each answer given is in the database exactly once, exactly as given."""
    counts = Counter(a["decision_id"] for a in answers_in_db)
    assert all(n == 1 for n in counts.values()), f"an answer stored twice: {counts}"
    assert [a["decision_id"] for a in answers_in_db] == [g["decision"] for g in given]
    for row, answer in zip(answers_in_db, given, strict=True):
        assert row["answer"] == answer, f"{answer['decision']} stored differently"


def assert_shown_matches(shown: list[tuple[float, float]], report: dict, page) -> None:
    """Per-decision points and the summary's totals equal the scorer's (the page shows points
    to one decimal place)."""
    expected = [(round(d["points"], 1), round(d["max_points"], 1)) for d in report["decisions"]]
    assert shown == expected, f"page showed {shown}, scorer says {expected}"
    percent, points, max_points = h.summary_totals(page)
    assert percent == round(100 * report["score"])
    assert (points, max_points) == (round(report["points"], 1), round(report["max_points"], 1))


def assert_text_signals(page, outcome: str) -> None:
    """Colour is not the only signal: the outcome and every step bar say it in words."""
    ending = page.locator(".ss-ending")
    assert outcome in ending.inner_text()
    rows = page.locator(".ss-bar-row")
    assert rows.count() == 10
    for text in rows.all_inner_texts():
        assert "not covered" in text or "%" in text, f"a step bar without words: {text!r}"


# Tests ------------------------------------------------------------------------------------
def test_keyboard_only_protected_path(learner_app, app_page, scenario, tmp_path, shots):
    """Can a learner pick the scenario and finish it with the keyboard alone, scored right,
    with focus where they need it after every step: the scenario's title when it opens, the
    feedback after Submit, the new decision's heading after Next decision, the outcome at the
    end and the list's heading when back at it?"""
    page = app_page
    h.open_app(page, learner_app.url, "Scenarios")
    shots(page, "01-picker")
    shots(page, "01-picker-top", max_height=h.VIEWPORT["height"])
    start = f"Start: {scenario.title}"
    h.press_on(page, start, key="Enter")
    h.wait_heading(page, "Decision 1")
    # Opening a scenario puts focus on its title, so the case is read from the top.
    h.wait_focus(page, scenario.title)
    assert focus_tag(page) == "H2"
    shots(page, "02-decision-1")

    code = h.resume_code(page)
    shown = []
    for number, answer in enumerate(KEYBOARD_ANSWERS, start=1):
        keyboard_answer(page, scenario, answer)
        label = next_label(number == len(KEYBOARD_ANSWERS))
        page.get_by_role("button", name=label).wait_for()
        # Submit moves focus to the feedback's heading; the next Tab reaches the way on.
        h.wait_focus(page, "Feedback")
        assert focus_tag(page) == "H4"
        shown.append(h.last_points(page))
        shots(page, f"{number + 2:02d}-feedback-{answer['decision']}", **FEEDBACK_REGION)
        assert h.tab_to(page, label) == 1
        page.keyboard.press("Enter")
        if number < len(KEYBOARD_ANSWERS):
            following = scenario.decision(KEYBOARD_ANSWERS[number]["decision"])
            heading = f"Decision {number + 1}: {following.title}"
            h.wait_heading(page, f"Decision {number + 1}")
            # "Next decision" moves focus to the new decision's heading; one Tab later focus
            # is on its first control.
            h.wait_focus(page, heading)
            assert focus_tag(page) == "H3"
            first = first_control(scenario, following.id)
            assert h.tab_to(page, first) == 1

    page.locator(".ss-summary").wait_for()
    # The outcome: focus on the summary's heading above it.
    h.wait_focus(page, scenario.title)
    assert focus_tag(page) == "H2"
    shots(page, "07-summary", top=".ss-back", bottom=".ss-app button >> nth=-1")
    attempt, in_db = stored(learner_app.database_url, code)
    assert_stored_once(in_db, KEYBOARD_ANSWERS)
    assert attempt["ending"] == "e-protected"
    report = safeshare_score(tmp_path, attempt["learner"], KEYBOARD_ANSWERS)
    assert report["ending"] == "e-protected"
    assert_shown_matches(shown, report, page)
    assert_text_signals(page, "Child protected")

    # The summary's links and buttons are reachable in order, and the download holds it.
    assert h.tab_to(page, "Download my summary") == 1
    href = page.get_by_role("link", name="Download my summary (HTML)").get_attribute("href")
    summary_html = base64.b64decode(href.split(",", 1)[1]).decode()
    assert f"Your result: {round(100 * report['score'])}%" in summary_html
    assert h.tab_to(page, "Choose another scenario") == 1
    page.keyboard.press("Enter")
    h.wait_heading(page, "Scenarios")
    h.wait_focus(page, "Scenarios")
    assert h.tab_to(page, "Start: " + scenario_titles(page)[0]) >= 1
    assert page.dialogs == []


def focus_tag(page) -> str:
    return page.evaluate("() => document.activeElement.tagName")


def scenario_titles(page) -> list[str]:
    return [t.replace("\xa0", " ") for t in page.locator(".ss-card h3").all_inner_texts()]


def test_mouse_other_branch_resumed_after_reload(learner_app, app_page, scenario, tmp_path, shots):
    """By mouse on another branch, reloaded after two answers: does the resume code carry on
    at decision 3 with nothing lost, each answer stored once, and the score still right?"""
    page = app_page
    scenario_url = f"{learner_app.url}?scenario={SCENARIO_ID}"
    h.open_app(page, scenario_url, "Decision 1")
    code = h.resume_code(page)
    shown = []
    for number, answer in enumerate(MOUSE_ANSWERS[:2], start=1):
        mouse_answer(page, scenario, answer)
        page.get_by_role("button", name="Next decision").wait_for()
        shown.append(h.last_points(page))
        shots(page, f"{number:02d}-feedback-{answer['decision']}", **FEEDBACK_REGION)
        if number == 1:
            page.get_by_role("button", name="Next decision").click()
            h.wait_heading(page, "Decision 2: The following Monday")

    _, in_db = stored(learner_app.database_url, code)
    assert_stored_once(in_db, MOUSE_ANSWERS[:2])

    page.goto(f"{learner_app.url}?resume={code}&scenario={SCENARIO_ID}")
    h.wait_heading(page, "Decision 3: What to share, with whom", timeout=60_000)
    assert "Welcome back" in page.locator(".ss-info").first.inner_text()
    assert h.resume_code(page) == code
    assert page.get_by_role("heading", name="Decision 1").count() == 0
    shots(page, "03-resumed")

    for number, answer in enumerate(MOUSE_ANSWERS[2:], start=3):
        mouse_answer(page, scenario, answer)
        label = next_label(number == len(MOUSE_ANSWERS))
        page.get_by_role("button", name=label).wait_for()
        shown.append(h.last_points(page))
        shots(page, f"{number + 1:02d}-feedback-{answer['decision']}", **FEEDBACK_REGION)
        page.get_by_role("button", name=label).click()
        if number < len(MOUSE_ANSWERS):
            h.wait_heading(page, f"Decision {number + 1}")

    page.locator(".ss-summary").wait_for()
    shots(page, "06-summary", top=".ss-back", bottom=".ss-app button >> nth=-1")
    attempt, in_db = stored(learner_app.database_url, code)
    assert_stored_once(in_db, MOUSE_ANSWERS)
    assert attempt["ending"] == "e-harmed"
    report = safeshare_score(tmp_path, attempt["learner"], MOUSE_ANSWERS)
    assert report["path"] == ["d1", "d1b", "d3", "d4"]
    assert_shown_matches(shown, report, page)
    assert_text_signals(page, "Child harmed")
    assert page.dialogs == []


def test_hostile_rationale_is_only_text(learner_app, app_page, scenario):
    """Does markup typed as a rationale stay text: no element made, no script run, no dialog?"""
    page = app_page
    h.open_app(page, f"{learner_app.url}?scenario={SCENARIO_ID}", "Decision 1")
    mouse_answer(page, scenario, MOUSE_ANSWERS[0])
    page.get_by_role("button", name="Next decision").wait_for()
    page.wait_for_timeout(500)  # time for an onerror handler to have fired, had one existed
    assert page.dialogs == []
    assert page.evaluate("() => window.__ssPwned") is None
    assert page.locator(".ss-app img, .ss-app script").count() == 0
    box = page.get_by_role("textbox", name="Your reasoning")
    assert box.input_value() == HOSTILE


def test_a_plan_to_share_nothing_is_submitted(learner_app, app_page, scenario, tmp_path):
    """Can a learner tick nothing, choose "Sharing is not needed", leave the basis and
    condition unchosen and submit: stored as given, scored as `safeshare score` scores it?"""
    page = app_page
    h.open_app(page, f"{learner_app.url}?scenario={SCENARIO_ID}", "Decision 1")
    code = h.resume_code(page)
    shown = []
    for number, answer in enumerate(SHARE_NOTHING_ANSWERS, start=1):
        mouse_answer(page, scenario, answer)
        page.get_by_role("button", name="Next decision").wait_for()
        shown.append(h.last_points(page))
        if number < len(SHARE_NOTHING_ANSWERS):
            page.get_by_role("button", name="Next decision").click()
            h.wait_heading(page, f"Decision {number + 1}")
    assert page.locator(".ss-decision .ss-error").count() == 0
    attempt, in_db = stored(learner_app.database_url, code)
    assert_stored_once(in_db, SHARE_NOTHING_ANSWERS)
    report = safeshare_score(tmp_path, attempt["learner"], SHARE_NOTHING_ANSWERS)
    expected = [(round(d["points"], 1), round(d["max_points"], 1)) for d in report["decisions"]]
    assert shown == expected
    plan = report["decisions"][-1]["plan"]
    assert plan["lawful_basis"]["given"] is None and plan["items"]["points"] == 0
