"""WCAG 2.2 AA in chromium: axe-core on every screen of every app, reflow, and what axe cannot
check (focus rings, words beside colours, names of groups, the page's language).

Three walks, one per app, each run once per module: the learner app in English and in Welsh
(picker, join page, each decision type, an error, feedback, summary, the downloaded summary),
the trainer dashboard (every tab, with a cohort, answers, a debrief and an export) and the
reviewer app (every tab, and an upload that fails). axe runs the rules tagged wcag2a, wcag2aa,
wcag21a, wcag21aa and wcag22aa at each stage; each test then judges one stage, so a failure
names the screen. Any violation fails, whatever its impact. Screenshots at 320 px and at 200%
zoom go to test-artifacts/a11y/.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from toolkit.cases import load_case
from toolkit.scoring import score_attempt
from toolkit.serving.server import VoilaServer
from toolkit.settings import Settings
from toolkit.storage import open_store

from . import helpers as h

pytestmark = pytest.mark.timeout(600)

SCENARIO_TITLE = "Bruising noticed at nursery"
WELSH = "sc-cymru-ysgol-datgelu"
WELSH_TITLE = "Marc ar fraich plentyn yn yr ysgol"
TOKEN = "a11y-trainer-token-2b7e"
LEARNER_STAGES = [
    "picker",
    "decision-choice",
    "decision-error",
    "feedback",
    "decision-multi",
    "decision-share-plan",
    "feedback-share-plan",
    "summary",
    "summary-download",
    "join-cy",
    "decision-choice-cy",
    "feedback-cy",
    "decision-multi-cy",
    "decision-share-plan-cy",
    "summary-cy",
]
TRAINER_STAGES = [
    "cohorts",
    "cohorts-join-card",
    "live",
    "debrief",
    "moderate",
    "export",
    "live-cy",
]
REVIEWER_STAGES = [
    "chronology",
    "who-knew",
    "flows",
    "missed",
    "across",
    "agreement",
    "upload-error",
    "chronology-cy",
]
REFLOWED = {
    "learner": ["picker", "decision-share-plan", "feedback", "summary", "decision-choice-cy"],
    "trainer": ["live", "cohorts-join-card"],
    "reviewer": ["chronology"],
}
# Rules switched off for named nodes only, each with its reason; never a whole rule or page.
# None is needed: the lab template's missing <main> ("region") is a best practice, not WCAG.
EXCUSED: list[dict[str, str]] = []


class Walk:
    """What one walk through an app found: axe results, reflow findings, other facts."""

    def __init__(self, app: str, artifacts: Path):
        self.app, self.folder = app, artifacts / "a11y"
        self.axe: dict[str, Any] = {}
        self.reflow: dict[str, dict[str, list[str]]] = {}
        self.facts: dict[str, Any] = {}

    def check(self, page: Any, stage: str) -> None:
        page.wait_for_timeout(300)  # the page helper names groups as they are drawn
        self.axe[stage] = h.run_axe(page, EXCUSED)
        if stage in REFLOWED[self.app]:
            self.reflow[stage] = h.reflow(page, self.folder / f"{self.app}-{stage}")


def submit_and_wait(page: Any, submit: str, then: str) -> None:
    page.get_by_role("button", name=submit).click()
    page.get_by_role("button", name=then).wait_for()


def groups(page: Any) -> list[dict[str, str]]:
    """Every radio or checkbox group on the page, with the name its aria-labelledby gives."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[role=radiogroup], [role=group]')]
          .filter(g => g.querySelector('input'))
          .map(g => ({role: g.getAttribute('role'),
                      name: (document.getElementById(g.getAttribute('aria-labelledby') || '')
                             || {}).textContent || ''}))"""
    )


def focus_ring(page: Any) -> dict[str, str]:
    """How the first option looks once Tab has focused it (keyboard focus must show)."""
    page.locator(".ss-decision input[type=radio]").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {tag: document.activeElement.tagName, style: s.outlineStyle,
                           width: s.outlineWidth}; }"""
    )


def text_signals(page: Any) -> dict[str, Any]:
    """What the outcome box and each step bar say in words, beside their colours."""
    bars = page.locator(".ss-bar-row")
    return {
        "ending": page.locator(".ss-ending").inner_text(),
        "ending_class": page.locator(".ss-ending").get_attribute("class"),
        "bars": [
            {
                "text": bars.nth(i).inner_text(),
                "width": bars.nth(i).locator(".ss-bar-fill").get_attribute("style"),
            }
            for i in range(bars.count())
        ],
        "bars_label": page.locator(".ss-bars").get_attribute("aria-label"),
    }


# The learner app -----------------------------------------------------------------------------
def play_english(page: Any, url: str, walk: Walk) -> None:
    h.open_app(page, url, "Scenarios")
    walk.check(page, "picker")
    page.get_by_role("button", name=f"Start: {SCENARIO_TITLE}").click()
    h.wait_heading(page, "Decision 1")
    walk.check(page, "decision-choice")
    walk.facts["groups-choice"] = groups(page)

    page.get_by_role("button", name="Submit answer").click()
    page.get_by_role("alert").wait_for()
    walk.check(page, "decision-error")
    walk.facts["focus-ring"] = focus_ring(page)

    page.get_by_role("radio", name=re.compile("^Complete a body map")).click()
    page.get_by_role("textbox", name="Your reasoning").fill(
        "Bruising on a toddler is a risk of significant harm, so I refer today and record why."
    )
    submit_and_wait(page, "Submit answer", "Next decision")
    walk.check(page, "feedback")

    page.get_by_role("button", name="Next decision").click()
    h.wait_heading(page, "Decision 2")
    walk.check(page, "decision-multi")
    walk.facts["groups-multi"] = groups(page)
    page.get_by_role("checkbox", name=re.compile("^As a private nursery")).click()
    submit_and_wait(page, "Submit answer", "Next decision")
    page.get_by_role("button", name="Next decision").click()

    h.wait_heading(page, "Decision 3")
    walk.check(page, "decision-share-plan")
    walk.facts["groups-plan"] = groups(page)
    page.get_by_role("checkbox", name=re.compile("^Dated body map")).click()
    page.get_by_role("checkbox", name="Children's services front door").click()
    page.get_by_label("Article 6 lawful basis").select_option(index=6)
    page.get_by_label("Special category condition").select_option(index=6)
    page.get_by_role("radio", name="Now, straight away").click()
    page.get_by_role("radio", name=re.compile("^Not now")).click()
    submit_and_wait(page, "Submit answer", "Next decision")
    walk.check(page, "feedback-share-plan")
    page.get_by_role("button", name="Next decision").click()

    h.wait_heading(page, "Decision 4")
    page.get_by_role("radio", name=re.compile("^Keep Child A safe inside")).click()
    submit_and_wait(page, "Submit answer", "See the outcome")
    page.get_by_role("button", name="See the outcome").click()
    page.locator(".ss-summary").wait_for()
    walk.check(page, "summary")
    walk.facts["signals"] = text_signals(page)

    href = page.get_by_role("link", name="Download my summary (HTML)").get_attribute("href")
    page.set_content(base64.b64decode(href.split(",", 1)[1]).decode())
    walk.check(page, "summary-download")


def play_welsh(page: Any, url: str, code: str, walk: Walk) -> None:
    """Joining a cohort whose default is Welsh; the Welsh scenario, answered in Welsh."""
    h.open_app(page, f"{url}?session={code}", "Senarios")
    walk.check(page, "join-cy")
    walk.facts["lang-cy"] = page.evaluate("() => document.documentElement.lang")
    walk.facts["first-card-cy"] = page.locator(".ss-card h3").first.inner_text()
    page.get_by_role("button", name=f"Dechrau: {WELSH_TITLE}").click()
    h.wait_heading(page, "Penderfyniad 1")
    walk.check(page, "decision-choice-cy")
    page.get_by_role("radio", name=re.compile("^Ysgrifennu geiriau")).click()
    page.get_by_role("textbox", name="Eich rhesymu").fill(
        "Mae risg o niwed sylweddol, felly rwy'n mynd at y PDD heddiw."
    )
    submit_and_wait(page, "Cyflwyno ateb", "Y penderfyniad nesaf")
    walk.check(page, "feedback-cy")
    walk.facts["english-only"] = page.locator(".ss-feedback .ss-english-only").inner_text()
    page.get_by_role("button", name="Y penderfyniad nesaf").click()
    h.wait_heading(page, "Penderfyniad 2")
    walk.check(page, "decision-multi-cy")
    page.get_by_role("checkbox", name=re.compile("^Mae ysgol yn gallu")).click()
    submit_and_wait(page, "Cyflwyno ateb", "Y penderfyniad nesaf")
    page.get_by_role("button", name="Y penderfyniad nesaf").click()
    h.wait_heading(page, "Penderfyniad 3")
    walk.check(page, "decision-share-plan-cy")
    page.get_by_role("checkbox", name=re.compile("^Geiriau Plentyn B")).click()
    page.get_by_role("checkbox", name=re.compile("^Gwasanaethau cymdeithasol plant")).click()
    page.get_by_label("Sail gyfreithlon Erthygl 6").select_option(index=5)
    page.get_by_label("Amod categori arbennig").select_option(index=6)
    page.get_by_role("radio", name="Nawr, ar unwaith").click()
    page.get_by_role("radio", name=re.compile("^Nid nawr")).click()
    submit_and_wait(page, "Cyflwyno ateb", "Gweld y canlyniad")
    page.get_by_role("button", name="Gweld y canlyniad").click()
    page.locator(".ss-summary").wait_for()
    walk.check(page, "summary-cy")


@pytest.fixture(scope="module")
def learner_walk(serve_app, browser, artifacts_dir) -> Walk:
    h.require_axe()
    served = h.start_learner(serve_app)
    with open_store(served.database_url) as store:
        code = store.add_cohort("Gweithdy diogelu", [WELSH, "sc-nursery-bruising"], language="cy")[
            "code"
        ]
    walk = Walk("learner", artifacts_dir)
    page = h.new_page(browser)
    try:
        play_english(page, served.url, walk)
        play_welsh(page, served.url, code, walk)
        walk.facts["dialogs"] = page.dialogs
    finally:
        page.context.close()
        h.stop_learner(served)
    return walk


# The trainer dashboard ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trainer_servers(tmp_path_factory, repo_root) -> Iterator[dict]:
    """A trainer server (token) on its own database, with a learner server for join links."""
    from tests.ports import free_port

    folder = tmp_path_factory.mktemp("a11y-trainer")
    settings = Settings.from_env(
        {},
        database_url=f"sqlite:///{folder / 'trainer.db'}",
        port=free_port(),
        trainer_port=free_port(),
        room=0,
        trainer_token=TOKEN,
        case_dirs=(repo_root / "case_studies",),
    )
    open_store(settings.database_url).close()
    log = (folder / "trainer.log").open("w")
    server = VoilaServer("trainer", settings, log=log)
    try:
        server.start()
        server.wait_ready(timeout=120)
        yield {"url": server.url, "database": settings.database_url}
    finally:
        assert server.stop() in (0, -15), "the trainer server did not stop cleanly"
        log.close()


def add_answers(database_url: str, code: str) -> None:
    """Two learners' first answers, stored as the learner app stores them."""
    path = h.REPO_ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
    scenario = load_case(path)
    given = [
        ("a", "Bruises on a toddler are a risk of significant harm: refer to the front door."),
        ("c", "I need Mother's consent before I share anything."),
    ]
    with open_store(database_url) as store:
        for choice, text in given:
            learner = store.learner(cohort_code=code)
            attempt = store.open_attempt(learner["id"], scenario.id)
            answer = {"decision": "d1", "choice": choice, "rationale": text}
            report = score_attempt(scenario, {"answers": [answer]}).to_dict()
            store.record_answer(attempt["id"], "d1", answer, report["decisions"][0])


@pytest.fixture(scope="module")
def trainer_walk(trainer_servers, browser, artifacts_dir) -> Walk:
    h.require_axe()
    walk = Walk("trainer", artifacts_dir)
    page = h.new_page(browser)
    try:
        h.open_app(page, trainer_servers["url"] + f"?token={TOKEN}", "SafeShare — trainer")
        walk.check(page, "cohorts")
        walk.facts["tab-keys"] = tabs_by_keyboard(page, "Cohorts", "Live")
        page.get_by_placeholder("e.g. DSL refresher, March").fill("Accessibility check")
        page.get_by_label("Scenarios").select_option(label=SCENARIO_TITLE)
        page.get_by_role("button", name="Create cohort").click()
        heading = page.get_by_role("heading", name=re.compile(r"^Join code: [A-Z0-9]{6}$"))
        heading.wait_for(timeout=30_000)
        code = heading.inner_text().split(": ")[1]
        walk.check(page, "cohorts-join-card")
        add_answers(trainer_servers["database"], code)

        page.get_by_role("tab", name="Live").click()
        page.get_by_text("Answers to 1. The first hour (2 learners)").wait_for(timeout=15_000)
        walk.check(page, "live")
        walk.facts["axis-groups"] = groups(page)

        page.get_by_role("tab", name="Debrief").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('select[multiple]')]"
            ".some(s => s.options.length >= 2)"
        )
        page.get_by_label("Samples").select_option(index=[0, 1])
        page.get_by_role("button", name="Show on projector").click()
        page.locator(".ss-projector").get_by_text("How the room answered").wait_for()
        walk.check(page, "debrief")

        page.get_by_role("tab", name="Moderate").click()
        page.locator(".ss-sample:visible").first.wait_for(timeout=15_000)
        walk.check(page, "moderate")

        page.get_by_role("tab", name="Export").click()
        page.get_by_role("button", name="Export CSV").click()
        page.locator("a.ss-download-csv").wait_for(timeout=30_000)
        walk.check(page, "export")

        page.get_by_role("tab", name="Live").click()
        page.get_by_role("radio", name="Cymraeg").first.click()
        page.get_by_role("heading", name="SafeShare — hyfforddwr").wait_for(timeout=15_000)
        page.get_by_role("tab", name="Byw").wait_for()
        page.get_by_text(re.compile("^Atebion i 1. The first hour")).wait_for(timeout=15_000)
        walk.check(page, "live-cy")
        walk.facts["lang-cy"] = page.evaluate("() => document.documentElement.lang")
        walk.facts["dialogs"] = page.dialogs
    finally:
        page.context.close()
    return walk


# The reviewer app ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reviewer_walk(voila_server, browser, artifacts_dir) -> Walk:
    from tests.browser.test_reviewer import APP_FILES, LOAD_MS, open_app, upload

    h.require_axe()
    walk = Walk("reviewer", artifacts_dir)
    page = h.new_page(browser)
    try:
        open_app(page, voila_server("reviewer"))
        walk.check(page, "chronology")
        walk.facts["tab-keys"] = tabs_by_keyboard(page, "Chronology", "Who knew what")
        tabs = {
            "who-knew": ("Who knew what", "caption:text('Who knew what, and from when')"),
            "flows": ("Information flows", 'img[alt^="Heatmap"]'),
            "missed": ("Missed opportunities", "caption:text('longest delay first')"),
            "across": ("Across reviews", 'img[alt^="Bar chart of serious"]'),
            "agreement": ("Inter-rater agreement", "text=Overall (pooled over themes)"),
        }
        for stage, (tab, shown) in tabs.items():
            page.get_by_role("tab", name=tab).click()
            page.locator(shown).first.wait_for(timeout=LOAD_MS)
            walk.check(page, stage)
        upload(page, APP_FILES / "bad-rows.csv")
        page.get_by_role("alert").wait_for(timeout=LOAD_MS)
        walk.check(page, "upload-error")
        page.get_by_role("tab", name="Chronology").click()
        page.get_by_role("radio", name="Cymraeg").first.click()
        page.get_by_role("heading", name="Adolygydd SafeShare").wait_for(timeout=LOAD_MS)
        page.locator('img[alt^="Llinell amser"]').wait_for(timeout=LOAD_MS)
        walk.check(page, "chronology-cy")
        walk.facts["lang-cy"] = page.evaluate("() => document.documentElement.lang")
    finally:
        page.context.close()
    return walk


def tabs_by_keyboard(page: Any, first: str, second: str) -> dict[str, Any]:
    """Reach the tab bar with Tab, move along it with the arrow keys, open a tab with Enter.

    Starts on the open tab `first`; ArrowRight then Enter should open `second`, ArrowLeft then
    Enter `first` again. Records what has focus and which tab is open after each move.
    """
    current = "() => document.querySelector('.lm-TabBar-tab.lm-mod-current').textContent"
    role = "() => document.activeElement.getAttribute('role')"
    presses = h.tab_to(page, first)
    reached = page.evaluate(role)
    page.keyboard.press("ArrowRight")
    moved_to = h.focused(page)
    page.keyboard.press("Enter")
    opened_tab(page, second)
    opened = page.evaluate(current)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    opened_tab(page, first)
    back = page.evaluate(current)
    if back != first:  # leave the walk where it expects to be, whatever the keys did
        page.get_by_role("tab", name=first).click()
        opened_tab(page, first)
    return {
        "presses": presses,
        "reached": reached,
        "moved-to": moved_to,
        "opened": opened,
        "back": back,
    }


def opened_tab(page: Any, name: str) -> None:
    """Give the tab `name` time to open; if it never does, the test says so, not the walk."""
    try:
        page.get_by_role("tab", name=name, selected=True).wait_for(timeout=10_000)
    except Exception:  # noqa: BLE001 - test_tabs_work_by_keyboard reports which tab is open
        pass


# Judging -------------------------------------------------------------------------------------
def judge(walk: Walk, stage: str) -> None:
    results = walk.axe[stage]
    report = h.describe(results)
    print(f"\naxe {results['testEngine']['version']} on {walk.app} {stage}:\n{report}")
    assert not results["violations"], f"axe on {walk.app} {stage}:\n{report}"


@pytest.mark.parametrize("stage", LEARNER_STAGES)
def test_learner_screen_has_no_wcag_violations(learner_walk, stage):
    """Does axe find no WCAG 2.2 A or AA violation, of any impact, on this learner screen?"""
    judge(learner_walk, stage)


@pytest.mark.parametrize("stage", TRAINER_STAGES)
def test_trainer_screen_has_no_wcag_violations(trainer_walk, stage):
    """Does axe find no WCAG 2.2 A or AA violation on this trainer screen?"""
    judge(trainer_walk, stage)


@pytest.mark.parametrize("stage", REVIEWER_STAGES)
def test_reviewer_screen_has_no_wcag_violations(reviewer_walk, stage):
    """Does axe find no WCAG 2.2 A or AA violation on this reviewer screen?"""
    judge(reviewer_walk, stage)


@pytest.mark.parametrize(
    "app, stage", [(app, stage) for app, stages in REFLOWED.items() for stage in stages]
)
def test_screens_reflow_at_320px_and_200_percent(
    learner_walk, trainer_walk, reviewer_walk, app, stage
):
    """At 320 px wide and at 200% zoom, does nothing run off the side (data tables scroll in
    a region of their own)? The screenshots are kept in test-artifacts/a11y/."""
    walk = {"learner": learner_walk, "trainer": trainer_walk, "reviewer": reviewer_walk}[app]
    for size, wide in walk.reflow[stage].items():
        assert wide == [], f"{app} {stage} at {size}: {wide}"
        assert (walk.folder / f"{app}-{stage}-{size}.png").is_file()


def test_excused_rules_are_narrow():
    """Is every excused rule limited to named nodes and explained (never a blanket disable)?"""
    for entry in EXCUSED:
        assert entry.get("rule") and entry.get("selector") and entry.get("why"), entry
        assert entry["selector"] not in {"*", "html", "body"}, entry


def test_keyboard_focus_is_visible(learner_walk):
    """Does a control focused by Tab draw a visible outline?"""
    ring = learner_walk.facts["focus-ring"]
    assert ring["tag"] == "INPUT"
    assert ring["style"] not in {"none", ""} and ring["width"] not in {"0px", ""}, ring


def test_every_group_of_options_is_named(learner_walk):
    """Is each radio and checkbox group a named group (the ARIA fieldset and legend)?"""
    facts = learner_walk.facts
    assert {"role": "radiogroup", "name": "Your choice"} in facts["groups-choice"]
    assert {"role": "group", "name": "Your choices"} in facts["groups-multi"]
    named = {(g["role"], g["name"]) for g in facts["groups-plan"]}
    assert {
        ("group", "What will you share?"),
        ("group", "With whom?"),
        ("radiogroup", "When will you share?"),
        ("radiogroup", "Will you tell the family?"),
    } <= named
    assert all(g["name"].strip() for g in facts["groups-plan"]), facts["groups-plan"]


def test_outcome_is_said_in_words(learner_walk):
    """Is the ending's outcome written out, not carried by the box's border colour alone?"""
    signals = learner_walk.facts["signals"]
    assert "ss-protected" in signals["ending_class"]
    assert "Child protected" in signals["ending"]


def test_step_bars_say_their_value(learner_walk):
    """Does each of the ten bars state in text the value its coloured fill shows?"""
    signals = learner_walk.facts["signals"]
    assert signals["bars_label"], "the bar chart has no accessible name"
    assert len(signals["bars"]) == 10
    for bar in signals["bars"]:
        width = int(re.search(r"width:\s*(\d+)%", bar["width"])[1])
        said = re.search(r"(\d+)%", bar["text"])
        if said is None:
            assert "not covered" in bar["text"] and width == 0, bar
        else:
            assert int(said[1]) == width, bar


def test_tabs_work_by_keyboard(trainer_walk, reviewer_walk):
    """Can a keyboard user reach the tabs of the trainer dashboard and of the reviewer app,
    move along them with the arrow keys and open one with Enter?"""
    expected = {
        "trainer": ("Cohorts", "Live"),
        "reviewer": ("Chronology", "Who knew what"),
    }
    for walk in (trainer_walk, reviewer_walk):
        first, second = expected[walk.app]
        keys = walk.facts["tab-keys"]
        assert keys["reached"] == "tab", (walk.app, keys)
        assert keys["moved-to"] == second, (walk.app, keys)
        assert (keys["opened"], keys["back"]) == (second, first), (walk.app, keys)


def test_welsh_pages_say_they_are_welsh(learner_walk, trainer_walk, reviewer_walk):
    """In Welsh, is <html lang> "cy" in every app, and does a Welsh cohort list the Welsh
    scenario first?"""
    assert learner_walk.facts["lang-cy"] == "cy"
    assert trainer_walk.facts["lang-cy"] == "cy"
    assert reviewer_walk.facts["lang-cy"] == "cy"
    assert learner_walk.facts["first-card-cy"] == WELSH_TITLE


def test_welsh_feedback_says_the_detector_reads_english_only(learner_walk):
    """After Welsh reasoning, does the feedback say plainly the detector reads English only?"""
    assert "Saesneg yn unig" in learner_walk.facts["english-only"]


def test_no_dialog_opened(learner_walk, trainer_walk):
    """Did anything on the way open a JavaScript dialog?"""
    assert learner_walk.facts["dialogs"] == [] and trainer_walk.facts["dialogs"] == []
