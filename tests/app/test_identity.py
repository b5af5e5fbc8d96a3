"""Query-string parsing: only well-formed values are trusted."""

import pytest

from toolkit.app.identity import Query, parse_query


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Query()),
        (None, Query()),
        ("scenario=sc-nursery-bruising", Query(scenario="sc-nursery-bruising")),
        (
            "session=abc234&resume=aaaa-bbbb-cccc-dddd",
            Query(session="ABC234", resume="AAAA-BBBB-CCCC-DDDD"),
        ),
        ("scenario=<script>alert(1)</script>", Query()),
        ("scenario=../../etc/passwd", Query()),
        ("session=" + "A" * 200, Query()),
        ("scenario=a&scenario=b", Query(scenario="a")),
    ],
)
def test_parse_query(text, expected):
    """Are hostile or malformed values dropped rather than passed on?"""
    assert parse_query(text) == expected


def test_socket_url_follows_voila_environment():
    """Is the request socket found where Voilà's own helper would look for it?"""
    from toolkit.app.identity import query_socket_url

    env = {"VOILA_APP_PORT": "9001", "VOILA_SERVER_URL": "/room/", "VOILA_KERNEL_ID": "k-1"}
    assert query_socket_url(env) == "ws://127.0.0.1:9001/room/voila/query/k-1"
    env["VOILA_WS_BASE_URL"] = "/ws/"
    assert query_socket_url(env) == "ws://127.0.0.1:9001/ws/voila/query/k-1"


def test_preheated_kernel_waits_for_its_page_query(monkeypatch, tmp_path):
    """Does a preheated kernel mark itself warm, then take the query Voilà sends it?"""
    import json
    import threading

    from websockets.sync.server import serve

    from toolkit.app.identity import request_query

    paths = []

    def handler(ws):
        paths.append(ws.request.path)
        ws.send(json.dumps({"QUERY_STRING": "scenario=sc-x&session=abcd12", "SERVER_PORT": "1"}))

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        for name, value in {
            "VOILA_PREHEAT": "True",
            "VOILA_KERNEL_ID": "kernel-7",
            "VOILA_APP_PORT": str(port),
            "SAFESHARE_READY_DIR": str(tmp_path),
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("QUERY_STRING", "SERVER_PORT"):  # set by request_query; undone after
            monkeypatch.delenv(name, raising=False)
        query = request_query()
        server.shutdown()
    assert query == Query(scenario="sc-x", session="ABCD12")
    assert paths == ["/voila/query/kernel-7"]
    assert (tmp_path / "kernel-7").exists()


def test_unreachable_voila_gives_the_scenario_list(monkeypatch, tmp_path):
    """If Voilà's socket cannot be reached, is the query empty rather than an error?"""
    import socket

    from toolkit.app.identity import request_query

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-8")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert request_query() == Query()
