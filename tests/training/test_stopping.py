"""Stopping a training run leaves no worker process behind.

`safeshare detector train` and `eval` fit labels in joblib's worker processes. Killing the
command with SIGTERM (a scheduler's stop, `kill`, a CI timeout) used to leave those workers
running on; the commands now treat SIGTERM as Ctrl-C, which joblib cleans up after.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

pytest.importorskip("joblib")

# The command's own fitting, shrunk: the same handler, then joblib workers busy for a minute.
BUSY = textwrap.dedent(
    """
    import sys, time
    from joblib import Parallel, delayed
    from toolkit.cli.detector import stop_workers_on_sigterm

    def busy(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass

    if sys.argv[1] == "handled":
        stop_workers_on_sigterm()
    Parallel(n_jobs=2)(delayed(busy)(60) for _ in range(4))
    """
)


def _workers(parent: psutil.Process, timeout: float = 60) -> list[psutil.Process]:
    """The parent's descendants once joblib's two workers are running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = parent.children(recursive=True)
        if sum("loky" in " ".join(k.cmdline()) for k in kids if k.is_running()) >= 2:
            return kids
        time.sleep(0.1)
    raise AssertionError("joblib's workers never started")


def _alive(procs: list[psutil.Process]) -> list[int]:
    return [p.pid for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _run_and_terminate(mode: str, grace: float) -> tuple[int, list[psutil.Process]]:
    proc = subprocess.Popen([sys.executable, "-c", BUSY, mode], start_new_session=True)
    try:
        kids = _workers(psutil.Process(proc.pid))
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        deadline = time.monotonic() + grace
        while _alive(kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        return code, kids
    finally:
        proc.kill()
        proc.wait()


def test_sigterm_stops_the_workers_with_the_command():
    code, kids = _run_and_terminate("handled", grace=10)
    leftover = _alive(kids)
    for pid in leftover:
        psutil.Process(pid).kill()
    assert code != 0
    assert leftover == []


def test_without_the_handler_sigterm_orphans_the_workers():
    """The failure the handler exists for, so the test above cannot pass vacuously."""
    code, kids = _run_and_terminate("bare", grace=2)
    leftover = _alive(kids)
    for pid in leftover:
        psutil.Process(pid).kill()
    assert code == -signal.SIGTERM
    assert leftover, "joblib now cleans up after SIGTERM itself: the handler may be dropped"
