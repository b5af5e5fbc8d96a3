"""The learner server's kernel provisioner: kernels forked from a zygote, in milliseconds.

jupyter_client's provisioner API is the official way to change how kernels are started: a
kernelspec names a provisioner (``metadata.kernel_provisioner``), registered under the entry
point group ``jupyter_client.kernel_provisioners`` (see pyproject.toml), and jupyter_client
asks it to launch, poll, signal, kill and clean up each kernel. Nothing of Voilà or
jupyter_server is patched.

``ForkProvisioner`` is jupyter_client's LocalProvisioner (connection file, ports, command)
with one step changed: the kernel is forked from the server's zygote (``toolkit.serving.
zygote``, kept running by ``toolkit.serving.zygote_keeper``) instead of started as a new
Python process. The forked kernel is an ordinary ipykernel on the same connection file, in a
session of its own, so interrupts (SIGINT to its process group), shutdown requests, restarts
(a new fork), SIGTERM/SIGKILL and culling work as before. Where no kernel can be forked (the
command is not the lean kernel's, no zygote could be made ready) it logs a warning and starts
the ordinary way: ``LocalProvisioner.launch_kernel``.

The supervisor chooses it with the ``kernel_provisioner`` setting (see toolkit.serving.forking,
which writes the kernelspec stanza naming this provisioner and its zygote's folder).
"""

from __future__ import annotations

import os
import pathlib
import signal
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

from toolkit.serving.forking import PROVISIONER_NAME
from toolkit.serving.lean_kernel import KERNEL_NAME, LEAN_KERNEL_COMMAND
from toolkit.serving.zygote_keeper import ForkedKernel, ZygoteKeeper, ZygoteUnavailable

KEEPER_ATTRIBUTE = "safeshare_zygote"


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels are forked from the server's zygote when they can be."""

    zygote_dir = Unicode("", config=True, help="Folder of the server's zygote (its socket).")
    forked: ForkedKernel | None = None

    @property
    def has_process(self) -> bool:
        return self.forked is not None or super().has_process

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        argv = lean_kernel_arguments(cmd)
        keeper = self.keeper()
        if argv is None or keeper is None:
            reason = "its command is not the lean kernel's" if keeper else "no zygote folder"
        else:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            cwd = str(kwargs.get("cwd") or pathlib.Path.cwd())
            try:
                self.forked = await keeper.fork(argv, env, cwd)
            except ZygoteUnavailable as exc:
                reason = str(exc)
            else:
                self.pid = self.pgid = self.forked.pid
                self.cwd = cwd
                return self.connection_info
        self.log.warning(
            "[SafeShare] kernel %s started the ordinary way: %s", self.kernel_id, reason
        )
        return await super().launch_kernel(cmd, **kwargs)

    def keeper(self) -> ZygoteKeeper | None:
        """The server's one zygote keeper, kept on the multi-kernel manager (started here on
        first use); None without a zygote folder."""
        if not self.zygote_dir:
            return None
        owner: Any = self
        manager = self.parent  # the KernelManager; its parent, the server's MultiKernelManager
        if manager is not None:  # (not truthiness: a MultiKernelManager with no kernels is falsy)
            owner = manager.parent if manager.parent is not None else manager
        return keeper_for(owner, pathlib.Path(self.zygote_dir), self.log)

    async def poll(self) -> int | None:
        if self.forked is not None:
            return self.forked.poll()
        return await super().poll()

    async def wait(self) -> int | None:
        if self.forked is None:
            return await super().wait()
        code = await self.forked.wait()
        self.forked.close()
        self.forked = None  # has_process is now False, as after LocalProvisioner.wait
        return code

    async def send_signal(self, signum: int) -> None:
        if self.forked is not None:
            self.forked.signal(signum)
            return
        await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.forked is not None:
            self.forked.signal(signal.SIGKILL)
            return
        await super().kill(restart)

    async def terminate(self, restart: bool = False) -> None:
        if self.forked is not None:
            self.forked.signal(signal.SIGTERM)
            return
        await super().terminate(restart)

    async def cleanup(self, restart: bool = False) -> None:
        if self.forked is not None and self.forked.exited():
            self.forked.close()
            self.forked = None
        await super().cleanup(restart)


def lean_kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments (``-f <connection file> …``) when `cmd` runs the lean
    kernel with this Python, else None: the zygote can only become that kernel."""
    start = len(LEAN_KERNEL_COMMAND)
    if tuple(cmd[:start]) == LEAN_KERNEL_COMMAND:
        return list(cmd[start:])
    return None


def keeper_for(owner: Any, folder: pathlib.Path, log: Any) -> ZygoteKeeper:
    """The zygote keeper kept on `owner` for `folder`, made and started if there is none."""
    keeper = getattr(owner, KEEPER_ATTRIBUTE, None)
    if keeper is None or keeper.folder != folder:
        keeper = ZygoteKeeper(folder, log)
        setattr(owner, KEEPER_ATTRIBUTE, keeper)
    keeper.start()
    return keeper


def start_early(voila_app: Any) -> ZygoteKeeper | None:
    """Start the zygote as Voilà starts, when its kernelspec forks: the first learners then
    find it ready. Run inside Voilà by toolkit.serving.voila_repairs; None when kernels are
    not forked (or the kernelspec cannot be read: the first kernel starts it then)."""
    manager = getattr(voila_app, "kernel_manager", None)
    try:
        spec = manager.kernel_spec_manager.get_kernel_spec(KERNEL_NAME)
    except Exception:  # noqa: BLE001 - no spec here means nothing to start early
        return None
    stanza = spec.metadata.get("kernel_provisioner") or {}
    folder = (stanza.get("config") or {}).get("zygote_dir")
    if stanza.get("provisioner_name") != PROVISIONER_NAME or not folder:
        return None
    return keeper_for(manager, pathlib.Path(folder), voila_app.log)
