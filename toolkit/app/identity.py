"""Who is asking: the query string of the page that opened this kernel.

With preheated kernels the notebook starts before any page asks for it and must wait for
the request. Voilà's own helper for that (``voila.utils.get_query_string``) is not used:
importing ``voila.utils`` pulls jupyter_server and jupyterlab_server into the kernel,
measured at +45 MiB per learner kernel. ``wait_for_request`` below speaks the same small
protocol (one websocket message from Voilà's ``/voila/query/<kernel id>`` handler) with the
``websockets`` client alone. Outside Voilà (nbval, JupyterLab) there is no request, so the
query is empty.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from toolkit.i18n import language_of

SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
CODE = re.compile(r"^[A-Za-z0-9-]{4,24}$")
# An LMS launch's single-use ticket (toolkit.storage.lms): 256 random bits, URL-safe.
TICKET = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$")
# A resume code that was given but cannot be one becomes this, which no learner holds (resume
# codes are letters, digits and dashes): the app then says the code was not recognised,
# rather than silently starting the learner afresh as if they had given none.
UNREADABLE_CODE = "?"
log = logging.getLogger("safeshare.app.identity")
# Set by toolkit.serving: its private folder, where a kernel leaves <kernel id> once warm,
# or <kernel id>.failed when its start-up failed.
READY_DIR_VAR = "SAFESHARE_READY_DIR"
FAILED_SUFFIX = ".failed"


@dataclass(frozen=True)
class Query:
    """The parameters a learner's URL may carry; anything malformed is dropped, not trusted."""

    scenario: str | None = None
    session: str | None = None
    resume: str | None = None
    ticket: str | None = None  # an LMS launch (learner app)
    course: str | None = None  # the cohort an LMS instructor may see (trainer app)
    # The interface language the page asks for (``?lang=cy``), and the locale an LMS launch
    # passes (``?locale=cy-GB``); only languages the app has are kept.
    lang: str | None = None
    locale: str | None = None


def parse_query(text: str | None) -> Query:
    """Parse ``?scenario=…&session=…&resume=…&lang=…&locale=…`` (and an LMS launch's
    ``ticket`` or ``course``); values that misfit their pattern are dropped.

    A malformed resume code becomes UNREADABLE_CODE instead, so the learner is told.
    """
    raw = parse_qs(text or "", keep_blank_values=False)

    def first(name: str, pattern: re.Pattern) -> str | None:
        value = (raw.get(name) or [None])[0]
        return value if value and pattern.fullmatch(value) else None

    resume = (first("resume", CODE) or "").upper() or None
    return Query(
        scenario=first("scenario", SCENARIO_ID),
        session=(first("session", CODE) or "").upper() or None,
        resume=UNREADABLE_CODE if resume is None and raw.get("resume") else resume,
        ticket=first("ticket", TICKET) or (UNREADABLE_CODE if raw.get("ticket") else None),
        course=(first("course", CODE) or "").upper() or None,
        lang=language_of(first("lang", LANGUAGE)),
        locale=language_of(first("locale", LANGUAGE)),
    )


def mark_warm() -> None:
    """Tell `toolkit.serving` this preheated kernel has done its start-up work.

    The notebook is about to block waiting for its page, so the kernel stays "busy";
    the server's readiness check looks for this file instead.
    """
    _touch_marker("")


def mark_failed() -> None:
    """Tell `toolkit.serving` this kernel's start-up failed: a warm kernel marked so is
    dropped from the room and replaced, never handed to a learner (see FAILED_SUFFIX)."""
    _touch_marker(FAILED_SUFFIX)


def _touch_marker(suffix: str) -> None:
    folder, kernel = os.environ.get(READY_DIR_VAR), os.environ.get("VOILA_KERNEL_ID")
    if folder and kernel and os.path.isdir(folder):
        with open(os.path.join(folder, os.path.basename(kernel) + suffix), "w"):
            pass


def query_socket_url(environ: dict[str, str] | os._Environ = os.environ) -> str:
    """Where Voilà hands a preheated kernel its request (as voila.utils.wait_for_request)."""
    protocol = environ.get("VOILA_WS_PROTOCOL", "ws")
    host = environ.get("VOILA_APP_IP", "127.0.0.1")
    port = environ.get("VOILA_APP_PORT", "8866")
    base = environ.get("VOILA_WS_BASE_URL", environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{environ.get('VOILA_KERNEL_ID')}"


def wait_for_request() -> None:
    """Block until a page takes this preheated kernel; put its request into os.environ.

    Voilà sends one JSON object (QUERY_STRING, SCRIPT_NAME, SERVER_NAME…) once a page
    request is given this kernel. If the socket cannot be reached the query stays empty
    and the learner gets the scenario list, as Voilà's helper does.
    """
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    try:
        # proxy=None: the socket is Voilà's own, on this machine; an http_proxy in the
        # environment must not intercept it.
        with connect(query_socket_url(), open_timeout=5, proxy=None, max_size=2**20) as ws:
            info = json.loads(ws.recv())
    except (OSError, TimeoutError, ValueError, WebSocketException) as exc:
        log.warning("no request info from Voilà: %s", exc)
        return
    os.environ.update({str(k): str(v) for k, v in info.items()})


def request_query() -> Query:
    """The current page's query, waiting for it when running in a preheated Voilà kernel."""
    in_voila = os.environ.get("VOILA_KERNEL_ID") or os.environ.get("VOILA_PREHEAT") == "True"
    if in_voila:
        mark_warm()
    if os.environ.get("VOILA_PREHEAT") == "True":
        wait_for_request()
    return parse_query(os.environ.get("QUERY_STRING"))
