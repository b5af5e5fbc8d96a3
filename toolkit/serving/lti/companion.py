"""The LTI tool as a companion of the learner server: started, watched and stopped with it.

`safeshare serve` starts it when the tool has a key (`safeshare lti keygen`); without one
the learner server runs as before. Like Voilà, it runs in its own session, gets SIGTERM if
the supervisor dies, and is stopped with SIGTERM, then SIGKILL after a grace period. Its log
lines go to the server's log. Importing this module is cheap (no Tornado, no PyLTI1p3).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from toolkit.errors import SafeShareError
from toolkit.settings import Settings

STOP_GRACE_SECONDS = 5.0
SECRET_VARS = ("SAFESHARE_TRAINER_TOKEN", "JUPYTER_TOKEN")


def has_key(key_dir: Path) -> bool:
    return key_dir.is_dir() and any(key_dir.glob("*.pem"))


def frame_argv(settings: Settings) -> list[str]:
    """Voilà options letting the LMS origins (``lms_origins``) frame the learner app, as a
    SCORM package's page does and an LMS embedding an LTI activity does; Jupyter's default
    is ``frame-ancestors 'self'``, which stays when no origin is set."""
    if not settings.lms_origins:
        return []
    policy = "frame-ancestors 'self' " + " ".join(settings.lms_origins)
    settings_json = json.dumps({"headers": {"Content-Security-Policy": policy}})
    return [f"--Voila.tornado_settings={settings_json}"]


class Companion:
    """One supervised `python -m toolkit.serving.lti` process."""

    def __init__(self, settings: Settings, env: dict[str, str], log: IO[str]):
        self.settings, self.env, self.log = settings, env, log
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        self.url = f"http://{host}:{settings.lti_port}/"
        self._process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        from toolkit.serving.server import _check_port_free, spawn_supervised

        _check_port_free(self.settings.host, self.settings.lti_port, "lti_port")
        self._process = spawn_supervised(
            [sys.executable, "-m", "toolkit.serving.lti"], {**self.env, **self.settings.to_env()}
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        from toolkit.serving.lti.main import READY_LINE

        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self.log.write(line)
            if line.startswith(READY_LINE):
                self._ready.set()
        self.log.flush()

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until the tool answers its JWKS; SafeShareError if it exits or the time passes."""
        deadline = time.monotonic() + timeout
        while not (self._ready.is_set() and self._answers()):
            if self._process is None or self._process.poll() is not None:
                raise SafeShareError("the LTI tool exited; see the lines above")
            if time.monotonic() > deadline:
                raise SafeShareError(f"the LTI tool was not ready after {timeout:.0f} s")
            time.sleep(0.1)

    def _answers(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.url + "lti/jwks", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        except ProcessLookupError:
            pass


def start_companion(
    app_name: str, settings: Settings, server: Any, log: IO[str]
) -> Companion | None:
    """Start the LTI tool beside the learner server once a key exists; None otherwise.

    The tool carries the server's marker variable, so the server's sweep finds it too.
    Neither the trainer's token nor Jupyter's reaches the tool's environment.
    """
    if app_name != "learner" or not has_key(settings.lti_key_dir):
        return None
    from toolkit.serving.server import MARKER_VAR

    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARS}
    env[MARKER_VAR] = server.marker
    companion = Companion(settings, env, log)
    companion.start()
    return companion


def ready_lines(settings: Settings) -> list[str]:
    """What the operator gives the LMS administrator, printed once the tool is ready."""
    from toolkit.lms.addresses import tool_url

    return [
        f"LTI 1.3 tool ready: login {tool_url(settings, 'login')}",
        f"  redirect/launch and deep linking {tool_url(settings, 'launch')}",
        f"  public keyset {tool_url(settings, 'jwks')}",
    ]
