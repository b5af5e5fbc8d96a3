"""A scripted Voilà client: loads a page over HTTP, then speaks to its kernel like a browser would.

Widget messages are an API: anyone who can load the page can send the kernel any widget
message, whatever the page shows, hides or disables. This client does exactly that, with no
browser: it reads the page's kernel id, opens the kernel websocket (Jupyter's JSON protocol),
asks for every widget's state through ipywidgets' control comm, sets state and presses
buttons. Every message the kernel sends back is kept in ``received`` so a test can check
that none of them carries a traceback.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import websocket

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_VERSION = "1.0.0"
WIDGET_VERSION = "2.1.0"
# What a leaked traceback looks like: the word, an exception class name, a source location.
LEAK = re.compile(
    r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b|File \"|site-packages|\.py\", line \d+"
)


def fetch_page(
    url: str,
    timeout: float = 180,
    jar: http.cookiejar.CookieJar | None = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """GET (or POST `data`) without a proxy, keeping cookies in `jar`: (status, text, final URL)."""
    handlers = [urllib.request.ProxyHandler({})]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), resp.geturl()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), url


@dataclass
class Widget:
    """One widget model as the kernel reported it."""

    model_id: str
    name: str
    state: dict[str, Any]


class VoilaPage:
    """One page of a Voilà app, opened by a script; use as a context manager."""

    def __init__(self, base_url: str, query: str = "", timeout: float = 180):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.jar = http.cookiejar.CookieJar()
        status, self.html, _ = fetch_page(self.base_url + query, timeout, self.jar)
        found = KERNEL_ID.search(self.html)
        if status != 200 or not found:
            raise AssertionError(f"page answered {status} without a kernel id")
        self.kernel_id = found.group(1)
        self.session = uuid.uuid4().hex
        self.received: list[dict[str, Any] | bytes] = []
        self.ws = self.attach(self.kernel_id)
        self._control = uuid.uuid4().hex
        self.send(
            "comm_open",
            {"comm_id": self._control, "target_name": CONTROL_TARGET, "data": {}},
            {"version": CONTROL_VERSION},
        )

    def attach(self, kernel_id: str) -> websocket.WebSocket:
        """Open the kernel websocket of `kernel_id` (raises if the server refuses)."""
        url = self.base_url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
        return websocket.create_connection(url, timeout=30)

    def __enter__(self) -> VoilaPage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, shutdown: bool = True) -> None:
        """Leave the page; with `shutdown`, as a browser tab does (see `shutdown_kernel`)."""
        self.ws.close()
        if shutdown:
            self.shutdown_kernel()

    def shutdown_kernel(self) -> int:
        """What Voilà's page sends when its tab closes: a POST with the page's _xsrf cookie."""
        xsrf = next((c.value for c in self.jar if c.name == "_xsrf"), "")
        body = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
        url = self.base_url + f"voila/api/shutdown/{self.kernel_id}"
        origin = {"Origin": self.base_url.rstrip("/")}
        return fetch_page(url, 30, self.jar, data=body, headers=origin)[0]

    # Messages ---------------------------------------------------------------------------
    def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        """Send one shell message; its msg_id."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "",
            "version": "5.3",
            "date": "",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(message))
        return msg_id

    def _next(self, timeout: float) -> dict[str, Any] | bytes | None:
        self.ws.settimeout(max(timeout, 0.01))
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        message = raw if isinstance(raw, bytes) else json.loads(raw)
        self.received.append(message)
        return message

    def settle(self, msg_id: str, timeout: float = 60) -> list[dict[str, Any]]:
        """Messages up to the kernel going idle after handling `msg_id` (fails on timeout)."""
        deadline = time.monotonic() + timeout
        got: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            message = self._next(deadline - time.monotonic())
            if not isinstance(message, dict):
                continue
            got.append(message)
            parent = message.get("parent_header", {}).get("msg_id")
            state = message.get("content", {}).get("execution_state")
            if parent == msg_id and state == "idle":
                return got
        raise AssertionError(f"kernel did not finish handling {msg_id} in {timeout} s")

    def drain(self, seconds: float = 1.0) -> None:
        """Read whatever arrives for `seconds` (into `received`)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._next(end - time.monotonic())

    def leaks(self) -> list[str]:
        """Every received message, as text, that looks like a traceback or exception."""
        texts = (
            m.decode("utf-8", "replace") if isinstance(m, bytes) else json.dumps(m)
            for m in self.received
        )
        return [t[:400] for t in texts if LEAK.search(t)]

    # Widgets ----------------------------------------------------------------------------
    def widgets(self) -> dict[str, Widget]:
        """Every widget's state, by model id, through ipywidgets' control comm."""
        msg_id = self.send(
            "comm_msg",
            {"comm_id": self._control, "data": {"method": "request_states"}},
            {"version": CONTROL_VERSION},
        )
        for message in self.settle(msg_id):
            data = message.get("content", {}).get("data", {})
            if data.get("method") == "update_states":
                return {
                    model_id: Widget(model_id, model["model_name"], model["state"])
                    for model_id, model in data["states"].items()
                }
        raise AssertionError("the kernel sent no widget states")

    def update(self, model_id: str, **state: Any) -> list[dict[str, Any]]:
        """Set widget state as the page would after a learner's input."""
        data = {"method": "update", "state": state, "buffer_paths": []}
        return self._comm(model_id, data)

    def click(self, model_id: str) -> list[dict[str, Any]]:
        """Press a button, whether or not the page shows it enabled."""
        return self._comm(model_id, {"method": "custom", "content": {"event": "click"}})

    def _comm(self, model_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        content = {"comm_id": model_id, "data": data}
        return self.settle(self.send("comm_msg", content, {"version": WIDGET_VERSION}))


def children(widgets: dict[str, Widget], box: Widget) -> Iterator[Widget]:
    """The widgets directly inside a box, in order."""
    for ref in box.state.get("children", []):
        model_id = ref.removeprefix("IPY_MODEL_")
        if model_id in widgets:
            yield widgets[model_id]


def descendants(widgets: dict[str, Widget], box: Widget) -> Iterator[Widget]:
    for child in children(widgets, box):
        yield child
        yield from descendants(widgets, child)


def decision_view(widgets: dict[str, Widget], number: int) -> Widget:
    """The learner app's box for "Decision <number>" (its header names the number)."""
    for widget in widgets.values():
        if "ss-decision" not in widget.state.get("_dom_classes", []):
            continue
        header = next(children(widgets, widget), None)
        if header is not None and f"Decision {number}:" in str(header.state.get("value", "")):
            return widget
    raise LookupError(f"no view of decision {number}")


def part(widgets: dict[str, Widget], box: Widget, name: str, **match: Any) -> Widget:
    """The first widget of model `name` inside `box` whose state matches `match`."""
    for widget in descendants(widgets, box):
        if widget.name == name and all(widget.state.get(k) == v for k, v in match.items()):
            return widget
    raise LookupError(f"no {name} {match} in {box.model_id}")
