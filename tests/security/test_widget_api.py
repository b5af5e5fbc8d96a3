"""Widget messages are an API: a scripted client, not a browser, tries what the page never offers.

Each test loads a learner page over HTTP, attaches to its kernel and sends widget messages
directly: pressing Submit on a decision that is no longer current or after the end, setting
a choice outside the options, opening comms the app never registered. The server must refuse
(the store unchanged) and no message back may carry a traceback or an exception's name.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.security.client import VoilaPage, Widget, decision_view, part
from tests.security.conftest import HOSTILE_SCENARIO

pytestmark = pytest.mark.timeout(300)
RESUME = re.compile(r"Your resume code: <strong>([A-Z0-9-]+)</strong>")


def resume_code(widgets: dict[str, Widget]) -> str:
    for widget in widgets.values():
        found = RESUME.search(str(widget.state.get("value", "")))
        if found:
            return found.group(1)
    raise LookupError("no resume code on the page")


def stored(store, code: str) -> dict[str, str]:
    """decision id → chosen option, for the learner holding `code` (their one attempt)."""
    learner = store.learner_by_resume_key(code)
    (attempt,) = store.attempts(learner["id"])
    answers = store.answers(attempt["id"])
    assert len({a["decision_id"] for a in answers}) == len(answers)
    return {a["decision_id"]: a["answer"]["choice"] for a in answers}


def controls(page: VoilaPage, number: int) -> tuple[dict[str, Widget], Widget, Widget, Widget]:
    """(all widgets, decision `number`'s radio buttons, its Submit button, its message)."""
    widgets = page.widgets()
    view = decision_view(widgets, number)
    radio = part(widgets, view, "RadioButtonsModel")
    submit = part(widgets, view, "ButtonModel", description="Submit answer")
    message = list(part_all(widgets, view, "HTMLModel"))[-1]
    return widgets, radio, submit, message


def part_all(widgets: dict[str, Widget], box: Widget, name: str):
    from tests.security.client import descendants

    return (w for w in descendants(widgets, box) if w.name == name)


def shown(page: VoilaPage, widget: Widget) -> str:
    return str(page.widgets()[widget.model_id].state.get("value", ""))


def answer(page: VoilaPage, number: int, index: int = 0) -> None:
    _, radio, submit, _ = controls(page, number)
    page.update(radio.model_id, index=index)
    page.click(submit.model_id)
    assert "Answer saved" in shown(page, controls(page, number)[3])
    nxt = next(
        w
        for w in page.widgets().values()
        if w.name == "ButtonModel" and w.state.get("description") in {"Next decision"}
    )
    page.click(nxt.model_id)


@pytest.fixture
def learner_page(hostile_server):
    """A fresh page at decision 1, for a test that answers."""
    with VoilaPage(hostile_server.url, f"?scenario={HOSTILE_SCENARIO}") as page:
        yield page


@pytest.fixture(scope="module")
def unanswered_page(hostile_server):
    """One page at decision 1 shared by the tests that never answer (a kernel each is slow)."""
    with VoilaPage(hostile_server.url, f"?scenario={HOSTILE_SCENARIO}") as page:
        yield page


def test_no_answer_or_debrief_reaches_the_client_before_answering(unanswered_page):
    """Before answering, can a client read an option's feedback, its points or the debrief?"""
    states = json.dumps({k: w.state for k, w in unanswered_page.widgets().items()})
    for secret in ("Feedback A (S5)", "Feedback B", "Debrief", "debrief", '"points"'):
        assert secret not in states, f"{secret!r} is in a widget's state before answering"


def test_submit_is_refused_unless_the_decision_is_current(learner_page, hostile_store):
    """Pressing Submit of an answered decision, with a new choice, changes nothing stored?"""
    page = learner_page
    widgets, radio1, submit1, message1 = controls(page, 1)
    code = resume_code(widgets)
    answer(page, 1, index=0)
    assert stored(hostile_store, code) == {"d1": "a"}

    page.update(radio1.model_id, disabled=False, index=1)  # the page locked it; a client need not
    page.click(submit1.model_id)

    assert "not the current decision" in shown(page, message1)
    assert stored(hostile_store, code) == {"d1": "a"}
    assert page.leaks() == []


def test_choices_outside_the_options_are_refused(learner_page, hostile_store):
    """Can a client submit an option index or value the decision does not offer?"""
    page = learner_page
    widgets, radio, submit, message = controls(page, 1)
    code = resume_code(widgets)
    for bad in (99, -1, "a", None, 1.5):
        page.update(radio.model_id, index=bad)
        page.click(submit.model_id)
        assert "Choose one of the options first." in shown(page, message), bad
    page.update(radio.model_id, value="z", _options_labels=["z"])
    page.click(submit.model_id)
    assert "Choose one of the options first." in shown(page, message)
    assert stored_or_none(hostile_store, code) is None
    assert page.leaks() == []


def stored_or_none(store, code: str):
    learner = store.learner_by_resume_key(code)
    attempts = store.attempts(learner["id"])
    return [store.answers(a["id"]) for a in attempts if store.answers(a["id"])] or None


def test_nothing_is_accepted_after_the_end(learner_page, hostile_store):
    """After the last decision, is a further Submit refused and the store left as it was?"""
    page = learner_page
    code = resume_code(page.widgets())
    for number in (1, 2):
        answer(page, number)
    _, radio3, submit3, message3 = controls(page, 3)
    page.update(radio3.model_id, index=0)
    page.click(submit3.model_id)
    before = stored(hostile_store, code)
    assert before == {"d1": "a", "d2": "a", "d3": "a"}

    page.update(radio3.model_id, disabled=False, index=1)
    page.click(submit3.model_id)

    assert "this scenario is finished" in shown(page, message3)
    assert stored(hostile_store, code) == before
    learner = hostile_store.learner_by_resume_key(code)
    assert hostile_store.attempts(learner["id"])[0]["ending"] == "e-end"
    assert page.leaks() == []


def test_malformed_messages_send_back_no_traceback(unanswered_page):
    """Do unknown comm targets, bad versions, unknown comm ids and bad state stay silent?"""
    page = unanswered_page
    widgets, radio, submit, _ = controls(page, 1)
    textarea = next(w for w in widgets.values() if w.name == "TextareaModel")
    attempts = [
        ("comm_open", {"comm_id": "x1", "target_name": "no.such.target", "data": {}}, {}),
        ("comm_open", {"comm_id": "x2", "target_name": "jupyter.widget.control", "data": {}}, {}),
        ("comm_msg", {"comm_id": "no-such-comm", "data": {"method": "update"}}, {}),
        ("comm_msg", {"comm_id": radio.model_id, "data": {"method": "update"}}, {}),
        ("comm_msg", {"comm_id": radio.model_id, "data": {"method": "nonsense"}}, {}),
        ("comm_msg", {"comm_id": textarea.model_id, "data": {"state": {"value": 7}}}, {}),
        ("comm_msg", {"comm_id": submit.model_id, "data": {"method": "custom"}}, {}),
        ("comm_close", {"comm_id": "never-opened", "data": {}}, {}),
    ]
    for msg_type, content, metadata in attempts:
        page.settle(page.send(msg_type, content, metadata))
    page.update(radio.model_id, index="not a number")
    page.update(textarea.model_id, value={"not": "text"})
    page.drain(1.0)
    assert page.leaks() == []
    assert any(m for m in page.received), "the kernel sent nothing at all"


def test_a_flood_of_malformed_messages_adds_a_few_log_records(hostile_server, unanswered_page):
    """Do 50 copies of each malformed message add a few records to the server's own app log
    (SAFESHARE_LOG_PATH), where each used to add its own traceback (~0.13 GiB an hour)?"""
    page, log = unanswered_page, hostile_server.app_log
    widgets, radio, _, _ = controls(page, 1)
    kinds = [
        ("comm_msg", {"comm_id": "no-such-comm", "data": {"method": "update"}}),
        ("comm_msg", {"comm_id": radio.model_id, "data": {"method": "update"}}),
        ("comm_msg", {"comm_id": radio.model_id, "data": {"method": "nonsense"}}),
        ("comm_open", {"comm_id": "x1", "target_name": "no.such.target", "data": {}}),
    ]
    page.settle(page.send(*kinds[0]))  # the kernel has now logged once for each kind
    page.settle(page.send(*kinds[1]))
    before = log.stat().st_size
    for _ in range(50):
        for msg_type, content in kinds:
            last = page.send(msg_type, content)
    page.settle(last)
    grown = log.stat().st_size - before
    print(f"\n200 malformed messages grew the app log by {grown} bytes")
    assert grown < 2_000, log.read_text()[-3000:]
    assert page.leaks() == []


def test_code_execution_requests_are_dropped(unanswered_page, tmp_path):
    """Can a client run code in the kernel with an execute request?"""
    marker = tmp_path / "ran"
    page = unanswered_page
    page.send(
        "execute_request",
        {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False},
    )
    page.drain(3.0)
    assert not marker.exists()
    replies = [m for m in page.received if isinstance(m, dict)]
    assert not [m for m in replies if m["header"]["msg_type"] == "execute_reply"]


class FakeShell:
    """Just enough of IPython's shell: the parent message and the original error sender."""

    def __init__(self, msg_type: str):
        self.parent = {"header": {"msg_type": msg_type}}
        self.sent: list[tuple] = []

    def get_parent(self) -> dict:
        return self.parent

    def _showtraceback(self, etype, evalue, stb) -> None:
        self.sent.append((etype.__name__, str(evalue), list(stb)))


@pytest.mark.parametrize("msg_type, sent", [("comm_msg", []), ("execute_request", ["Error"])])
def test_kernel_tracebacks_go_to_the_log(msg_type, sent):
    """Does a widget-message traceback reach only the log, and a cell error say only "Error"?"""
    import logging

    from toolkit.app.guard import _traceback_to_log, log

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    log.addHandler(handler)
    shell = FakeShell(msg_type)
    show = _traceback_to_log(shell, shell._showtraceback)
    stb = ["\x1b[31mTraceback (most recent call last)\x1b[0m", 'File "/srv/x.py", line 1']
    try:
        show(ValueError, ValueError("secret detail"), stb)
    finally:
        log.removeHandler(handler)
    text = "\n".join(r.getMessage() for r in records)
    assert [name for name, *_ in shell.sent] == sent
    assert all(stb_ == [] and "secret" not in ev for _, ev, stb_ in shell.sent)
    assert "secret detail" in text and 'File "/srv/x.py"' in text and "\x1b[" not in text
