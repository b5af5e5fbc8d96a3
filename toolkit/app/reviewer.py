"""The reviewer app's entry point: the one call the reviewer notebook makes.

The reviewer app needs no query string and no database: it reads the bundled reviews and
whatever chronology the reviewer uploads. With preheated kernels the first review is drawn
before anyone opens the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from toolkit.app.guard import configure_logging
from toolkit.app.review_desk import ReviewerApp
from toolkit.cases import load_library
from toolkit.settings import Settings


def review_folders(case_dirs: Iterable[Path]) -> list[Path]:
    """Each case folder's ``reviews/`` when it has one (scenarios are not needed here)."""
    return [folder / "reviews" if (folder / "reviews").is_dir() else folder for folder in case_dirs]


def build(settings: Settings) -> ReviewerApp:
    """The app over the reviews in the configured case folders."""
    configure_logging(settings.log_path)
    library = load_library(review_folders(settings.case_dirs))
    return ReviewerApp(library.reviews, library.problems)


def show(settings: Settings | None = None) -> None:
    """Display the reviewer app with the first bundled review open.

    Returns None on purpose: a returned widget would be displayed a second time as the
    cell's value.
    """
    from IPython.display import display

    app = build(settings or Settings.from_env())
    display(app.widget)
    app.start()
