"""One headless chromium for the whole test session, shared by every folder's browser tests.

Playwright's sync API allows one instance per thread: a second `sync_playwright()` (say, a
`browser` fixture in tests/security/ next to the one in tests/browser/) fails with "using
Playwright Sync API inside the asyncio loop". So every `browser` fixture returns this one,
started on first use and stopped when pytest finishes.

Never `playwright install`: the browser is /usr/bin/chromium from apt (.ci/run installs it).
Without it the tests skip on a laptop but fail in CI, where a skip would hide a broken setup.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",  # every page under test is on 127.0.0.1
]
_running: dict[str, Any] = {}


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def shared_browser(config: pytest.Config) -> Any:
    """The session's Playwright Browser, launched on first call; closed at pytest's end."""
    if "browser" not in _running:
        require_chromium()
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _running["playwright"] = playwright
        _running["browser"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        config.add_cleanup(_stop)
    return _running["browser"]


def _stop() -> None:
    browser, playwright = _running.pop("browser", None), _running.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()
