"""What the zygote holds before it forks: everything a learner kernel would load, loaded once.

``prepare`` imports the modules a learner kernel imports on its way to its first answer
(PRELOAD, measured from a learner kernel's sys.modules), configures the kernel application
(``toolkit.serving.forked_kernel.prepare_app``), compiles the rationale detector, unpickles
the server's case library, collects the garbage, hands free heap back to the system and
freezes the rest (``gc.freeze()``: no collection in a child ever walks, and so writes to, the
shared objects). Nothing here connects to a database, makes a ZeroMQ context or event loop,
starts a thread or keeps a file open.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

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
    "toolkit.app.lms_learner",
    "toolkit.storage.lms",
    "toolkit.i18n",
    "toolkit.widgets.a11y",
    "anywidget",
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
    from toolkit.serving.forked_kernel import note_modules, prepare_app
    from toolkit.serving.lean_kernel import KERNEL_OPTIONS

    app = prepare_app(KERNEL_OPTIONS)  # the kernel application, configured once for every child
    learner.warm_scoring()  # the detector's patterns compiled once, shared by every kernel
    share_library(learner, environ)
    note_modules(app)
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
