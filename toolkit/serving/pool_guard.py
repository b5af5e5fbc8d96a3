"""Warm kernels whose notebook failed leave Voilà's pool and are replaced, never handed out.

Runs inside Voilà's server process (installed by ``toolkit.serving.voila_repairs``). Voilà
0.5.13 keeps a pooled kernel whatever its notebook did, and gives it to the next page: after
a database outage while the room refilled, whole rooms of learners got Voilà's "error when
executing cell" instead of the app (issue 15). A SafeShare notebook whose start-up failed
leaves ``<kernel id>.failed`` in the server's private folder (``toolkit.app.identity``).

The guard looks before Voilà chooses between the pool and a fresh kernel (``get_pool_size``,
asked on every page request) and once a second: a failed kernel is taken out of the pool,
shut down, and a replacement is started after Voilà's own refill delay (``fill_delay``, so
a database that stays down is retried at that pace, not in a tight loop).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from toolkit.app.identity import FAILED_SUFFIX, READY_DIR_VAR

CHECK_SECONDS = 1.0


def guard_pool(voila_app: Any) -> PoolGuard | None:
    """Install the guard on this Voilà app's kernel pool (once); None when there is no pool
    to guard (preheating off) or no folder the kernels report to."""
    manager = getattr(voila_app, "kernel_manager", None)
    folder = os.environ.get(READY_DIR_VAR)
    if manager is None or not hasattr(manager, "_pools") or not folder:
        return None
    if getattr(manager, "safeshare_pool_guard", None) is None:
        manager.safeshare_pool_guard = PoolGuard(manager, Path(folder), voila_app.log)
    return manager.safeshare_pool_guard


class PoolGuard:
    """Drops failed kernels from a VoilaKernelManager's pools and asks for replacements."""

    def __init__(self, manager: Any, ready_dir: Path, log: Any):
        self.manager, self.ready_dir, self.log = manager, ready_dir, log
        self.dropped: list[str] = []
        pool_size = manager.get_pool_size

        def checked_pool_size(notebook_name: str) -> int:
            self.purge()
            return pool_size(notebook_name)

        manager.get_pool_size = checked_pool_size  # the handler asks this before choosing
        # Voilà's own pool tasks are created on this loop before it runs; so is this one.
        asyncio.get_event_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                self.purge()
            except Exception:  # noqa: BLE001 - the guard must outlive any one bad check
                self.log.exception("[SafeShare] checking the warm pool failed")

    def purge(self) -> list[str]:
        """Take every failed kernel out of the pools; shut them down, start replacements."""
        dropped = []
        for notebook_name, pool in list(self.manager._pools.items()):
            for entry in list(pool):
                kernel_id = _kernel_of(entry)
                if kernel_id is None or not self._failed(kernel_id):
                    continue
                pool.remove(entry)
                dropped.append(kernel_id)
                self.log.warning(
                    "[SafeShare] warm kernel %s: its notebook failed; dropped and replaced",
                    kernel_id,
                )
                asyncio.ensure_future(self._shut_down(kernel_id))
                self.manager.fill_if_needed(delay=None, notebook_name=notebook_name)
        self.dropped += dropped
        return dropped

    def _failed(self, kernel_id: str) -> bool:
        return (self.ready_dir / f"{kernel_id}{FAILED_SUFFIX}").exists()

    async def _shut_down(self, kernel_id: str) -> None:
        try:
            await self.manager.shutdown_kernel(kernel_id)
        except Exception:  # noqa: BLE001 - already gone is fine
            self.log.info("[SafeShare] dropped kernel %s was already gone", kernel_id)


def _kernel_of(entry: Any) -> str | None:
    """The kernel id of a pool entry (a task Voilà made), once it has started; else None."""
    if not entry.done() or entry.cancelled() or entry.exception() is not None:
        return None
    return entry.result().get("kernel_id")
