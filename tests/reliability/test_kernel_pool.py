"""No pile of abandoned kernels: closed tabs free their kernel; open tabs are never culled.

Measured on plain Voilà 0.5.13 (issue 9): the page's shutdown request on close was refused
for a missing _xsrf cookie, so every page load left a kernel running.
`toolkit.serving.voila_repairs` now gives the page that cookie. Culling stays as the fallback
for browsers that vanish without closing the page (a crash, a lost network); it must never
take a learner whose page is still open, however long they think.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest

from tests.ports import free_port
from tests.reliability.drill import DRILL, FILES, answer, at_decision, kernel_id, open_drill
from tests.security.server import AppServer, is_kernel
from toolkit.serving.page_template import jupyter_path
from toolkit.serving.server import (
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    build_voila_argv,
    notebook_path,
)
from toolkit.settings import REPO_ROOT, Settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
BATCH = 4  # pages opened together; also the pool server's room of warm kernels
# Two rooms' worth: the first takes the warm room, the second the kernels it refilled with
# (perhaps still warming). Every further round was the second again (20 pages took 55 s).
PAGES = 2 * BATCH
ROOM = 1  # the culling server's room


@pytest.fixture(scope="module")
def pool_server(tmp_path_factory):
    """A server of its own, so its kernels are only this test's: a room of BATCH warm
    kernels, refilled a second after use (the default waits longer, for a room arriving)."""
    folder = tmp_path_factory.mktemp("pool-server")
    env = {"SAFESHARE_POOL_FILL_DELAY": "1"}
    server = AppServer(f"sqlite:///{folder / 'store.db'}", [FILES], folder, BATCH, env=env)
    server.start()
    yield server
    server.stop()
    assert server.leftovers() == []


def test_closed_pages_free_their_kernels_and_open_ones_keep_theirs(pool_server, new_page):
    """After 8 pages are opened and closed, is the kernel count back to the room size (plus
    the one learner still working) within a minute, and can that learner carry on?"""
    worker = new_page()
    open_drill(worker, pool_server.url)
    answer(worker, 1)
    working = pool_server.kernel_process(kernel_id(worker))

    for _ in range(PAGES // BATCH):  # a room's worth of tabs at a time
        pages = [new_page() for _ in range(BATCH)]
        for page in pages:
            page.goto(pool_server.url + f"?scenario={DRILL}", wait_until="commit")
        for page in pages:
            page.get_by_role("button", name="Submit answer").wait_for()
            page.close(run_before_unload=True)  # what closing the tab or reloading does

    expected = BATCH + 1  # the warm room, refilled, and the learner still working
    left, seconds = pool_server.wait_kernels(expected, timeout=60)
    print(f"\n{PAGES} pages closed: {left} kernels after {seconds:.1f} s (room {BATCH} + 1)")
    assert left == expected, f"{left} kernels running {seconds:.0f} s later, not {expected}"
    assert working.is_running() and working in pool_server.kernels()
    answer(worker, 2)
    at_decision(worker, 3)
    refused = re.findall(r"403 POST /voila/api/shutdown", pool_server.log_tail(10**7))
    assert refused == [], "the page's shutdown request was refused"


# Culling, with the production flags but short times ----------------------------------------
IDLE, INTERVAL = 6, 1


def short_cull_argv(port: int) -> list[str]:
    """`toolkit.serving`'s own Voilà command line, with the cull times shortened."""
    # The room refills a second after a page takes its kernel (not 10 s): the second page
    # then has a warm kernel to take, and the one warm again before the culling is checked.
    settings = Settings.from_env(room=ROOM, port=port, pool_fill_delay=1)
    argv = build_voila_argv(settings, notebook_path("learner"), port)
    swap = {
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}": (
            f"--MappingKernelManager.cull_idle_timeout={IDLE}"
        ),
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}": (
            f"--MappingKernelManager.cull_interval={INTERVAL}"
        ),
    }
    assert set(swap) <= set(argv), "server.py's culling flags changed: update this test"
    return [swap.get(arg, arg) for arg in argv]


@pytest.fixture
def culling_server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "SAFESHARE_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SAFESHARE_CASE_DIRS": str(FILES),
        # What the supervisor gives Voilà, less the lean kernel: the page template's folder.
        "JUPYTER_PATH": jupyter_path(tmp_path / "jupyter", os.environ.get("JUPYTER_PATH", "")),
    }
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        short_cull_argv(port), cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(300):
        try:
            opener.open(url + "voila/static/voila.js", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    proc.url = url
    yield proc
    kernels = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(20)
    psutil.wait_procs([k for k in kernels if k.is_running()], timeout=10)
    log.close()


def kernels_of(proc) -> list[psutil.Process]:
    return [p for p in psutil.Process(proc.pid).children(recursive=True) if is_kernel(p)]


def kernel_of(proc, page) -> psutil.Process:
    """The kernel process serving `page` (its connection file names the kernel id)."""
    wanted = kernel_id(page)
    return next(p for p in kernels_of(proc) if wanted in " ".join(p.cmdline()))


def idle_seconds(url: str, kernel_id: str) -> float | None:
    """How long the server has seen no activity on this kernel (its REST model's
    last_activity); None once the kernel is gone."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}api/kernels/{kernel_id}", timeout=10) as resp:
            last = json.load(resp)["last_activity"]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise
    since = datetime.datetime.now(datetime.UTC) - datetime.datetime.fromisoformat(last)
    return since.total_seconds()


def test_culling_takes_abandoned_kernels_but_never_an_open_page(culling_server, new_page):
    """With culling after 6 idle seconds, is a vanished browser's kernel culled while an open,
    idle page keeps its kernel and still answers, and warm kernels stay warm?"""
    stays = new_page()
    open_drill(stays, culling_server.url)
    kept, kept_id = kernel_of(culling_server, stays), kernel_id(stays)
    gone = new_page()
    open_drill(gone, culling_server.url)
    abandoned = kernel_of(culling_server, gone)
    gone.context.close()  # no unload: the browser just vanished

    abandoned.wait(IDLE * 6)
    # Until the open page has been idle past the cull time, with two cull rounds to spare: as
    # the server saw it (the kernel's last activity), not assumed from a fixed sleep. It has
    # mostly been idle that long already, having opened before the page that was culled.
    deadline = time.monotonic() + IDLE * 6
    while (idle := idle_seconds(culling_server.url, kept_id)) is not None:
        if idle >= IDLE + 2 * INTERVAL:
            break
        assert time.monotonic() < deadline, f"the open page was never idle {IDLE} s"
        time.sleep(max(0.2, IDLE + 2 * INTERVAL - idle))
    assert kept.is_running(), "an open page's kernel was culled"
    assert len(kernels_of(culling_server)) == ROOM + 1, "warm kernels must not be culled"
    answer(stays, 1)
    at_decision(stays, 2)
    assert DRILL in stays.url
