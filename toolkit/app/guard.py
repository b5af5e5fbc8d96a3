"""Widget callbacks that fail safely: the learner sees what to do, the log gets the traceback.

Widget messages are an API anyone can call, and any traceback printed in a callback would
travel to the page over the kernel connection. So every callback runs inside ``guarded``,
and in a Voilà kernel ``configure_logging`` also keeps the kernel's own error reports off
the page (see ``keep_errors_off_the_page``).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from toolkit.app.logfile import log_file_handler
from toolkit.errors import SafeShareError
from toolkit.i18n import N_

log = logging.getLogger("safeshare.app")

# Shown in the page's language: every app translates the messages its guard shows.
UNEXPECTED = N_(
    "Something went wrong on our side. Your earlier answers are safe; please try again."
)
# Variables Voilà sets in every kernel it starts, preheated or not.
VOILA_MARKERS = ("VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_BASE_URL")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def configure_logging(path: Path) -> None:
    """Send app logs to the file at `path` (the log_path setting), never to the kernel's
    stderr, which reaches the page. The file is rotated by size and floods of one record
    are cut short (toolkit.app.logfile)."""
    root = logging.getLogger("safeshare")
    if any(isinstance(h, logging.FileHandler) for h in root.handlers):
        return
    handler = log_file_handler(path)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    if served_by_voila():
        keep_errors_off_the_page(handler)


def served_by_voila() -> bool:
    """Is this process a kernel Voilà started for a page?"""
    return any(name in os.environ for name in VOILA_MARKERS)


def keep_errors_off_the_page(handler: logging.Handler) -> None:
    """Route every error report the kernel would send to its clients into ``handler``.

    Measured (issue 9): a malformed widget message made ipywidgets call IPython's
    ``showtraceback``, which sends an ``error`` message with the full traceback to every
    client on the kernel's connection; ipykernel's comm manager logged tracebacks through a
    logger with no handler, so Python printed them to stderr, which the kernel forwards too.
    After this, library log records and warnings go to the log file, and IPython's
    tracebacks go there as well: clients get nothing for a widget message, and only a
    bare "Error" (which Voilà replaces with its own notice) for a failed notebook cell.
    """
    top = logging.getLogger()
    if handler not in top.handlers:
        top.addHandler(handler)
    logging.captureWarnings(True)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the app always runs in IPython
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "_showtraceback"):
        shell._showtraceback = _traceback_to_log(shell, shell._showtraceback)


class Error(Exception):
    """What a failed notebook cell reports to its clients: a name that gives nothing away."""


def _traceback_to_log(shell: Any, send: Callable[[Any, Any, list], None]) -> Callable:
    def show(etype: type, evalue: BaseException, stb: list[str]) -> None:
        text = "\n".join(_ANSI.sub("", line) for line in stb or [])
        log.error("kernel error kept off the page: %s: %s\n%s", etype.__name__, evalue, text)
        if _parent_type(shell) == "execute_request":
            send(Error, "details are in the server log", [])

    return show


def _parent_type(shell: Any) -> str | None:
    parent = shell.get_parent() if hasattr(shell, "get_parent") else {}
    header = parent.get("header", parent) if isinstance(parent, dict) else {}
    return header.get("msg_type") if isinstance(header, dict) else None


def guarded(
    show_error: Callable[[str], None], plain: Mapping[type[SafeShareError], str] | None = None
) -> Callable:
    """Decorate a callback: SafeShareErrors show their message; anything else a plain apology.

    ``plain`` maps kinds of SafeShareError whose own text is not for this page (the store's
    MissingEntry names internal ids) to the words to show instead.
    """

    def decorate(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except SafeShareError as exc:
                log.info("refused: %s", exc)
                instead = (text for kind, text in (plain or {}).items() if isinstance(exc, kind))
                show_error(next(instead, str(exc)))
            except Exception:  # noqa: BLE001 - the learner must never see a traceback
                log.exception("callback %s failed", callback.__name__)
                show_error(UNEXPECTED)
            return None

        return run

    return decorate
