"""toolkit.serving.pool_guard: a warm kernel whose notebook failed is dropped and replaced.

The manager here is a stand-in with the three things of Voilà's VoilaKernelManager the guard
uses: its pools (notebook name -> tasks that resolve to {"kernel_id": …}), get_pool_size and
fill_if_needed; shutdown_kernel records what it was asked. The real one is exercised in
tests/reliability/test_warm_pool_faults.py.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import pytest

from toolkit.serving.pool_guard import PoolGuard, guard_pool

NOTEBOOK = "learner.ipynb"


class Manager:
    """The parts of VoilaKernelManager the guard relies on."""

    def __init__(self, kernel_ids: list[str]):
        self._pools = {NOTEBOOK: [_started(k) for k in kernel_ids]}
        self.shut_down: list[str] = []
        self.refills = 0

    def get_pool_size(self, notebook_name: str) -> int:
        return len(self._pools.get(notebook_name, []))

    def fill_if_needed(self, delay=None, notebook_name=None, **_):
        self.refills += 1
        self._pools[notebook_name].append(_started(f"new-{self.refills}"))

    async def shutdown_kernel(self, kernel_id: str) -> None:
        self.shut_down.append(kernel_id)


def _started(kernel_id: str) -> asyncio.Future:
    future = asyncio.get_event_loop().create_future()
    future.set_result({"kernel_id": kernel_id})
    return future


def pool_ids(manager: Manager) -> list[str]:
    return [task.result()["kernel_id"] for task in manager._pools[NOTEBOOK]]


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The event loop Voilà's server would run (not yet running when the guard is made).

    Each test runs in a thread of its own: a browser test earlier in the session may keep
    Playwright's loop running in the main thread, and asyncio allows one running loop a thread.
    """
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def in_own_thread(loop: asyncio.AbstractEventLoop, body) -> None:
    """Run body() in a fresh thread whose current loop is `loop`; re-raise what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            body()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(error)
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_a_failed_kernel_is_never_handed_out(tmp_path, loop):
    """When a page asks for the pool, is a kernel whose notebook failed taken out first,
    shut down, and replaced, with the healthy ones left where they were?"""

    def body() -> None:
        manager = Manager(["good-1", "bad", "good-2"])
        guard = PoolGuard(manager, tmp_path, logging.getLogger("test"))
        (tmp_path / "bad.failed").touch()
        (tmp_path / "good-1").touch()  # warm: its marker has no suffix

        assert manager.get_pool_size(NOTEBOOK) == 3  # the page's question purges first
        assert pool_ids(manager) == ["good-1", "good-2", "new-1"]
        loop.run_until_complete(asyncio.sleep(0))  # let the shutdown run
        assert manager.shut_down == ["bad"] and guard.dropped == ["bad"]
        assert guard.purge() == [], "dropped once"

    in_own_thread(loop, body)


def test_the_guard_also_looks_without_any_page(tmp_path, monkeypatch, loop):
    """With no page asking, is a failed kernel still dropped within a second or so?"""
    monkeypatch.setattr("toolkit.serving.pool_guard.CHECK_SECONDS", 0.05)
    monkeypatch.setenv("SAFESHARE_READY_DIR", str(tmp_path))

    def body() -> None:
        manager = Manager(["bad"])
        app = type("VoilaApp", (), {"kernel_manager": manager, "log": logging.getLogger("t")})
        guard = guard_pool(app)
        assert guard is not None and guard_pool(app) is guard, "installed once"
        (tmp_path / "bad.failed").touch()
        loop.run_until_complete(asyncio.sleep(0.3))
        assert pool_ids(manager) == ["new-1"] and manager.shut_down == ["bad"]

    in_own_thread(loop, body)


def test_no_pool_no_guard(tmp_path, monkeypatch):
    """Without preheating (no pools) or without the server's folder, is nothing installed?"""
    monkeypatch.setenv("SAFESHARE_READY_DIR", str(tmp_path))
    plain = type("VoilaApp", (), {"kernel_manager": object(), "log": logging.getLogger("t")})
    assert guard_pool(plain) is None
    monkeypatch.delenv("SAFESHARE_READY_DIR")
    assert guard_pool(type("VoilaApp", (), {"kernel_manager": Manager([])})) is None
