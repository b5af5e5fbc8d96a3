"""Keeps one server's zygote running, from inside Voilà's process, and asks it for kernels.

The keeper starts the zygote (``toolkit.serving.zygote``) as a child of Voilà, hears when it
is ready (a byte on a pipe) and when it dies (a pidfd), and starts it again at once: a room
keeps getting kernels within seconds of a crash, and kernels already forked carry on, since
they never depended on the zygote. If it dies MAX_DEATHS times within DEATH_WINDOW seconds
the keeper stops trying and says so; kernels then start the ordinary way.

Voilà becomes a child subreaper (Linux): a kernel whose zygote died is re-parented to Voilà,
not to init, so its exit is still collected here (``ForkedKernel.poll``) and it still counts
as one of the server's processes. Two files in the keeper's folder tell the supervisor how
it stands: READY_MARKER while a zygote is serving, OFF_MARKER once the keeper has given up.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from toolkit.serving.forking import OFF_MARKER, READY_MARKER
from toolkit.serving.zygote import MAX_MESSAGE, REQUEST_TIMEOUT, command

SOCKET_NAME = "socket"
READY_TIMEOUT = 60.0  # a first start on a busy 2-core machine has taken 10 s
MAX_DEATHS, DEATH_WINDOW = 5, 60.0
TAKEOVER_WAIT = 3.0  # a spare takes over in milliseconds; past this a fresh zygote starts
BIND_TIMEOUT = 30.0  # a kernel binds ~60 ms after its fork; far longer only on a swamped machine
REPORT_WAIT = 1.0  # after a kernel exits, how long wait() waits for the zygote's report
STOP_WAIT = 3.0
PR_SET_CHILD_SUBREAPER = 36


class ZygoteUnavailable(Exception):
    """No kernel can be forked now; the message says why (start an ordinary one instead)."""


class ForkedKernel:
    """A kernel the zygote forked: its pid, a pidfd for it, and the connection on which the
    zygote reports how it ended."""

    def __init__(self, pid: int, pidfd: int, channel: socket.socket):
        self.pid, self.pidfd, self.channel = pid, pidfd, channel
        self.returncode: int | None = None

    def exited(self) -> bool:
        """Has the process ended? (A pidfd turns readable when it does, whoever its parent.)"""
        if self.pidfd < 0:
            return True
        readable, _, _ = select.select([self.pidfd], [], [], 0)
        return bool(readable)

    def poll(self) -> int | None:
        """None while it runs; then its exit code, from the zygote's report or, when Voilà
        adopted it after the zygote died, from reaping it here (-1 if neither is known)."""
        if self.returncode is not None:
            return self.returncode
        if not self.exited():
            return None
        code = self._reported()
        if code is None:
            code = self._reap()
        if code is not None:
            self.returncode = code
        return -1 if code is None else code

    async def wait(self) -> int:
        """Wait for the process to end (callers set the timeout), then for its exit code."""
        while not self.exited():
            await asyncio.sleep(0.1)
        deadline = time.monotonic() + REPORT_WAIT
        while self.poll() == -1 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.poll()

    def signal(self, signum: int) -> None:
        """Signal the kernel's process group (its session), as jupyter_client does."""
        if self.exited():
            return
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signum)

    def close(self) -> None:
        if self.pidfd >= 0:
            self._reap()
            os.close(self.pidfd)
            self.pidfd = -1
        self.channel.close()

    def _reported(self) -> int | None:
        try:
            data = self.channel.recv(MAX_MESSAGE)
        except (BlockingIOError, OSError):
            return None
        with contextlib.suppress(ValueError, AttributeError):
            return int(json.loads(data)["exit"]) if data else None
        return None

    def _reap(self) -> int | None:
        """Collect the process if it is Voilà's child now (its zygote died)."""
        if self.pidfd < 0:
            return None
        try:
            result = os.waitid(os.P_PIDFD, self.pidfd, os.WEXITED | os.WNOHANG)
        except (ChildProcessError, OSError):
            return None
        if result is None:
            return None
        return result.si_status if result.si_code == os.CLD_EXITED else -result.si_status


class ZygoteKeeper:
    """One server's zygote: started, watched, replaced; forks kernels on request.

    The zygote reports on its status pipe, a line at a time: ``ready <pid>`` when a process
    serves the socket (the first zygote, or a spare that took over) and ``spare <pid>`` when
    it has forked a spare. When the serving zygote dies, its spare is given TAKEOVER_WAIT
    seconds to say ``ready``; without a spare, or past that, a fresh zygote is started.
    """

    def __init__(self, folder: Path, log: Any):
        self.folder, self.log = folder, log
        self.socket_path = folder / SOCKET_NAME
        self.pid: int | None = None  # the zygote serving (or starting)
        self.spare: int | None = None  # its spare, once it said so
        self.reason: str | None = None  # why the keeper gave up, once it has
        self.deaths: list[float] = []
        self._ready = asyncio.Event()
        self._stopping = False
        self._popen: subprocess.Popen[bytes] | None = None  # the last zygote started afresh
        self._pidfd = -1
        self._status = -1
        self._pending = b""
        self._takeover: asyncio.TimerHandle | None = None
        self._exit_registered = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        """Start a fresh zygote unless one is running or taking over (returns at once;
        `fork` waits until it is ready)."""
        if self.pid is not None or self._takeover is not None or self.reason is not None:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / OFF_MARKER).unlink(missing_ok=True)
        _become_subreaper()
        self._close_status()
        self._kill_spare()
        status_r, status_w = os.pipe()
        try:
            self._popen = subprocess.Popen(
                command(self.socket_path, status_w, os.getpid()),
                stdin=subprocess.DEVNULL,
                pass_fds=(status_w,),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(status_r)
            self._give_up(f"the zygote could not start ({exc})")
            return
        finally:
            os.close(status_w)
        self._loop = _loop()
        self._status = status_r
        self._loop.add_reader(self._status, self._on_status)
        self._watch(self._popen.pid)
        if not self._exit_registered:
            atexit.register(self.stop)  # never outlive this process, whatever stops it
            self._exit_registered = True

    async def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        """A kernel forked with these arguments, environment and folder; ZygoteUnavailable
        when none can be (after waiting up to READY_TIMEOUT for a zygote to be ready)."""
        if self.reason is not None:
            raise ZygoteUnavailable(self.reason)
        self.start()
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        except TimeoutError as exc:
            raise ZygoteUnavailable(f"no zygote ready after {READY_TIMEOUT:.0f} s") from exc
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        channel.setblocking(False)
        bound_r, bound_w = os.pipe()
        try:
            exchange = _exchange(channel, self.socket_path, request, bound_w)
            data, fds = await asyncio.wait_for(exchange, REQUEST_TIMEOUT)
            pid = int(json.loads(data)["pid"])
            if len(fds) != 1:
                raise ValueError("no pidfd came with the reply")
        except (OSError, ValueError, KeyError) as exc:
            channel.close()
            os.close(bound_r)
            reason = f"the zygote did not fork ({exc or type(exc).__name__})"
            raise ZygoteUnavailable(reason) from exc
        finally:
            os.close(bound_w)
        kernel = ForkedKernel(pid, fds[0], channel)
        await _until_bound(bound_r)
        return kernel

    def stop(self) -> None:
        """Stop the zygote and its spare, and stop replacing them (kernels are Voilà's)."""
        self._stopping = True
        if self._takeover is not None:
            self._takeover.cancel()
            self._takeover = None
        pid = self.pid
        pidfd = self._unwatch(close=False)
        if pidfd >= 0:
            _end(pidfd, pid, self._popen)
        self._kill_spare()
        self._close_status()
        self._ready.clear()
        (self.folder / READY_MARKER).unlink(missing_ok=True)

    def _watch(self, pid: int) -> None:
        """Take `pid` as the serving zygote and hear of its exit."""
        self.pid = pid
        self._pidfd = os.pidfd_open(pid)
        self._loop.add_reader(self._pidfd, self._on_exit)

    def _unwatch(self, close: bool = True) -> int:
        """Stop watching the serving zygote; its pidfd (closed unless `close` is False)."""
        pidfd = self._pidfd
        if pidfd >= 0:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(pidfd)
            if close:
                os.close(pidfd)
        self._pidfd, self.pid = -1, None
        return pidfd

    def _on_status(self) -> None:
        try:
            data = os.read(self._status, 4096)
        except OSError:
            data = b""
        if not data:  # every zygote and spare has gone: nobody will write again
            self._close_status()
            return
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            word, _, number = line.decode("ascii", "replace").partition(" ")
            if word == "spare" and number.isdigit():
                self.spare = int(number)
            elif word == "ready" and number.isdigit():
                self._serving(int(number))

    def _serving(self, pid: int) -> None:
        if pid != self.pid:  # a spare took over
            if self._takeover is not None:
                self._takeover.cancel()
                self._takeover = None
            if self.spare == pid:
                self.spare = None
            self._unwatch()
            self._watch(pid)
            self.log.warning("[SafeShare] zygote %s took over: kernels are forked again", pid)
        self._ready.set()
        (self.folder / READY_MARKER).touch()

    def _on_exit(self) -> None:
        """The serving zygote died: its spare takes over, or a fresh one is started."""
        pid = self.pid
        self._unwatch()
        self._ready.clear()
        (self.folder / READY_MARKER).unlink(missing_ok=True)
        code = _reap(pid, self._popen)  # exited: a zombie of ours, until collected here
        if self._stopping:
            return
        now = time.monotonic()
        self.deaths = [t for t in self.deaths if now - t < DEATH_WINDOW] + [now]
        if len(self.deaths) >= MAX_DEATHS:
            self._kill_spare()
            self._give_up(f"the zygote died {len(self.deaths)} times in {DEATH_WINDOW:.0f} s")
            return
        if self.spare is not None and _alive(self.spare):
            self.log.warning(
                "[SafeShare] the zygote exited (code %s); its spare %s takes over", code, self.spare
            )
            self._takeover = self._loop.call_later(TAKEOVER_WAIT, self._no_takeover)
            return
        self.log.warning("[SafeShare] the zygote exited (code %s); starting another", code)
        self.spare = None
        self.start()

    def _no_takeover(self) -> None:
        self._takeover = None
        if self.ready or self._stopping:
            return
        self.log.warning("[SafeShare] the spare zygote did not take over; starting another")
        self.start()

    def _kill_spare(self) -> None:
        """Stop a spare that will not be needed (it would take over otherwise)."""
        spare, self.spare = self.spare, None
        if spare is None:
            return
        try:
            pidfd = os.pidfd_open(spare)
        except OSError:
            return
        _end(pidfd, spare, None, signum=signal.SIGKILL)

    def _close_status(self) -> None:
        if self._status >= 0:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._status)
            os.close(self._status)
        self._status, self._pending = -1, b""

    def _give_up(self, reason: str) -> None:
        self.reason = reason
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / OFF_MARKER).write_text(reason + "\n", encoding="utf-8")
        self.log.warning("[SafeShare] %s: learner kernels start the ordinary way from now", reason)


def _alive(pid: int) -> bool:
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        readable, _, _ = select.select([pidfd], [], [], 0)
        return not readable
    finally:
        os.close(pidfd)


def _reap(pid: int | None, popen: subprocess.Popen[bytes] | None) -> int | None:
    """Collect an exited zygote: started here (Popen) or adopted here (its parent died)."""
    if pid is None:
        return None
    if popen is not None and popen.pid == pid:
        return popen.wait()
    try:
        result = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG)
    except ChildProcessError:
        return None
    if result is None:
        return None
    return result.si_status if result.si_code == os.CLD_EXITED else -result.si_status


def _end(
    pidfd: int,
    pid: int | None,
    popen: subprocess.Popen[bytes] | None,
    signum: int = signal.SIGTERM,
) -> None:
    """Signal a process through its pidfd, wait up to STOP_WAIT, kill it, collect it."""
    try:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(pidfd, signum)
        readable, _, _ = select.select([pidfd], [], [], STOP_WAIT)
        if not readable:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            select.select([pidfd], [], [], STOP_WAIT)
        _reap(pid, popen)
    finally:
        os.close(pidfd)


async def _exchange(
    channel: socket.socket, path: Path, request: bytes, fd: int
) -> tuple[bytes, list[int]]:
    """Send the request with `fd`, return the reply and the descriptors sent with it."""
    loop = _loop()
    await loop.sock_connect(channel, str(path))
    socket.send_fds(channel, [request], [fd])  # one small datagram: the buffer has room
    return await _receive_with_fds(loop, channel)


async def _until_bound(bound_r: int) -> None:
    """Wait until the kernel has bound its sockets (a byte), has died (end of file), or
    BIND_TIMEOUT has passed (then jupyter_client's own wait for the kernel takes over)."""
    loop = _loop()
    heard = loop.create_future()
    loop.add_reader(bound_r, lambda: heard.done() or heard.set_result(None))
    try:
        await asyncio.wait_for(heard, BIND_TIMEOUT)
    except TimeoutError:
        pass
    finally:
        loop.remove_reader(bound_r)
        os.close(bound_r)


async def _receive_with_fds(
    loop: asyncio.AbstractEventLoop, channel: socket.socket
) -> tuple[bytes, list[int]]:
    """One datagram and the file descriptors sent with it, without blocking the loop."""
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 1)
        except BlockingIOError:
            readable = loop.create_future()
            loop.add_reader(channel.fileno(), readable.set_result, None)
            try:
                await readable
            finally:
                loop.remove_reader(channel.fileno())
            continue
        if not data:
            raise ConnectionResetError("the zygote closed the connection")
        return data, fds


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop()


def _become_subreaper() -> None:
    """Orphans among this process's descendants (kernels whose zygote died) come here."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
