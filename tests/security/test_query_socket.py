"""Voilà's query socket: a stranger with no secret must not be able to stall the next learner.

A warm kernel waits on /voila/query/<its id> for the query string of the page that takes it.
Voilà 0.5.13 keeps those sockets in a dictionary, and when a socket it no longer holds is
closed it deleted whichever entry the loop ended on, the newest warm kernel's. So anyone
could open two sockets under a made-up id, close the first, and leave the next learner's
page waiting for ever. `toolkit.serving.voila_repairs` corrects that bookkeeping.
"""

from __future__ import annotations

import time
import urllib.error
import uuid

import psutil
import pytest
import websocket

from tests.security.client import fetch_page

pytestmark = pytest.mark.timeout(300)


def query_socket(server, kernel: str) -> websocket.WebSocket:
    url = server.url.replace("http", "ws", 1) + f"voila/query/{kernel}"
    return websocket.create_connection(url, timeout=30)


def waiting_kernels(server) -> list[psutil.Process]:
    """Warm kernels whose query socket is open (an established connection to the server)."""
    found = []
    for proc in server.kernels():
        try:
            ports = {c.raddr.port for c in proc.net_connections("tcp") if c.raddr}
        except psutil.Error:
            continue
        if server.port in ports:
            found.append(proc)
    return found


def wait_for_warm_kernel(server, not_in: set[int], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if {p.pid for p in waiting_kernels(server)} - not_in:
            return
        time.sleep(0.5)
    pytest.fail("no new warm kernel opened its query socket")


def test_closing_a_strangers_socket_does_not_stall_the_next_page(hostile_server):
    """After a client plays the two-socket trick, does the next learner's page still load?"""
    made_up = str(uuid.uuid4())
    first, second = query_socket(hostile_server, made_up), query_socket(hostile_server, made_up)
    warm_before = {p.pid for p in waiting_kernels(hostile_server)}
    status, _, _ = fetch_page(hostile_server.url, 180)  # takes the warm kernel; a new one comes
    assert status == 200
    wait_for_warm_kernel(hostile_server, warm_before)

    first.close()  # Voilà 0.5.13 then deleted the new warm kernel's entry
    time.sleep(1)
    try:
        status, body, _ = fetch_page(hostile_server.url, 60)
    except (TimeoutError, urllib.error.URLError):
        pytest.fail("the next learner's page never loaded")
    finally:
        second.close()
    assert status == 200 and '"kernelId"' in body
