"""An app server for fault and attack tests: chosen database, case folders and port; restartable.

`tests/conftest.py`'s ServedApp gives every server a fresh database. These tests need the
same database across a server restart, their own case folders (hostile and drill scenarios)
and the kernel processes by id (to kill one), so they run `python -m toolkit.serving NOTEBOOK`
themselves, exactly as `make serve` does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180  # a cold start on a busy two-core machine has taken 30 s; leave room


def is_kernel(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE and any(
            "ipykernel" in part for part in proc.cmdline()
        )
    except psutil.Error:
        return False


class AppServer:
    """`python -m toolkit.serving NOTEBOOK` on a fixed port and database, started on demand."""

    def __init__(
        self,
        database_url: str,
        case_dirs: list[Path],
        log_dir: Path,
        room: int = 1,
        notebook: str = "learner",
        env: dict[str, str] | None = None,
    ):
        self.database_url = database_url
        self.case_dirs = case_dirs
        self.room = room
        self.notebook = notebook
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_dir / f"{notebook}-{self.port}.log"
        self.proc: subprocess.Popen[str] | None = None
        self.seen_kernels: list[psutil.Process] = []

    def start(self) -> str:
        """Start and wait until the server printed "ready"; the base URL."""
        env = {
            **os.environ,
            "SAFESHARE_DATABASE_URL": self.database_url,
            "SAFESHARE_CASE_DIRS": os.pathsep.join(str(p) for p in self.case_dirs),
            # Every page here comes from one address, this test process, often many a minute:
            # no per-client limit unless a test sets one (tests/serving/test_room_capacity.py).
            "SAFESHARE_CLIENT_KERNELS_PER_MINUTE": "0",
            **self.extra_env,
        }
        argv = [sys.executable, "-m", "toolkit.serving", self.notebook]
        # A new event per process: the last one's reader thread may still be finishing.
        ready = threading.Event()
        self.proc = subprocess.Popen(
            [*argv, "--port", str(self.port), "--room", str(self.room)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._pump, args=(self.proc, ready), daemon=True).start()
        if not ready.wait(READY_TIMEOUT) or self.proc.poll() is not None:
            self.stop()
            pytest.fail(f"{self.notebook} server not ready; log:\n{self.log_tail()}")
        return self.url

    def _pump(self, proc: subprocess.Popen[str], ready: threading.Event) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if line.startswith("ready in "):
                    ready.set()
        ready.set()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]

    def kernels(self) -> list[psutil.Process]:
        """The server's live kernel processes (warm ones included)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []
        found = [p for p in children if is_kernel(p)]
        self.seen_kernels += [p for p in found if p not in self.seen_kernels]
        return found

    def kernel_process(self, kernel_id: str) -> psutil.Process:
        """The process of the kernel with this id (its connection file names the id)."""
        for proc in self.kernels():
            if any(kernel_id in part for part in proc.cmdline()):
                return proc
        raise LookupError(f"no kernel process for {kernel_id}")

    def wait_kernels(self, count: int, timeout: float) -> tuple[int, float]:
        """Wait until at most `count` kernels run; (kernels left, seconds waited)."""
        began = time.monotonic()
        while len(self.kernels()) > count and time.monotonic() - began < timeout:
            time.sleep(0.5)
        return len(self.kernels()), time.monotonic() - began

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit code (None if it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.kernels()
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def leftovers(self, settle: float = 5.0) -> list[int]:
        """Pids of kernels this server ever ran that are still alive after it stopped."""
        deadline = time.monotonic() + settle
        while True:
            alive = [p.pid for p in self.seen_kernels if is_kernel(p) and p.is_running()]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.2)
