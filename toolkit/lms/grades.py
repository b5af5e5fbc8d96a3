"""A finished attempt's grade for the LMS: the score (0–1), a comment with the per-step
profile, and the activity and grading progress; posted through PyLTI1p3's grade service.

The grade's timestamp is the attempt's finishing time, so posting it again after a failure
sends the same score: a platform keeps the latest timestamp it has seen (LTI AGS), and a
retried post can never overwrite a newer attempt's grade. Only finished attempts are
posted: a score without ``scoreGiven`` would clear the learner's grade in the LMS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from toolkit.guidance import vocabulary

# After a failed post: 30 s, then doubling, at most an hour apart; never given up on
# (`safeshare lti grades` lists what waits, and `--retry` makes it due at once).
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
COMMENT_LIMIT = 1000


def retry_in(tries: int) -> float:
    """Seconds to wait before the next post after ``tries`` failures so far."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, tries))


def comment(report: Mapping[str, Any], title: str) -> str:
    """One paragraph for the gradebook: the result, the per-step profile, misconceptions."""
    vocab = vocabulary()
    steps = ", ".join(
        f"{step} {entry['score']:.0%}" for step, entry in sorted(report["steps"].items(), key=_step)
    )
    text = (
        f"SafeShare: {title}. Result {report['score']:.0%} "
        f"({report['points']:g} of {report['max_points']:g} points)."
    )
    if steps:
        text += f" Guidance steps (ICO 10 step guide): {steps}."
    shown = [vocab.misconceptions[m].name for m in report["misconceptions"]]
    if shown:
        text += f" To revisit: {'; '.join(shown)}."
    return text[:COMMENT_LIMIT]


def _step(item: tuple[str, Any]) -> int:
    return int(item[0][1:])


def score_payload(
    report: Mapping[str, Any], title: str, subject: str, finished_at: dt.datetime
) -> dict[str, Any]:
    """The AGS score object for a finished attempt."""
    when = finished_at if finished_at.tzinfo else finished_at.replace(tzinfo=dt.UTC)
    return {
        "userId": subject,
        "scoreGiven": round(float(report["score"]), 4),
        "scoreMaximum": 1,
        "comment": comment(report, title),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": when.isoformat(timespec="milliseconds"),
    }


def post_score(
    registration: Any, ags: Mapping[str, Any], payload: Mapping[str, Any], http: Any = None
) -> None:
    """Post ``payload`` to the link's line item with PyLTI1p3 (token from the platform's
    token endpoint, signed with the tool's key). Raises on any failure: the caller keeps
    the grade and tries again later."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem
    from pylti1p3.service_connector import ServiceConnector

    grade = (
        Grade()
        .set_user_id(payload["userId"])
        .set_score_given(payload["scoreGiven"])
        .set_score_maximum(payload["scoreMaximum"])
        .set_comment(payload["comment"])
        .set_activity_progress(payload["activityProgress"])
        .set_grading_progress(payload["gradingProgress"])
        .set_timestamp(payload["timestamp"])
    )
    service = AssignmentsGradesService(ServiceConnector(registration, http), dict(ags))
    lineitem = None
    if not ags.get("lineitem"):  # no line item of its own: find or make one for the link
        lineitem = (
            LineItem()
            .set_tag("safeshare")
            .set_score_maximum(1)
            .set_label(payload["comment"].split(".")[0][:100])
        )
    service.put_grade(grade, lineitem)
