"""The learner app for a page opened from an LMS: a launch's ticket, not a resume code.

The LTI tool (toolkit.serving.lti) or a SCORM package's page (toolkit.lms.scorm_launch)
validates the launch and sends the browser here with ``?ticket=…``. This page takes the
ticket once: it names the learner (the LMS's pseudonymous id within its course, mapped by
toolkit.storage.lms), the course's cohort and the scenario. The learner lands on the first
decision (or where they stopped), sees no resume code, and is offered that scenario only.
An attempt started from an LTI launch is bound to the launch's link at once, so its grade
is posted to the LMS when it finishes, however the page ends (toolkit.serving.lti.worker).

Without a ticket the page is the ordinary learner app.
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as w
from sqlalchemy.exc import SQLAlchemyError

from toolkit.app.identity import Query
from toolkit.app.journey import LearnerApp
from toolkit.cases import Scenario
from toolkit.errors import MissingEntry, SafeShareError
from toolkit.i18n import N_
from toolkit.storage import lms as records
from toolkit.widgets.html import tag, text_tag

log = logging.getLogger("safeshare.app.lms")
TICKET_REFUSED = N_(
    "This link from your course has already been used or has expired, so SafeShare cannot "
    "tell who you are. Go back to your course and open the activity again."
)
FROM_COURSE = N_(
    "Your answers are saved as you give them. To continue later, open this activity again "
    "from your course."
)


class LmsLearnerApp(LearnerApp):
    """The learner app, able to start from an LMS launch's ticket."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.link: dict[str, Any] | None = None
        self.subject: str | None = None
        self.bound: int | None = None  # the attempt whose grade goes to the LMS

    def _start(self, query: Query) -> None:
        if query.ticket is None:
            super()._start(query)
            return
        try:
            ticket = records.redeem_ticket(self.store, query.ticket, "learner")
            self.link = records.link(self.store, ticket["link_id"])
        except (records.TicketRefused, MissingEntry) as exc:
            log.info("LMS ticket refused: %s", exc)
            self._show([])
            raise SafeShareError(TICKET_REFUSED) from None
        self.learner = self.store.learner(ticket["learner_id"])
        self.cohort = self.store.find_cohort(ticket["cohort_code"])
        if query.lang:  # the page's own ?lang= first, then the launch's locale, the cohort's
            self.set_language(query.lang)
        self._default_language()
        if self.link.get("ags"):
            self.subject = records.subject_of(self.store, self.learner["id"], self.link["issuer"])
        self.open_scenario(self.link["scenario_id"])

    def _offered(self) -> dict[str, Scenario]:
        if self.link is None:
            return super()._offered()
        sid = self.link["scenario_id"]
        return {sid: self.library.scenarios[sid]} if sid in self.library.scenarios else {}

    def open_scenario(self, scenario_id: str) -> None:
        super().open_scenario(scenario_id)
        self._bind()

    def submit(self, decision_id: str, answer: dict[str, Any] | None = None) -> Any:
        self._bind()  # if binding failed when the scenario opened, before the last answer
        return super().submit(decision_id, answer)

    def _bind(self) -> None:
        """Have this attempt's grade go to the LMS line item (idempotent). A failure is
        logged and tried again at the next Submit; the answers are saved either way."""
        if self.subject is None or self.attempt is None or self.bound == self.attempt["id"]:
            return
        try:
            records.bind_attempt(self.store, self.attempt["id"], self.link["id"], self.subject)
        except (SQLAlchemyError, MissingEntry):
            log.exception("binding attempt %s to its LMS link failed", self.attempt["id"])
            return
        self.bound = self.attempt["id"]

    def _resume_note(self) -> str:
        if self.link is None:
            return super()._resume_note()
        return text_tag("p", self.t._(FROM_COURSE), class_="ss-muted")

    def pause(self, idle_seconds: float) -> None:
        if self.link is None:
            super().pause(idle_seconds)
            return
        self.notice.value = ""
        self._show(
            [
                w.HTML(
                    tag(
                        "div",
                        text_tag("h2", self.t._("This page is paused"))
                        + text_tag(
                            "p",
                            self.t._(
                                "Nothing happened on it for a while, so its place on the "
                                "server was given to someone waiting."
                            )
                            + " "
                            + self.t._(FROM_COURSE),
                        ),
                        class_="ss-msg ss-info",
                        role="status",
                    )
                )
            ]
        )
