"""An LMS instructor's sign-in to the trainer server: for their course's cohort only.

The LTI tool sends an instructor's browser to the trainer app with ``?ticket=…`` (an
"instructor" ticket, single-use, seconds long; toolkit.lms.launches). The trainer server's
identity provider (toolkit.serving.voila_repairs) asks this module about any request that
Jupyter's token did not sign in:

- a page request with a ticket is signed in: the ticket is taken, a signed cookie naming the
  course's cohort is set for sign_in.SIGN_IN_HOURS, and the browser is sent to the same
  address without the ticket;
- a request with that cookie (the page, its kernel's API and websocket) is a course user;
- every page request of a course user is rewritten to ``?course=<cohort code>``, whatever it
  asked for, so the trainer kernel (toolkit.app.trainer.show) builds that cohort's dashboard
  and nothing else: no cohort list, no other cohort's answers.

Trainers who sign in with the token are not affected.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jupyter_server.auth.identity import User

from toolkit.serving import sign_in

COOKIE = "safeshare_course"
TICKET_REFUSED = (
    "This link from your course has already been used or has expired. Go back to your "
    "course and open SafeShare again."
)
USER_PREFIX = "lms-course:"
log = logging.getLogger("safeshare.lti.course")


def course_of(user: Any) -> str | None:
    """The cohort code a course user may see; None for a token-signed trainer."""
    name = getattr(user, "username", "")
    return name[len(USER_PREFIX) :] if name.startswith(USER_PREFIX) else None


def _user(code: str) -> User:
    return User(username=USER_PREFIX + code, name="LMS instructor", display_name="LMS instructor")


def user_from(handler: Any, store: Any, is_page: bool) -> User | None:
    """The course user of this request (cookie, or a ticket on a page request), else None."""
    code = handler.get_secure_cookie(COOKIE, max_age_days=sign_in.SIGN_IN_HOURS / 24)
    if code:
        return _user(code.decode("ascii"))
    ticket = handler.get_query_argument("ticket", None)
    if not (is_page and ticket):
        return None
    from toolkit.storage import lms as records

    try:
        row = records.redeem_ticket(store(), ticket, "instructor")
    except records.TicketRefused as exc:
        log.info("instructor ticket refused: %s", exc)
        _refuse(handler)
        return None
    handler.set_secure_cookie(
        COOKIE,
        row["cohort_code"],
        expires_days=sign_in.SIGN_IN_HOURS / 24,
        httponly=True,
        samesite="Lax",
        secure=handler.request.protocol == "https",
    )
    kept = [(k, v) for k, v in parse_qsl(handler.request.query) if k != "ticket"]
    handler.redirect(handler.request.path + (f"?{urlencode(kept)}" if kept else ""))
    return _user(row["cohort_code"])


def _refuse(handler: Any) -> None:
    """Answer the page with why it will not open (instead of the token prompt)."""
    from toolkit.serving.lti.pages import refused

    handler.set_status(403)
    handler.set_header("Content-Type", "text/html; charset=UTF-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(refused("instructor ticket refused", TICKET_REFUSED))


def scope_page(handler: Any, code: str) -> None:
    """Make a course user's page request ask for their course, and only that."""
    handler.request.query = urlencode({"course": code})
    handler.request.arguments = {"course": [code.encode("ascii")]}
    handler.request.query_arguments = {"course": [code.encode("ascii")]}
