"""The server's side of a SCORM package: a launch for the LMS's learner, and their progress.

A SCO page (toolkit/lms/scorm_sco.js) calls ``launch`` with its package and scenario, the
LMS's student id and the secret the LMS kept for the learner (``cmi.suspend_data``). Who
the learner is:

- the student id, within the package, is their LMS identity (stored like an LTI ``sub``);
- the secret proves it is the same LMS record: an LMS student id is often a plain number,
  and anyone can read a package's script, so the id alone must not open someone's answers.
  A matching secret resumes the learner; a new LMS user, or one whose LMS lost the secret
  (a new attempt in the LMS), starts as a new SafeShare learner with a new secret, and
  the answers given before stay in the cohort for the trainer.

``launch`` returns the learner page's address (with a single-use ticket), a status token
(valid for STATUS_HOURS, read-only) and the secret to keep; ``status`` reads the learner's
latest attempt at the scenario from the stored answers.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlencode

from toolkit.errors import AccessDenied, SafeShareError
from toolkit.lms import addresses
from toolkit.lms.scorm import CONTEXT, ISSUER_PREFIX
from toolkit.settings import Settings
from toolkit.storage import Store
from toolkit.storage import lms as records

PACKAGE = re.compile(r"^[0-9a-f]{32}$")
SCENARIO = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
STUDENT_MAX = 255
STATUS_HOURS = 12


class ScormRefused(SafeShareError):
    """A SCORM call SafeShare will not answer; the message is shown in the SCO page."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


def launch(
    store: Store, body: Mapping[str, Any], scenarios: Collection[str], settings: Settings
) -> dict[str, str]:
    """Map the LMS's learner to ours and hand their page a ticket (see the module doc)."""
    package, scenario = _text(body, "package"), _text(body, "scenario")
    student, secret = _text(body, "student"), _text(body, "secret")
    if not (PACKAGE.match(package) and SCENARIO.match(scenario)):
        raise ScormRefused("this page does not name a SafeShare package and scenario")
    if not student or len(student) > STUDENT_MAX:
        raise ScormRefused("the learning platform gave no learner id (cmi.core.student_id)")
    issuer = ISSUER_PREFIX + package
    link = records.find_link(store, issuer, "", scenario)
    if link is None or scenario not in scenarios:
        raise ScormRefused("this SafeShare package or scenario is not known here", 404)
    cohort = records.course_cohort(
        store, issuer, "", CONTEXT, f"SCORM: {link['title'] or package}", settings.retention_days
    )
    try:
        learner, mapping = records.course_learner(store, issuer, student, cohort)
        if mapping["secret_digest"] is None or records.digest(secret) != mapping["secret_digest"]:
            if mapping["secret_digest"] is not None:  # not the same LMS record: start afresh
                learner = store.learner(cohort_code=cohort["code"])
            secret = secrets.token_urlsafe(24)
            records.set_secret(store, mapping["id"], secret, learner["id"])
    except AccessDenied:
        raise ScormRefused("this SafeShare package's workshop is closed", 403) from None
    ticket = records.issue_ticket(
        store,
        "learner",
        cohort["id"],
        settings.ticket_seconds,
        learner_id=learner["id"],
        link_id=link["id"],
    )
    status = records.issue_ticket(
        store,
        "status",
        cohort["id"],
        STATUS_HOURS * 3600,
        learner_id=learner["id"],
        link_id=link["id"],
    )
    app = addresses.learner_base(settings) + "?" + urlencode({"ticket": ticket})
    return {"app": app, "status": status, "secret": secret}


def status(store: Store, body: Mapping[str, Any]) -> dict[str, Any]:
    """The learner's progress on the package's scenario: decisions answered, whether the
    attempt is finished, and its points and score (0–1) so far."""
    try:
        ticket = records.peek_ticket(store, _text(body, "status"), "status")
    except records.TicketRefused:
        raise ScormRefused("this session has ended: open the activity again", 403) from None
    scenario = records.link(store, ticket["link_id"])["scenario_id"]
    attempts = [a for a in store.attempts(ticket["learner_id"]) if a["scenario_id"] == scenario]
    if not attempts:
        return {"answered": 0, "finished": False, "points": 0, "max_points": 0, "score": 0}
    attempt = attempts[-1]
    answers = store.answers(attempt["id"])
    points = sum(a["points"] for a in answers)
    most = sum(a["max_points"] for a in answers)
    return {
        "answered": len(answers),
        "finished": attempt["finished_at"] is not None,
        "points": points,
        "max_points": most,
        "score": round(points / most, 4) if most else 0,
    }
