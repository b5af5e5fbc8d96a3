"""What a learner does with the drill scenario in a browser, and what the store then holds."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.storage import Store

FILES = Path(__file__).parent / "files"  # scenarios/sc-fault-drill.yaml
DRILL = "sc-fault-drill"
RESUME = re.compile(r"Your resume code: ([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})")
WAIT = 90_000  # ms: a fresh kernel on a busy two-core machine has taken 30 s


def open_drill(page, url: str, query: str = "") -> None:
    page.goto(url + f"?scenario={DRILL}" + query, timeout=WAIT)
    page.get_by_role("button", name="Submit answer").wait_for(timeout=WAIT)


def at_decision(page, number: int) -> None:
    heading = page.get_by_role("heading", name=re.compile(f"^Decision {number}:"))
    heading.wait_for(timeout=WAIT)


def answer(page, number: int) -> None:
    """Answer decision `number` ("share now") and go on to the next one."""
    at_decision(page, number)
    words = {1: "one", 2: "two", 3: "three", 4: "four"}[number]
    page.get_by_role("radio", name=f"Drill {words} share now").check()
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Answer saved.").wait_for(timeout=WAIT)
    label = "See the outcome" if number == 4 else "Next decision"
    page.get_by_role("button", name=label).click()


def resume_code(page) -> str:
    return RESUME.search(page.inner_text("body")).group(1)


def kernel_id(page) -> str:
    return page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def stored_decisions(store: Store, code: str) -> list[str]:
    """Decision ids stored for the learner holding `code` (one attempt), in order."""
    learner = store.learner_by_resume_key(code)
    (attempt,) = store.attempts(learner["id"])
    return [a["decision_id"] for a in store.answers(attempt["id"])]
