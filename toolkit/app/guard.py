"""Widget callbacks that fail safely: the learner sees what to do, the log gets the traceback.

Widget messages are an API anyone can call, and any traceback printed in a callback would
travel to the page over the kernel connection. So every callback runs inside ``guarded``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.errors import SafeShareError

log = logging.getLogger("safeshare.app")

UNEXPECTED = "Something went wrong on our side. Your earlier answers are safe; please try again."


def configure_logging(folder: Path) -> None:
    """Send app logs to a file (never to the kernel's stderr, which reaches the page)."""
    root = logging.getLogger("safeshare")
    if any(isinstance(h, logging.FileHandler) for h in root.handlers):
        return
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / "app.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def guarded(show_error: Callable[[str], None]) -> Callable:
    """Decorate a callback: SafeShareErrors show their message; anything else a plain apology."""

    def decorate(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except SafeShareError as exc:
                log.info("refused: %s", exc)
                show_error(str(exc))
            except Exception:  # noqa: BLE001 - the learner must never see a traceback
                log.exception("callback %s failed", callback.__name__)
                show_error(UNEXPECTED)
            return None

        return run

    return decorate
