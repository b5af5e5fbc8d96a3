"""Faults lose nothing: a killed kernel, a dropped browser, a restarted server.

Each test answers two decisions of the drill scenario in a real browser, breaks something,
then opens the learner's resume link (`?resume=CODE&scenario=…`) and checks the app carries
on at decision 3, welcomes them back, and that the store holds each answer exactly once.
"""

from __future__ import annotations

import signal

import pytest

from tests.reliability.drill import (
    answer,
    at_decision,
    kernel_id,
    open_drill,
    resume_code,
    stored_decisions,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]


def two_answers(page, url: str) -> str:
    """Open the drill, answer decisions 1 and 2; the learner's resume code."""
    open_drill(page, url)
    answer(page, 1)
    answer(page, 2)
    at_decision(page, 3)
    return resume_code(page)


def resume_and_finish(page, url: str, code: str, store) -> None:
    """Open the resume link: decision 3 comes next; finish; each answer is stored once."""
    open_drill(page, url, f"&resume={code}")
    at_decision(page, 3)
    assert "Welcome back" in page.inner_text("body")
    assert stored_decisions(store, code) == ["d1", "d2"]
    answer(page, 3)
    answer(page, 4)
    page.get_by_text("Your result:").wait_for(timeout=60_000)
    assert stored_decisions(store, code) == ["d1", "d2", "d3", "d4"]


def test_killed_kernel(drill_server, drill_store, new_page):
    """After the learner's kernel is killed mid-scenario, does the resume link carry on?"""
    page = new_page()
    code = two_answers(page, drill_server.url)
    process = drill_server.kernel_process(kernel_id(page))
    process.send_signal(signal.SIGKILL)
    process.wait(30)

    resume_and_finish(page, drill_server.url, code, drill_store)


def test_dropped_browser(drill_server, drill_store, new_page):
    """After the browser goes away without a word (no unload), does a new device resume?"""
    first = new_page()
    code = two_answers(first, drill_server.url)
    first.context.close()  # no beforeunload: like a crashed browser or a lost network

    resume_and_finish(new_page(), drill_server.url, code, drill_store)


def test_restarted_server(drill_server, drill_store, new_page):
    """After the whole server restarts mid-scenario, does the same link carry on?"""
    page = new_page()
    code = two_answers(page, drill_server.url)
    assert drill_server.stop() == 0
    assert drill_server.leftovers() == [], "the stopped server left kernels behind"
    drill_server.start()

    resume_and_finish(page, drill_server.url, code, drill_store)
