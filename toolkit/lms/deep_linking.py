"""Deep Linking: an instructor picks scenarios in SafeShare; each goes back to the LMS as an
LTI resource link whose custom parameter names the scenario, with a line item (0–1) for
its grade. PyLTI1p3 builds and signs the response with the tool's key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from toolkit.cases import Scenario
from toolkit.lms import addresses
from toolkit.lms.launches import SCENARIO_PARAMETER
from toolkit.settings import Settings

SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
NOT_INSTRUCTOR = "Only a course's teachers can add SafeShare scenarios to it."
NOTHING_CHOSEN = (
    "No scenario was chosen, so nothing was added. Go back to your course and add the "
    "activity again."
)


def accepts_many(settings: Mapping[str, Any]) -> bool:
    """May the instructor add several scenarios at once (the platform's accept_multiple)?"""
    value = settings.get("accept_multiple", True)
    return value is True or str(value).lower() == "true"


def resources(scenarios: Sequence[Scenario], settings: Settings) -> list[Any]:
    """One LTI resource link per scenario: its title, our launch URL, the scenario as a
    custom parameter, and a line item scored out of 1."""
    from pylti1p3.deep_link_resource import DeepLinkResource
    from pylti1p3.lineitem import LineItem

    launch_url = addresses.tool_url(settings, "launch")
    return [
        DeepLinkResource()
        .set_title(scenario.title)
        .set_url(launch_url)
        .set_custom_params({SCENARIO_PARAMETER: scenario.id})
        .set_lineitem(
            LineItem()
            .set_label(scenario.title)
            .set_score_maximum(1)
            .set_resource_id(scenario.id)
            .set_tag("safeshare")
        )
        for scenario in scenarios
    ]


def response(
    launch: Any, scenarios: Sequence[Scenario], settings: Settings
) -> tuple[str, dict[str, str]]:
    """Where to post the pick (the platform's return URL) and the form fields: the signed
    LtiDeepLinkingResponse as ``JWT``."""
    deep_link = launch.get_deep_link()
    token = deep_link.get_response_jwt(resources(scenarios, settings))
    return launch.get_launch_data()[SETTINGS_CLAIM]["deep_link_return_url"], {"JWT": token}
