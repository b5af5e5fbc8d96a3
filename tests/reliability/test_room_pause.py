"""A full room in chromium: the waiting page gets in when an idle page is paused, and the
paused learner continues where they were.

A server with room for one kernel: learner A answers decision 1 and goes quiet; learner B
sees the full page, which tries again by itself. A's page is paused after the idle time
(its kernel freed, a Continue link shown), so B's page opens. B closes their tab; A
presses Continue and is back at decision 2, the first answer stored once.
"""

from __future__ import annotations

import time
import urllib.parse

import pytest

from tests.reliability.drill import (
    DRILL,
    FILES,
    answer,
    at_decision,
    kernel_id,
    open_drill,
    resume_code,
)
from tests.reliability.drill import stored_decisions as stored
from tests.security.server import AppServer, is_kernel
from toolkit.storage import open_store

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
IDLE = 12  # seconds before an idle page is paused (30 minutes in production)
WAIT = 90_000


@pytest.fixture(scope="module")
def small_room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small-room")
    env = {
        "SAFESHARE_MAX_KERNELS": "1",
        "SAFESHARE_PAUSE_IDLE_AFTER": str(IDLE),
        "SAFESHARE_POOL_FILL_DELAY": "1",
        "SAFESHARE_LOG_PATH": str(folder / "app.log"),
    }
    server = AppServer(f"sqlite:///{folder / 'store.db'}", [FILES], folder, room=1, env=env)
    server.start()
    yield server
    server.stop()
    assert server.leftovers() == [], "the server left kernels behind"


def test_a_paused_page_lets_the_next_learner_in_and_continues_where_it_was(small_room, new_page):
    """Does B wait on the full page (no kernel, nothing from other hosts), get in once A's
    idle page is paused, and does A's Continue reopen decision 2 with decision 1 kept?"""
    a = new_page()
    open_drill(a, small_room.url)
    answer(a, 1)
    at_decision(a, 2)
    code = resume_code(a)

    b = new_page()
    asked: list[str] = []
    b.on("request", lambda request: asked.append(request.url))
    b.goto(small_room.url + f"?scenario={DRILL}")
    b.get_by_role("heading", name="SafeShare: The room is full").wait_for()
    assert len(small_room.kernels()) == 1

    a.get_by_role("heading", name="This page is paused").wait_for(timeout=WAIT)
    link = a.get_by_role("link", name="Continue where you left off")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.get_attribute("href")).query)
    assert query == {"resume": [code], "scenario": [DRILL]}
    b.get_by_role("button", name="Submit answer").wait_for(timeout=WAIT)  # B got in
    own = urllib.parse.urlsplit(small_room.url).netloc
    # every request to this server; data: and blob: URLs (the page helper's module) have no host
    hosts = {
        u.netloc for u in map(urllib.parse.urlsplit, asked) if u.scheme not in ("data", "blob")
    }
    assert hosts == {own}

    b_kernel = small_room.kernel_process(kernel_id(b))
    b.close(run_before_unload=True)  # B leaves, freeing the place
    # Continue once the place is free: B's kernel shut down and the room topped up again (it
    # does that after the shutdown). Pressed at once, A raced B's shutdown request and got the
    # full page, which tries again only 10 s later.
    deadline = time.monotonic() + WAIT / 1000
    while (b_kernel.is_running() and is_kernel(b_kernel)) or small_room.kernels() == []:
        assert time.monotonic() < deadline, "B's closed page did not free its place"
        time.sleep(0.2)
    link.click()
    a.get_by_text("Welcome back: your answers so far are restored.").wait_for(timeout=WAIT)
    at_decision(a, 2)
    with open_store(small_room.database_url) as store:
        assert stored(store, code) == ["d1"]
    assert len(small_room.kernels()) <= 1
