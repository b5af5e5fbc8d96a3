"""The room of warm kernels one Voilà server keeps: which are warm, which were lost.

`toolkit.serving.server` feeds it Voilà's log lines and asks whether the room is ready. A kernel is
warm when its notebook has touched its marker file (the learner app does, just before it
waits for its page) or, for notebooks that do not, once it has sat idle for a moment.

A kernel can also be lost while it starts. Measured here: one of 30 pooled kernels once
vanished, Voilà listed it as "starting" for ever, and the server never said "ready".
Killing a pooled kernel at start reproduces two ways of it: no process left at all, or
Voilà logging "Kernel died" while Jupyter's restarter brings up a fresh process in which
the notebook never runs. Either way the learner given that pool entry gets a page with no
widgets. A lost kernel is therefore dropped: shut down through Voilà's API (which also
takes it out of the pool) and not waited for.

A kernel whose notebook failed to start (the database unavailable for longer than it waits,
issue 15) says so with a ``<kernel id>.failed`` marker; Voilà's process drops and replaces
it (``toolkit.serving.pool_guard``), so here it only stops counting towards the room.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from toolkit.app.identity import FAILED_SUFFIX

POOL_FILLED = "Kernel pool of"  # Voilà logs "Kernel pool of <nb> is filled with N kernel(s)"
KERNEL_STARTED = re.compile(r"Kernel started: ([0-9a-f-]{36})")
# Voilà's renderer gives up on a kernel that died before answering; Jupyter's restarter
# then brings up a fresh process under the same id, but the notebook is never run in it.
KERNEL_DIED = re.compile(r"kernel ([0-9a-f-]{36}): Kernel died")
# "Filled" only means the warm kernels were launched; each then runs the notebook. A kernel
# counts as warm once it has reported idle, unchanged, for this long (measured: the gap
# between a kernel's first idle and the notebook's execute request is about 0.2 s).
SETTLE_SECONDS = 1.0
# A kernel with no process this long after Voilà said it started is lost, not slow: its
# process exists from launch on, however busy the machine.
LOST_AFTER_SECONDS = 10.0


class WarmRoom:
    """What one server's log and API say about its pooled kernels."""

    def __init__(
        self,
        url: str,
        ready_dir: Path,
        kernel_alive: Callable[[str], bool],
        log: IO[str],
    ) -> None:
        self.url = url
        self.ready_dir = ready_dir
        self._kernel_alive = kernel_alive
        self._log = log
        self.filled = threading.Event()
        self.kernel_ids: list[str] = []
        self.lost: list[str] = []
        self.failed: list[str] = []  # notebook failed; Voilà's process replaces them
        self._started_at: dict[str, float] = {}
        self._died: set[str] = set()
        self._warm: set[str] = set()
        # kernel id -> ((execution_state, last_activity), when that pair was first seen)
        self._last_seen: dict[str, tuple[tuple[object, object], float]] = {}

    def read_line(self, line: str) -> None:
        """Take note of a Voilà log line (kernel started, pool filled)."""
        if started := KERNEL_STARTED.search(line):
            self.kernel_ids.append(started.group(1))
            self._started_at[started.group(1)] = time.monotonic()
        if POOL_FILLED in line:
            self.filled.set()
        if died := KERNEL_DIED.search(line):
            self._died.add(died.group(1))

    def launched(self, room: int) -> bool:
        """Has Voilà launched the whole room? (Its "filled" line can be missing when a
        kernel is lost at start, so enough "Kernel started" lines count as well; a failed
        kernel's replacement must have started too.)"""
        if self.failed:
            return len(self.kernel_ids) - len(self.failed) >= room
        return self.filled.is_set() or len(self.kernel_ids) >= room

    def describe(self) -> str:
        """How far the room got, for messages: "12 of 30 kernels warm, 1 lost"."""
        lost = f", {len(self.lost)} lost" if self.lost else ""
        failed = f", {len(self.failed)} failed to start (see the log)" if self.failed else ""
        return f"{len(self._warm)} of {len(self.kernel_ids)} kernels warm{lost}{failed}"

    def settled(self) -> bool:
        """Is every kernel started so far warm (or lost and dropped, or failed)?"""
        now = time.monotonic()
        return all([self._quiet(k, now) for k in list(self.kernel_ids)])

    def _quiet(self, kernel_id: str, now: float) -> bool:
        if kernel_id in self._warm or kernel_id in self.failed:
            return True
        if (self.ready_dir / f"{kernel_id}{FAILED_SUFFIX}").exists():
            self.failed.append(kernel_id)
            return True
        if (self.ready_dir / kernel_id).exists():
            self._warm.add(kernel_id)  # once warm, never polled again
            return True
        if kernel_id in self.lost:
            return True
        started_long_ago = now - self._started_at.get(kernel_id, now) > LOST_AFTER_SECONDS
        if kernel_id in self._died or (started_long_ago and not self._kernel_alive(kernel_id)):
            self._drop(kernel_id)
            return True
        try:
            with _open(f"{self.url}api/kernels/{kernel_id}") as resp:
                model = json.load(resp)
        except urllib.error.HTTPError as exc:
            return exc.code == 404  # shut down already: nothing left to warm
        except (OSError, ValueError):
            return False
        seen = (model.get("execution_state"), model.get("last_activity"))
        if self._last_seen.get(kernel_id, (None, now))[0] != seen:
            self._last_seen[kernel_id] = (seen, now)
        quiet = seen[0] == "idle" and now - self._last_seen[kernel_id][1] >= SETTLE_SECONDS
        if quiet:
            self._warm.add(kernel_id)
        return quiet

    def _drop(self, kernel_id: str) -> None:
        """Shut a lost kernel down through Voilà, which also removes it from the pool."""
        self.lost.append(kernel_id)
        self._log.write(f"[SafeShare] warm kernel {kernel_id} died while starting; dropped\n")
        # Jupyter's API wants the XSRF double submit for a DELETE: the same random value
        # as cookie and header. This process is the server's own supervisor, not a browser.
        token = secrets.token_hex(16)
        request = urllib.request.Request(
            f"{self.url}api/kernels/{kernel_id}",
            method="DELETE",
            headers={"Cookie": f"_xsrf={token}", "X-XSRFToken": token},
        )
        try:
            with _open(request):
                pass
        except OSError as exc:
            self._log.write(f"[SafeShare] could not shut lost kernel {kernel_id} down: {exc}\n")


def _open(url: str | urllib.request.Request):
    """Open a loopback URL directly: an http_proxy in the environment must not intercept it."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(url, timeout=2)
