"""The learner app's entry point: the one call the learner notebook makes.

With preheated kernels this runs before any learner arrives: the case library is loaded,
the store opened and the page built ahead of time; only the part that depends on the
request (``?scenario=``, ``?session=``, ``?resume=``) waits for the page's query string.

Importing this module is cheap on purpose (the widgets, the store and the case model are
imported inside the functions): ``toolkit.serving`` imports it to write the library snapshot
without pulling ipywidgets or SQLAlchemy into the supervisor.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.app.identity import Query
    from toolkit.app.journey import LearnerApp
    from toolkit.cases import Library

# Set by toolkit.serving: a pickled library of scenarios, parsed once by the server for all
# its warm kernels. Parsing the YAML (with line numbers) in every kernel cost ~1 s of CPU
# each, so 30 s of the 60 s budget for warming a room of 30.
SNAPSHOT_VAR = "SAFESHARE_LIBRARY_SNAPSHOT"
# The server writes the snapshot while Voilà starts up, so a kernel may ask before it is
# there; past this wait (or on a failure marker) the kernel parses the files itself.
SNAPSHOT_WAIT_SECONDS = 60.0
FAILED_SUFFIX = ".failed"


def write_library_snapshot(settings: Settings, path: Path) -> int:
    """Parse the scenarios under settings.case_dirs once and pickle them to `path`.

    Only scenarios are kept (the learner never shows reviews). The file is written by the
    server into its own private temp folder and read back only by its own kernels.
    Returns the number of scenarios.
    """
    from toolkit.cases import Library, load_library

    try:
        library = load_library(settings.case_dirs)
        files = {k: v for k, v in library.files.items() if k in library.scenarios}
        snapshot = Library(scenarios=library.scenarios, files=files)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)  # atomic: a kernel never reads half a file
    except BaseException:
        path.with_name(path.name + FAILED_SUFFIX).touch()
        raise
    return len(snapshot.scenarios)


def read_library(settings: Settings) -> Library:
    """The server's snapshot when there is one, else the case files parsed here."""
    snapshot = os.environ.get(SNAPSHOT_VAR)
    if snapshot:
        path = Path(snapshot)
        deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
        while not path.is_file() and time.monotonic() < deadline:
            if path.with_name(path.name + FAILED_SUFFIX).exists():
                break
            time.sleep(0.05)
        if path.is_file():
            return pickle.loads(path.read_bytes())
    from toolkit.cases import load_library

    return load_library(settings.case_dirs)


def build(settings: Settings) -> LearnerApp:
    """The app over the bundled (or configured) cases and the configured store.

    StoreUnavailable when the database is still not ready after ``settings.store_wait``.
    """
    from toolkit.app.database import kernel_store
    from toolkit.app.guard import configure_logging
    from toolkit.app.lms_learner import LmsLearnerApp

    configure_logging(settings.log_path)
    app = LmsLearnerApp(read_library(settings), kernel_store(settings))
    warm_scoring()
    return app


def warm_scoring() -> None:
    """Compile the rationale detector now, while the kernel waits in the pool.

    Left to the learner's first Submit it cost 0.4–0.7 s on that click (measured), for
    well under 1 MiB of memory.
    """
    from toolkit.scoring.rationale import analyse

    analyse("warm up")


def show(settings: Settings | None = None, query: Query | None = None) -> None:
    """Display the learner app, then act on the page's query string.

    Returns None on purpose: a returned widget would be displayed a second time as the
    cell's value.
    """
    from IPython.display import display

    from toolkit.app.database import show_unavailable
    from toolkit.app.identity import mark_failed, request_query
    from toolkit.app.pause import when_paused
    from toolkit.errors import StoreUnavailable

    try:
        app = build(settings or Settings.from_env())
    except StoreUnavailable as exc:  # expected when the database is down: say so
        show_unavailable(exc)
        return
    except BaseException:  # a bug: the cell fails, and a warm kernel leaves the room
        mark_failed()
        raise
    when_paused(app.pause)  # the learner server pauses a page left idle (toolkit.serving)
    display(app.widget)
    release_free_memory()
    app.start(query if query is not None else request_query())


def release_free_memory() -> None:
    """Hand start-up garbage back to the OS before a preheated kernel waits in the pool.

    glibc keeps freed heap pages; malloc_trim returns them (measured: 2 MiB RSS less per
    kernel, 60 MiB for a room of 30). Elsewhere than glibc this does nothing.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
