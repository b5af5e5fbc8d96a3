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


def _workers(parent: psutil.Process, timeout: float = 180) -> list[psutil.Process]:
    """The parent's descendants once joblib's two workers are busy with their tasks.

    Busy, not merely started: a worker killed off while still starting up reads the end of
    its pipe and leaves by itself, which would make the unhandled case look clean.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = parent.children(recursive=True)
        workers = [k for k in kids if "popen_loky_posix" in " ".join(_cmdline(k))]
        if len(workers) >= 2 and all(_cpu(w) > 0.3 for w in workers):
            return kids
        time.sleep(0.1)
    raise AssertionError("joblib's workers never got busy")


def _cpu(proc: psutil.Process) -> float:
    try:
        return proc.cpu_times().user
    except psutil.Error:
        return 0.0


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:  # gone, or a zombie, between listing and asking
        return []


def _alive(procs: list[psutil.Process]) -> list[int]:
    def running(p: psutil.Process) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    return [p.pid for p in procs if running(p)]


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            psutil.Process(pid).kill()
        except psutil.Error:
            pass


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
    _kill(leftover)
    assert code != 0
    assert leftover == []


def test_without_the_handler_sigterm_orphans_the_workers():
    """The failure the handler exists for, so the test above cannot pass vacuously."""
    code, kids = _run_and_terminate("bare", grace=2)
    leftover = _alive(kids)
    _kill(leftover)
    assert code == -signal.SIGTERM
    assert leftover, "joblib now cleans up after SIGTERM itself: the handler may be dropped"
