"""Deep Linking: an instructor picks scenarios; the platform receives them, signed."""

from __future__ import annotations

import requests

from tests.lms.conftest import drive_launch, form_of
from tests.lms.platform import DL, LTI, Spec

CHOSEN = ["sc-nursery-bruising", "sc-wales-youth-club"]


def test_deep_linking_returns_the_chosen_scenarios(lms):
    """Does a deep-linking launch show the scenario picker, and does the pick reach the
    platform as a signed LtiDeepLinkingResponse: one LTI resource link per chosen scenario
    (title, launch URL, custom scenario, a line item out of 1), the platform's data echoed?"""
    session = requests.Session()
    page = drive_launch(
        lms.platform, Spec(role="instructor", message="LtiDeepLinkingRequest"), session
    )
    assert page.status_code == 200
    assert "Add SafeShare scenarios to your course" in page.text
    for scenario in lms.library.scenarios.values():
        assert scenario.id in page.text
    action, fields = form_of(page.text)

    back = session.post(action, data={**fields, "scenario": CHOSEN}, timeout=30)
    assert back.status_code == 200, back.text[:300]
    url, returned = form_of(back.text)
    assert url == lms.platform.url + "/deep-link-return"
    session.post(url, data=returned, timeout=30)

    (claims,) = lms.platform.deep_links
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == lms.platform.deployment_id
    assert claims[DL + "data"] == "platform-opaque-data"
    items = claims[DL + "content_items"]
    assert [i["custom"]["scenario"] for i in items] == CHOSEN
    assert [i["title"] for i in items] == [lms.library.scenarios[s].title for s in CHOSEN]
    assert {i["type"] for i in items} == {"ltiResourceLink"}
    assert {i["url"] for i in items} == {lms.platform.tool_base + "/lti/launch"}
    assert all(i["lineItem"]["scoreMaximum"] == 1 for i in items)

    again = session.post(action, data={**fields, "scenario": CHOSEN}, timeout=30)
    assert again.status_code == 400  # the launch was used by the first pick


def test_a_learner_cannot_deep_link(lms):
    """Is a deep-linking launch by a learner refused with a page saying who may?"""
    page = lms.launch(Spec(role="learner", message="LtiDeepLinkingRequest"))
    assert page.status_code == 403
    assert "Only a course&#x27;s teachers can add SafeShare scenarios" in page.text


def test_a_pick_of_nothing_adds_nothing(lms):
    """Does posting the picker with no scenario chosen say so, sending nothing back?"""
    session = requests.Session()
    page = drive_launch(
        lms.platform, Spec(role="instructor", message="LtiDeepLinkingRequest"), session
    )
    action, fields = form_of(page.text)
    answer = session.post(action, data=fields, timeout=30)
    assert answer.status_code == 403 and "No scenario was chosen" in answer.text
    assert lms.platform.deep_links == []
