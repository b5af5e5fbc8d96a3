"""Fixtures for attack tests: a learner server over the hostile scenario, its store, a browser.

One server for the whole session (a start costs 15–30 s): the hostile-text scenario is the
only case it offers, and its database is a temp file the tests also open, to set up cohorts
and to check what was (and was not) stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import shared_browser
from tests.security.server import AppServer
from toolkit.storage import Store, open_store

FILES = Path(__file__).parent / "files"
HOSTILE_SCENARIO = "sc-hostile-text"
TRAINER_SECRET = "trainer-secret-never-in-a-learner-kernel"


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A started learner server offering only tests/security/files/scenarios/.

    Its warm kernel is replaced a second after a page takes it: the tests open one page after
    another, and with the default wait (10 s, for a room arriving at once) nearly every page
    waited out the rest of it."""
    folder = tmp_path_factory.mktemp("security-server")
    # Secrets an operator's shell might hold: the learner server must pass neither on.
    secrets = {"SAFESHARE_TRAINER_TOKEN": TRAINER_SECRET, "JUPYTER_TOKEN": TRAINER_SECRET}
    env = {
        **secrets,
        "SAFESHARE_LOG_PATH": str(folder / "app.log"),
        "SAFESHARE_POOL_FILL_DELAY": "1",
    }
    server = AppServer(f"sqlite:///{folder / 'store.db'}", [FILES], folder, room=1, env=env)
    server.app_log = folder / "app.log"
    server.start()
    yield server
    code = server.stop()
    assert code == 0, f"learner server exited {code}:\n{server.log_tail()}"
    assert server.leftovers() == [], "learner server left kernels behind"


@pytest.fixture(scope="session")
def hostile_store(hostile_server: AppServer) -> Iterator[Store]:
    """The hostile server's own store, opened from the test process."""
    store = open_store(hostile_server.database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> object:
    """The session's one headless chromium (tests/browser/chromium.py)."""
    return shared_browser(pytestconfig)
