"""A light Voilà client: one browser tab's conversation with Voilà, without the browser.

Room-scale load is measured with these, not with 30 headless browsers: on a 2-core machine
the browsers' own CPU swamps the server being measured. A tab does, and so this does:

1. GET the page. Voilà streams the notebook's HTML; with a warm pool it comes from a
   preheated kernel. The page carries the kernel id (page config ``kernelId``) and the
   root widget's model id (the ``application/vnd.jupyter.widget-view+json`` output).
2. With ``assets=True``, GET the page's own scripts and styles (a browser with an empty
   cache fetches them too; lazily loaded chunks are not fetched).
3. Open the kernel websocket ``/api/kernels/<id>/channels`` with the subprotocol JupyterLab
   uses (``v1.kernel.websocket.jupyter.org``) and ask for ``kernel_info``.
4. Open a comm on ``jupyter.widget.control`` and send ``request_states``; the reply
   (``update_states``) holds every widget's state, which is what the page's widget manager
   renders from. "Rendered" below means: that state holds the control the test waits for,
   reachable from the page's root widget.

After that a widget change is a comm message: ``update`` (a value set in the page) or
``custom`` ``{"event": "click"}`` (a button press); the kernel answers with ``comm_open`` /
``update`` / ``comm_close``, which this client applies to its copy of the widget tree.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
ROOT_MODEL = re.compile(r'"model_id":\s*"([0-9a-f]{32})"')
ASSET = re.compile(r'(?:src|href)="(/[^"]+)"')
REMOTE_ENTRY = re.compile(r'"load":\s*"(static/remoteEntry[^"]+)",\s*"name":\s*"([^"]+)"')
MODEL_REF = "IPY_MODEL_"
CONTROLS = {"RadioButtonsModel", "CheckboxModel", "DropdownModel", "SelectMultipleModel"}


# --- the v1 kernel websocket framing (jupyter_server.services.kernels.connection.base) ---


def pack_v1(channel: str, parts: list[bytes]) -> bytes:
    """One frame: count, offsets (8-byte little-endian), channel name, message parts."""
    name = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(name))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + name + b"".join(parts)


def unpack_v1(frame: bytes) -> tuple[str, list[bytes]]:
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    channel = frame[offsets[0] : offsets[1]].decode()
    return channel, [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]


@dataclass
class Message:
    """A kernel message as the client sees it."""

    channel: str
    header: dict[str, Any]
    parent_header: dict[str, Any]
    content: dict[str, Any]
    buffers: list[bytes] = field(default_factory=list)

    @property
    def msg_type(self) -> str:
        return self.header.get("msg_type", "")


def _decode(frame: bytes | str) -> Message:
    if isinstance(frame, str):  # legacy JSON frames (the server falls back to them on errors)
        raw = json.loads(frame)
        return Message(raw.get("channel", ""), raw["header"], raw["parent_header"], raw["content"])
    channel, parts = unpack_v1(frame)
    header, parent, _meta, content = (json.loads(p) if p else {} for p in parts[:4])
    return Message(channel, header, parent, content, parts[4:])


# --- the widget tree -------------------------------------------------------------------


class Widgets:
    """The client's copy of every widget's state, by model id, kept current from comm traffic."""

    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {}
        self.loaded = False

    def load(self, data: dict[str, Any]) -> None:
        """Apply an ``update_states`` reply (buffers are ignored: no test widget uses them)."""
        for model_id, entry in data.get("states", {}).items():
            self.states[model_id] = dict(entry.get("state", {}))
        self.loaded = True

    def apply(self, msg: Message) -> bool:
        """Apply one kernel → page comm message; True if the tree changed."""
        content = msg.content
        if msg.msg_type == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.states[content["comm_id"]] = dict(content["data"].get("state", {}))
            return True
        if msg.msg_type == "comm_msg" and content.get("comm_id") in self.states:
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update"):
                self.states[content["comm_id"]].update(data.get("state", {}))
                return True
        if msg.msg_type == "comm_close" and content.get("comm_id") in self.states:
            del self.states[content["comm_id"]]
            return True
        return False

    def reachable(self, root: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every model the root widget shows, following IPY_MODEL_ references (children...)."""
        seen, stack = set(), [root]
        while stack:
            model_id = stack.pop()
            if model_id in seen or model_id not in self.states:
                continue
            seen.add(model_id)
            state = self.states[model_id]
            yield model_id, state
            for value in state.values():
                refs = value if isinstance(value, list) else [value]
                stack.extend(
                    r[len(MODEL_REF) :]
                    for r in refs
                    if isinstance(r, str) and r.startswith(MODEL_REF)
                )

    def find(self, root: str, test: Callable[[dict[str, Any]], bool]) -> list[str]:
        return [model_id for model_id, state in self.reachable(root) if test(state)]


def is_submit(state: dict[str, Any]) -> bool:
    return state.get("_model_name") == "ButtonModel" and state.get("description") == "Submit answer"


def decision_ready(widgets: Widgets, root: str) -> bool:
    """Is a decision on screen: an enabled answer control and an enabled Submit button?"""
    submit = widgets.find(root, lambda s: is_submit(s) and not s.get("disabled"))
    controls = widgets.find(
        root, lambda s: s.get("_model_name") in CONTROLS and not s.get("disabled")
    )
    return bool(submit and controls)


def feedback_shown(widgets: Widgets, root: str) -> bool:
    """Is a feedback panel (an HTML widget holding a ``class="ss-feedback"`` element) on
    screen? (The app's style sheet is an HTML widget too, naming the class in its rules.)"""
    return bool(
        widgets.find(
            root,
            lambda s: (
                s.get("_model_name") == "HTMLModel" and 'class="ss-feedback"' in s.get("value", "")
            ),
        )
    )


# --- one page --------------------------------------------------------------------------


@dataclass
class Timing:
    """Seconds from sending the page request."""

    first_byte: float | None = None
    served: float | None = None
    connected: float | None = None
    rendered: float | None = None


class PageError(RuntimeError):
    """The page could not be served, connected or rendered in time."""


class Page:
    """One learner's tab: open() it, then set values, click, and wait for what should follow."""

    def __init__(self, base_url: str, query: str = "") -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.url = self.base_url + (f"?{query}" if query else "")
        self.timing = Timing()
        self.widgets = Widgets()
        self.session = uuid.uuid4().hex
        self.kernel_id = ""
        self.root = ""
        self.html = ""
        self._ws: WebSocketClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._replies: dict[str, asyncio.Future[Message]] = {}
        self._control_comm = ""
        self._started = 0.0
        # Cookies the page set (Voilà's _xsrf; a proxy's route cookie), sent back as a
        # browser would: on assets, the kernel websocket and the shutdown request.
        self.cookies: dict[str, str] = {}
        self.shutdown_status: int | None = None

    def _headers(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if "_xsrf" in self.cookies:
            headers["X-XSRFToken"] = self.cookies["_xsrf"]
        return headers

    async def open(
        self,
        ready: Callable[[Widgets, str], bool] = decision_ready,
        *,
        assets: bool | Sequence[str] = False,
        timeout: float = 60.0,
    ) -> Timing:
        """Request the page, connect to its kernel and wait until ``ready`` holds.

        ``assets``: True fetches the scripts and styles the page names; a list of paths
        fetches those (e.g. every file a real browser fetched, see _harness.browser_assets).
        """
        self._started = time.perf_counter()
        await asyncio.wait_for(self._fetch_page(timeout), timeout)
        if assets:
            await self._fetch_assets(timeout, None if assets is True else assets)
        await asyncio.wait_for(self._connect(), timeout)
        self.timing.connected = self._elapsed()
        await self._request_states(timeout)
        await self.wait_for(ready, timeout)
        self.timing.rendered = self._elapsed()
        return self.timing

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started

    async def _fetch_page(self, timeout: float) -> None:
        chunks: list[bytes] = []

        def on_chunk(chunk: bytes) -> None:
            if self.timing.first_byte is None:
                self.timing.first_byte = self._elapsed()
            chunks.append(chunk)

        def on_header(line: str) -> None:
            name, _, value = line.partition(":")
            if name.strip().lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]

        client = AsyncHTTPClient(force_instance=True)
        try:
            request = HTTPRequest(
                self.url,
                request_timeout=timeout,
                streaming_callback=on_chunk,
                header_callback=on_header,
            )
            await client.fetch(request)
        finally:
            client.close()
        self.timing.served = self._elapsed()
        self.html = b"".join(chunks).decode()
        kernel, root = KERNEL_ID.search(self.html), ROOT_MODEL.search(self.html)
        if not kernel or not root:
            raise PageError(f"{self.url}: no kernel id or no widget in the page")
        self.kernel_id, self.root = kernel.group(1), root.group(1)

    async def _fetch_assets(self, timeout: float, listed: Sequence[str] | None) -> None:
        if listed is None:
            paths = {m.group(1) for m in ASSET.finditer(self.html)}
            paths |= {
                f"/voila/labextensions/{name}/{load}"
                for load, name in REMOTE_ENTRY.findall(self.html)
            }
        else:
            paths = set(listed)
        # Tornado's client runs 10 requests at a time per instance, near a browser's 6.
        client = AsyncHTTPClient(force_instance=True)
        try:
            origin = self.base_url.split("/", 3)[:3]
            await asyncio.gather(
                *(
                    client.fetch(
                        "/".join(origin) + path, headers=self._headers(), request_timeout=timeout
                    )
                    for path in sorted(paths)
                )
            )
        finally:
            client.close()

    async def _connect(self) -> None:
        ws_base = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        url = f"{ws_base}api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self._ws = await websocket_connect(
            HTTPRequest(url, headers=self._headers()), subprotocols=[WS_PROTOCOL]
        )
        self._reader = asyncio.create_task(self._read())
        await self.request("kernel_info_request", {})

    async def _read(self) -> None:
        assert self._ws is not None
        while (frame := await self._ws.read_message()) is not None:
            msg = _decode(frame)
            parent = msg.parent_header.get("msg_id")
            if msg.channel == "shell" and parent in self._replies:
                self._replies.pop(parent).set_result(msg)
            data = msg.content.get("data", {})
            if msg.content.get("comm_id") == self._control_comm and "states" in data:
                self.widgets.load(data)
                self._changed.set()
            elif self.widgets.apply(msg):
                self._changed.set()
        self._changed.set()

    def _send(self, msg_type: str, content: dict[str, Any], metadata: dict | None = None) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "bench",
            "session": self.session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        }
        parts = [json.dumps(p).encode() for p in (header, {}, metadata or {}, content)]
        assert self._ws is not None
        self._ws.write_message(pack_v1("shell", parts), binary=True)
        return header["msg_id"]

    async def request(self, msg_type: str, content: dict[str, Any]) -> Message:
        """Send a shell request and wait for its reply."""
        reply: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        msg_id = self._send(msg_type, content)
        self._replies[msg_id] = reply
        return await reply

    async def _request_states(self, timeout: float) -> None:
        self._control_comm = uuid.uuid4().hex
        self._send(
            "comm_open",
            {"comm_id": self._control_comm, "target_name": "jupyter.widget.control", "data": {}},
            {"version": "1.0.0"},
        )
        self._send(
            "comm_msg", {"comm_id": self._control_comm, "data": {"method": "request_states"}}
        )
        await self.wait_for(lambda widgets, _root: widgets.loaded, timeout)

    async def wait_for(self, test: Callable[[Widgets, str], bool], timeout: float = 30.0) -> float:
        """Wait until ``test(widgets, root)`` holds; the seconds it took. PageError on timeout."""
        began = time.perf_counter()
        while not test(self.widgets, self.root):
            left = timeout - (time.perf_counter() - began)
            if left <= 0 or (self._reader is not None and self._reader.done()):
                raise PageError(f"{self.url}: condition not met within {timeout:.0f} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue
        return time.perf_counter() - began

    def set_state(self, model_id: str, state: dict[str, Any]) -> None:
        """What the page sends when the learner changes a control (e.g. ``{"index": 0}``)."""
        self.widgets.states[model_id].update(state)
        self._send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )

    def click(self, model_id: str) -> None:
        """What the page sends when the learner presses a button."""
        self._send(
            "comm_msg",
            {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}},
        )

    async def close(self, shutdown: bool = True) -> None:
        """Close the tab: the websocket, and (as Voilà's page does on unload) the kernel."""
        if self._ws is not None:
            self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
        if shutdown and self.kernel_id:
            client = AsyncHTTPClient(force_instance=True)
            try:
                response = await client.fetch(
                    f"{self.base_url}voila/api/shutdown/{self.kernel_id}",
                    method="POST",
                    body=b"",
                    headers=self._headers(),
                    raise_error=False,
                    request_timeout=30,
                )
                self.shutdown_status = response.code
            finally:
                client.close()
