"""LTI 1.3 launches against the test platform: good ones hand over a ticket, bad ones are
refused with a clear page and store nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import func, select, text

from tests.lms.conftest import drive_launch, form_of
from tests.lms.platform import PERSONAL, Spec
from toolkit.storage import tables as t

COUNTED = (
    t.cohorts,
    t.learners,
    t.attempts,
    t.lms_courses,
    t.lms_links,
    t.lms_learners,
    t.lms_tickets,
)


def counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            tab.name: conn.execute(select(func.count()).select_from(tab)).scalar()
            for tab in COUNTED
        }


def ticket_of(response) -> str:
    assert response.status_code == 303, response.text[:500]
    query = parse_qs(urlparse(response.headers["Location"]).query)
    return query["ticket"][0]


def test_learner_launch_hands_over_a_ticket_and_stores_no_name(lms):
    """Does a learner's launch make the course cohort, the learner (the platform's sub, no
    name or e-mail anywhere), the link with its grade endpoint, and a ticket for the learner
    app, sent in a 303 to the learner URL?"""
    answer = lms.launch(Spec(user="sub-42"))

    ticket = ticket_of(answer)
    assert answer.headers["Location"].startswith(lms.settings.learner_url + "?ticket=")
    assert len(ticket) >= 43
    from toolkit.storage import lms as records

    row = records.redeem_ticket(lms.store, ticket, "learner")
    cohort = lms.store.find_cohort(row["cohort_code"])
    assert cohort["name"] == "Safeguarding refresher 2026"
    assert records.subject_of(lms.store, row["learner_id"], lms.platform.issuer) == "sub-42"
    link = records.link(lms.store, row["link_id"])
    assert link["scenario_id"] == "sc-nursery-bruising"
    assert link["ags"]["lineitem"].endswith("/lineitems/link-1")
    dump = database_text(lms.store)
    for value in PERSONAL.values():
        assert value not in dump, f"{value!r} was stored"


def database_text(store) -> str:
    """Every row of every table, as text (to look for what must not be there)."""
    with store.engine.connect() as conn:
        names = [
            r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        return "\n".join(str(conn.execute(text(f'SELECT * FROM "{n}"')).all()) for n in names)


def test_second_launch_is_the_same_learner_and_cohort(lms):
    """Does the same LMS user in the same course come back as the same learner and cohort?"""
    from toolkit.storage import lms as records

    first = records.redeem_ticket(lms.store, ticket_of(lms.launch(Spec(user="u7"))), "learner")
    again = records.redeem_ticket(lms.store, ticket_of(lms.launch(Spec(user="u7"))), "learner")
    other = records.redeem_ticket(lms.store, ticket_of(lms.launch(Spec(user="u8"))), "learner")
    assert first["learner_id"] == again["learner_id"] != other["learner_id"]
    assert first["cohort_id"] == again["cohort_id"] == other["cohort_id"]


def test_instructor_launch_goes_to_the_trainer_app_without_a_learner(lms):
    """Does an instructor's launch send them to the trainer URL with an instructor ticket,
    making no learner?"""
    before = counts(lms.store)
    answer = lms.launch(Spec(user="teacher-1", role="instructor"))

    assert answer.headers["Location"].startswith(lms.settings.trainer_url + "?ticket=")
    after = counts(lms.store)
    assert after["learners"] == before["learners"]
    assert after["lms_tickets"] == before["lms_tickets"] + 1


# Each bad launch: how the platform spoils it, and the words its refusal page must say.
BAD_LAUNCHES = {
    "wrong signature": ({"foreign_key": True}, 400, "signature could not be checked"),
    "expired token": ({"exp_offset": -600}, 400, "had expired"),
    "wrong audience": ({"aud": "some-other-tool"}, 400, "not registered"),
    "unknown issuer in token": ({"iss": "https://lms.elsewhere.example"}, 400, "not registered"),
    "unknown deployment": ({"deployment_id": "deployment-9"}, 400, "deployment"),
    "nonce never issued": ({"nonce": "made-up-nonce"}, 400, "already been used"),
    "missing sub": ({"drop": ["sub"]}, 400, "incomplete"),
    "missing roles": ({"drop": ["roles"]}, 400, "incomplete"),
    "missing version": ({"drop": ["version"]}, 400, "incomplete"),
    "missing resource link": ({"drop": ["resource_link"]}, 400, "incomplete"),
    "missing deployment": ({"drop": ["deployment_id"]}, 400, "deployment"),
}


@pytest.mark.parametrize("tamper, status, words", BAD_LAUNCHES.values(), ids=BAD_LAUNCHES.keys())
def test_bad_launch_is_refused_and_stores_nothing(lms, tamper, status, words):
    """Is each spoiled launch answered with a refusal page that says what happened, and is
    nothing stored (no cohort, learner, link, ticket)?"""
    before = counts(lms.store)
    answer = lms.launch(Spec(tamper=tamper))

    assert answer.status_code == status, answer.text[:300]
    assert "SafeShare could not open this activity" in answer.text
    assert words in answer.text
    assert "Nothing was recorded" in answer.text
    assert counts(lms.store) == before


def test_unknown_issuer_at_login_is_refused(lms):
    """Is a login from an issuer nobody registered refused at once, with nothing stored?"""
    before = counts(lms.store)
    answer = lms.launch(Spec(tamper={"login_iss": "https://lms.elsewhere.example"}))
    assert answer.status_code == 400
    assert "not registered" in answer.text
    assert counts(lms.store) == before


def test_replayed_launch_is_refused(lms):
    """Is the same id token and state posted a second time (a replay) refused, and does the
    first launch's ticket stay the only one?"""
    session = requests.Session()
    spec = Spec(user="replayer")
    first = drive_launch(lms.platform, spec, session)
    ticket_of(first)
    before = counts(lms.store)

    again = session.post(
        lms.platform.tool_base + "/lti/launch", data=spec.posted, allow_redirects=False
    )
    assert again.status_code == 400
    assert "already been used" in again.text
    assert counts(lms.store) == before


def test_launch_from_another_browser_is_refused(lms):
    """Is an id token posted from a browser that did not start the login (no state cookie)
    refused?"""
    spec = Spec(user="stolen")
    page = requests.get(lms.platform.start_url(spec), timeout=30)  # no session: cookie dropped
    action, fields = form_of(page.text)
    answer = requests.post(action, data=fields, allow_redirects=False, timeout=30)
    assert answer.status_code == 400
    assert "did not come back to the browser" in answer.text


def test_activity_without_a_scenario_is_refused_for_learners(lms):
    """Does a learner's launch of an activity naming no scenario (or an unknown one) get a
    page saying so, with nothing stored?"""
    before = counts(lms.store)
    for scenario in (None, "sc-no-such-scenario"):
        answer = lms.launch(Spec(scenario=scenario))
        assert answer.status_code == 403
        assert "does not say which SafeShare scenario" in answer.text
    assert counts(lms.store) == before


def test_jwks_publishes_the_public_key_only(lms):
    """Does /lti/jwks give the tool's key with its kid, and no private part?"""
    keys = requests.get(lms.platform.tool_base + "/lti/jwks", timeout=10).json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"] and keys[0]["alg"] == "RS256"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


@pytest.mark.parametrize(
    ("locale", "passed"),
    [("cy-GB", "cy"), ("en-GB", "en"), ("fr-FR", None), (None, None), ("<script>", None)],
)
def test_the_launch_locale_chooses_the_page_language(lms, locale, passed):
    """Is the person's locale claim passed on as a language the apps have (cy-GB -> cy), and
    nothing else (an unknown or odd locale is left out, never echoed)?"""
    answer = lms.launch(Spec(user=f"sub-locale-{passed}", locale=locale))
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert query.get("locale") == ([passed] if passed else None)
    assert set(query) <= {"ticket", "locale"}
