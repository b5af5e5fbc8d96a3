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
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

from toolkit.app.database import STORE_PREPARED_VAR, prepare_store
from toolkit.app.learner import SNAPSHOT_VAR, write_library_snapshot
from toolkit.errors import SafeShareError
from toolkit.serving.admission import admission_argv
from toolkit.serving.forking import (
    ZYGOTE_FOLDER,
    fork_unavailable,
    kernelspec_metadata,
    zygote_settled,
)
from toolkit.serving.lean_kernel import write_lean_kernelspec
from toolkit.serving.lti.companion import frame_argv, ready_lines, start_companion
from toolkit.serving.page_template import jupyter_path, template_argv
from toolkit.serving.warm_room import WarmRoom
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
# Jupyter's identity provider plus two repairs to Voilà 0.5.13 (issue 9): the _xsrf cookie
# the page's shutdown-on-close request needs, so a closed or reloaded tab frees its kernel at
# once (culling above is only the fallback), and query-socket bookkeeping a stranger could
# upset to stall the next learner's page. See toolkit/serving/voila_repairs.py.
IDENTITY_PROVIDER = "toolkit.serving.voila_repairs.PageCookieIdentityProvider"
STOP_GRACE_SECONDS = 5.0
# Voilà's own static file: answering it proves the server is up without using a kernel
# (GET / would take a warm kernel from the room and leave it running).
PROBE_PATH = "/voila/static/voila.js"


@dataclass(frozen=True)
class App:
    """How one notebook is served: its port setting, whether it signs in, whether the
    server parses the case library once for all its kernels (see toolkit.app.learner),
    whether it migrates the store for them (see toolkit.app.database), whether pages are
    admitted within max_kernels and paused when idle (the learner server, open to a whole
    room; see toolkit.serving.admission), and whether its kernels may be forked from a
    zygote that has imported the app (``kernel_provisioner``; toolkit.serving.forking)."""

    port_setting: str = "port"
    needs_token: bool = False
    library_snapshot: bool = False
    store: bool = False
    admission: bool = False
    fork: bool = False


APPS: dict[str, App] = {
    "learner": App("port", library_snapshot=True, store=True, admission=True, fork=True),
    "trainer": App("trainer_port", needs_token=True, store=True),
    "reviewer": App("reviewer_port"),
}
# Between tries at migrating a database the server cannot use yet: doubling up to this.
MIGRATE_RETRY_MAX_SECONDS = 30.0


def app_for(notebook_name: str) -> App:
    """The registry entry of a notebook; any other notebook is served like the learner's."""
    return APPS.get(notebook_name, App())


def notebook_path(notebook_name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """notebooks/<name>.ipynb, or SafeShareError listing the notebooks that exist.

    Of the project's own notebooks only the apps in APPS are served: the author notebook
    writes case files, so it runs in JupyterLab on the author's machine, never behind Voilà.
    """
    stem = Path(notebook_name).stem
    if notebooks_dir == NOTEBOOKS_DIR and stem not in APPS:
        served = ", ".join(APPS)
        raise SafeShareError(
            f"{stem} is not an app Voilà serves (those are: {served}); "
            "the author notebook opens in JupyterLab: make lab"
        )
    path = notebooks_dir / f"{stem}.ipynb"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in notebooks_dir.glob("*.ipynb"))) or "none"
        raise SafeShareError(f"no notebook {path.name} in {notebooks_dir} (there are: {known})")
    return path


def port_of(notebook_name: str, settings: Settings) -> int:
    return getattr(settings, app_for(notebook_name).port_setting)


def build_voila_argv(
    settings: Settings, notebook: Path, port: int | None = None, *, token: bool = False
) -> list[str]:
    """The command line that serves `notebook` alone, sources stripped, kernels warm.

    `port` defaults to settings.port. Port retries are off: a busy port is an error to
    report, not a reason to wander to another port nobody was told about. With `token`,
    every page and API call needs the token: Voilà reads it from JUPYTER_TOKEN in its
    environment (see VoilaServer.start), never from argv, which any user can list.
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
        # Kernels talk to Voilà over Unix sockets, not loopback TCP: with TCP each kernel's
        # five ports are picked free and bound a moment later, and in a room of 30 starting
        # at once a port was taken in between ("Address already in use"; the kernel died
        # and the room never got ready). Sockets also keep other local users off kernels.
        "--KernelManager.transport=ipc",
        # Past this wait for a cell's last output Voilà sends the page without it: under a
        # burst, pages silently missed their widgets with the default 4 s.
        f"--VoilaExecutor.iopub_timeout={settings.iopub_timeout}",
        f"--Voila.identity_provider_class={IDENTITY_PROVIDER}",
        *template_argv(),
        *frame_argv(settings),
    ]
    if app_for(notebook.stem).admission:
        argv += admission_argv(settings)
    if settings.room > 0:
        argv += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={settings.room}",
            # The pool's refill waits this long after a kernel is taken (Voilà's default
            # 1 s makes replacements compete with the pages that just arrived).
            f"--VoilaKernelManager.fill_delay={settings.pool_fill_delay}",
        ]
    if token:
        argv.append("--Voila.auto_token=True")
    return argv


def spawn_supervised(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a server process the supervisor watches: in the repository, its own session
    (signals to it reach its children), output piped for the supervisor to read, and
    SIGTERM from Linux if the supervisor dies."""
    return subprocess.Popen(
        argv,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_die_with_parent(),
    )


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

    def __init__(
        self,
        notebook_name: str,
        settings: Settings,
        *,
        log: IO[str] | None = None,
        notebooks_dir: Path = NOTEBOOKS_DIR,
    ):
        # notebooks_dir is for benchmarks (a bare comparison notebook); the command line
        # never sets it, so the learner server serves notebooks/ and nothing else.
        self.notebook = notebook_path(notebook_name, notebooks_dir)
        self.settings = settings
        self.port = port_of(notebook_name, settings)
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        self.url = f"http://{host}:{self.port}/"
        self.marker = uuid.uuid4().hex
        self._app = app_for(notebook_name)
        self._log = log if log is not None else sys.stderr
        self._process: subprocess.Popen[str] | None = None
        self._running = threading.Event()
        self._stopping = threading.Event()
        self.room: WarmRoom | None = None  # made by start(), with the server's private folder
        self.zygote_dir: Path | None = None  # set by start() when kernels are forked

    def start(self) -> None:
        """Launch Voilà; returns at once (see wait_ready)."""
        _check_port_free(self.settings.host, self.port, self._app.port_setting)
        env = {**os.environ, **self.settings.to_env(include_secrets=self._app.needs_token)}
        env[MARKER_VAR] = self.marker
        env.pop("JUPYTER_TOKEN", None)  # only a server that signs in gets one, and its own
        if not self._app.needs_token:  # nor may the operator's shell hand it to learner kernels
            env.pop(env_var("trainer_token"), None)
        if self._app.needs_token:
            if not self.settings.trainer_token:
                raise SafeShareError(
                    f"the {self.notebook.stem} app needs a token: set {env_var('trainer_token')}"
                )
            env["JUPYTER_TOKEN"] = self.settings.trainer_token
        # One private folder per server: warm markers, the lean kernelspec, the snapshot.
        self.ready_dir = Path(tempfile.mkdtemp(prefix="safeshare-ready-"))
        env[READY_DIR_VAR] = str(self.ready_dir)
        self.room = WarmRoom(self.url, self.ready_dir, self._kernel_alive, self._log)
        jupyter_dir = self.ready_dir / "jupyter"
        write_lean_kernelspec(jupyter_dir, self._provisioner_metadata())
        env["JUPYTER_PATH"] = jupyter_path(jupyter_dir, os.environ.get("JUPYTER_PATH", ""))
        if self._app.library_snapshot:
            env[SNAPSHOT_VAR] = str(self._start_snapshot())
        if self._app.store:
            env[STORE_PREPARED_VAR] = "1"  # kernels attach and wait; they never migrate
            self._start_migration()
        self._process = spawn_supervised(
            build_voila_argv(self.settings, self.notebook, self.port, token=self._app.needs_token),
            env,
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _provisioner_metadata(self) -> dict[str, object] | None:
        """The kernelspec stanza that forks this server's kernels from a zygote, when the
        app and the setting ask for it and the system can; None for ordinary kernels."""
        if not self._app.fork or self.settings.kernel_provisioner != "fork":
            return None
        reason = fork_unavailable()
        if reason is not None:
            self._log.write(f"[SafeShare] warning: kernels start the ordinary way: {reason}\n")
            return None
        self.zygote_dir = self.ready_dir / ZYGOTE_FOLDER
        return kernelspec_metadata(self.zygote_dir)

    def _start_snapshot(self) -> Path:
        """Parse the case library once, in a thread, while Voilà starts (kernels wait for it).

        Measured under load: done before Voilà's start it delayed the whole server by 5 s.
        """
        path = self.ready_dir / "library.pickle"

        def write() -> None:
            try:
                count = write_library_snapshot(self.settings, path)
                self._log.write(f"[SafeShare] library snapshot: {count} scenarios\n")
            except Exception as exc:  # noqa: BLE001 - kernels fall back to parsing themselves
                self._log.write(f"[SafeShare] library snapshot failed ({exc}); kernels parse\n")

        threading.Thread(target=write, daemon=True).start()
        return path

    def _start_migration(self) -> None:
        """Bring the store's schema up to date once for all this server's kernels, in a
        thread while Voilà starts; a database that is down or busy is tried again (1 s,
        doubling to MIGRATE_RETRY_MAX_SECONDS apart) until it works or the server stops.
        Kernels wait for it (settings.store_wait), so warming up never needs the database
        to be writable at that moment."""

        def migrate() -> None:
            pause = 1.0
            while not self._stopping.is_set():
                try:
                    prepare_store(self.settings)
                    return
                except Exception as exc:  # noqa: BLE001 - logged, then tried again
                    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    self._log.write(
                        f"[SafeShare] store not prepared ({reason}); retry in {pause:g} s\n"
                    )
                self._stopping.wait(pause)
                pause = min(2 * pause, MIGRATE_RETRY_MAX_SECONDS)

        threading.Thread(target=migrate, name="safeshare-migrate", daemon=True).start()

    def _pump(self) -> None:
        """Forward Voilà's log and notice the lines that mean 'listening' and 'room full'."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._log.write(line)
            if "is running at" in line:
                self._running.set()
            self.room.read_line(line)
        self._log.flush()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """Voilà's process id (its kernels are its children), or None before start()."""
        return self._process.pid if self._process is not None else None

    @property
    def kernel_ids(self) -> list[str]:
        """Every kernel Voilà has started, in order (warm, taken, lost)."""
        return list(self.room.kernel_ids) if self.room else []

    @property
    def lost_kernels(self) -> list[str]:
        """Pooled kernels that died while starting and were dropped (see serving.warm_room)."""
        return list(self.room.lost) if self.room else []

    def pool_warm(self, started: int) -> bool:
        """Have `started` kernels been launched, and has every one of them warmed up?

        After k pages took warm kernels, the pool is whole again once room + k kernels have
        started and all are warm (benchmarks wait for that between pages).
        """
        return len(self.kernel_ids) >= started and self.room.settled()

    def _kernel_alive(self, kernel_id: str) -> bool:
        """Does a process of this server run that kernel (its connection file names it)?"""
        for proc in _descendants(self.pid) if self.pid else []:
            try:
                if any(f"kernel-{kernel_id}.json" in arg for arg in proc.cmdline()):
                    return True
            except psutil.Error:
                continue
        return False

    def wait_ready(
        self, timeout: float = 120.0, stop: StopFlag | threading.Event | None = None
    ) -> bool:
        """Block until the server answers and the room is warm; False if stopped first.

        Raises SafeShareError if Voilà exits or the timeout passes.
        """
        deadline = time.monotonic() + timeout
        stop = stop or StopFlag()
        checks: list[Callable[[], bool]] = [self._answers]
        if self.zygote_dir is not None:  # new learners' kernels need the zygote (or its absence)
            checks.append(lambda: zygote_settled(self.zygote_dir))
        if self.settings.room > 0:
            checks += [lambda: self.room.launched(self.settings.room), self.room.settled]
        while not all(check() for check in checks):
            if not self.alive:
                raise SafeShareError(f"Voilà exited with code {self._process.returncode}")
            if time.monotonic() > deadline:
                room = f" ({self.room.describe()})" if self.settings.room > 0 else ""
                if self.zygote_dir is not None and not zygote_settled(self.zygote_dir):
                    room += " (no zygote ready to fork kernels)"
                raise SafeShareError(f"Voilà not ready after {timeout:.0f} s{room}")
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

    def stop(self) -> int:
        """SIGTERM Voilà, SIGKILL after the grace period, sweep stray kernels; the exit code."""
        self._stopping.set()
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
    signs_in = app_for(notebook_name).needs_token
    # Shown in the sign-in link: a token made here is printed (nobody else knows it); one
    # the operator set is named, not echoed into logs.
    shown_token = f"<{env_var('trainer_token')}>"
    if signs_in and settings.trainer_token is None:
        import secrets

        settings = settings.with_(trainer_token=secrets.token_urlsafe(16))
        shown_token = settings.trainer_token
        print(f"Trainer token (give it to trainers only): {shown_token}", file=out)
    server = VoilaServer(notebook_name, settings)
    stop = StopFlag()
    previous = {s: signal.signal(s, stop.set) for s in (signal.SIGINT, signal.SIGTERM)}
    companion = None  # the LTI tool (issue 14), beside the learner server once it has a key
    try:
        started = time.monotonic()
        server.start()
        companion = start_companion(notebook_name, settings, server, out)
        print(f"SafeShare {notebook_name}: starting on {server.url}", file=out, flush=True)
        if server.wait_ready(stop=stop):
            if companion is not None:
                companion.wait_ready()
                print("\n".join(ready_lines(settings)), file=out, flush=True)
            room = _room_line(settings.room, len(server.lost_kernels))
            took = time.monotonic() - started
            print(f"ready in {took:.1f} s: {server.url}{room}", file=out, flush=True)
            if signs_in:
                print(f"Trainers sign in at: {server.url}?token={shown_token}", file=out)
            print("Press Ctrl-C to stop.", file=out, flush=True)
        while not stop.wait(0.5) and server.alive:
            pass
    finally:
        if companion is not None:
            companion.stop()
        code = server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"SafeShare {notebook_name}: stopped", file=out, flush=True)
    return 0 if stop.is_set() else code


def _room_line(room: int, lost: int) -> str:
    """The end of the "ready" line: how many warm kernels the room has."""
    if not room:
        return ""
    if not lost:
        return f"; room of {room} warm kernels ready"
    return f"; room of {room - lost} warm kernels ready ({lost} failed to start and were dropped)"


def _settings_epilog() -> str:
    rows = [f"  {s.env_var:<28} {s.help} (default: {s.default})" for s in SETTINGS]
    return "settings (environment variables):\n" + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """`python -m toolkit.serving NOTEBOOK [--host H] [--port P] [--room N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m toolkit.serving",
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
