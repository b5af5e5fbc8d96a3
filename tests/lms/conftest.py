"""Fixtures for the LMS routes: a tool key, the test platform, the LTI tool in this process.

``lms`` gives a ready world: a store (SQLite file), a tool key, the test LTI platform
registered with the tool, and the tool's Tornado app listening on 127.0.0.1 in a thread.
Tests drive launches with ``requests`` (``drive_launch``) or a real chromium (browser
tests start `python -m toolkit.serving learner` instead, which starts the tool itself).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.lms.platform import Platform, Spec
from tests.ports import free_port
from toolkit.lms.keys import generate_key
from toolkit.settings import Settings
from toolkit.storage import Store, open_store
from toolkit.storage import lms as records


@pytest.fixture(scope="session")
def library() -> Any:
    from toolkit.cases import load_library

    return load_library(Settings.from_env({}).case_dirs)


class ToolServer:
    """The LTI tool's Tornado app (with the SCORM routes) served from a thread."""

    def __init__(self, settings: Settings, store: Store, library: Any):
        from toolkit.serving.lti.app import Tool

        self.tool = Tool(settings, store, library)
        self.ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        from toolkit.serving.lti.app import make_app
        from toolkit.serving.lti.scorm import scorm_routes

        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        settings = self.tool.settings
        app = make_app(self.tool, scorm_routes(self.tool))
        server = app.listen(settings.lti_port, "127.0.0.1", xheaders=True)
        self.ready.set()
        await self._stop.wait()
        server.stop()

    def start(self) -> ToolServer:
        self._thread.start()
        assert self.ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self.tool.pool.shutdown(wait=True)


@dataclass
class World:
    settings: Settings
    store: Store
    platform: Platform
    tool: ToolServer
    library: Any

    def launch(self, spec: Spec, session: requests.Session | None = None) -> requests.Response:
        return drive_launch(self.platform, spec, session or requests.Session())


def lms_settings(tmp_path: Path, **changes: Any) -> Settings:
    port = free_port()
    values = dict(
        database_url=f"sqlite:///{tmp_path / 'lms.db'}",
        lti_key_dir=tmp_path / "keys",
        lti_port=port,
        learner_url="http://127.0.0.1:9/learner/",
        trainer_url="http://127.0.0.1:9/trainer/",
    )
    return Settings.from_env({}, **{**values, **changes})


@pytest.fixture
def lms(tmp_path: Path, library: Any) -> Iterator[World]:
    settings = lms_settings(tmp_path, lms_origins=("http://127.0.0.1:9",))
    generate_key(settings.lti_key_dir)
    store = open_store(settings.database_url)
    platform = Platform(f"http://127.0.0.1:{settings.lti_port}").start()
    records.add_platform(store, **platform.registration())
    tool = ToolServer(settings, store, library).start()
    try:
        yield World(settings, store, platform, tool, library)
    finally:
        tool.stop()
        platform.stop()
        store.close()


FORM = re.compile(r'<form[^>]*action="([^"]+)"')
FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on an HTML page."""
    action = FORM.search(page)
    assert action, page[:500]
    return unescape(action[1]), {unescape(k): unescape(v) for k, v in FIELD.findall(page)}


def drive_launch(platform: Platform, spec: Spec, session: requests.Session) -> requests.Response:
    """What a browser does: start at the platform, log in at the tool, come back with the id
    token, post it to the tool. Returns the tool's answer to the post (not followed)."""
    session.trust_env = False
    page = session.get(platform.start_url(spec), timeout=30)
    if page.status_code != 200 or "<form" not in page.text:
        return page  # refused before the platform answered (at the tool's login)
    action, fields = form_of(page.text)
    return session.post(action, data=fields, allow_redirects=False, timeout=30)
