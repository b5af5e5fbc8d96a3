"""A learner page paused for idleness: the panel it shows, and the hook the server calls.

The learner server frees the kernel of a page left idle (toolkit.serving.pausing). Just
before, it runs ``pause_page`` in that kernel, which calls the page's registered callback:
the learner app then replaces what it shows with ``paused_html``, a panel whose Continue
link reopens the app where the learner was. Answers are stored at every Submit, so nothing
submitted is lost; a choice made but not submitted is.

One kernel serves one page, so the registry holds one callback: the page's.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from toolkit.i18n import Translator, translator
from toolkit.widgets.html import tag, text_tag

_callbacks: list[Callable[[float], None]] = []


def when_paused(callback: Callable[[float], None]) -> None:
    """Have `callback(idle_seconds)` run when the server pauses this kernel's page."""
    _callbacks[:] = [callback]


def pause_page(idle_seconds: float) -> None:
    """What the server runs in the kernel before freeing it."""
    for callback in list(_callbacks):
        callback(idle_seconds)


def continue_address(
    resume: str | None,
    scenario: str | None = None,
    session: str | None = None,
    lang: str | None = None,
) -> str:
    """The relative address that reopens the app where the learner was: their resume code
    and the scenario they had open; a learner who never started keeps their cohort's code.
    A page in Welsh reopens in Welsh."""
    params = {"resume": resume} if resume else ({"session": session} if session else {})
    if resume and scenario:
        params["scenario"] = scenario
    if lang and lang != "en":
        params["lang"] = lang
    return "?" + urlencode(params)


def paused_html(idle_seconds: float, address: str, t: Translator | None = None) -> str:
    """The panel a paused page shows: why, that the answers are kept, and the way back."""
    t = t or translator("en")
    minutes = max(1, round(idle_seconds / 60))
    span = t.ngettext("{n} minute", "{n} minutes", minutes)
    link = text_tag("a", t._("Continue where you left off"), href=address, class_="ss-continue")
    return tag(
        "div",
        text_tag("h2", t._("This page is paused"))
        + text_tag(
            "p",
            t._(
                "Nothing happened on it for {span}, so its place on the server was given to "
                "someone waiting. Every answer you submitted is saved.",
                span=span,
            ),
        )
        + tag("p", link),
        class_="ss-msg ss-info",
        role="status",
    )
