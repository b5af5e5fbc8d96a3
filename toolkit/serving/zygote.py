"""The zygote: one process per learner server that has imported a learner kernel's code once
and forks a kernel from itself for each request (issue 17).

A learner kernel started the ordinary way spends about a second of CPU importing ipykernel,
ipywidgets, SQLAlchemy, pydantic and the toolkit, and keeps ~53 MiB of its own memory. The
zygote does that work once: it imports what a learner kernel needs (PRELOAD), compiles the
rationale detector, unpickles the server's case library, collects and freezes its heap
(``gc.freeze()``, so no collection in a child ever writes to the shared objects), and then
waits on a Unix socket. Each request (from ``toolkit.serving.fork_provisioner`` in Voilà's
process) is answered with a fork: the child becomes an ordinary ipykernel on the connection
file it was given (``toolkit.serving.forked_kernel``), the zygote replies with the child's pid
and a pidfd for it, and later with its exit status. A request may carry one descriptor, the
write end of a pipe on which the kernel says when its sockets are bound; it goes to the
child only.

What must not be shared never exists here: no database connection (modules are imported, no
engine is made), no ZeroMQ context (the child makes its own), no event loop, no thread (the
zygote checks before it serves), no open file but stdin (/dev/null), stdout and stderr (the
server's log). The child closes the zygote's socket, connections and pipe before anything
else runs, reseeds ``random``, and starts its own session.

Runs as ``python -c ZYGOTE_CODE SOCKET STATUS_FD SERVER_PID PADDING`` (see ``command``): the
padding is room in the process's argument area for a child's title, so that ``ps`` (and the
server's own checks) show each child as the kernel it is.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import pickle
import selectors
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ZYGOTE_CODE = "from toolkit.serving.zygote import main; main()"
TITLE_ROOM = 400  # bytes of argv kept free for a forked kernel's title
MAX_MESSAGE = 1 << 20  # a request is one datagram (SOCK_SEQPACKET): argv, env, cwd
REQUEST_TIMEOUT = 5.0
PR_SET_PDEATHSIG = 1
# Beside the socket: the modules the zygote holds, one a line (what a child starts with;
# tests compare a kernel's sys.modules with it to see what the kernel imported itself).
MODULES_FILE = "modules"

# What a learner kernel imports on its way to the first decision and the first answer (its
# sys.modules after one answered decision, measured: 848 modules); the rest follow from these.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    "IPython.core.completer",
    # ... and what IPKernelApp.initialize imports in a fresh kernel (measured in a child)
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.core.logger",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "faulthandler",
    "pdb",
    "ipykernel.debugger",
    "tornado.platform.asyncio",
    "tornado.queues",
    "ipywidgets",
    "websockets.sync.client",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlite3",
    "pydantic.plugin._loader",
    "toolkit.app.learner",
    "toolkit.app.journey",
    "toolkit.app.database",
    "toolkit.app.guard",
    "toolkit.app.identity",
    "toolkit.app.logfile",
    "toolkit.app.pause",
    "toolkit.app.player",
    "toolkit.storage",
    "toolkit.storage.store",
    "toolkit.storage.migrate",
    "toolkit.scoring.report",
    "toolkit.scoring.rationale",
    "toolkit.widgets.decision",
    "toolkit.widgets.feedback",
    "toolkit.serving.forked_kernel",
)
# Imported when the store is PostgreSQL (the kernel's engine would import it on connecting).
POSTGRES_PRELOAD = ("sqlalchemy.dialects.postgresql.psycopg",)


def command(socket_path: Path, status_fd: int, server_pid: int) -> list[str]:
    """The zygote's command line; the last argument is blank room for children's titles."""
    args = [str(socket_path), str(status_fd), str(server_pid), " " * TITLE_ROOM]
    return [sys.executable, "-c", ZYGOTE_CODE, *args]


def say(text: str) -> None:
    """One line in the server's log (the zygote's stderr is Voilà's)."""
    print(f"[SafeShare] zygote {os.getpid()}: {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Prepare, then serve fork requests; in a forked child, run the kernel instead."""
    args = sys.argv[1:] if argv is None else argv
    socket_path, status_fd, server_pid = Path(args[0]), int(args[1]), int(args[2])
    _die_with_server(server_pid)
    began = time.monotonic()
    try:
        prepare()
    except BaseException as exc:
        say(f"could not prepare ({type(exc).__name__}: {exc}); kernels start the ordinary way")
        raise
    (socket_path.parent / MODULES_FILE).write_text("\n".join(sorted(sys.modules)) + "\n")
    zygote = Zygote(socket_path, status_fd, server_pid)
    say(f"ready in {time.monotonic() - began:.1f} s ({len(sys.modules)} modules)")
    request = zygote.serve()
    if request is not None:  # only in a forked child: the zygote itself never gets here
        from toolkit.serving import forked_kernel

        forked_kernel.run(request, zygote_pid=zygote.pid)


def _die_with_server(server_pid: int) -> None:
    """SIGTERM this process when Voilà exits (Linux), and stop now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != server_pid:
        sys.exit("the server that started this zygote has gone")


def prepare(environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Import and warm everything a learner kernel would, then freeze the heap."""
    sys.modules["debugpy"] = None  # as the lean kernel: no debugger behind a learner's page
    from toolkit.settings import Settings

    settings = Settings.from_env(environ)
    modules = PRELOAD
    if settings.database_url.startswith("postgresql"):
        modules += POSTGRES_PRELOAD
    for name in modules:
        importlib.import_module(name)
    from toolkit.app import learner

    learner.warm_scoring()  # the detector's patterns compiled once, shared by every kernel
    share_library(learner, environ)
    gc.collect()
    learner.release_free_memory()
    gc.freeze()  # every object so far is left alone by children's collections


def share_library(learner: Any, environ: dict[str, str] | os._Environ) -> bool:
    """Unpickle the server's case library here, once; kernels read it from shared memory.

    ``learner.read_library`` reads the snapshot named by its variable, unpickling a copy per
    kernel (~70 ms and ~1 MiB each). Here it is unpickled once and ``read_library`` answers
    that snapshot from memory; a child that changed an object would change its own copy
    only (copy-on-write), as with a copy it had unpickled. False when there is no snapshot
    (or it failed): kernels then read or parse as before.
    """
    snapshot = environ.get(learner.SNAPSHOT_VAR)
    if not snapshot:
        return False
    path = Path(snapshot)
    deadline = time.monotonic() + learner.SNAPSHOT_WAIT_SECONDS
    failed = path.with_name(path.name + learner.FAILED_SUFFIX)
    while not path.is_file() and not failed.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not path.is_file():
        return False
    library = pickle.loads(path.read_bytes())
    read_library = learner.read_library

    def read_shared_library(settings: Any) -> Any:
        if os.environ.get(learner.SNAPSHOT_VAR) == snapshot:
            return library
        return read_library(settings)

    learner.read_library = read_shared_library
    return True


class Zygote:
    """The socket, the children and the loop that forks them (single-threaded)."""

    def __init__(self, socket_path: Path, status_fd: int, server_pid: int):
        self.pid, self.server_pid, self.status_fd = os.getpid(), server_pid, status_fd
        self.socket_path = socket_path
        self.children: dict[int, socket.socket] = {}  # child pid -> its requester's connection
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(str(socket_path))
        os.chmod(socket_path, 0o600)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, _noop)  # a handler, so the wakeup pipe hears of exits
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGHUP, self._stop)
        if threading.active_count() != 1:  # fork copies one thread; locks others held stay held
            say(f"{threading.active_count()} threads before forking; children may hang")
        os.write(status_fd, b"R")  # ready: Voilà's side starts sending requests

    def _stop(self, *_: object) -> None:
        self._stopping = True

    def serve(self) -> dict[str, Any] | None:
        """Fork a child per request until told to stop; returns a request only in a child."""
        while not self._stopping:
            for key, _ in self.selector.select(timeout=1.0):
                if key.data == "accept":
                    request = self._accept()
                    if request is not None:
                        return request  # this is the child now
                elif key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                else:
                    self._forget(key.fileobj)  # its requester went away: the child stays
            self._reap()
            if os.getppid() != self.server_pid:
                self._stopping = True
        self._shut_down()
        return None

    def _accept(self) -> dict[str, Any] | None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return None
        conn.settimeout(REQUEST_TIMEOUT)
        fds: list[int] = []
        try:
            data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 1)
            request = _parse_request(data)
        except (OSError, ValueError) as exc:
            say(f"bad request ({exc})")
            for fd in fds:
                os.close(fd)
            conn.close()
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._become_child(conn)
            request["bound_fd"] = fds[0] if fds else None  # the kernel's own, to say "bound"
            return request
        for fd in fds:
            os.close(fd)
        try:
            pidfd = os.pidfd_open(pid)
            try:
                socket.send_fds(conn, [json.dumps({"pid": pid}).encode()], [pidfd])
            finally:
                os.close(pidfd)
        except OSError as exc:  # the requester gave up: nobody will manage this kernel
            say(f"could not hand over kernel {pid} ({exc}); stopping it")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            conn.close()
            return None
        conn.setblocking(False)
        self.children[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ, pid)
        return None

    def _become_child(self, conn: socket.socket) -> None:
        """In the child, before anything else: drop every handle of the zygote's."""
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        self.selector.close()
        self.listener.close()
        conn.close()
        for other in self.children.values():
            other.close()
        self.children.clear()
        for fd in (self._wake_r, self._wake_w, self.status_fd):
            os.close(fd)

    def _forget(self, conn: Any) -> None:
        self.selector.unregister(conn)
        for pid, held in list(self.children.items()):
            if held is conn:
                del self.children[pid]
        conn.close()

    def _reap(self) -> None:
        """Collect exited children and tell each one's requester how it ended."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(OSError):
                conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            self.selector.unregister(conn)
            conn.close()

    def _shut_down(self) -> None:
        """Stop serving. Children stay with Voilà while it runs (it manages them); when the
        server is gone they are stopped here, as ordinary kernels stop when theirs goes."""
        server_gone = os.getppid() != self.server_pid
        if server_gone:
            for pid in list(self.children):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
        self.listener.close()
        say("stopped" + (" with the server, and its kernels" if server_gone else ""))


def _noop(*_: object) -> None:
    pass


def _parse_request(data: bytes) -> dict[str, Any]:
    """A fork request: {"argv": [str], "env": {str: str}, "cwd": str}."""
    request = json.loads(data)
    argv, env = request.get("argv"), request.get("env")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ValueError("argv must be a list of strings")
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        raise ValueError("env must map strings to strings")
    if not isinstance(request.get("cwd"), str):
        raise ValueError("cwd must be a string")
    return request
