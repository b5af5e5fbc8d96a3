"""Real servers for the LMS browser tests: `python -m toolkit.serving learner` (which starts
the LTI tool beside it, since a key exists) and `… trainer`, on one database, plus a static
site playing a SCORM LMS. Each server is stopped with SIGTERM; none may leave a process."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO_ROOT
from tests.security.server import is_kernel


class Served:
    """One `python -m toolkit.serving APP` child with the given environment."""

    def __init__(self, app: str, env: dict[str, str], room: int):
        self.app = app
        self.output: list[str] = []
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit.serving", app, "--room", str(room)],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("ready in "):
                self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout: float = 180) -> None:
        if not self._ready.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            pytest.fail(f"{self.app} server not ready:\n{''.join(self.output)[-3000:]}")

    def wait_warm(self, port: int, count: int, timeout: float = 60, settle: float = 1.0) -> int:
        """Wait until `count` warm kernels wait for a page (each holds its query socket open to
        the server on `port`), then `settle` seconds more; how many there were (fewer only on
        timeout, after which the caller goes on regardless)."""
        deadline = time.monotonic() + timeout
        warm = 0
        while time.monotonic() < deadline:
            warm = sum(_waits_on(proc, port) for proc in self._kernels())
            if warm >= count:
                break
            time.sleep(0.25)
        time.sleep(settle)
        return warm

    def _kernels(self) -> list[psutil.Process]:
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []
        return [p for p in family if is_kernel(p)]

    def stop(self) -> list[str]:
        """SIGTERM, then what is left of its processes (should be nothing)."""
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            family = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        _, alive = psutil.wait_procs(family, timeout=5)
        return [f"{p.pid}" for p in alive]


def _waits_on(proc: psutil.Process, port: int) -> bool:
    """Does this kernel hold a connection to the server's port (its query socket)?"""
    try:
        return any(c.raddr and c.raddr.port == port for c in proc.net_connections("tcp"))
    except psutil.Error:
        return False


class StaticSite:
    """A folder served on 127.0.0.1 (the test LMS that hosts a SCORM package)."""

    def __init__(self, folder: Path, port: int):
        handler = functools.partial(_QuietFiles, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def wait_for(check, timeout: float = 30.0, every: float = 0.25):
    """Poll ``check()`` until it returns something true; that value, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"gave up waiting after {timeout:.0f} s")
