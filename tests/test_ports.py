"""The port helper the server tests share (tests/ports.py)."""

from __future__ import annotations

import socket

import pytest

from tests import ports


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (32768, 60999, range(20768, 32768)),  # Linux's default: the pool below it
        (1024, 60999, range(61000, 65536)),  # nothing below: what is above
        (1500, 64800, range(0)),  # neither leaves a thousand ports: port 0 instead
        (10000, 65535, range(1024, 10000)),
    ],
)
def test_the_pool_lies_outside_the_ephemeral_range(low, high, expected):
    assert ports.pool(low, high) == expected


def test_an_unreadable_range_file_means_linux_default(tmp_path):
    assert ports.ephemeral_range(tmp_path / "missing") == ports.LINUX_DEFAULT
    bad = tmp_path / "range"
    bad.write_text("not numbers\n")
    assert ports.ephemeral_range(bad) == ports.LINUX_DEFAULT
    bad.write_text("40000\t50000\n")
    assert ports.ephemeral_range(bad) == (40000, 50000)


def test_candidates_visit_every_port_once_from_a_seeded_start():
    pool = range(20000, 20100)
    for seed in (0, 1, 4242):
        seen = list(ports.candidates(pool, seed))
        assert sorted(seen) == list(pool)
    assert next(ports.candidates(pool, 1)) != next(ports.candidates(pool, 2))


def test_a_port_in_use_is_not_free():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not ports.is_free(server.getsockname()[1])


def test_free_ports_are_distinct_outside_the_ephemeral_range_and_listenable():
    low, high = ports.ephemeral_range()
    given = [ports.free_port() for _ in range(20)]
    assert len(set(given)) == len(given)
    if ports.pool(low, high):
        assert all(not low <= port <= high for port in given)
    with socket.socket() as server:  # what a server started on it then does
        server.bind(("127.0.0.1", given[-1]))
        server.listen()
