"""The grade worker: posts finished LTI attempts' grades to the LMS, and retries failures.

It runs in the LTI tool's process, in a thread of its own. Every POLL_SECONDS it claims the
grades due (``toolkit.storage.lms.claim_due_grades``: finished attempts not yet posted whose
next try has come), scores each attempt from its stored answers exactly as the learner's
summary does (a trainer's override included), and posts it with PyLTI1p3. A failure (the
LMS down, a token refused, a timeout) is logged and counted, and the grade is tried again
later (``toolkit.lms.grades.retry_in``); the attempt and its answers are never touched, so
the stored result is never lost, and `safeshare lti grades` shows what waits.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from toolkit.cases import Library
from toolkit.errors import MissingEntry
from toolkit.lms import grades
from toolkit.lms.keys import signing_key
from toolkit.lms.tool import registration
from toolkit.settings import Settings
from toolkit.storage import Store
from toolkit.storage import lms as records

log = logging.getLogger("safeshare.lti.grades")
POLL_SECONDS = 2.0
# State older than this many polls is swept (expired nonces, states, tickets).
SWEEP_EVERY = 150


class GradeWorker:
    """Posts due grades; ``run_once`` for tests, ``start`` for the server."""

    def __init__(self, settings: Settings, store: Store, library: Library, http: Any = None):
        self.settings, self.store, self.library, self.http = settings, store, library, http
        self.stop = threading.Event()

    def run_once(self) -> int:
        """Post every grade due now; the number posted."""
        posted = 0
        for row in records.claim_due_grades(self.store):
            try:
                payload = self.payload(row)
                grades.post_score(self.registration(row), row["ags"] or {}, payload, self.http)
            except Exception as exc:  # noqa: BLE001 - any failure: keep the grade, retry later
                error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                wait = grades.retry_in(row["tries"])
                log.warning("grade %s not posted (%s); retry in %.0f s", row["id"], error, wait)
                records.grade_failed(self.store, row["id"], error, wait)
                continue
            records.grade_posted(self.store, row["id"], payload)
            log.info("grade %s posted: %s", row["id"], payload["scoreGiven"])
            posted += 1
        return posted

    def payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """The score object of the attempt, from its stored answers."""
        from toolkit.scoring import score_attempt
        from toolkit.workshop import moderation

        scenario = self.library.scenarios.get(row["scenario_id"])
        if scenario is None:
            raise MissingEntry(f"scenario {row['scenario_id']} is not in the library")
        answers = [a["answer"] for a in self.store.answers(row["attempt_id"])]
        responses = {"scenario": scenario.id, "learner": row["learner_id"], "answers": answers}
        overrides = moderation.attempt_overrides(self.store, row["attempt_id"])
        if overrides:
            report = moderation.moderated_report(scenario, responses, overrides)
        else:
            report = score_attempt(scenario, responses).to_dict()
        return grades.score_payload(report, scenario.title, row["subject"], row["finished_at"])

    def registration(self, row: dict[str, Any]) -> Any:
        """The registration of the platform that made the link (by issuer and deployment)."""
        for platform in records.platforms(self.store):
            if platform["issuer"] == row["issuer"] and (
                row["deployment_id"] in platform["deployment_ids"]
            ):
                return registration(platform, signing_key(self.settings.lti_key_dir))
        raise MissingEntry(f"no platform registered for {row['issuer']} ({row['deployment_id']})")

    def loop(self) -> None:
        polls = 0
        while not self.stop.wait(POLL_SECONDS):
            try:
                self.run_once()
                polls += 1
                if polls % SWEEP_EVERY == 0:
                    records.forget_expired(self.store)
            except Exception:  # noqa: BLE001 - the database may be down: try again next poll
                log.exception("grade worker: poll failed")

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.loop, name="safeshare-grades", daemon=True)
        thread.start()
        return thread
