"""The learner app's entry point: the one call the learner notebook makes.

With preheated kernels this runs before any learner arrives: the case library is loaded,
the store opened and the page built ahead of time; only the part that depends on the
request (``?scenario=``, ``?session=``, ``?resume=``) waits for the page's query string.
"""

from __future__ import annotations

from toolkit.app.guard import configure_logging
from toolkit.app.identity import Query, request_query
from toolkit.app.journey import LearnerApp
from toolkit.cases import load_library
from toolkit.settings import REPO_ROOT, Settings
from toolkit.storage import open_store


def build(settings: Settings) -> LearnerApp:
    """The app over the bundled (or configured) cases and the configured store."""
    configure_logging(REPO_ROOT / "var" / "log")
    library = load_library(settings.case_dirs)
    return LearnerApp(library, open_store(settings.database_url))


def show(settings: Settings | None = None, query: Query | None = None) -> None:
    """Display the learner app, then act on the page's query string.

    Returns None on purpose: a returned widget would be displayed a second time as the
    cell's value.
    """
    from IPython.display import display

    app = build(settings or Settings.from_env())
    display(app.widget)
    app.start(query if query is not None else request_query())
