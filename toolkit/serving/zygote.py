"""The zygote: one process per learner server that has imported a learner kernel's code once
and forks a kernel from itself for each request (issue 17).

A learner kernel started the ordinary way spends about a second of CPU importing ipykernel,
ipywidgets, SQLAlchemy, pydantic and the toolkit, and keeps ~53 MiB of its own memory. The
zygote does that work once (``toolkit.serving.zygote_preload``: imports, the kernel
application configured, the detector compiled, the case library unpickled, the heap frozen)
and then waits on a Unix socket. Each request (from ``toolkit.serving.fork_provisioner`` in Voilà's
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

A crash is repaired at once: the zygote keeps a *spare*, a forked copy of itself that shares
all its memory and waits; if the zygote dies, the spare takes over its socket, says so to
Voilà's side and forks a spare of its own. A fresh zygote (seconds of imports, ten or more on
a busy machine) is only needed if both die.

Runs as ``python -c ZYGOTE_CODE SOCKET STATUS_FD SERVER_PID PADDING`` (see ``command``): the
padding is room in the process's argument area for a child's title, so that ``ps`` (and the
server's own checks) show each child as the kernel it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from toolkit.serving.lean_kernel import PYTHON_FLAGS
from toolkit.serving.zygote_preload import prepare

ZYGOTE_CODE = "from toolkit.serving.zygote import main; main()"
TITLE_ROOM = 400  # bytes of argv kept free for a forked kernel's title
MAX_MESSAGE = 1 << 20  # a request is one datagram (SOCK_SEQPACKET): argv, env, cwd
REQUEST_TIMEOUT = 5.0
PR_SET_PDEATHSIG = 1
PR_SET_MEMORY_MERGE = 67  # Linux 6.4
KSM_RUN = Path("/sys/kernel/mm/ksm/run")  # "1" while the kernel's same-page merging runs
# Beside the socket: the modules the zygote holds, one a line (what a child starts with;
# tests compare a kernel's sys.modules with it to see what the kernel imported itself).
MODULES_FILE = "modules"


def command(socket_path: Path, status_fd: int, server_pid: int) -> list[str]:
    """The zygote's command line; the last argument is blank room for children's titles."""
    args = [str(socket_path), str(status_fd), str(server_pid), " " * TITLE_ROOM]
    return [sys.executable, *PYTHON_FLAGS, "-c", ZYGOTE_CODE, *args]


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
        prepare()  # toolkit.serving.zygote_preload
    except BaseException as exc:
        say(f"could not prepare ({type(exc).__name__}: {exc}); kernels start the ordinary way")
        raise
    (socket_path.parent / MODULES_FILE).write_text("\n".join(sorted(sys.modules)) + "\n")
    merging = merge_identical_pages()
    zygote = Zygote(socket_path, status_fd, server_pid)
    say(f"ready in {time.monotonic() - began:.1f} s ({len(sys.modules)} modules; {merging})")
    request = zygote.serve()
    if request is not None:  # only in a forked child: the zygote itself never gets here
        from toolkit.serving import forked_kernel

        forked_kernel.run(request, zygote_pid=zygote.pid)


def merge_identical_pages(ksm_run: Path = KSM_RUN) -> str:
    """Offer this process's memory, and so every kernel's (a fork keeps the setting), to
    Linux's same-page merging (KSM: prctl PR_SET_MEMORY_MERGE, Linux 6.4); what the log says.

    Most of a forked kernel's own memory is shared pages it wrote to (reference counts of
    the objects it used); kernels doing the same work hold byte-identical copies, which
    ksmd, when the system runs it, merges back into one page (docs/performance.md: with a
    room of 30 and ksmd scanning 1,000 pages at a time, a kernel's USS 27.5 -> 5.9 MiB
    within four minutes). When ksmd is off this costs nothing.
    """
    if not sys.platform.startswith("linux"):
        return "no same-page merging: not Linux"
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return "no same-page merging: no glibc"
    if libc.prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) != 0:
        return f"no same-page merging: {os.strerror(ctypes.get_errno())} (needs Linux 6.4)"
    try:
        running = ksm_run.read_text().strip() == "1"
    except OSError:
        running = False
    if running:
        return "kernels' identical pages merged (KSM)"
    return f"identical pages offered for merging, but KSM is off ({ksm_run} is not 1)"


def _die_with_server(server_pid: int) -> None:
    """SIGTERM this process when Voilà exits (Linux), and stop now if it already has."""
    _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != server_pid:
        sys.exit("the server that started this zygote has gone")


def _set_parent_death_signal(signum: int) -> None:
    """Have Linux send `signum` when this process's parent exits (prctl PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signum)


class Zygote:
    """The socket, the children, the spare, and the loop that forks kernels (one thread)."""

    def __init__(self, socket_path: Path, status_fd: int, server_pid: int):
        self.pid, self.server_pid, self.status_fd = os.getpid(), server_pid, status_fd
        self.socket_path = socket_path
        self.children: dict[int, socket.socket] = {}  # child pid -> its requester's connection
        self.spare: int | None = None  # a forked copy of this zygote, waiting to take over
        self._stopping = False
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(str(socket_path))
        os.chmod(socket_path, 0o600)
        self.listener.listen(64)
        self._arm()
        self._tell(f"ready {self.pid}")  # Voilà's side starts sending requests

    def _arm(self) -> None:
        """This process's own loop: a selector, a wakeup pipe, its signal handlers."""
        self._wake_r, self._wake_w = os.pipe()
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, _noop)  # a handler, so the wakeup pipe hears of exits
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGHUP, self._stop)
        if threading.active_count() != 1:  # fork copies one thread; locks others held stay held
            say(f"{threading.active_count()} threads before forking; children may hang")

    def _tell(self, line: str) -> None:
        """A line for the keeper in Voilà: "ready <pid>" or "spare <pid>"."""
        with contextlib.suppress(OSError):  # the keeper gone means the server is stopping
            os.write(self.status_fd, f"{line}\n".encode())

    def _stop(self, *_: object) -> None:
        self._stopping = True

    def serve(self) -> dict[str, Any] | None:
        """Fork a child per request until told to stop; returns a request only in a child."""
        while not self._stopping:
            if self.spare is None:
                self._fork_spare()  # in the spare this returns once it has taken over
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

    def _fork_spare(self) -> None:
        """Keep a copy of this zygote, forked now, that takes over the socket if this process
        dies: a crashed zygote is replaced in milliseconds, not the seconds of a fresh start
        (on a busy machine, ten or more). It shares every page with this one until then."""
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            self.spare = pid
            self._tell(f"spare {pid}")
            return
        parent = self.pid
        self._drop_handles(keep_listener=True)
        _wait_for_parent_death(parent, self.server_pid)  # exits unless it is to take over
        self.pid, self.spare, self._stopping = os.getpid(), None, False
        _die_with_server(self.server_pid)
        self._arm()
        say(f"took over from zygote {parent}")
        self._tell(f"ready {self.pid}")

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
            conn.close()
            self._drop_handles(keep_listener=False)
            os.close(self.status_fd)
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

    def _drop_handles(self, *, keep_listener: bool) -> None:
        """In a forked child (kernel or spare), first thing: drop the zygote's loop.

        The selector is closed, never unregistered from: its epoll is shared with the zygote.
        """
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        self.selector.close()
        if not keep_listener:
            self.listener.close()
        for conn in self.children.values():
            conn.close()
        self.children.clear()
        for fd in (self._wake_r, self._wake_w):
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
            if pid == self.spare:
                say(f"spare {pid} exited ({os.waitstatus_to_exitcode(status)}); forking another")
                self.spare = None
                continue
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(OSError):
                conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            self.selector.unregister(conn)
            conn.close()

    def _shut_down(self) -> None:
        """Stop serving, the spare first (it must not take over). Children stay with Voilà
        while it runs (it manages them); when the server is gone they are stopped here, as
        ordinary kernels stop when theirs goes."""
        if self.spare is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.spare, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.spare, 0)
        server_gone = os.getppid() != self.server_pid
        if server_gone:
            for pid in list(self.children):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
        self.listener.close()
        say("stopped" + (" with the server, and its kernels" if server_gone else ""))


def _wait_for_parent_death(parent: int, server_pid: int) -> None:
    """As a spare: sleep until the zygote dies (return: take over) or this spare is told to
    stop, or the server is gone too (exit)."""
    waited = {signal.SIGUSR1, signal.SIGTERM, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, waited)
    _set_parent_death_signal(signal.SIGUSR1)
    while os.getppid() == parent:
        received = signal.sigtimedwait(waited, 5.0)
        if received is not None and received.si_signo != signal.SIGUSR1:
            os._exit(0)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, waited)
    if os.getppid() != server_pid:  # adopted by someone other than Voilà: the server is gone
        os._exit(0)


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
