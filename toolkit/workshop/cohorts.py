"""Cohorts: create, close, delete and purge; the join card a room scans; a cohort's full record.

A cohort is one workshop session. Learners join it by its code (``?session=CODE``), so the
code, the learner URL and a QR code of that URL are what a trainer puts on the projector.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from toolkit.errors import SafeShareError
from toolkit.i18n import language_of
from toolkit.storage import Store
from toolkit.workshop.moderation import latest_by_answer, moderate

NAME_MAX = 200  # the cohorts.name column
RETENTION_MAX_DAYS = 3650
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


@dataclass(frozen=True)
class JoinCard:
    """What a room needs to join: the code, the learner URL and a QR code of that URL."""

    code: str
    name: str
    url: str

    def qr_png(self, scale: int = 8) -> bytes:
        """The learner URL as a QR code PNG (dark on light, with the standard quiet zone)."""
        import segno

        buffer = io.BytesIO()
        segno.make(self.url, error="m").save(buffer, kind="png", scale=scale, border=4)
        return buffer.getvalue()

    def save_qr(self, path: Path | str, scale: int = 8) -> Path:
        """Write the QR code PNG to ``path`` (folders created); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.qr_png(scale))
        return path


def learner_url(code: str, host: str, port: int, base: str | None = None) -> str:
    """``http://host:port/?session=CODE``; ``base`` (e.g. a proxy's https URL) replaces host:port.

    A server listening on every interface (0.0.0.0) is reached by the machine's name, since
    0.0.0.0 means nothing to a learner's phone.
    """
    if not base:
        shown = socket.gethostname() if host in WILDCARD_HOSTS else host
        shown = f"[{shown}]" if ":" in shown else shown
        base = f"http://{shown}:{port}"
    return f"{base.rstrip('/')}/?{urlencode({'session': code})}"


def join_card(cohort: dict[str, Any], host: str, port: int, base: str | None = None) -> JoinCard:
    """The join card of a stored cohort for a learner server on ``host:port``."""
    return JoinCard(cohort["code"], cohort["name"], learner_url(cohort["code"], host, port, base))


def _clean_scenarios(scenarios: Iterable[str], known: Collection[str] | None) -> list[str]:
    wanted = list(dict.fromkeys(s.strip() for s in scenarios if s and s.strip()))
    if not wanted:
        raise SafeShareError("choose at least one scenario for the cohort")
    unknown = [s for s in wanted if known is not None and s not in known]
    if unknown:
        raise SafeShareError(
            f"unknown scenario(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return wanted


def create_cohort(
    store: Store,
    name: str,
    scenarios: Iterable[str],
    *,
    retention_days: int,
    known: Collection[str] | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Create a cohort with a fresh join code; SafeShareError says what to fix.

    ``known`` is the set of scenario ids the learner server offers: a cohort naming a
    scenario nobody can open would leave the room staring at an empty list. ``language``
    is the interface language its learners get unless they choose another (``en``, ``cy``).
    """
    name = " ".join((name or "").split())
    if not name:
        raise SafeShareError("give the cohort a name (e.g. 'Designated leads, March')")
    if len(name) > NAME_MAX:
        raise SafeShareError(f"a cohort name is at most {NAME_MAX} characters")
    if not 1 <= int(retention_days) <= RETENTION_MAX_DAYS:
        raise SafeShareError(f"retention must be 1–{RETENTION_MAX_DAYS} days")
    if language is not None and language_of(language) != language:
        raise SafeShareError(f"unknown interface language {language!r} (known: en, cy)")
    wanted = _clean_scenarios(scenarios, known)
    return store.add_cohort(name, wanted, int(retention_days), language=language)


def close_cohort(store: Store, code: str) -> dict[str, Any]:
    """Stop new learners joining (answers already given stay until the retention date)."""
    store.close_cohort(code)
    return store.find_cohort(code)


def delete_cohort(store: Store, code: str) -> int:
    """Delete a cohort and everything its learners gave now; returns learners deleted."""
    return store.remove_cohort(code)


def purge_expired(store: Store, when: dt.datetime | None = None) -> list[str]:
    """Delete every cohort past its retention date; returns the codes deleted."""
    return store.purge(when)


@dataclass(frozen=True)
class CohortRecord:
    """Everything a cohort holds, as plain rows: the input of exports and live aggregates.

    ``answers`` carry the trainer-moderated ``result`` (``auto_result`` keeps what the
    scorer said, ``override`` the trainer's latest judgement, or None).
    """

    cohort: dict[str, Any]
    learners: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[dict[str, Any]] = field(default_factory=list)


def cohort_record(store: Store, code: str, previous: CohortRecord | None = None) -> CohortRecord:
    """Read a cohort's learners, attempts, answers and overrides; apply the overrides.

    With ``previous`` (this cohort's record from the last refresh) only answers stored since
    are read: answers never change once stored, while overrides and attempts (a learner
    finishing) are read afresh every time and applied to every answer.
    """
    cohort = store.find_cohort(code)
    overrides = store.overrides(cohort_id=cohort["id"])
    attempts = store.cohort_attempts(cohort["id"])
    known = previous.answers if previous and previous.cohort["id"] == cohort["id"] else []
    after = max((row["id"] for row in known), default=0)
    rows = [*known, *store.cohort_answers(cohort["id"], after_id=after)]
    latest = latest_by_answer(overrides)
    by_attempt = {a["id"]: a for a in attempts}
    answers = []
    for row in rows:
        stored = row.get("auto_result", row["result"])
        attempt = by_attempt.get(row["attempt_id"], {})
        override = latest.get(row["id"])
        answers.append(
            {
                **row,
                "ending": attempt.get("ending"),
                "finished_at": attempt.get("finished_at"),
                "auto_result": stored,
                "result": moderate(stored, override),
                "override": override,
            }
        )
    return CohortRecord(
        cohort=cohort,
        learners=store.cohort_learners(cohort["id"]),
        attempts=attempts,
        answers=answers,
        overrides=overrides,
    )
