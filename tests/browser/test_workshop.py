"""Workshop mode end to end in chromium: a trainer behind a token creates a cohort, three
learners join and answer, the dashboard shows them within 5 s, a debrief renders, exports
open with the right rows — and hostile names stay text, and nothing leaks over HTTP.

Two real servers (`toolkit.serving.server.VoilaServer`, as `safeshare serve` and `safeshare trainer`
run them) share one SQLite database in a temp folder.
"""

from __future__ import annotations

import io
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.ports import free_port
from toolkit.cases import load_case
from toolkit.scoring import score_attempt
from toolkit.serving.server import VoilaServer
from toolkit.settings import Settings
from toolkit.storage import open_store

from . import helpers as h
from .conftest import CHROMIUM_ARGS  # noqa: F401 - the browser fixture comes from conftest

pytestmark = pytest.mark.timeout(420)

TOKEN = "trainer-e2e-token-4f1c"
SCENARIO = "sc-nursery-bruising"
TITLE = "Bruising noticed at nursery"
COHORT_NAME = "<img src=x onerror=alert('cohort')> Room =HYPERLINK(\"http://evil.example\")"
HOSTILE_NAME = "<script>alert('name')</script>"
HOSTILE_RATIONALE = (
    '=HYPERLINK("http://evil.example","x") <img src=x onerror=alert(\'why\')> '
    "there is a risk of harm so I refer today"
)
REASON = "The risk to the child is argued <b>clearly</b>."
LEARNERS = [  # (option chosen at d1, rationale)
    ("a", "Bruises on a toddler are a risk of significant harm: refer to the front door today."),
    ("c", "I need Mother's consent before I share anything."),
    ("d", "The health visitor will already know about this family."),
]
LEARNER_PAGE_PATHS = [
    "voila/render/trainer.ipynb",
    "trainer.ipynb",
    "voila/files/trainer.ipynb",
    "voila/files/../trainer.ipynb",
    "voila/files/%2E%2E/notebooks/trainer.ipynb",
    "notebooks/trainer.ipynb",
    "voila/api/contents/trainer.ipynb",
    "api/contents/trainer.ipynb",
    "voila/files/{db}",
    "voila/files/%2E%2E/{db}",
    "{db}",
    "voila/files/../var/safeshare.db",
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict | None = None, follow: bool = False) -> tuple[int, str, bytes]:
    """(status, Location header, body), never through a proxy; redirects followed if asked."""
    handlers = [urllib.request.ProxyHandler({})] + ([] if follow else [_NoRedirect])
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=60) as resp:
            return resp.status, resp.headers.get("Location", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, repo_root) -> Iterator[dict]:
    """A learner server and a trainer server (token) on one database; stopped afterwards."""
    folder = tmp_path_factory.mktemp("workshop")
    database = folder / "workshop.db"
    settings = Settings.from_env(
        {},
        database_url=f"sqlite:///{database}",
        port=free_port(),
        trainer_port=free_port(),
        room=0,
        trainer_token=TOKEN,
        case_dirs=(repo_root / "case_studies",),
    )
    open_store(settings.database_url).close()  # schema in place before two servers race
    logs = {name: (folder / f"{name}.log").open("w") for name in ("learner", "trainer")}
    started = {name: VoilaServer(name, settings, log=logs[name]) for name in logs}
    try:
        for server in started.values():
            server.start()
        for server in started.values():
            server.wait_ready(timeout=120)
        yield {
            "learner": started["learner"].url,
            "trainer": started["trainer"].url,
            "database": database,
            "url": settings.database_url,
            "logs": folder,
        }
    finally:
        for server in started.values():
            assert server.stop() in (0, -15), "a server did not stop cleanly"
        for log in logs.values():
            log.close()


def test_trainer_server_needs_the_token(servers):
    """Is the trainer app refused (login redirect / 403) without the token, served with it?"""
    url = servers["trainer"]
    status, location, body = fetch(url)
    assert status in (302, 403) and b"SafeShare" not in body
    if status == 302:
        assert "/login" in location
    assert fetch(url + "?token=wrong-token")[0] in (302, 403)
    kernel = url + "api/kernels/00000000-0000-0000-0000-000000000000"
    assert fetch(kernel)[0] == 403  # the kernel API refuses before looking the kernel up
    assert fetch(kernel, {"Authorization": f"token {TOKEN}"})[0] == 404  # signed in: no such
    status, location, _ = fetch(url + f"?token={TOKEN}")
    assert status == 302 and location == "/"  # signed in; the token leaves the address
    status, _, body = fetch(url, {"Authorization": f"token {TOKEN}"})
    assert status == 200 and b"voila" in body.lower()


@pytest.mark.parametrize("path", LEARNER_PAGE_PATHS)
def test_learner_server_serves_neither_dashboard_nor_database(servers, path):
    """Does the learner server refuse the trainer notebook and the database file?"""
    db = str(servers["database"]).lstrip("/")
    status, _, body = fetch(servers["learner"] + path.format(db=db), follow=True)
    assert status in (403, 404), f"/{path} answered {status}: {body[:200]!r}"
    assert b"SQLite format" not in body and b"trainer.show()" not in body


def test_trainer_server_does_not_serve_the_database(servers):
    """Even signed in, is the database file out of the trainer server's reach?"""
    db = str(servers["database"]).lstrip("/")
    for path in (
        f"voila/files/{db}",
        f"voila/files/%2E%2E/{db}",
        "voila/files/../var/safeshare.db",
    ):
        status, _, body = fetch(servers["trainer"] + path + f"?token={TOKEN}", follow=True)
        assert status in (403, 404) and b"SQLite format" not in body


def create_cohort(page) -> str:
    """In the trainer app: name a cohort, pick the scenario, create it; returns the code."""
    page.get_by_placeholder("e.g. DSL refresher, March").fill(COHORT_NAME)
    page.get_by_label("Scenarios").select_option(label=TITLE)
    page.get_by_role("button", name="Create cohort").click()
    heading = page.get_by_role("heading", name=re.compile(r"^Join code: [A-Z0-9]{6}$"))
    heading.wait_for(timeout=30_000)
    return heading.inner_text().split(": ")[1]


def join_and_answer(
    page, url: str, choice: str, rationale: str, option_text: str, name: str = ""
) -> None:
    """A learner opens the join URL, maybe gives a name, starts the cohort's scenario and
    answers decision 1."""
    h.open_app(page, url, "SafeShare")
    if name:
        page.get_by_label("Your name for the trainer (optional)").fill(name)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("radio", name=option_text).click()
    box = page.get_by_role("textbox", name="Your reasoning")
    box.click()
    box.fill(rationale)
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Answer saved.").wait_for(timeout=60_000)


def add_hostile_learner(database_url: str, code: str) -> None:
    """A learner whose display name and rationale are attacks, stored as the app stores."""
    scenario = load_case(h.REPO_ROOT / "case_studies" / "scenarios" / f"{SCENARIO}.yaml")
    answer = {"decision": "d1", "choice": "a", "rationale": HOSTILE_RATIONALE}
    with open_store(database_url) as store:
        learner = store.learner(cohort_code=code, display_name=HOSTILE_NAME)
        attempt = store.open_attempt(learner["id"], SCENARIO)
        report = score_attempt(scenario, {"answers": [answer]}).to_dict()
        store.record_answer(attempt["id"], "d1", answer, report["decisions"][0])


def moderate_first_rationale(page) -> None:
    """In the Moderate tab: credit the first rationale with a concept, giving a reason."""
    from toolkit.guidance import vocabulary

    concept = vocabulary().concepts["C-risk-of-harm"]
    page.get_by_role("tab", name="Moderate").click()
    page.locator(".ss-sample:visible").first.wait_for(timeout=15_000)
    page.get_by_label("Concepts").select_option(label=f"{concept.name} ({concept.id})")
    points = page.get_by_label("Reasoning points")
    points.fill("2")
    points.press("Tab")
    page.get_by_label("Reason", exact=True).fill(REASON)
    page.get_by_label("Reason", exact=True).press("Tab")
    page.get_by_role("button", name="Save override").click()
    page.get_by_text("Override saved").wait_for(timeout=15_000)
    page.get_by_text(f"Moderated by trainer: {REASON}").wait_for(timeout=15_000)


def assert_nothing_injected(page) -> None:
    assert page.dialogs == [], f"a script ran: {page.dialogs}"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".ss-app script").count() == 0


def test_a_workshop_from_cohort_to_export(servers, browser, artifacts_dir, tmp_path):
    """Trainer creates a cohort; three learners answer; dashboard, debrief and exports follow."""
    scenario = load_case(h.REPO_ROOT / "case_studies" / "scenarios" / f"{SCENARIO}.yaml")
    options = {o.id: o.text for o in scenario.decision("d1").options}
    trainer = h.new_page(browser)
    h.open_app(trainer, servers["trainer"] + f"?token={TOKEN}", "SafeShare — trainer")
    code = create_cohort(trainer)
    join_url = f"{servers['learner']}?session={code}"
    assert trainer.locator("a.ss-join-url").inner_text() == join_url
    assert trainer.locator("img[alt^='QR code of']").count() == 1
    h.snap(trainer, artifacts_dir / "workshop-cohort.png")

    learners = [h.new_page(browser) for _ in LEARNERS]
    for n, (page, (choice, rationale)) in enumerate(zip(learners, LEARNERS, strict=True)):
        name = "Priya (ward 3)" if n == 0 else ""  # the others stay pseudonymous
        join_and_answer(page, join_url, choice, rationale, options[choice], name)
    answered_at = time.monotonic()
    add_hostile_learner(servers["url"], code)

    trainer.get_by_role("tab", name="Live").click()
    trainer.get_by_text("Answers to 1. The first hour (4 learners)").wait_for(timeout=5_000)
    seen_after = time.monotonic() - answered_at
    assert seen_after <= 5.0, f"the dashboard took {seen_after:.1f} s"
    board = trainer.locator(".ss-dash").first
    assert "4joined" in board.inner_text().replace("\n", "")
    assert trainer.get_by_text(HOSTILE_NAME, exact=False).count() >= 1  # shown as text
    assert trainer.get_by_text("Priya (ward 3)", exact=False).count() >= 1  # typed on joining
    assert "Most common misconceptions" in board.inner_text()
    assert_nothing_injected(trainer)
    h.snap(trainer, artifacts_dir / "workshop-dashboard.png")

    trainer.get_by_role("tab", name="Debrief").click()  # opening it loads the answers
    samples = trainer.get_by_label("Samples")
    trainer.wait_for_function(
        "() => [...document.querySelectorAll('select[multiple]')].some(s => s.options.length >= 3)"
    )
    samples.select_option(index=[0, 1, 2])
    trainer.get_by_role("button", name="Show on projector").click()
    projector = trainer.locator(".ss-projector")
    projector.get_by_text("How the room answered").wait_for(timeout=15_000)
    shown = projector.inner_text()
    assert "The guidance" in shown and "S5 Assess the risks and share as needed" in shown
    with open_store(servers["url"]) as store:
        ids = [row["id"] for row in store.cohort_learners(store.find_cohort(code)["id"])]
    assert ids and not [i for i in ids if i in shown] and "alert('name')" not in shown
    assert_nothing_injected(trainer)
    h.snap(trainer, artifacts_dir / "workshop-debrief.png", top=".ss-projector")

    moderate_first_rationale(trainer)
    h.snap(trainer, artifacts_dir / "workshop-moderate.png")

    trainer.get_by_role("tab", name="Export").click()
    books = {}
    for fmt in ("xlsx", "csv"):
        trainer.get_by_role("button", name=f"Export {fmt.upper()}").click()
        link = trainer.locator(f"a.ss-download-{fmt}")
        link.wait_for(timeout=30_000)
        with trainer.expect_download() as download:
            link.click()
        books[fmt] = Path(download.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(books["xlsx"]))
    rows = list(book["answers"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    names = {row[header.index("name")] for row in body}
    assert HOSTILE_NAME in names and "Priya (ward 3)" in names
    rationales = {row[header.index("rationale")] for row in body}
    assert "'" + HOSTILE_RATIONALE in rationales  # defused, not a live formula
    assert not [c for s in book for r in s.iter_rows() for c in r if c.data_type == "f"]
    moderated = [row for row in body if row[header.index("moderated")]]
    assert [row[header.index("moderation_reason")] for row in moderated] == [REASON]
    csv = pd.read_csv(io.BytesIO(books["csv"]))
    assert sorted(csv["choice"]) == ["a", "a", "c", "d"]
    assert_nothing_injected(trainer)
    for page in [trainer, *learners]:
        page.context.close()
