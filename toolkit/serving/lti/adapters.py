"""PyLTI1p3 on Tornado: its request, cookie and redirect interfaces (it ships Django and
Flask adapters only), and the launch with the two changes SafeShare needs.

Handlers run PyLTI1p3 in a worker thread (it fetches key sets and talks to the database),
so these adapters only read the request and collect what the response must carry (cookies,
a redirect); the handler applies them on Tornado's thread.
"""

from __future__ import annotations

from typing import Any

from pylti1p3.cookie import CookieService
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request

# Claims about the person that PyLTI1p3 would keep with a saved launch: SafeShare never
# reads them, so a launch kept for a deep-linking pick is kept without them.
PERSONAL_CLAIMS = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "email",
    "picture",
    "locale",
    "https://purl.imsglobal.org/spec/lti/claim/lis",
    "https://purl.imsglobal.org/spec/lti/claim/ext",
)


class TornadoRequest(Request):
    """A Tornado request as PyLTI1p3 reads it: parameters from the query or the form body."""

    def __init__(self, handler: Any):
        self.handler = handler

    @property
    def session(self) -> dict[str, Any]:
        return {}  # unused: state lives in the database (toolkit.lms.tool.StoreState)

    def is_secure(self) -> bool:
        return self.handler.request.protocol == "https"

    def get_param(self, key: str) -> Any:
        return self.handler.get_argument(key, None)


class TornadoCookies(CookieService):
    """PyLTI1p3's state cookie: HttpOnly, on /lti/ only; SameSite=None and Secure over HTTPS
    (the launch is a cross-site POST from the LMS), Lax over plain HTTP on one machine."""

    def __init__(self, handler: Any):
        self.handler = handler
        self.to_set: list[tuple[str, str, int | None]] = []

    def _name(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self.handler.get_cookie(self._name(name))

    def set_cookie(self, name: str, value: Any, exp: int | None = 3600) -> None:
        self.to_set.append((self._name(name), str(value), exp))

    def apply(self) -> None:
        """Set the collected cookies on the response (Tornado's thread)."""
        secure = self.handler.request.protocol == "https"
        for name, value, exp in self.to_set:
            self.handler.set_cookie(
                name,
                value,
                path="/lti/",
                httponly=True,
                secure=secure,
                samesite="None" if secure else "Lax",
                expires_days=None if exp is None else exp / 86400,
            )


class CollectedRedirect(Redirect):
    """A redirect PyLTI1p3 asks for, handed back as its address."""

    def __init__(self, location: str):
        self.location = location

    def do_redirect(self) -> str:
        return self.location

    def do_js_redirect(self) -> str:
        return self.location

    def set_redirect_url(self, location: str) -> None:
        self.location = location

    def get_redirect_url(self) -> str:
        return self.location


class ToolLogin(OIDCLogin):
    def get_redirect(self, url: str) -> CollectedRedirect:
        return CollectedRedirect(url)


class ToolLaunch(MessageLaunch):
    """PyLTI1p3's launch, which keeps a launch only when a later request needs it (a deep-
    linking pick), without the person's claims, and fetches a platform's key set again
    once when a token names a key the cached set lacks (the platform rotated its keys)."""

    def _get_request_param(self, key: str) -> Any:
        return self._request.get_param(key)

    def save_launch_data(self) -> ToolLaunch:
        body = self._jwt["body"]
        if self.is_deep_link_launch():
            kept = {k: v for k, v in body.items() if k not in PERSONAL_CLAIMS}
            self._session_service.save_launch_data(self._launch_id, kept)
        return self

    def get_public_key(self) -> tuple[str, str]:
        try:
            return super().get_public_key()
        except LtiException as exc:
            cache = self._public_key_cache_data_storage
            if "Unable to find public key" not in str(exc) or cache is None:
                raise
            cache.clear()
            self._registration.set_key_set(None)
            return super().get_public_key()
