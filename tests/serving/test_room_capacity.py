"""A room that cannot be exhausted: the learner server never runs more than max_kernels.

Voilà caps nothing (voila#617): every page load started or took a kernel, so a crowd or a
script could fill the machine's memory. Against a real `python -m toolkit.serving learner`
with a small `max_kernels`, pages are opened at once (each from its own address, as a
proxy on this machine reports it) and then some are closed; a client opening pages in a
loop is slowed down on its own.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.security.client import fetch_page
from tests.security.server import AppServer

pytestmark = pytest.mark.timeout(600)
DRILL = Path(__file__).parents[1] / "reliability" / "files"
MAX = 4
PER_MINUTE = 2
FILL_DELAY = 1  # the warm room refills this long after a page takes its kernel
# A refill past max_kernels would start FILL_DELAY after a take: with the limit's cap on the
# refill removed, the fifth kernel showed 1.0 s after the burst. The count must then hold
# still this long (it was 8 s, twice a test).
SETTLE_SECONDS = FILL_DELAY + 4
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@dataclass
class Page:
    client: str
    status: int
    html: str
    jar: http.cookiejar.CookieJar

    @property
    def kernel_id(self) -> str | None:
        found = KERNEL_ID.search(self.html)
        return found.group(1) if found else None


def open_page(url: str, client: str) -> Page:
    """A page load from `client` (its address as a proxy on this machine would report it)."""
    jar = http.cookiejar.CookieJar()
    headers = {"X-Forwarded-For": client}
    status, html, _ = fetch_page(url + "?scenario=sc-fault-drill", 180, jar, headers=headers)
    return Page(client, status, html, jar)


def close_page(url: str, page: Page) -> int:
    """What a closing tab sends: the shutdown request with the page's _xsrf cookie."""
    xsrf = next(c.value for c in page.jar if c.name == "_xsrf")
    body = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
    target = url + f"voila/api/shutdown/{page.kernel_id}"
    return fetch_page(target, 30, page.jar, data=body, headers={"Origin": url.rstrip("/")})[0]


def open_at_once(url: str, clients: list[str]) -> list[Page]:
    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(lambda client: open_page(url, client), clients))


def settle_kernels(server: AppServer, seconds: float = SETTLE_SECONDS) -> int:
    """The server's kernel count once it has stopped changing for `seconds`."""
    count, since = len(server.kernels()), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.5)
        now = len(server.kernels())
        if now != count:
            count, since = now, time.monotonic()
    return count


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room-capacity")
    env = {
        "SAFESHARE_MAX_KERNELS": str(MAX),
        "SAFESHARE_CLIENT_KERNELS_PER_MINUTE": str(PER_MINUTE),
        "SAFESHARE_POOL_FILL_DELAY": str(FILL_DELAY),
        "SAFESHARE_LOG_PATH": str(folder / "app.log"),
    }
    server = AppServer(f"sqlite:///{folder / 'store.db'}", [DRILL], folder, room=1, env=env)
    server.start()
    yield server
    server.stop()
    assert server.leftovers() == [], "the server left kernels behind"
    assert " 500 GET" not in server.log_tail(10**7)


def test_one_address_opening_pages_in_a_loop_is_slowed_down(room):
    """Past its pages a minute, is a client's next page a 429 that says when to try again,
    while a page from another address still opens?"""
    pages = [open_page(room.url, "198.51.100.1") for _ in range(PER_MINUTE + 1)]
    assert [p.status for p in pages] == [200] * PER_MINUTE + [429]
    assert pages[-1].kernel_id is None and "Too many new pages" in pages[-1].html
    other = open_page(room.url, "198.51.100.2")
    assert other.status == 200 and other.kernel_id
    for page in [*pages[:PER_MINUTE], other]:
        assert close_page(room.url, page) == 204


def test_max_kernels_then_the_full_page_then_freed_places_go_to_those_waiting(room):
    """With max_kernels + 5 pages opened at once, do exactly max_kernels open (on exactly
    max_kernels kernels) and the rest get the full page, none a 500? After two pages close,
    do exactly two of the waiting pages get in, still on max_kernels kernels?"""
    clients = [f"203.0.113.{n}" for n in range(1, MAX + 6)]
    pages = open_at_once(room.url, clients)
    opened = [p for p in pages if p.status == 200 and p.kernel_id]
    waiting = [p for p in pages if p.status == 503]
    print(f"\nburst of {len(pages)}: {len(opened)} opened, {len(waiting)} full")
    assert len(opened) == MAX and len(waiting) == 5, sorted(p.status for p in pages)
    assert all("The room is full" in p.html and "tries again in" in p.html for p in waiting)
    assert settle_kernels(room) == MAX

    for page in opened[:2]:
        assert close_page(room.url, page) == 204
    # The freed places: one warm kernel refilled, one free. The 204 comes once the kernel is
    # shut down and the room topped up; wait for the processes to show it (was a 3 s sleep).
    deadline = time.monotonic() + 60
    while len(room.kernels()) != MAX - 1:
        assert time.monotonic() < deadline, f"{len(room.kernels())} kernels, not {MAX - 1}"
        time.sleep(0.2)
    retried = open_at_once(room.url, [p.client for p in waiting])
    got_in = [p for p in retried if p.status == 200 and p.kernel_id]
    assert len(got_in) == 2 and sorted(p.status for p in retried) == [200, 200, 503, 503, 503]
    assert settle_kernels(room) == MAX
