"""A validated LTI launch becomes a course cohort, a learner or an instructor, and a ticket.

Called only with claims PyLTI1p3 has already validated. What is read, and what is not:

- ``iss`` and ``sub``: the learner is the platform's ``sub`` within its issuer, one SafeShare
  learner per course. ``name``, ``email`` and the other personal claims are never read.
- the context (course): its id and title make the course cohort (title as the cohort name).
- the resource link, its ``custom`` ``scenario`` parameter (set by Deep Linking, or typed
  into the LMS activity) and the grade service endpoint: the link the grade goes back to.
- the roles: an instructor, teaching assistant or administrator lands on the trainer
  dashboard for the course's cohort; everyone else plays the scenario.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.errors import AccessDenied, SafeShareError
from toolkit.storage import Store
from toolkit.storage import lms as records

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCENARIO_PARAMETER = "scenario"
# Roles (LTI 1.3, LIS vocabulary) that open the trainer dashboard: context roles by their
# short or full name, and the institution and system administrators.
TRAINER_ROLES = ("Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator")
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
ADMIN_ROLES = (
    LIS + "institution/person#Administrator",
    LIS + "system/person#Administrator",
    LIS + "system/person#SysAdmin",
)
NO_SCENARIO = (
    "This activity does not say which SafeShare scenario to open. Ask the course's teacher to "
    "choose one (add the activity again with SafeShare's scenario picker)."
)
CLOSED = (
    "This course's SafeShare workshop has been closed to new learners. Ask the course's "
    "teacher to reopen it."
)


class LaunchRefused(SafeShareError):
    """A validated launch SafeShare cannot serve (no scenario, cohort closed…): the page says
    why, and nothing is stored."""


@dataclass(frozen=True)
class Handoff:
    """Where the browser goes next: the learner or trainer app, with this ticket."""

    kind: str  # "learner" | "instructor"
    ticket: str
    scenario_id: str | None


def is_trainer(claims: Mapping[str, Any]) -> bool:
    """Does the launch carry an instructor-like role in its context, or an administrator's?"""
    for role in claims.get(CLAIM + "roles") or []:
        if role in ADMIN_ROLES:
            return True
        name = role.rsplit("#", 1)[-1] if role.startswith(LIS + "membership") else role
        if name in TRAINER_ROLES:
            return True
    return False


def scenario_of(claims: Mapping[str, Any]) -> str | None:
    custom = claims.get(CLAIM + "custom") or {}
    value = custom.get(SCENARIO_PARAMETER) if isinstance(custom, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def accept(
    store: Store,
    claims: Mapping[str, Any],
    scenarios: Collection[str],
    *,
    ticket_seconds: float,
    retention_days: int,
) -> Handoff:
    """Record what a resource-link launch needs and issue its ticket.

    LaunchRefused, with a sentence for the page, when a learner's activity names no
    scenario SafeShare has, or the course's cohort is closed; nothing is stored then.
    """
    scenario = scenario_of(claims)
    trainer = is_trainer(claims)
    if not trainer and scenario not in scenarios:
        raise LaunchRefused(NO_SCENARIO)
    issuer, deployment = claims["iss"], claims[CLAIM + "deployment_id"]
    context = claims.get(CLAIM + "context") or {}
    link_claim = claims.get(CLAIM + "resource_link") or {}
    cohort = records.course_cohort(
        store,
        issuer,
        deployment,
        str(context.get("id") or ""),  # no context: the deployment is the course
        str(context.get("title") or context.get("label") or "LMS course"),
        retention_days,
    )
    if trainer:
        ticket = records.issue_ticket(store, "instructor", cohort["id"], ticket_seconds)
        return Handoff("instructor", ticket, scenario if scenario in scenarios else None)
    try:
        learner, _ = records.course_learner(store, issuer, claims["sub"], cohort)
    except AccessDenied:
        raise LaunchRefused(CLOSED) from None
    link = records.save_link(
        store,
        issuer,
        deployment,
        str(link_claim["id"]),
        scenario,
        title=link_claim.get("title"),
        ags=_ags(claims.get(AGS_CLAIM)),
    )
    ticket = records.issue_ticket(
        store,
        "learner",
        cohort["id"],
        ticket_seconds,
        learner_id=learner["id"],
        link_id=link["id"],
    )
    return Handoff("learner", ticket, scenario)


def _ags(claim: Any) -> dict[str, Any] | None:
    """The grade service endpoint, if the platform offers one with a score scope."""
    if not isinstance(claim, Mapping):
        return None
    kept = {k: claim[k] for k in ("scope", "lineitem", "lineitems") if k in claim}
    return kept or None
