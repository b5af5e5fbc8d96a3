"""Grade passback: a finished attempt's score and comment reach the platform's line item;
a failed post is retried and never touches the stored result."""

from __future__ import annotations

from tests.lms.answers import PATH, SCENARIO, play
from tests.lms.platform import Spec
from tests.lms.test_launch import ticket_of
from toolkit.app.identity import Query
from toolkit.app.lms_learner import LmsLearnerApp
from toolkit.lms import grades
from toolkit.scoring import score_attempt
from toolkit.serving.lti.worker import GradeWorker
from toolkit.storage import lms as records


def finished(lms, user: str = "sub-graded") -> LmsLearnerApp:
    app = LmsLearnerApp(lms.library, lms.store)
    app.start(Query(ticket=ticket_of(lms.launch(Spec(user=user)))))
    play(app)
    assert app.player.finished
    return app


def expected_score(lms) -> float:
    responses = {"scenario": SCENARIO, "learner": "x", "answers": PATH}
    return score_attempt(lms.library.scenarios[SCENARIO], responses).to_dict()["score"]


def test_a_finished_attempt_is_posted_with_score_comment_and_progress(lms):
    """Does the worker post the attempt's score (0–1, as `safeshare score` gives it), a comment
    with the per-step profile, Completed and FullyGraded, for the launch's user, to the
    link's line item, with a token the tool got by signing with its key?"""
    app = finished(lms)
    worker = GradeWorker(lms.settings, lms.store, lms.library)

    assert worker.run_once() == 1
    (posted,) = lms.platform.scores
    score = posted["score"]
    assert posted["lineitem"] == "link-1"
    assert posted["content_type"] == "application/vnd.ims.lis.v1.score+json"
    assert score["userId"] == "sub-graded"
    assert score["scoreGiven"] == expected_score(lms)
    assert score["scoreMaximum"] == 1
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert "Bruising noticed at nursery" in score["comment"]
    assert "Guidance steps (ICO 10 step guide): S" in score["comment"]
    assert score["timestamp"].startswith(
        str(app.store.attempts(app.learner["id"])[0]["finished_at"])[:10]
    )
    assert worker.run_once() == 0  # posted once


def test_a_failed_post_is_retried_and_the_result_kept(lms):
    """With the gradebook down for the first post, is the grade kept (tries, error, a later
    try), the attempt and its answers untouched, and posted on the retry?"""
    app = finished(lms, "sub-retry")
    answers_before = lms.store.answers(app.attempt["id"])
    lms.platform.score_failures = 1
    worker = GradeWorker(lms.settings, lms.store, lms.library)

    assert worker.run_once() == 0
    (row,) = records.grades(lms.store)
    assert row["posted_at"] is None and row["tries"] == 1
    assert "503" in row["last_error"]
    assert records.claim_due_grades(lms.store) == []  # not due again at once
    assert lms.store.answers(app.attempt["id"]) == answers_before
    assert lms.store.attempts(app.learner["id"])[0]["finished_at"] is not None

    records.retry_grades_now(lms.store)
    assert worker.run_once() == 1
    assert lms.platform.scores[-1]["score"]["userId"] == "sub-retry"
    (row,) = records.grades(lms.store)
    assert row["posted_at"] is not None


def test_an_unfinished_attempt_is_never_posted(lms):
    """Is nothing posted for an attempt still in progress (a score without scoreGiven would
    clear the learner's grade in the LMS)?"""
    app = LmsLearnerApp(lms.library, lms.store)
    app.start(Query(ticket=ticket_of(lms.launch(Spec(user="sub-halfway")))))
    play(app, PATH[:2])
    assert GradeWorker(lms.settings, lms.store, lms.library).run_once() == 0
    assert lms.platform.scores == []


def test_a_platform_gone_from_the_registry_keeps_the_grade_waiting(lms):
    """If the platform is removed before the post, is the grade kept with the reason?"""
    finished(lms, "sub-orphan")
    records.remove_platform(lms.store, lms.platform.issuer, lms.platform.client_id)
    assert GradeWorker(lms.settings, lms.store, lms.library).run_once() == 0
    (row,) = records.grades(lms.store)
    assert "no platform registered" in row["last_error"] and row["posted_at"] is None


def test_retry_waits_double_up_to_an_hour():
    """Do retries wait 30 s, 60 s, 120 s… and never more than an hour?"""
    assert [grades.retry_in(n) for n in range(4)] == [30, 60, 120, 240]
    assert grades.retry_in(50) == 3600
