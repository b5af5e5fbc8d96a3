"""toolkit.app.guard.guarded: what a failed callback shows on the page."""

from __future__ import annotations

import pytest

from toolkit.app.guard import UNEXPECTED, guarded
from toolkit.errors import AccessDenied, MissingEntry


def _raise(exc: Exception):
    def callback() -> None:
        raise exc

    return callback


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (AccessDenied("this scenario is finished"), "this scenario is finished"),
        (MissingEntry("no answer to d2 in attempt 7"), "Start again, please."),
        (KeyError("d2"), UNEXPECTED),
    ],
)
def test_errors_are_shown_in_the_pages_words(error, shown):
    """Does a SafeShareError show its message, a `plain` kind the page's own words instead,
    and anything else the apology, never the internal text?"""
    seen: list[str] = []
    guarded(seen.append, plain={MissingEntry: "Start again, please."})(_raise(error))()
    assert seen == [shown]
