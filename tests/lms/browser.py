"""Answering the example scenario by mouse in chromium, on a page or inside frames (a SCORM
package frames the learner app). ``scope`` is a Playwright Page or FrameLocator."""

from __future__ import annotations

import re
from typing import Any

from toolkit.guidance import vocabulary
from toolkit.widgets.decision import TELL_FAMILY_LABELS, TIMING_LABELS


def _option(scenario: Any, decision: str, option: str) -> str:
    return next(o.text for o in scenario.decision(decision).options if o.id == option)


def answer(scope: Any, scenario: Any, given: dict[str, Any]) -> None:
    """Fill one decision by clicking, and submit it."""
    decision = given["decision"]
    if "choice" in given:
        scope.get_by_role("radio", name=_option(scenario, decision, given["choice"])).click()
    elif "choices" in given:
        for choice in given["choices"]:
            name = _option(scenario, decision, choice)
            scope.get_by_role("checkbox", name=name, exact=True).click()
    else:
        plan, spec, vocab = given["plan"], scenario.decision(decision).plan, vocabulary()
        texts = {c.id: c.text for c in [*spec.items, *spec.recipients]}
        for key in [*plan["items"], *plan["recipients"]]:
            scope.get_by_role("checkbox", name=texts[key], exact=True).click()
        scope.get_by_label("Article 6 lawful basis").select_option(
            label=vocab.bases[plan["lawful_basis"]].name
        )
        scope.get_by_label("Special category condition").select_option(
            label=vocab.conditions[plan["condition"]].name
        )
        scope.get_by_role("radio", name=TIMING_LABELS[plan["timing"]], exact=True).click()
        scope.get_by_role("radio", name=TELL_FAMILY_LABELS[plan["tell_family"]], exact=True).click()
        if plan["record"]:
            scope.get_by_role("checkbox", name="I will record").click()
    if "rationale" in given:
        scope.get_by_role("textbox", name="Your reasoning").fill(given["rationale"])
    scope.get_by_role("button", name="Submit answer").click()


def first_decision(scope: Any, timeout: float = 90_000) -> None:
    scope.get_by_role("heading", name=re.compile("^Decision 1")).wait_for(timeout=timeout)


def play_all(scope: Any, scenario: Any, answers: list[dict[str, Any]]) -> None:
    """Answer every decision, going on after each feedback, up to the summary."""
    for number, given in enumerate(answers, start=1):
        answer(scope, scenario, given)
        last = number == len(answers)
        button = scope.get_by_role("button", name="See the outcome" if last else "Next decision")
        button.click(timeout=60_000)
        if not last:
            heading = scope.get_by_role("heading", name=re.compile(f"^Decision {number + 1}"))
            heading.wait_for(timeout=30_000)
    scope.locator(".ss-summary").wait_for(timeout=30_000)
