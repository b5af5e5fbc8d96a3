"""toolkit.serving.admission: the counting rules, the per-client rate, and the refusal page."""

from __future__ import annotations

import re

import pytest

from toolkit.serving.admission import (
    ClientRate,
    Occupancy,
    admission_argv,
    client_address,
    room_full,
    too_many_pages,
)
from toolkit.settings import Settings

LIMIT = 5


@pytest.mark.parametrize(
    ("in_use", "starting", "pool", "claims", "admits"),
    [
        (0, 0, 2, 0, True),  # a warm kernel waits
        (3, 0, 2, 0, True),  # at the limit, but the page takes a warm kernel: no new one
        (3, 0, 2, 2, False),  # both warm kernels are claimed; a third claim needs a new one
        (4, 0, 1, 0, True),  # the last warm kernel
        (5, 0, 0, 0, False),  # full
        (4, 1, 0, 0, False),  # full, one still starting
        (3, 0, 0, 1, True),  # one claimed page will start a kernel; one more still fits
        (3, 0, 0, 2, False),  # two claimed pages will start two: none left
    ],
)
def test_a_page_is_admitted_only_if_its_kernel_fits(in_use, starting, pool, claims, admits):
    """Counting pages in use, kernels starting, the warm pool and pages admitted but not yet
    holding a kernel, does one more page fit within the limit?"""
    assert Occupancy(in_use, starting, pool, claims).admits(LIMIT) is admits


@pytest.mark.parametrize(
    ("in_use", "starting", "room", "target"),
    [(0, 0, 2, 2), (3, 0, 2, 2), (4, 0, 2, 1), (4, 1, 2, 0), (5, 0, 2, 0), (9, 0, 2, 0)],
)
def test_the_warm_pool_shrinks_as_the_room_fills(in_use, starting, room, target):
    """Is the pool refilled only as far as the limit leaves room for?"""
    assert Occupancy(in_use, starting, 0, 0).pool_target(LIMIT, room) == target


def test_filling_a_room_never_passes_the_limit():
    """Admitting pages one after another, each taking a warm kernel if there is one and the
    pool then refilled to its target, do kernels ever exceed the limit, and do exactly
    LIMIT pages get in?"""
    in_use, pool, room, admitted = 0, 2, 2, 0
    for _ in range(LIMIT + 5):
        if not Occupancy(in_use, 0, pool, 0).admits(LIMIT):
            continue
        admitted += 1
        in_use, pool = (in_use + 1, pool - 1) if pool else (in_use + 1, pool)
        pool = max(pool, Occupancy(in_use, 0, pool, 0).pool_target(LIMIT, room))
        assert in_use + pool <= LIMIT
    assert admitted == LIMIT and (in_use, pool) == (LIMIT, 0)


def test_a_client_opens_at_most_its_share_of_pages_a_minute():
    """After `per_minute` pages in a minute, must a client wait until the oldest is a minute
    old, while another client and, later, the same one may open pages?"""
    now = [0.0]
    rate = ClientRate(3, clock=lambda: now[0])
    for second in (0, 10, 20):
        now[0] = second
        assert rate.wait("10.0.0.1") == 0
        rate.record("10.0.0.1")
    now[0] = 30
    assert rate.wait("10.0.0.1") == pytest.approx(30)
    assert rate.wait("10.0.0.2") == 0
    now[0] = 60.5
    assert rate.wait("10.0.0.1") == 0


def test_no_limit_means_no_limit():
    """With 0 per minute, is no client ever held back?"""
    rate = ClientRate(0, clock=lambda: 0.0)
    for _ in range(100):
        rate.record("a")
    assert rate.wait("a") == 0


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "10.1.1.1", "203.0.113.9"),  # a remote peer cannot choose its address
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # nginx on this machine says who
        ("127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the address nginx added
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_the_client_is_the_peer_or_what_a_local_proxy_says(peer, forwarded, client):
    """Is a client known by its own address, or by the one a proxy on this machine added?"""
    assert client_address(peer, forwarded) == client


def test_the_refusal_pages_retry_by_themselves_and_need_nothing_else():
    """Do the full-room and too-many pages say so, refresh themselves after Retry-After,
    carry no script, and fetch nothing (no URL at all)?"""
    for refusal, status in ((room_full(), 503), (too_many_pages(12.2), 429)):
        page = refusal.page()
        assert refusal.status == status
        assert f'<meta http-equiv="refresh" content="{refusal.retry_after}">' in page
        assert "<script" not in page and not re.search(r"(src|href)=\"[^\"]+\"", page)
        assert refusal.title in page and "leave it open" in page
    assert too_many_pages(12.2).retry_after == 13


def test_the_learner_server_runs_under_these_rules():
    """Do the settings reach Voilà as the room kernel manager's options?"""
    settings = Settings.from_env({}, max_kernels=40, client_kernels_per_minute=7)
    argv = admission_argv(settings.with_(pause_idle_after=90))
    assert argv == [
        "--VoilaConfiguration.multi_kernel_manager_class="
        "toolkit.serving.kernel_room.RoomKernelManager",
        "--RoomKernelManager.max_kernels=40",
        "--RoomKernelManager.client_kernels_per_minute=7",
        "--RoomKernelManager.pause_idle_after=90",
    ]
