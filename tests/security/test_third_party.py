"""No page of any app asks a host but its own server: learners' addresses go nowhere else.

Voilà's page linked Font Awesome from a public CDN (a version range, no integrity hash), so
every learner's browser told a third party its address, and so did Voilà's error pages. The
`safeshare` template (toolkit/serving/page_template.py) leaves those links out. Here chromium
records every request and websocket of each app's pages while they are used (the learner
answers a decision, the trainer signs in, the reviewer switches view), plus the sign-in and
error pages, and fails on any host other than the server's own.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.conftest import HOSTILE_SCENARIO
from tests.security.server import AppServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
WAIT = 90_000  # ms: a page waits for its kernel, on a busy machine
REPO_ROOT = Path(__file__).resolve().parents[2]
# The icon ipywidgets draws on the Submit button ("check") needs Font Awesome's solid font.
ICON_FONT_JS = """() => [...document.fonts].some(
    f => f.family.includes('Font Awesome') && f.weight === '900' && f.status === 'loaded')"""


class Recorder:
    """Every URL a browser context asks for: requests (pages, files, fonts) and websockets."""

    def __init__(self, browser) -> None:
        self.urls: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.context.set_default_timeout(WAIT)
        self.context.on("request", lambda request: self.urls.append(request.url))
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: self.urls.append(ws.url))

    def elsewhere(self, server_url: str) -> list[str]:
        """Every URL asked for whose host is not the server's own (data: URLs are no host)."""
        own = urllib.parse.urlsplit(server_url).netloc
        asked = [urllib.parse.urlsplit(url) for url in self.urls]
        return [u.geturl() for u in asked if u.scheme not in ("data", "blob") and u.netloc != own]

    def close(self) -> None:
        self.page.close(run_before_unload=True)
        self.context.close()


@pytest.fixture
def recorder(browser) -> Iterator[Recorder]:
    recording = Recorder(browser)
    yield recording
    recording.close()


def served(notebook: str, folder: Path, **env: str) -> Iterator[AppServer]:
    server = AppServer(
        f"sqlite:///{folder / 'store.db'}", [REPO_ROOT / "case_studies"], folder, 1, notebook, env
    )
    server.start()
    yield server
    server.stop()
    assert server.leftovers() == [], f"{notebook} server left kernels behind"


@pytest.fixture(scope="module")
def trainer_server(tmp_path_factory) -> Iterator[AppServer]:
    token = uuid.uuid4().hex
    folder = tmp_path_factory.mktemp("third-party-trainer")
    for server in served("trainer", folder, SAFESHARE_TRAINER_TOKEN=token):
        server.token = token
        yield server


@pytest.fixture(scope="module")
def reviewer_server(tmp_path_factory) -> Iterator[AppServer]:
    yield from served("reviewer", tmp_path_factory.mktemp("third-party-reviewer"))


def test_learner_pages_ask_only_their_own_server(hostile_server, recorder):
    """Opening a scenario, answering a decision, and a missing page: does every request stay
    on the learner server, with the Submit button's icon drawn from its own fonts?"""
    page = recorder.page
    page.goto(hostile_server.url + f"?scenario={HOSTILE_SCENARIO}")
    page.get_by_role("button", name="Submit answer").wait_for()
    page.wait_for_function(ICON_FONT_JS)
    # the decision's first option (not the page's language switch, also a radio group)
    page.locator(".widget-radio:not(.ss-lang-switch) input[type=radio]").first.check()
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Answer saved.").wait_for()
    page.goto(hostile_server.url + "voila/files/no-such-page.html")
    page.wait_for_load_state("networkidle")
    assert len(recorder.urls) > 50, "the page's own files were not recorded"
    assert recorder.elsewhere(hostile_server.url) == []


def test_trainer_pages_ask_only_their_own_server(trainer_server, recorder):
    """The sign-in page, then the dashboard through the sign-in link: does every request stay
    on the trainer server, and does the token leave the address bar?"""
    page = recorder.page
    page.goto(trainer_server.url)
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
    page.goto(trainer_server.url + f"?token={trainer_server.token}")
    page.get_by_role("heading", name="SafeShare — trainer").wait_for()
    page.wait_for_load_state("networkidle")
    assert trainer_server.token not in page.url and "token" not in page.url
    assert recorder.elsewhere(trainer_server.url) == []


def test_reviewer_pages_ask_only_their_own_server(reviewer_server, recorder):
    """Opening the reviewer app and another of its views: does every request stay on the
    reviewer server?"""
    page = recorder.page
    page.goto(reviewer_server.url)
    page.get_by_role("heading", name="SafeShare reviewer").wait_for()
    page.get_by_role("tab", name="Across reviews").click()
    page.wait_for_load_state("networkidle")
    assert recorder.elsewhere(reviewer_server.url) == []
