"""Admission to the learner server: how many kernels may run, and who may start the next one.

Voilà starts a kernel for every page load and caps nothing (voila#617): measured, 20 page
loads made 20 kernels of ~73 MB and pages left open are never culled, so about 400 loads
filled 24 GiB. The learner server therefore admits a page only while its kernels (warm ones
and those starting included) stay within `max_kernels`; beyond that, and for a client past
its `client_kernels_per_minute`, the page is a small one of its own, served without a kernel,
that says so and tries again by itself.

This module holds the rules as plain values (no Voilà, no Tornado), so the supervisor can
import it for the command line and tests can check the arithmetic; the kernel manager in
toolkit.serving.kernel_room keeps the counts and applies them.
"""

from __future__ import annotations

import html
import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.settings import Settings

KERNEL_MANAGER = "toolkit.serving.kernel_room.RoomKernelManager"
# How soon a page refused for a full room asks again: often enough that a freed place is
# taken within seconds, rarely enough that a room of waiting pages costs the server nothing
# (each retry is one small request that starts no kernel).
RETRY_SECONDS = 10
WINDOW_SECONDS = 60.0


def admission_argv(settings: Settings) -> list[str]:
    """Voilà options that put the learner server's kernels under these rules."""
    return [
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        f"--RoomKernelManager.max_kernels={settings.max_kernels}",
        f"--RoomKernelManager.client_kernels_per_minute={settings.client_kernels_per_minute}",
        f"--RoomKernelManager.pause_idle_after={settings.pause_idle_after}",
    ]


@dataclass(frozen=True)
class Occupancy:
    """What holds a kernel of the server, or soon will.

    in_use: pages' kernels (taken from the warm pool or started for them, and those being
    handed over); starting: kernels being started for a page; pool: warm pool entries
    (warm, warming, or waiting to start); claims: pages admitted that have not yet taken or
    started a kernel. A claimed page takes a pool entry if there is one when it gets there,
    else starts a kernel, so the claims need at most max(pool, claims) kernels besides.
    """

    in_use: int
    starting: int
    pool: int
    claims: int

    def admits(self, limit: int) -> bool:
        """Does one more page fit, whichever way it gets its kernel?"""
        return self.in_use + self.starting + max(self.pool, self.claims + 1) <= limit

    def pool_target(self, limit: int, room: int) -> int:
        """How big the warm pool may be now: `room`, less what the limit leaves no room for."""
        return max(0, min(room, limit - self.in_use - self.starting))

    def describe(self, limit: int) -> str:
        held = self.in_use + self.starting + self.pool
        return f"{held} of {limit} kernels ({self.in_use + self.starting} in use, {self.pool} warm)"


class ClientRate:
    """New kernels per client address in the last minute; at most `per_minute` (0: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute, self._clock = per_minute, clock
        self._opened: dict[str, deque[float]] = {}

    def wait(self, client: str) -> float:
        """Seconds until `client` may open another page (0 when it may now)."""
        if self.per_minute <= 0:
            return 0.0
        opened = self._recent(client)
        if len(opened) < self.per_minute:
            return 0.0
        return opened[0] + WINDOW_SECONDS - self._clock()

    def record(self, client: str) -> None:
        if self.per_minute > 0:
            self._recent(client).append(self._clock())

    def _recent(self, client: str) -> deque[float]:
        now = self._clock()
        for key in [k for k, v in self._opened.items() if not v or now - v[-1] >= WINDOW_SECONDS]:
            del self._opened[key]  # clients quiet for a minute are forgotten
        opened = self._opened.setdefault(client, deque())
        while opened and now - opened[0] >= WINDOW_SECONDS:
            opened.popleft()
        return opened


def client_address(remote_ip: str, forwarded_for: str | None) -> str:
    """Who is asking: the peer's address, or, when the peer is a proxy on this machine (nginx
    in docs/deploy.md), the address it says it received the request from (the last one it
    added to X-Forwarded-For). A client talking to Voilà directly cannot choose its address."""
    try:
        loopback = ipaddress.ip_address(remote_ip).is_loopback
    except ValueError:
        loopback = False
    if loopback and forwarded_for:
        return forwarded_for.split(",")[-1].strip() or remote_ip
    return remote_ip


@dataclass(frozen=True)
class Refusal:
    """A page not admitted: its HTTP status, when to ask again, and what it says."""

    status: int
    retry_after: int
    title: str
    text: str

    def page(self) -> str:
        """A page that needs nothing from any server: inline style, no script, and a refresh
        after `retry_after` seconds to the same address (its query string kept)."""
        title, text = html.escape(self.title), html.escape(self.text)
        return REFUSAL_PAGE.format(retry=self.retry_after, title=title, text=text)


def room_full() -> Refusal:
    return Refusal(
        503,
        RETRY_SECONDS,
        "The room is full",
        f"Every place on this server is taken just now. This page tries again in "
        f"{RETRY_SECONDS} seconds by itself: leave it open.",
    )


def too_many_pages(wait: float) -> Refusal:
    seconds = max(1, math.ceil(wait))
    return Refusal(
        429,
        seconds,
        "Too many new pages",
        f"Many pages were opened from your address in the last minute. This page tries "
        f"again in {seconds} seconds by itself: leave it open.",
    )


REFUSAL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SafeShare: {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #1a1a1a; }}
main {{ max-width: 36em; margin: 10vh auto; padding: 2em; background: #fff;
        border-radius: 6px; line-height: 1.5; }}
a {{ color: #0b4f8a; }}
</style>
</head>
<body>
<main>
<h1>SafeShare: {title}</h1>
<p role="status">{text}</p>
<p>If you had already started, your answers are saved and you will carry on where you
left off.</p>
<p><a href="">Try again now</a></p>
</main>
</body>
</html>
"""
