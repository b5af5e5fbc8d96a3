"""Loopback ports for the servers tests and benchmarks start, which nothing else can take first.

Binding port 0 and closing the socket returns a port from the kernel's ephemeral range, and the
server meant to listen on it starts later. In between, any outgoing connection (a kernel's ZMQ
socket, a database client, the browser) can be given that port as its local end, and the server
then fails with "Address already in use" (seen once in CI, in `tests/lms/test_scorm.py`).

The kernel never hands out ports below the ephemeral range on its own, so this module hands
those out instead: one after another from a start that differs per process (two runs on one
machine do not walk the same ports), each checked free when it is given and never given twice in
a process. Where the machine leaves no such range, it falls back to port 0.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LINUX_DEFAULT = (32768, 60999)
POOL = 12_000  # ports below the ephemeral range handed out; far more than a run uses
LOWEST = 1024  # below this, ports need privileges


def ephemeral_range(path: Path = RANGE_FILE) -> tuple[int, int]:
    """The kernel's ephemeral port range (Linux's default when it cannot be read)."""
    try:
        low, high = (int(part) for part in path.read_text().split())
    except (OSError, ValueError):
        return LINUX_DEFAULT
    return low, high


def pool(low: int, high: int) -> range:
    """The ports to hand out, given the ephemeral range ``low``–``high``: the ``POOL`` just
    below it, else those above it; empty if neither leaves a thousand."""
    below = range(max(LOWEST, low - POOL), low)
    above = range(high + 1, min(65536, high + 1 + POOL))
    best = max(below, above, key=len)
    return best if len(best) >= 1000 else range(0)


def candidates(ports: range, seed: int) -> Iterator[int]:
    """Every port of ``ports`` once, starting at a place ``seed`` picks."""
    start = (seed * 7919) % len(ports)
    return (ports[(start + i) % len(ports)] for i in range(len(ports)))


def is_free(port: int) -> bool:
    """Nothing holds ``port`` on any local address (no listener, connection or TIME_WAIT)."""
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _ephemeral_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_lock = threading.Lock()
_ports: Iterator[int] | None = None


def free_port() -> int:
    """A loopback port no one holds now and no outgoing connection will be given."""
    global _ports
    with _lock:
        if _ports is None:
            ports = pool(*ephemeral_range())
            _ports = candidates(ports, os.getpid()) if ports else iter(())
        for port in _ports:
            if is_free(port):
                return port
    return _ephemeral_port()
