"""toolkit.serving.sign_in: where a sign-in link is sent, and how long a sign-in lasts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from toolkit.serving import sign_in
from toolkit.serving.voila_repairs import PageCookieIdentityProvider


def request(query: str, by_token: bool = True) -> SimpleNamespace:
    handler = SimpleNamespace(request=SimpleNamespace(path="/", query=query))
    if by_token:
        handler._token_authenticated = True
    return handler


@pytest.mark.parametrize(
    ("query", "address"),
    [
        ("token=abc", "/"),
        ("token=abc&cohort=K7&x=", "/?cohort=K7&x="),
        ("view=debrief&token=abc", "/?view=debrief"),
        ("view=debrief", None),  # signed in by header or cookie: nothing to take out
    ],
)
def test_a_sign_in_link_is_sent_on_without_its_token(query, address):
    """Is a request that signed in with ?token= sent to the same address less the token?"""
    assert sign_in.address_without_token(request(query)) == address


def test_a_request_that_did_not_sign_in_stays_where_it_is():
    """Is a wrong or missing token (no sign-in) left for Jupyter to refuse, not redirected?"""
    assert sign_in.address_without_token(request("token=wrong", by_token=False)) is None


def test_a_sign_in_lasts_a_workshop_day_in_the_browser_and_on_the_server():
    """Does the login cookie expire after 12 hours, and does the server refuse an older one?"""
    provider = PageCookieIdentityProvider(token="t")
    assert provider.cookie_options["expires_days"] * 24 == sign_in.SIGN_IN_HOURS == 12
    assert provider.get_secure_cookie_kwargs["max_age_days"] * 24 == 12
    assert provider.cookie_options["samesite"] == "Lax"
