"""Playwright on Debian's chromium against real `toolkit.serving` servers; marker `browser`.

Never `playwright install`: the browser is /usr/bin/chromium from apt (.ci/run installs it).
Without it the tests skip on a laptop but fail in CI, where a skip would hide a broken setup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The one chromium every folder's browser tests share (Playwright allows one per thread).
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, shared_browser  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> object:
    """One headless chromium for the session (Playwright's Browser), shared with other folders."""
    return shared_browser(pytestconfig)


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page (own cookies and storage) at a laptop-sized viewport."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def voila_server(serve_app) -> Iterator[Callable[..., str]]:
    """Factory: voila_server("learner") → base URL of a ready server with a temp database.

    One server per notebook for the whole session (starting one takes seconds). At the end
    each is stopped with SIGTERM, and the session fails if any of its kernels survive.
    """
    servers = {}

    def start(notebook: str = "learner", room: int = 1) -> str:
        if notebook not in servers:
            servers[notebook] = serve_app(notebook, room=room)
            servers[notebook].wait_ready()
        return servers[notebook].url

    yield start
    for name, app in servers.items():
        code, seconds = app.stop()
        assert code == 0, f"{name} server exited {code} after {seconds:.1f} s"
        assert app.leftovers() == [], f"{name} server left processes behind"
