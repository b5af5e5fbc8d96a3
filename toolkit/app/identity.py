"""Who is asking: the query string of the page that opened this kernel.

With preheated kernels the notebook starts before any page asks for it; Voilà's
``get_query_string`` blocks until the request arrives. Outside Voilà (nbval, JupyterLab)
there is no request, so the query is empty.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
CODE = re.compile(r"^[A-Za-z0-9-]{4,24}$")


@dataclass(frozen=True)
class Query:
    """The parameters a learner's URL may carry; anything malformed is dropped, not trusted."""

    scenario: str | None = None
    session: str | None = None
    resume: str | None = None


def parse_query(text: str | None) -> Query:
    """Parse ``?scenario=…&session=…&resume=…``; values that misfit their pattern are dropped."""
    raw = parse_qs(text or "", keep_blank_values=False)

    def first(name: str, pattern: re.Pattern) -> str | None:
        value = (raw.get(name) or [None])[0]
        return value if value and pattern.match(value) else None

    return Query(
        scenario=first("scenario", SCENARIO_ID),
        session=(first("session", CODE) or "").upper() or None,
        resume=(first("resume", CODE) or "").upper() or None,
    )


def mark_warm() -> None:
    """Tell `toolkit.serve` this preheated kernel has done its start-up work.

    The notebook is about to block waiting for its page, so the kernel stays "busy";
    the server's readiness check looks for this file instead.
    """
    folder, kernel = os.environ.get("SAFESHARE_READY_DIR"), os.environ.get("VOILA_KERNEL_ID")
    if folder and kernel and os.path.isdir(folder):
        with open(os.path.join(folder, os.path.basename(kernel)), "w"):
            pass


def request_query() -> Query:
    """The current page's query, waiting for it when running in a preheated Voilà kernel."""
    if os.environ.get("VOILA_KERNEL_ID") or os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import get_query_string

        mark_warm()
        return parse_query(get_query_string())
    return parse_query(os.environ.get("QUERY_STRING"))
