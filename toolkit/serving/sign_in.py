"""Trainer sign-in: the token leaves the address bar at once, and a sign-in lasts a workshop day.

Trainers open the link `safeshare trainer` prints (…/?token=…). Jupyter accepted the token
and set its login cookie, but the token stayed in the address bar (on the projector during a
debrief, in the browser's history, in the page's query string and so in the trainer kernel's
environment) and the cookie lasted Tornado's default 30 days. Now a page request that signs
in with the token in its URL is answered with a redirect to the same address without it, and
the login cookie lasts SIGN_IN_HOURS: the browser drops it then, and the server refuses an
older one even if a browser kept it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

SIGN_IN_HOURS = 12
TOKEN_ARGUMENT = "token"


def cookie_options() -> dict[str, Any]:
    """How the login cookie is set: for SIGN_IN_HOURS, and never sent by another site's form."""
    return {"expires_days": SIGN_IN_HOURS / 24, "samesite": "Lax"}


def cookie_check() -> dict[str, Any]:
    """How the login cookie is read: one older than SIGN_IN_HOURS is no sign-in at all."""
    return {"max_age_days": SIGN_IN_HOURS / 24}


def address_without_token(handler: Any) -> str | None:
    """Where to send a request that signed in with ?token= in its URL; None for any other.

    The same path and query, less the token, so a link with other parameters keeps them.
    """
    if not getattr(handler, "_token_authenticated", False):
        return None
    pairs = parse_qsl(handler.request.query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if key != TOKEN_ARGUMENT]
    if len(kept) == len(pairs):  # signed in by header, not by the address
        return None
    return handler.request.path + (f"?{urlencode(kept)}" if kept else "")
