"""The server process (`python -m toolkit.serving`, as `make serve` runs it) stops cleanly."""

from __future__ import annotations

import signal
import urllib.request

import pytest

ROOM = 2


@pytest.mark.timeout(180)
def test_stop_signal_leaves_no_kernel_behind(serve_app):
    """Does SIGTERM stop the server within 10 s with none of its processes left (kernels,
    zygote and spare: every process carrying its database)? Ctrl-C: the burst below, and
    tests/serving/test_fork_server.py."""
    signum = signal.SIGTERM
    app = serve_app("learner", room=ROOM)
    url = app.wait_ready()
    print(f"ready after {app.ready_after:.1f} s with room={ROOM}")
    assert len(app.kernels) == ROOM, "the room should hold exactly ROOM warm kernels"
    assert f"room of {ROOM} warm kernels ready" in "".join(app.output)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url + "voila/static/voila.js", timeout=10) as resp:
        assert resp.status == 200

    code, seconds = app.stop(signum)

    assert code == 0, "".join(app.output)[-2000:]
    assert seconds < 10
    assert app.leftovers() == []
    assert "stopped" in app.output[-1]


@pytest.mark.timeout(180)
def test_burst_of_signals_does_not_hang(serve_app):
    """Does a burst of Ctrl-Cs (terminal and `uv run` both forward them) still stop the server?

    Regression: a threading.Event set from the signal handler deadlocked when a second
    signal arrived inside the first handler; the server then hung for good.
    """
    app = serve_app("learner", room=1)
    app.wait_ready()
    code, seconds = app.stop(signal.SIGINT, repeat=8)
    assert code == 0 and seconds < 10, "".join(app.output)[-2000:]
    assert app.leftovers() == []
