"""toolkit.serving.warm_room: when a server's room is warm, and what happens to a lost kernel."""

from __future__ import annotations

import asyncio
import io
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from toolkit.serving import warm_room
from toolkit.serving.warm_room import WarmRoom

A, B = "1b0227e7-5643-415a-9e07-0508612d5d37", "7652d103-0f4c-4c2e-9a8e-9d3c6a1b2c3d"


def test_log_lines_count_started_kernels_and_the_filled_pool(tmp_path):
    """Are Voilà's 'Kernel started' and 'pool filled' lines what launched() goes by?"""
    room = WarmRoom("http://127.0.0.1:1/", tmp_path, lambda _: True, io.StringIO())
    room.read_line(f"[Voila] Kernel started: {A}\n")
    assert room.kernel_ids == [A] and not room.launched(2)
    room.read_line(f"[Voila] Kernel started: {B}\n")
    assert room.launched(2)  # even without the "filled" line (missing when one is lost)
    room.read_line("[Voila] Kernel pool of learner.ipynb is filled with 2 kernel(s)\n")
    assert room.filled.is_set()


def test_marked_kernels_are_warm_without_asking_voila(tmp_path):
    """Does a kernel's marker file make it warm (no API call: the URL leads nowhere)?"""
    room = WarmRoom("http://127.0.0.1:1/", tmp_path, lambda _: True, io.StringIO())
    room.read_line(f"Kernel started: {A}")
    assert not room.settled()
    (tmp_path / A).touch()
    assert room.settled()


def test_a_kernel_whose_notebook_failed_is_not_counted_warm(tmp_path):
    """Does a kernel that marked itself failed settle without counting towards the room, so
    "ready" waits for its replacement (which Voilà's process starts)?"""
    room = WarmRoom("http://127.0.0.1:1/", tmp_path, lambda _: True, io.StringIO())
    for kernel in (A, B):
        room.read_line(f"[Voila] Kernel started: {kernel}\n")
    room.read_line("[Voila] Kernel pool of learner.ipynb is filled with 2 kernel(s)\n")
    (tmp_path / A).touch()
    (tmp_path / f"{B}.failed").touch()
    assert room.settled() and room.failed == [B]
    assert not room.launched(2), "one of the two is no use"
    assert "1 failed to start" in room.describe()
    room.read_line("[Voila] Kernel started: 0c5e0d7b-9f39-4a47-b3c4-b5d7a0e2f1aa\n")
    assert room.launched(2) and not room.settled()  # the replacement is still warming


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str | None, str | None]] = []

    def do_DELETE(self):  # noqa: N802 - http.server's naming
        cookie, header = self.headers.get("Cookie"), self.headers.get("X-XSRFToken")
        _Recorder.seen.append(("DELETE", self.path, cookie, header))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_kernel_with_no_process_is_dropped_not_waited_for(tmp_path, monkeypatch):
    """Is a kernel whose process vanished shut down through the API and not waited for?"""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(warm_room, "LOST_AFTER_SECONDS", 0.0)
    log = io.StringIO()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        room = WarmRoom(url, tmp_path, lambda kernel: kernel != A, log)
        room.read_line(f"Kernel started: {A}")
        time.sleep(0.01)
        assert room.settled()
    finally:
        server.shutdown()
    assert room.lost == [A]
    method, path, cookie, header = _Recorder.seen[-1]
    assert (method, path) == ("DELETE", f"/api/kernels/{A}")
    assert cookie == f"_xsrf={header}"  # Jupyter's XSRF double submit
    assert "died while starting" in log.getvalue()


def test_a_kernel_voila_saw_die_is_dropped(tmp_path, monkeypatch):
    """Is a kernel Voilà logged as dead dropped at once, even if restarted and idle?"""
    dropped = []
    monkeypatch.setattr(WarmRoom, "_drop", lambda self, k: (dropped.append(k), self.lost.append(k)))
    room = WarmRoom("http://127.0.0.1:1/", tmp_path, lambda _: True, io.StringIO())
    room.read_line(f"Kernel started: {A}")
    room.read_line(
        f"[Voila] ERROR | Error occurred while starting new kernel client for kernel {A}: "
        "Kernel died before replying to kernel_info"
    )
    assert room.settled() and dropped == [A]


@pytest.mark.timeout(240)
def test_server_with_a_kernel_killed_at_start_still_serves_the_room(tmp_path):
    """If a pooled kernel dies as it starts, does the server still say ready, and does
    every learner of the room get a working page?"""
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from _harness import SCENARIO, free_port, kernel_processes
    from _voila_client import Page

    from toolkit.serving.server import VoilaServer
    from toolkit.settings import Settings

    settings = Settings.from_env(
        {}, port=free_port(), room=2, database_url=f"sqlite:///{tmp_path / 'room.db'}"
    )
    with VoilaServer("learner", settings, log=io.StringIO()) as server:
        deadline = time.monotonic() + 60
        while not (procs := kernel_processes(server)) and time.monotonic() < deadline:
            time.sleep(0.05)
        killed = sorted(procs)[0]
        procs[killed].kill()
        assert server.wait_ready(timeout=180)
        assert server.lost_kernels == [killed]

        async def learners() -> list[str]:
            async def one() -> str:
                page = Page(server.url, f"scenario={SCENARIO}")
                try:
                    await page.open(timeout=90)
                    return page.kernel_id
                finally:
                    await page.close()

            return await asyncio.gather(one(), one())

        # In its own thread: a Playwright fixture of another test may hold this thread's loop.
        with ThreadPoolExecutor(1) as thread:
            kernels = thread.submit(asyncio.run, learners()).result()
    assert killed not in kernels and len(set(kernels)) == 2
