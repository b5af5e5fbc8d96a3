"""The SCORM endpoints: a SCO page's launch and status calls, from the LMS's origin.

A SCO page runs on the LMS's own address, so these are cross-origin calls: only origins
listed in ``lms_origins`` get an answer (CORS), and a call from any other origin is refused
before anything is read or stored. Bodies are JSON; answers are JSON, errors included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import tornado.web

from toolkit.errors import MissingEntry
from toolkit.lms import scorm_launch

NOT_ENABLED = "SCORM packages are not enabled on this SafeShare server (lms_origins is empty)"
BODY_LIMIT = 4096


class ScormHandler(tornado.web.RequestHandler):
    def initialize(self, tool: Any, work: Callable[..., dict[str, Any]]) -> None:
        self.tool, self.work = tool, work

    def check_xsrf_cookie(self) -> None:
        pass  # no cookies are read: the calls carry their own tokens

    def prepare(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json")
        origin = self.request.headers.get("Origin")
        if origin and origin in self.tool.settings.lms_origins:
            self.set_header("Access-Control-Allow-Origin", origin)
            self.set_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.set_header("Access-Control-Allow-Headers", "Content-Type")
            self.set_header("Access-Control-Max-Age", "600")
        self.set_header("Vary", "Origin")

    def options(self) -> None:
        self.set_status(204)
        self.finish()

    def _fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"error": message}))

    async def post(self) -> None:
        settings = self.tool.settings
        if not settings.lms_origins:
            return self._fail(403, NOT_ENABLED)
        if self.request.headers.get("Origin") not in settings.lms_origins:
            return self._fail(403, "this address may not call SafeShare's SCORM endpoints")
        try:
            body = json.loads(self.request.body[:BODY_LIMIT] or b"{}")
        except ValueError:
            return self._fail(400, "the request was not JSON")
        if not isinstance(body, dict):
            return self._fail(400, "the request was not a JSON object")
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self.tool.pool, self.work, body)
        except scorm_launch.ScormRefused as exc:
            return self._fail(exc.status, str(exc))
        except MissingEntry:
            return self._fail(404, "this session's records are no longer stored")
        self.finish(json.dumps(answer))


def scorm_routes(tool: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    def launch(body: dict[str, Any]) -> dict[str, Any]:
        return scorm_launch.launch(tool.store, body, tool.library.scenarios.keys(), tool.settings)

    def status(body: dict[str, Any]) -> dict[str, Any]:
        return scorm_launch.status(tool.store, body)

    return [
        (r"/scorm/launch", ScormHandler, {"tool": tool, "work": launch}),
        (r"/scorm/status", ScormHandler, {"tool": tool, "work": status}),
    ]
