"""The learner server's kernel manager: every kernel counted, none past `max_kernels`.

Runs inside Voilà (named by ``VoilaConfiguration.multi_kernel_manager_class``; see
toolkit.serving.admission for the rules and why). It counts what holds a kernel: pages'
kernels, kernels starting for a page, the warm pool, and pages admitted that have not yet
got theirs (a *claim*, made when a page is admitted and settled when it takes a warm kernel
or starts one). From those counts it admits a page or not (``admit``, asked for each page
request by toolkit.serving.voila_repairs), keeps the warm pool's refills within the limit,
tops the pool up again when a kernel is freed, and pauses pages left idle
(toolkit.serving.pausing).

Voilà builds its pooling manager (VoilaKernelManager) as a subclass of this class, and two
of the methods that subclass adds must count too: taking a warm kernel
(``get_rendered_notebook``) and refilling the pool (``fill_if_needed``). ``__init_subclass__``
wraps them in the class Voilà builds; nothing of Voilà is patched.
"""

from __future__ import annotations

import asyncio
import functools
from contextvars import ContextVar
from typing import Any

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from traitlets import Integer

from toolkit.serving import pausing
from toolkit.serving.admission import (
    ClientRate,
    Occupancy,
    Refusal,
    client_address,
    room_full,
    too_many_pages,
)


class _Claim:
    """A page admitted that has not yet got its kernel; settled exactly once."""

    def __init__(self, manager: RoomKernelManager):
        self._manager, self.open = manager, True
        manager._claims += 1

    def settle(self) -> None:
        if self.open:
            self.open = False
            self._manager._claims -= 1


# The claim of the page request being handled: set when it is admitted, read when that same
# request takes or starts its kernel (Tornado handles each request in one asyncio task).
_CLAIM: ContextVar[_Claim | None] = ContextVar("safeshare_claim", default=None)


def _settle_claim() -> None:
    claim = _CLAIM.get()
    if claim is not None:
        claim.settle()


class RoomKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager that keeps the server within `max_kernels`."""

    max_kernels = Integer(0, config=True, help="Most kernels at once, warm ones included (0: any).")
    client_kernels_per_minute = Integer(
        0, config=True, help="New page kernels one client address may start a minute (0: any)."
    )
    pause_idle_after = Integer(
        0, config=True, help="Seconds a page may sit idle before it is paused (0: never)."
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._pages: set[str] = set()  # kernel ids of pages (taken from the pool or started)
        self._handing_over = 0  # warm kernels being handed to a page just now
        self._starting = 0  # kernels being started for a page
        self._claims = 0
        self._room: int | None = None  # the configured pool size, read at the first fill
        self._stopping = False
        self._rate = ClientRate(self.client_kernels_per_minute)
        self._pausing: set[str] = set()
        self._pauser: PeriodicCallback | None = None

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if "get_rendered_notebook" in cls.__dict__:
            cls.get_rendered_notebook = _counting_takes(cls.__dict__["get_rendered_notebook"])
        if "fill_if_needed" in cls.__dict__:
            cls.fill_if_needed = _within_limit(cls.__dict__["fill_if_needed"])

    # Counting and admitting ----------------------------------------------------------------
    def occupancy(self) -> Occupancy:
        self._pages &= set(self._kernels)  # pages whose kernel went another way (died)
        pools = getattr(self, "_pools", {})
        return Occupancy(
            in_use=len(self._pages) + self._handing_over,
            starting=self._starting,
            pool=sum(len(pool) for pool in pools.values()),
            claims=self._claims,
        )

    def admit(self, handler: Any) -> Refusal | None:
        """Admit this page request (claiming its kernel), or say why not."""
        request = handler.request
        client = client_address(request.remote_ip, request.headers.get("X-Forwarded-For"))
        wait = self._rate.wait(client)
        if wait > 0:
            return too_many_pages(wait)
        occupancy = self.occupancy()
        if self.max_kernels > 0 and not occupancy.admits(self.max_kernels):
            self.log.info("[SafeShare] room full, %s", occupancy.describe(self.max_kernels))
            return room_full()
        self._rate.record(client)
        claim = _Claim(self)
        _CLAIM.set(claim)
        finish = handler.on_finish  # a request that ends before its kernel gives the claim up

        def on_finish() -> None:
            claim.settle()
            finish()

        handler.on_finish = on_finish
        return None

    def _set_pool_target(self) -> None:
        """Let the next refill bring the pool up to what the limit leaves room for."""
        config = dict(self.kernel_pools_config)
        default = dict(config.get("default", {}))
        if self._room is None:
            self._room = int(default.get("pool_size", 0))
        default["pool_size"] = self.occupancy().pool_target(self.max_kernels, self._room)
        config["default"] = default
        self.kernel_pools_config = config

    def _top_up(self) -> None:
        """Refill the pool after a kernel was freed (Voilà refills only after a take).

        At once, not after the pool's fill delay: the pool is short only when the limit
        kept it so, and then learners are likely waiting on the full page (measured: with
        the delay, two freed places took 17 s to reach two of them).
        """
        fill = getattr(self, "fill_if_needed", None)
        if self._stopping or fill is None:
            return
        for notebook in list(getattr(self, "_pools", {})):
            fill(delay=0, notebook_name=notebook)

    # Kernels starting and stopping ---------------------------------------------------------
    async def start_kernel(self, **kwargs: Any) -> str:
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True":
            return await super().start_kernel(**kwargs)  # a pool refill: counted in the pool
        _settle_claim()
        self._starting += 1
        try:
            kernel_id = await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1
        self._add_page(kernel_id)
        return kernel_id

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._pages.discard(kernel_id)
            self._top_up()

    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:
        self._stopping = True
        if self._pauser is not None:
            self._pauser.stop()
        await super().shutdown_all(*args, **kwargs)

    def _add_page(self, kernel_id: str) -> None:
        self._pages.add(kernel_id)
        if self._pauser is None and self.pause_idle_after > 0:
            every = min(60.0, max(1.0, self.pause_idle_after / 6))
            self._pauser = PeriodicCallback(self._pause_idle_pages, every * 1000)
            self._pauser.start()

    # Pausing idle pages --------------------------------------------------------------------
    async def _pause_idle_pages(self) -> None:
        now = utcnow()
        for kernel_id in list(self._pages - self._pausing):
            kernel = self._kernels.get(kernel_id)
            if kernel is None or getattr(kernel, "execution_state", "") == "busy":
                continue
            idle = (now - kernel.last_activity).total_seconds()
            if idle >= self.pause_idle_after:
                self._pausing.add(kernel_id)
                asyncio.ensure_future(self._pause(kernel_id, idle))

    async def _pause(self, kernel_id: str, idle: float) -> None:
        """Show the page its "paused" panel, then free its kernel."""
        self.log.info("[SafeShare] pausing a page idle for %d s", idle)
        try:
            await pausing.tell_the_page(self.get_kernel(kernel_id), idle)
        except Exception as exc:  # noqa: BLE001 - the kernel is freed either way
            self.log.warning("[SafeShare] a page to pause did not answer (%s)", exc)
        finally:
            try:
                if kernel_id in self:
                    await self.shutdown_kernel(kernel_id)
            finally:
                self._pausing.discard(kernel_id)


def _counting_takes(take: Any) -> Any:
    """Voilà's get_rendered_notebook, with the warm kernel counted as the page's from the
    moment it is taken (the pool refill inside it must already see it in use)."""

    @functools.wraps(take)
    async def counted(self: RoomKernelManager, *args: Any, **kwargs: Any) -> Any:
        _settle_claim()
        self._handing_over += 1
        try:
            render_task, rendered, kernel_id = await take(self, *args, **kwargs)
        finally:
            self._handing_over -= 1
        self._add_page(kernel_id)
        return render_task, rendered, kernel_id

    return counted


def _within_limit(fill: Any) -> Any:
    """Voilà's fill_if_needed, refilling the pool only as far as the limit allows."""

    @functools.wraps(fill)
    def capped(self: RoomKernelManager, *args: Any, **kwargs: Any) -> Any:
        if self.max_kernels > 0:
            self._set_pool_target()
        return fill(self, *args, **kwargs)

    return capped
