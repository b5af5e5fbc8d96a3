"""The Voilà command: serve ONE notebook from notebooks/ on 127.0.0.1, with warm kernels.

Why one notebook and not the folder: Voilà then registers no tree, render or contents
handlers, so /voila/tree, /voila/render/<other> and /voila/api/contents all fall through to
the file handler, which serves images under notebooks/ and nothing else. The database (var/)
and the raw cases (case_studies/) live outside notebooks/ and are never reachable.

Why a child process: Voilà is started in its own session and supervised from here, so a
Ctrl-C or SIGTERM stops it the same way every time: SIGTERM to Voilà (which shuts its
kernels down), SIGKILL after a grace period, then a sweep for any process still carrying
this server's marker variable. On Linux the child also gets SIGTERM if this supervisor dies.
Measured: Voilà 0.5.13 alone stops its kernels on SIGTERM and SIGINT in about 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

from toolkit.errors import SafeShareError
from toolkit.settings import REPO_ROOT, SETTINGS, Settings, env_var

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
MARKER_VAR = "SAFESHARE_SERVE_ID"
# A warm kernel whose notebook waits for its page (get_query_string) stays busy; it says it
# is warm by touching <READY_DIR_VAR>/<kernel id> (toolkit.app.identity.mark_warm).
READY_DIR_VAR = "SAFESHARE_READY_DIR"
# A kernel nobody has touched for 20 minutes, with no browser tab connected, is abandoned.
# A learner with the page open is never culled (cull_connected=False), however long they think.
CULL_IDLE_SECONDS = 20 * 60
CULL_INTERVAL_SECONDS = 60
STOP_GRACE_SECONDS = 5.0
# Voilà's own static file: answering it proves the server is up without using a kernel
# (GET / would take a warm kernel from the room and leave it running).
PROBE_PATH = "/voila/static/voila.js"
POOL_FILLED = "Kernel pool of"  # Voilà logs "Kernel pool of <nb> is filled with N kernel(s)"
KERNEL_STARTED = re.compile(r"Kernel started: ([0-9a-f-]{36})")
# "Filled" only means the warm kernels were launched; each then runs the notebook. A kernel
# counts as warm once it has reported idle, unchanged, for this long (measured: the gap
# between a kernel's first idle and the notebook's execute request is about 0.2 s).
SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class App:
    """How one notebook is served: which port setting it listens on, whether it signs in."""

    port_setting: str = "port"
    needs_token: bool = False


APPS: dict[str, App] = {
    "learner": App("port"),
    "trainer": App("trainer_port", needs_token=True),
    "reviewer": App("reviewer_port"),
}


def app_for(notebook_name: str) -> App:
    """The registry entry of a notebook; any other notebook is served like the learner's."""
    return APPS.get(notebook_name, App())


def notebook_path(notebook_name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """notebooks/<name>.ipynb, or SafeShareError listing the notebooks that exist."""
    path = notebooks_dir / f"{Path(notebook_name).stem}.ipynb"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in notebooks_dir.glob("*.ipynb"))) or "none"
        raise SafeShareError(f"no notebook {path.name} in {notebooks_dir} (there are: {known})")
    return path


def port_of(notebook_name: str, settings: Settings) -> int:
    return getattr(settings, app_for(notebook_name).port_setting)


def build_voila_argv(settings: Settings, notebook: Path, port: int | None = None) -> list[str]:
    """The command line that serves `notebook` alone, sources stripped, kernels warm.

    `port` defaults to settings.port. Port retries are off: a busy port is an error to
    report, not a reason to wander to another port nobody was told about.
    """
    port = settings.port if port is None else port
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--Voila.ip={settings.host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.root_dir={notebook.parent}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if settings.room > 0:
        argv += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={settings.room}",
        ]
    return argv


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child if the supervisor dies.

    Without it a killed supervisor would leave Voilà (in its own session) running. libc is
    loaded here, in the parent: importing in the forked child can deadlock.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _check_port_free(host: str, port: int, setting: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As Tornado does: without SO_REUSEADDR a port just freed (TIME_WAIT) looks busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise SafeShareError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another port "
                f"with --port or {env_var(setting)}"
            ) from exc


class VoilaServer:
    """One supervised Voilà child process; start(), wait_ready(), stop()."""

    def __init__(self, notebook_name: str, settings: Settings, *, log: IO[str] | None = None):
        self.notebook = notebook_path(notebook_name)
        self.settings = settings
        self.port = port_of(notebook_name, settings)
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        self.url = f"http://{host}:{self.port}/"
        self.marker = uuid.uuid4().hex
        self._app = app_for(notebook_name)
        self._log = log if log is not None else sys.stderr
        self._process: subprocess.Popen[str] | None = None
        self._running = threading.Event()
        self._room_full = threading.Event()
        self._kernel_ids: list[str] = []
        # kernel id -> ((execution_state, last_activity), when that pair was first seen)
        self._last_seen: dict[str, tuple[tuple[object, object], float]] = {}

    def start(self) -> None:
        """Launch Voilà; returns at once (see wait_ready)."""
        _check_port_free(self.settings.host, self.port, self._app.port_setting)
        env = {**os.environ, **self.settings.to_env(include_secrets=self._app.needs_token)}
        env[MARKER_VAR] = self.marker
        self.ready_dir = Path(tempfile.mkdtemp(prefix="safeshare-ready-"))
        env[READY_DIR_VAR] = str(self.ready_dir)
        self._process = subprocess.Popen(
            build_voila_argv(self.settings, self.notebook, self.port),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        """Forward Voilà's log and notice the lines that mean 'listening' and 'room full'."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._log.write(line)
            if "is running at" in line:
                self._running.set()
            if started := KERNEL_STARTED.search(line):
                self._kernel_ids.append(started.group(1))
            if POOL_FILLED in line:
                self._room_full.set()
        self._log.flush()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_ready(
        self, timeout: float = 120.0, stop: StopFlag | threading.Event | None = None
    ) -> bool:
        """Block until the server answers and the room is warm; False if stopped first.

        Raises SafeShareError if Voilà exits or the timeout passes.
        """
        deadline = time.monotonic() + timeout
        stop = stop or StopFlag()
        checks: list[Callable[[], bool]] = [self._answers]
        if self.settings.room > 0:
            checks += [self._room_full.is_set, self._room_settled]
        while not all(check() for check in checks):
            if not self.alive:
                raise SafeShareError(f"Voilà exited with code {self._process.returncode}")
            if time.monotonic() > deadline:
                raise SafeShareError(f"Voilà not ready after {timeout:.0f} s")
            if stop.wait(0.2):
                return False
        return True

    def _answers(self) -> bool:
        if not self._running.is_set():
            return False
        try:
            with _open(self.url.rstrip("/") + PROBE_PATH) as resp:
                return resp.status == 200
        except OSError:
            return False

    def _room_settled(self) -> bool:
        """Have all warm kernels sat idle, with no new activity, for SETTLE_SECONDS?"""
        now = time.monotonic()
        return all([self._kernel_quiet(k, now) for k in list(self._kernel_ids)])

    def _kernel_quiet(self, kernel_id: str, now: float) -> bool:
        if (self.ready_dir / kernel_id).exists():
            return True
        try:
            with _open(f"{self.url}api/kernels/{kernel_id}") as resp:
                model = json.load(resp)
        except (OSError, ValueError):
            return False
        seen = (model.get("execution_state"), model.get("last_activity"))
        if self._last_seen.get(kernel_id, (None, now))[0] != seen:
            self._last_seen[kernel_id] = (seen, now)
        return seen[0] == "idle" and now - self._last_seen[kernel_id][1] >= SETTLE_SECONDS

    def stop(self) -> int:
        """SIGTERM Voilà, SIGKILL after the grace period, sweep stray kernels; the exit code."""
        if self._process is None:
            return 0
        kernels = _descendants(self._process.pid)
        _signal_group(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(self._process.pid, signal.SIGKILL)
            self._process.wait()
        _reap(kernels + marked_processes(self.marker))
        shutil.rmtree(self.ready_dir, ignore_errors=True)
        return self._process.returncode

    def __enter__(self) -> VoilaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _open(url: str):
    """GET a loopback URL directly: an http_proxy in the environment must not intercept it."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(url, timeout=2)


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def marked_processes(marker: str) -> list[psutil.Process]:
    """Live processes whose environment carries this server's marker (kernels inherit it)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARKER_VAR) == marker:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _reap(procs: list[psutil.Process]) -> None:
    """Terminate, then kill, whatever is still running of `procs`."""
    alive = [p for p in procs if p.is_running()]
    for proc in alive:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(alive, timeout=2)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=2)


class StopFlag:
    """A stop request that a signal handler may set: no lock, so no deadlock.

    A threading.Event set from a signal handler can deadlock: a second Ctrl-C or SIGTERM
    (a terminal and `uv run` both forward them) arrives while the first handler holds the
    Event's lock in the same thread. Measured here: a server hung for good that way.
    """

    def __init__(self) -> None:
        self._set = False

    def set(self, *_: object) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` in short slices; True as soon as a stop is requested."""
        deadline = time.monotonic() + timeout
        while not self._set and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        return self._set


def run(notebook_name: str, settings: Settings, *, out: IO[str] | None = None) -> int:
    """Serve one notebook until Ctrl-C or SIGTERM; print the URL and when it is ready.

    Returns Voilà's exit code (0 after a clean stop). Raises SafeShareError for a missing
    notebook or a busy port. Must be called from the main thread (it installs signal
    handlers, and the child's death signal is tied to the calling thread).
    """
    out = out or sys.stdout
    if app_for(notebook_name).needs_token and settings.trainer_token is None:
        import secrets

        settings = settings.with_(trainer_token=secrets.token_urlsafe(16))
        print(f"Trainer token (give it to trainers only): {settings.trainer_token}", file=out)
    server = VoilaServer(notebook_name, settings)
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        started = time.monotonic()
        server.start()
        print(f"SafeShare {notebook_name}: starting on {server.url}", file=out, flush=True)
        if server.wait_ready(stop=stop):
            room = f"; room of {settings.room} warm kernels ready" if settings.room else ""
            took = time.monotonic() - started
            print(f"ready in {took:.1f} s: {server.url}{room}", file=out, flush=True)
            print("Press Ctrl-C to stop.", file=out, flush=True)
        while not stop.wait(0.5) and server.alive:
            pass
    finally:
        code = server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"SafeShare {notebook_name}: stopped", file=out, flush=True)
    return 0 if stop.is_set() else code


def _settings_epilog() -> str:
    rows = [f"  {s.env_var:<28} {s.help} (default: {s.default})" for s in SETTINGS]
    return "settings (environment variables):\n" + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """`python -m toolkit.serve NOTEBOOK [--host H] [--port P] [--room N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m toolkit.serve",
        description="Serve one SafeShare notebook with Voilà.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("notebook", help="name of a notebook in notebooks/, e.g. learner")
    parser.add_argument("--host", help="address to listen on")
    parser.add_argument("--port", type=int, help="port to listen on")
    parser.add_argument("--room", type=int, help="kernels kept warm")
    args = parser.parse_args(argv)
    try:
        port_setting = app_for(args.notebook).port_setting
        settings = Settings.from_env(host=args.host, room=args.room, **{port_setting: args.port})
        return run(args.notebook, settings)
    except SafeShareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
