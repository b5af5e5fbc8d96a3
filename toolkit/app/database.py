"""How an app's kernel gets its store: migrated once by the server, attached in each kernel.

Issue 15: every warm kernel used to bring the schema up to date itself. With the database
locked or down while the room refilled, each new kernel failed that step, stayed in the
room, and handed the next learners a page without the app. Now ``toolkit.serving`` migrates
the database when it starts (``prepare_store``, retried until it succeeds) and tells its
kernels so (STORE_PREPARED_VAR); a kernel then only attaches, waiting up to ``store_wait``
seconds for the database. Outside our server (nbval, JupyterLab, a Voilà someone else runs)
nobody has migrated it, so the kernel does.

Importing this module is cheap: the supervisor imports it.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.storage import Store

STORE_PREPARED_VAR = "SAFESHARE_STORE_PREPARED"
# Said in both languages: the page's language is not known until the app has started.
UNAVAILABLE = (
    "SafeShare cannot reach its database just now, so this page cannot start. Nothing is "
    "lost: reload the page in a minute."
)
UNAVAILABLE_CY = (
    "Ni all SafeShare gyrraedd ei gronfa ddata ar hyn o bryd, felly ni all y dudalen hon "
    "ddechrau. Does dim wedi'i golli: ail-lwythwch y dudalen ymhen munud."
)
log = logging.getLogger("safeshare.app.database")


def prepare_store(settings: Settings) -> None:
    """Bring the store's schema up to date, in the server, before its kernels attach.

    Besides keeping kernels working through a database outage, this keeps Alembic and its
    templates out of every warm kernel (measured: +11 MiB RSS each on a new database).
    """
    from toolkit.storage import open_store

    with open_store(settings.database_url):
        pass


def kernel_store(settings: Settings, environ: dict[str, str] | os._Environ = os.environ) -> Store:
    """The store for this kernel: attached when our server prepared it (StoreUnavailable if
    the database is still not ready after ``store_wait`` seconds), else opened and migrated."""
    from toolkit.storage import attach_store, open_store

    if environ.get(STORE_PREPARED_VAR):
        return attach_store(settings.database_url, settings.store_wait)
    return open_store(settings.database_url)


def show_unavailable(exc: Exception) -> None:
    """Say on the page that the app cannot start, and mark this kernel failed, so a warm
    kernel is dropped from the room and replaced rather than handed to a learner."""
    from IPython.display import HTML, display

    from toolkit.app.identity import mark_failed

    log.warning("app not started: %s", exc)
    mark_failed()
    display(
        HTML(
            f'<div class="ss-msg ss-error" role="alert"><p>{UNAVAILABLE}</p>'
            f'<p lang="cy">{UNAVAILABLE_CY}</p></div>'
        )
    )
