"""toolkit.serving.fork_provisioner, zygote_keeper, zygote and forked_kernel: kernels forked
from a zygote, driven through jupyter_client the way Voilà's kernel manager drives them.

One zygote serves the module (it takes a few seconds to prepare); its kernels run against a
database the "server" prepared and the library snapshot it wrote, as in `safeshare serve`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Configurable

from toolkit.app.database import STORE_PREPARED_VAR, prepare_store
from toolkit.app.learner import SNAPSHOT_VAR, write_library_snapshot
from toolkit.serving.fork_provisioner import ForkProvisioner, lean_kernel_arguments
from toolkit.serving.forking import kernelspec_metadata
from toolkit.serving.lean_kernel import KERNEL_NAME, LEAN_KERNEL_CODE, write_lean_kernelspec
from toolkit.serving.zygote import MODULES_FILE, ZYGOTE_CODE
from toolkit.serving.zygote_keeper import SOCKET_NAME, ZygoteKeeper
from toolkit.settings import Settings

pytestmark = pytest.mark.timeout(300)
SCENARIO = "sc-nursery-bruising"
PR_GET_MEMORY_MERGE = 68


class Forking:
    """A kernelspec that forks from a zygote, and an event loop to drive kernels on."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.zygote_dir = folder / "zygote"
        write_lean_kernelspec(folder / "jupyter", kernelspec_metadata(self.zygote_dir))
        self.specs = KernelSpecManager(kernel_dirs=[str(folder / "jupyter" / "kernels")])
        self.owner = Configurable()  # Voilà's MultiKernelManager: where the keeper is kept
        self.loop = asyncio.new_event_loop()
        self.thread: threading.Thread | None = None

    @property
    def keeper(self) -> ZygoteKeeper:
        return self.owner.safeshare_zygote

    def run(self, coroutine, timeout: float = 120):
        """Run ``coroutine`` on this loop and wait for it.

        The loop runs in a thread of its own for the whole module: a browser test earlier in
        the session may keep Playwright's loop running in the main thread (asyncio runs one
        loop a thread), and the thread that starts the zygote must outlive it (the zygote
        dies with the thread that forked it, PR_SET_PDEATHSIG).
        """
        if self.thread is None:
            self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
            self.thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coroutine, timeout), self.loop)
        return future.result()

    def close(self) -> None:
        if self.thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
        self.loop.close()

    async def start(self) -> tuple[AsyncKernelManager, object]:
        manager = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=self.specs,
            parent=self.owner,
            transport="ipc",
        )
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        return manager, client

    async def stop(self, manager: AsyncKernelManager, client) -> None:
        client.stop_channels()
        await manager.shutdown_kernel()


async def output_of(client, code: str) -> str:
    """What `code` printed (or the name of the error it raised)."""
    parts: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            parts.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            parts.append(msg["content"]["ename"])

    await client.execute_interactive(code, timeout=60, output_hook=hook)
    return "".join(parts).strip()


async def _stopped(keeper: ZygoteKeeper) -> None:
    keeper.stop()


@pytest.fixture(scope="module")
def forking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forking]:
    folder = tmp_path_factory.mktemp("fork")
    settings = Settings.from_env({}).with_(database_url=f"sqlite:///{folder / 'store.db'}")
    prepare_store(settings)
    snapshot = folder / "library.pickle"
    write_library_snapshot(settings, snapshot)
    with pytest.MonkeyPatch.context() as env:  # what the server gives its zygote and kernels
        env.setenv("SAFESHARE_DATABASE_URL", settings.database_url)
        env.setenv("SAFESHARE_LOG_PATH", str(folder / "app.log"))
        env.setenv(STORE_PREPARED_VAR, "1")
        env.setenv(SNAPSHOT_VAR, str(snapshot))
        forking = Forking(folder)
        yield forking
        keeper = getattr(forking.owner, "safeshare_zygote", None)
        zygotes = [keeper.pid, keeper.spare] if keeper else []
        if keeper is not None:
            # on the keeper's own loop thread, as the server does: stopped from this thread
            # it raced the loop's own handling of the zygote's exit (both closed its pipe)
            forking.run(_stopped(keeper))
        forking.close()
        left = [pid for pid in zygotes if pid and psutil.pid_exists(pid)]
        assert left == [], "the zygote or its spare outlived the keeper"


def test_a_forked_kernel_is_a_kernel_of_its_own(forking):
    """Is each kernel a child of the zygote, in a session of its own, named for its
    connection file, with a random state of its own?"""

    async def two_kernels():
        kernels = [await forking.start(), await forking.start()]
        draws = [
            await output_of(c, "import random; print(random.getrandbits(64))") for _, c in kernels
        ]
        pids = [m.provisioner.pid for m, _ in kernels]
        for manager, client in kernels:
            await forking.stop(manager, client)
        return kernels, draws, pids

    kernels, draws, pids = forking.run(two_kernels())
    assert all(isinstance(m.provisioner, ForkProvisioner) for m, _ in kernels)
    assert draws[0] != draws[1], "two kernels drew the same random number"
    assert forking.keeper.pid not in pids
    time.sleep(1)  # the zygote reaps its children as they exit
    assert not any(psutil.pid_exists(pid) for pid in pids)


def test_the_kernel_shows_its_connection_file_and_is_its_own_process_group(forking):
    """Does `ps` (and every check that looks for a kernel by its file) see a kernel?"""

    async def look():
        manager, client = await forking.start()
        pid = manager.provisioner.pid
        process = psutil.Process(pid)
        seen = (process.cmdline(), process.ppid(), os.getpgid(pid), os.getsid(pid))
        await forking.stop(manager, client)
        return manager.connection_file, pid, seen

    connection_file, pid, (cmdline, parent, group, session) = forking.run(look())
    assert "ipykernel" in cmdline and connection_file in cmdline
    assert ZYGOTE_CODE not in " ".join(cmdline)
    assert parent == forking.keeper.pid
    assert group == session == pid


def test_interrupt_restart_and_shutdown_work_as_for_any_kernel(forking):
    """Does an interrupt stop a running cell, a restart give a fresh process, and shutting
    down (politely or not) leave no process?"""

    async def lifecycle():
        manager, client = await forking.start()
        first = manager.provisioner.pid
        client.execute("import time; time.sleep(60)")
        await asyncio.sleep(1)
        await manager.interrupt_kernel()
        reply = await client.get_shell_msg(timeout=30)
        await output_of(client, "kept = 1")
        await manager.restart_kernel()
        await client.wait_for_ready(timeout=60)
        second = manager.provisioner.pid
        after_restart = await output_of(client, "print(kept)")
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        return reply["content"], first, second, after_restart, await manager.is_alive()

    interrupted, first, second, after_restart, alive = forking.run(lifecycle())
    assert interrupted["status"] == "error" and interrupted["ename"] == "KeyboardInterrupt"
    assert second != first and not psutil.pid_exists(first)
    assert after_restart == "NameError"
    assert not alive and not psutil.pid_exists(second)


def _handles(pid: int) -> dict[int, str]:
    found = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
    return found


def test_nothing_of_the_zygote_crosses_the_fork(forking):
    """Does the zygote hold no file, database, thread or ZeroMQ context, and does a kernel
    hold none of the zygote's sockets or pipes (stdin, stdout and stderr, the log, aside)?"""

    async def look():
        manager, client = await forking.start()
        kernel = _handles(manager.provisioner.pid)
        await forking.stop(manager, client)
        return kernel

    kernel = forking.run(look())
    zygote = forking.keeper.pid
    held = _handles(zygote)
    files = [t for fd, t in held.items() if fd > 2 and t.startswith("/")]
    assert files == [], f"the zygote holds files besides stdin, stdout and stderr: {files}"
    assert psutil.Process(zygote).num_threads() == 1  # no ZeroMQ, database or other thread
    # Sockets and pipes are told apart by inode ("socket:[123]"); every epoll is the same
    # anonymous inode, so those are not compared.
    zygote_only = {t for fd, t in held.items() if fd > 2 and not t.startswith("anon_inode:")}
    assert zygote_only and not zygote_only & {t for fd, t in kernel.items() if fd > 2}
    assert str(forking.folder / "library.pickle") not in kernel.values()


def test_the_learner_app_runs_on_what_the_zygote_imported(forking):
    """Does the learner notebook run in a forked kernel without importing anything more?"""

    async def learner():
        manager, client = await forking.start()
        code = (
            "from toolkit.app import learner\n"
            "from toolkit.app.identity import parse_query\n"
            f"learner.show(query=parse_query('scenario={SCENARIO}'))\n"
        )
        shown = await output_of(client, code)
        check = (
            "import sys\n"
            f"held = set(open({str(forking.zygote_dir / MODULES_FILE)!r}).read().split())\n"
            "print(sorted(set(sys.modules) - held))"
        )
        imported = await output_of(client, check)
        flags = await output_of(client, "import sys; print(sys.flags.optimize)")
        await forking.stop(manager, client)
        return shown, imported, flags

    shown, imported, flags = forking.run(learner())
    assert imported == "[]" and "Error" not in shown
    assert flags == "2", "the zygote's -OO (no docstrings) is its kernels' too"


def test_a_forked_kernel_does_not_walk_the_zygotes_modules(forking):
    """Does a kernel start without touching every module the zygote holds (issue 17: each
    walk of sys.modules copies shared pages), keeping the zygote's set of module names for
    ``%reset -f aggressive``?"""

    async def look():
        manager, client = await forking.start()
        code = (
            "import sys\n"
            "ip = get_ipython()\n"
            "keys = ip._sys_modules_keys\n"
            "print(type(ip.kernel).__name__, len(ip.kernel._kernel_modules), type(keys).__name__,\n"
            "      'toolkit.app.learner' in keys, len(keys) > 500, len(sys.modules) > 500)"
        )
        seen = await output_of(client, code)
        await forking.stop(manager, client)
        return seen

    assert forking.run(look()) == "ForkedKernel 0 frozenset True True True"


def _memory_merge_supported() -> bool:
    import ctypes

    return ctypes.CDLL("libc.so.6").prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) >= 0


@pytest.mark.skipif(not _memory_merge_supported(), reason="needs Linux 6.4 (PR_SET_MEMORY_MERGE)")
def test_a_forked_kernels_memory_is_offered_for_same_page_merging(forking):
    """Is each kernel's memory open to KSM (identical pages of kernels doing the same work
    merged into one when the system runs ksmd), as the zygote set before forking it?"""

    async def look():
        manager, client = await forking.start()
        code = f"import ctypes; print(ctypes.CDLL(None).prctl({PR_GET_MEMORY_MERGE}, 0, 0, 0, 0))"
        seen = await output_of(client, code)
        await forking.stop(manager, client)
        return seen

    assert forking.run(look()) == "1"


def test_a_bad_request_does_not_hurt_the_zygote(forking):
    """Is a malformed request refused while the zygote goes on forking kernels?"""

    async def forks():
        manager, client = await forking.start()
        answer = await output_of(client, "print(6 * 7)")
        await forking.stop(manager, client)
        return answer

    assert forking.run(forks()) == "42"
    zygote = forking.keeper.pid
    for junk in (b"not json", json.dumps({"argv": "x"}).encode(), b"{}"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as sock:
            sock.settimeout(10)
            sock.connect(str(forking.zygote_dir / SOCKET_NAME))
            sock.send(junk)
            assert sock.recv(100) == b""  # closed without a fork
    assert forking.run(forks()) == "42"
    assert forking.keeper.pid == zygote


def test_kernels_outlive_the_zygote_and_new_ones_come_from_its_successor(forking):
    """When the zygote is killed, does a running kernel keep working (re-parented to the
    server, which reaps it), and does a new kernel come from a new zygote within 5 s?"""

    async def crash():
        manager, client = await forking.start()
        old = forking.keeper.pid
        os.kill(old, signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.sleep(0.5)
        still = await output_of(client, "print('still here')")
        parent = psutil.Process(manager.provisioner.pid).ppid()
        new_manager, new_client = await forking.start()
        waited = time.monotonic() - killed
        successor = forking.keeper.pid
        orphan = manager.provisioner.pid
        await forking.stop(manager, client)
        await forking.stop(new_manager, new_client)
        return old, successor, still, parent, waited, orphan

    old, successor, still, parent, waited, orphan = forking.run(crash())
    print(f"a new kernel answered {waited:.2f} s after the zygote was killed")
    assert successor != old
    assert still == "still here"
    assert parent == os.getpid()  # adopted by the "server" (a child subreaper), not init
    assert waited <= 5, f"a new kernel took {waited:.1f} s after the zygote died"
    assert not psutil.pid_exists(orphan), "the adopted kernel was left a zombie"


def test_without_a_zygote_kernels_start_the_ordinary_way(forking, caplog):
    """When no zygote can be had, is the kernel an ordinary process, with a warning?"""

    async def ordinary():
        owner = Configurable()
        keeper = ZygoteKeeper(forking.folder / "gone", logging.getLogger("test.zygote"))
        keeper._give_up("the zygote died 5 times in 60 s")
        owner.safeshare_zygote = keeper
        manager = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=_specs(forking, keeper.folder),
            parent=owner,
            transport="ipc",
        )
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=90)
        answer = await output_of(client, "import sys; print(6 * 7, sys.flags.optimize)")
        kind = (manager.provisioner.forked, manager.provisioner.process)
        await forking.stop(manager, client)
        return answer, kind

    with caplog.at_level("WARNING"):
        answer, (forked, process) = forking.run(ordinary(), timeout=180)
    assert answer == "42 2" and forked is None and process is not None  # -OO, as forked ones
    assert "started the ordinary way: the zygote died 5 times" in caplog.text


def _specs(forking: Forking, zygote_dir: Path) -> KernelSpecManager:
    folder = forking.folder / f"jupyter-{zygote_dir.name}"
    write_lean_kernelspec(folder, kernelspec_metadata(zygote_dir))
    return KernelSpecManager(kernel_dirs=[str(folder / "kernels")])


@pytest.mark.parametrize(
    ("cmd", "arguments"),
    [
        (["PY", "-OO", "-c", LEAN_KERNEL_CODE, "-f", "k.json", "--x"], ["-f", "k.json", "--x"]),
        (["PY", "-c", LEAN_KERNEL_CODE, "-f", "k.json"], None),  # not the spec's flags
        (["PY", "-m", "ipykernel_launcher", "-f", "k.json"], None),
        (["/usr/bin/python3", "-OO", "-c", LEAN_KERNEL_CODE, "-f", "k.json"], None),
        (["PY"], None),
    ],
)
def test_only_the_lean_kernel_is_forked(cmd, arguments):
    """Is a kernel forked only when its command is the lean kernel with this Python?"""
    import sys

    cmd = [sys.executable if part == "PY" else part for part in cmd]
    assert lean_kernel_arguments(cmd) == arguments
