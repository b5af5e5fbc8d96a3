"""Fixtures for fault tests: the drill scenario, a learner server over it, and a browser.

`sc-fault-drill` is four plain choice decisions in a row, so a test can answer two, break
something, and check that the learner resumes at the third with each answer stored once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chromium import shared_browser
from tests.reliability.drill import FILES, WAIT
from tests.security.server import AppServer
from toolkit.storage import Store, open_store


@pytest.fixture(scope="module")
def drill_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A started learner server offering only the drill scenario (restartable by tests).

    Its warm kernel is replaced a second after a page takes it: the tests here open one page
    after another, and with the default wait (10 s, for a room arriving at once) each next
    page waited out the rest of it."""
    folder = tmp_path_factory.mktemp("reliability-server")
    env = {"SAFESHARE_POOL_FILL_DELAY": "1"}
    server = AppServer(f"sqlite:///{folder / 'store.db'}", [FILES], folder, room=1, env=env)
    server.start()
    yield server
    server.stop()
    assert server.leftovers() == [], "learner server left kernels behind"


@pytest.fixture(scope="module")
def drill_store(drill_server: AppServer) -> Iterator[Store]:
    store = open_store(drill_server.database_url)
    yield store
    store.close()


@pytest.fixture
def new_page(browser):
    """Factory: a page in a fresh browser context (its own cookies, like a new device)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.set_default_timeout(WAIT)  # a page waits for its kernel, on a busy machine
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> object:
    """The session's one headless chromium (tests/browser/chromium.py)."""
    return shared_browser(pytestconfig)
