"""Who may see what, over HTTP and the kernel websocket: kernels, resume codes, the trainer's token.

`tests/browser/test_serve.py` checks that the learner server refuses every path but the app.
These tests go further: a kernel id is the key to a learner's session (its websocket drives
their widgets), so no listing may reveal one and a made-up id must get nothing; a resume code
is the key to a learner's answers, so a wrong one must show a message and nothing else; and
the trainer's server must refuse everyone without its token.
"""

from __future__ import annotations

import datetime
import email.utils
import http.client
import http.cookiejar
import json
import re
import urllib.parse
import uuid

import pytest
import websocket

from tests.security.client import VoilaPage, fetch_page
from tests.security.conftest import FILES, HOSTILE_SCENARIO, TRAINER_SECRET
from tests.security.server import AppServer

pytestmark = pytest.mark.timeout(300)
LISTINGS = ["api/kernels", "api/kernels/", "api/sessions", "api/sessions/", "api/terminals"]
NO_SUCH_KERNEL = str(uuid.uuid4())


def test_no_listing_reveals_a_kernel_id(hostile_server):
    """With two learners on the server, does any page or listing show one the other's kernel?"""
    with VoilaPage(hostile_server.url) as first, VoilaPage(hostile_server.url) as second:
        assert second.kernel_id not in first.html and first.kernel_id not in second.html
        for path in LISTINGS:
            status, body, _ = fetch_page(hostile_server.url + path, 30)
            assert status in {403, 404}, f"/{path} answered {status}"
            assert first.kernel_id not in body and second.kernel_id not in body


@pytest.fixture(scope="module")
def some_page(hostile_server):
    """One learner's page, shared by the tests that only look at it from outside."""
    with VoilaPage(hostile_server.url) as page:
        yield page


def test_a_made_up_kernel_id_gets_nothing(hostile_server, some_page):
    """Does a guessed kernel id give no model, no websocket and no shutdown?"""
    status, _, _ = fetch_page(hostile_server.url + f"api/kernels/{NO_SUCH_KERNEL}", 30)
    assert status == 404
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        some_page.attach(NO_SUCH_KERNEL)
    assert refused.value.status_code == 404
    some_page.kernel_id, own = NO_SUCH_KERNEL, some_page.kernel_id
    try:
        assert some_page.shutdown_kernel() == 404
    finally:
        some_page.kernel_id = own


def test_another_site_cannot_open_a_learners_websocket(hostile_server, some_page):
    """Is the kernel websocket refused to a page on another origin (cross-site hijack)?"""
    base = hostile_server.url.replace("http", "ws", 1)
    url = base + f"api/kernels/{some_page.kernel_id}/channels"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=30, origin="http://evil.example")
    assert refused.value.status_code in {403, 404}


def test_closing_the_page_shuts_its_kernel_down(hostile_server):
    """Does the page's own close request (with its _xsrf cookie) free its kernel at once?"""
    page = VoilaPage(hostile_server.url)
    process = hostile_server.kernel_process(page.kernel_id)
    page.ws.close()
    assert page.shutdown_kernel() == 204
    process.wait(30)
    status, _, _ = fetch_page(hostile_server.url + f"api/kernels/{page.kernel_id}", 30)
    assert status == 404


# Voilà answers some malformed static paths with a 500 (its template file handler cannot
# split them); what matters is that no file's content ever comes back.
TRAVERSALS = [
    "voila/templates/..%2F..%2Ftoolkit%2Fsettings.py",
    "voila/templates/lab/static/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "voila/templates/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc/static/passwd",
    "voila/templates/lab/static/..%2F..%2F..%2F..%2F..%2F..%2Fvar%2Fsafeshare.db",
    "voila/static/..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_returns_no_file(hostile_server, path):
    """Does no ../ path under Voilà's static and template handlers return a file's content?"""
    status, body, _ = fetch_page(hostile_server.url + path, 30)
    assert status in {403, 404, 500}, f"/{path} answered {status}"
    for leaked in ("root:", "SQLite format", "SAFESHARE_", "Traceback", "site-packages"):
        assert leaked not in body


def widget_text(page: VoilaPage) -> str:
    return json.dumps([w.state for w in page.widgets().values()])


@pytest.mark.parametrize(
    "code",
    ["ABCD-EFGH-JKMN-PQRS", "<script>alert(1)</script>'; DROP TABLE learners;--"],
    ids=["well-formed", "markup-and-sql"],
)
def test_a_wrong_resume_code_shows_a_message_and_nothing_else(hostile_server, hostile_store, code):
    """Does a resume code nobody holds say so, and show no other learner's answers?"""
    owner = hostile_store.learner(display_name="Owner")
    attempt = hostile_store.open_attempt(owner["id"], HOSTILE_SCENARIO)
    secret = f"private reasoning {uuid.uuid4().hex}"
    answer = {"decision": "d1", "choice": "a", "rationale": secret}
    hostile_store.record_answer(attempt["id"], "d1", answer, {"points": 1, "max_points": 1})
    learners_before = _count(hostile_store)

    query = f"?resume={code}&scenario={HOSTILE_SCENARIO}"
    with VoilaPage(hostile_server.url, query.replace(" ", "%20")) as page:
        shown = widget_text(page)

    assert "That resume code was not recognised" in shown
    for private in (secret, owner["resume_key"], owner["id"], "Decision 1:"):
        assert private not in shown and private not in page.html
    assert _count(hostile_store) == learners_before, "a wrong code must not start a learner"
    assert page.leaks() == []


def _count(store) -> int:
    from sqlalchemy import func, select

    from toolkit.storage import tables

    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(tables.learners)).scalar()


def test_resume_codes_are_too_many_to_guess():
    """Is a resume code drawn from at least 2^79 values (guessing is hopeless)?"""
    from toolkit.storage.keys import CODE_ALPHABET, new_resume_key

    codes = {new_resume_key() for _ in range(2000)}
    assert len(codes) == 2000
    letters = {c for code in codes for c in code.replace("-", "")}
    assert letters <= set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** 16 >= 2**79


def test_learner_kernels_hold_no_trainer_token(hostile_server, some_page):
    """With the trainer's token in the operator's shell, is it kept out of learner kernels
    (and does the learner server still open without one)?"""
    kernels = hostile_server.kernels()
    assert hostile_server.kernel_process(some_page.kernel_id) in kernels
    for kernel in kernels:
        assert TRAINER_SECRET not in " ".join(kernel.environ().values())


@pytest.fixture(scope="module")
def trainer_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trainer-server")
    token = uuid.uuid4().hex
    server = AppServer(
        f"sqlite:///{folder / 'store.db'}",
        [FILES],
        folder,
        room=0,
        notebook="trainer",
        env={"SAFESHARE_TRAINER_TOKEN": token},
    )
    server.start()
    server.token = token
    yield server
    server.stop()
    assert server.leftovers() == []


@pytest.mark.parametrize("suffix", ["", "?token=wrong", "?token="])
def test_trainer_server_refuses_anyone_without_its_token(trainer_server, suffix):
    """Without the right token, does the trainer server give no page, kernel or API?"""
    status, body, final = fetch_page(trainer_server.url + suffix, 60)
    assert '"kernelId"' not in body
    assert status in {401, 403, 404} or "/login" in final, (status, final)
    for path in (f"api/kernels/{NO_SUCH_KERNEL}", "api/kernels", "api/contents"):
        status, body, final = fetch_page(trainer_server.url + path, 30)
        assert status in {401, 403, 404} or "/login" in final, (path, status)


def test_trainer_server_opens_with_its_token(trainer_server):
    """With the token, does the trainer page load its kernel (so the refusals mean something)?"""
    jar = http.cookiejar.CookieJar()  # as a browser keeps the sign-in cookie across a redirect
    status, body, final = fetch_page(
        trainer_server.url + f"?token={trainer_server.token}", 180, jar
    )
    assert status == 200 and '"kernelId"' in body and "token" not in final


def first_response(url: str, cookie: str = "") -> http.client.HTTPResponse:
    """The server's own answer to a GET, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("GET", f"{parts.path}?{parts.query}", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_signing_in_takes_the_token_out_of_the_address(trainer_server):
    """Is the sign-in link answered with a redirect to the same address without the token
    (other parameters kept), setting a login cookie for 12 hours rather than 30 days, and
    does that address then open the dashboard with the cookie alone?"""
    signed = first_response(trainer_server.url + f"?token={trainer_server.token}&view=debrief")
    assert signed.status == 302 and signed.getheader("Location") == "/?view=debrief"
    login = next(c for c in signed.headers.get_all("Set-Cookie") if c.startswith("username-"))
    expires = email.utils.parsedate_to_datetime(re.search(r"expires=([^;]+)", login)[1])
    hours = (expires - datetime.datetime.now(datetime.UTC)).total_seconds() / 3600
    assert 11.9 < hours <= 12.0, login
    assert "httponly" in login.lower() and "samesite=lax" in login.lower()
    page = first_response(trainer_server.url + "?view=debrief", login.split(";")[0])
    assert page.status == 200
