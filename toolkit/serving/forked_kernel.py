"""What a kernel forked by the zygote does: become a process of its own, then run ipykernel.

The zygote (``toolkit.serving.zygote``) has already dropped its own handles in the child. Here
the child starts a session of its own (so interrupts reach its process group, as for a kernel
``jupyter_client`` starts), names itself, takes the environment and working folder Voilà
gave the kernel, reseeds ``random`` and runs ipykernel exactly as the lean kernel's command
would (``toolkit.serving.lean_kernel``): the same ``IPKernelApp``, the same arguments, its own
ZeroMQ context and sockets from the connection file.

When its sockets are bound, the kernel says so on a pipe the provisioner handed it (through
the zygote), so Voilà connects to a kernel that is listening: a client that connects first
waits out ZeroMQ's reconnect interval (100 ms) before it is heard.

Two things differ from a fresh process. The kernel application was made and configured in
the zygote (``prepare_app``: command line, profile, config files), so a child only adds its
connection file and goes on with ``IPKernelApp.initialize``: sockets, shell, kernel. And
ipywidgets was imported before any kernel existed, so it did not register its comm targets
then (it does so at import time only inside a kernel); they are registered as soon as the
kernel is initialised, before it answers anything.

The title: a forked process keeps the zygote's command line, which would make every kernel
look like the zygote. The child writes its own over the argument area the zygote kept free,
as setproctitle does: ``ipykernel -f <connection file> (SafeShare kernel <id>, forked from
zygote <pid>)``, so ``ps``, the server's checks and its tests see each kernel and its file.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import signal
import sys
import types
from typing import Any

import ipywidgets
from ipykernel import ipkernel
from ipykernel.kernelapp import IPKernelApp
from IPython.core import shellapp
from IPython.core.application import BaseIPythonApplication
from traitlets import Type

PR_SET_NAME = 15


class _ConfiguredOnce(BaseIPythonApplication):
    """The command line, profile and config files, read once in the zygote (``prepare_app``).

    ``IPKernelApp.initialize`` begins with this step (its ``super().initialize``): in a fresh
    kernel it costs ~60 ms of CPU, mostly traitlets building a parser from every configurable
    class. A kernel forked with the arguments the zygote read (plus its own connection file)
    takes that result as it is; any other arguments are read in full, as usual.
    """

    prepared_options: tuple[str, ...] | None = None

    def initialize(self, argv: list[str] | None = None) -> None:
        options = self.prepared_options
        if options is not None and argv is not None and len(argv) >= 2 and argv[0] == "-f":
            if tuple(argv[2:]) == options:
                self.connection_file = argv[1]
                return
        super().initialize(argv)


class _SysWithoutModules:
    """``sys`` as two ipykernel/IPython start-up steps see it in a forked kernel: no modules.

    Both walk all of ``sys.modules`` for something a learner's kernel never uses:
    ``IPythonKernel.__init__`` lists every module's ``__file__`` for the debugger (which the
    lean kernel does not have) and ``InteractiveShellApp.init_code`` keeps the set of module
    names for ``%reset -f aggressive``. In a forked kernel each walk writes the reference
    counts of the zygote's ~870 module objects, names and files, scattered over its heap:
    the first alone made ~5.9 MiB of shared pages the kernel's own (/proc/<pid>/smaps_rollup
    around it). Without both, a warm kernel keeps 2.8 MiB less (later steps touch some of
    the same pages). Everything but ``modules`` is the real ``sys``.
    """

    modules: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


def _without_module_walk(function: Any, module: types.ModuleType) -> Any:
    """`function` (defined in `module`) itself, run with ``_SysWithoutModules`` as its ``sys``."""
    scope = {**vars(module), "sys": _SysWithoutModules()}
    return types.FunctionType(
        function.__code__, scope, function.__name__, function.__defaults__, function.__closure__
    )


class ForkedKernel(ipkernel.IPythonKernel):
    """ipykernel's IPythonKernel without the debugger's list of module files."""

    __init__ = _without_module_walk(ipkernel.IPythonKernel.__init__, ipkernel)


_init_code = _without_module_walk(shellapp.InteractiveShellApp.init_code, shellapp)


class ForkedKernelApp(IPKernelApp, _ConfiguredOnce):
    """ipykernel's IPKernelApp, its configuration read before the fork (MRO: IPKernelApp,
    then _ConfiguredOnce, then BaseIPythonApplication), making a ``ForkedKernel``."""

    kernel_class = Type(ForkedKernel, klass=ipkernel.IPythonKernel, help="The kernel made.")
    modules_at_fork: frozenset[str] = frozenset()  # sys.modules' names in the zygote

    def init_code(self) -> None:
        """IPython's start-up code step; the module names kept for ``%reset -f aggressive``
        are the zygote's (one shared set), not a new set of the same ~870 names."""
        _init_code(self)
        if self.shell is not None:
            self.shell._sys_modules_keys = self.modules_at_fork  # type: ignore[assignment]


def prepare_app(options: tuple[str, ...]) -> ForkedKernelApp:
    """In the zygote: the kernel application, configured with the lean kernel's `options`.

    Nothing here opens a socket, a file or a thread: the profile folder and config files are
    read, as every kernel would read them. The application is the process's IPKernelApp
    singleton, which each child then initialises with its own connection file.
    """
    app = ForkedKernelApp.instance()
    BaseIPythonApplication.initialize(app, list(options))
    app.prepared_options = tuple(options)
    return app


def note_modules(app: ForkedKernelApp) -> None:
    """In the zygote, once everything is imported: the module names each kernel keeps."""
    app.modules_at_fork = frozenset(sys.modules)


def run(request: dict[str, Any], zygote_pid: int) -> None:
    """Become the kernel `request` describes and serve until it is shut down."""
    become_kernel(request, zygote_pid)
    run_ipykernel(request["argv"], request.get("bound_fd"))


def become_kernel(request: dict[str, Any], zygote_pid: int) -> None:
    """Session, title, signals, environment, folder and random state of a fresh kernel."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as Python starts
    set_title(f"{title_of(request['argv'])} (SafeShare kernel, forked from zygote {zygote_pid})")
    os.environ.clear()
    os.environ.update(request["env"])
    with contextlib.suppress(OSError):
        os.chdir(request["cwd"])
    random.seed()  # the zygote's state must not be every learner's
    sys.argv = ["-c", *request["argv"]]


def run_ipykernel(argv: list[str], bound_fd: int | None = None) -> None:
    """IPKernelApp.launch_instance(argv), with ipywidgets' comm targets registered; once its
    sockets are bound, one byte on `bound_fd` tells the provisioner so (and it is closed)."""
    app = IPKernelApp.instance()  # the zygote's ForkedKernelApp, when it prepared one
    # The parent's pid was read from the environment when ipykernel was imported, in the
    # zygote; the kernel's own (Voilà's, as jupyter_client's launcher sets it) is given here.
    app.parent_handle = int(os.environ.get("JPY_PARENT_PID") or 0)
    app.initialize(argv)
    ipywidgets.register_comm_target()
    if bound_fd is not None:
        with contextlib.suppress(OSError):
            os.write(bound_fd, b"B")
        os.close(bound_fd)
    app.start()


def title_of(argv: list[str]) -> str:
    """`ipykernel -f <connection file> …` from the kernel's arguments."""
    return " ".join(["ipykernel", *argv])


def set_title(title: str) -> bool:
    """Show `title` as this process's command line (/proc/<pid>/cmdline); False if it cannot.

    Linux reads a process's command line from its original argument area; when the last byte
    of that area is not NUL it reads a title up to the first NUL instead (what setproctitle
    relies on). The title is cut to the area's size; nothing past the area is touched.
    """
    area = _argument_area()
    if area is None:
        return False
    start, end = area
    size = end - start
    if size < 2:
        return False
    data = title.encode("utf-8", "replace")[: size - 2] + b"\0"
    data += b" " * (size - len(data))  # the area's last byte not NUL: "a title, read to NUL"
    ctypes.memmove(start, data, size)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(PR_SET_NAME, b"safeshare-kernel", 0, 0, 0)
    return True


def _argument_area() -> tuple[int, int] | None:
    """(arg_start, arg_end) of this process, from /proc/self/stat (fields 48 and 49)."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            raw = stat.read()
        fields = raw[raw.rindex(b")") + 2 :].split()
        return int(fields[45]), int(fields[46])  # fields[0] is field 3 (the state)
    except (OSError, ValueError, IndexError):
        return None
