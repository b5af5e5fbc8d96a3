"""A local LTI 1.3 platform for the tests, built on joserfc (a JOSE library other than the
tool's PyJWT, so the two sides check each other), served on 127.0.0.1 in a thread.

It plays the LMS: starts third-party initiated logins, answers the OIDC authentication
request with a signed id token (auto-posted by the browser), issues grade-service access
tokens to a tool that proves itself with a JWT signed by its key (checked against the
tool's published JWKS), records the scores posted to its line items (and can fail a given
number of them), and checks and records Deep Linking responses. A launch can be tampered
with (``Spec.tamper``) to make each kind of bad launch.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
ROLES = {
    "learner": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
}
# Personal claims a real LMS may send: the tool must never store them.
PERSONAL = {"name": "Ada Testperson", "given_name": "Ada", "email": "ada.testperson@example.org"}


@dataclass
class Spec:
    """One launch the platform will make: who, where, what; and how to spoil it."""

    user: str = "user-1"
    role: str = "learner"
    message: str = "LtiResourceLinkRequest"
    link: str = "link-1"
    scenario: str | None = "sc-nursery-bruising"
    context: str | None = "course-1"
    locale: str | None = None  # the person's locale claim (OpenID Connect), e.g. "cy-GB"
    tamper: dict[str, Any] = field(default_factory=dict)
    posted: dict[str, str] = field(default_factory=dict)  # the id token and state sent


class Platform:
    """Start with ``start()``, stop with ``stop()``; register it with the tool's store."""

    client_id = "safeshare-test-client"
    deployment_id = "deployment-1"

    def __init__(self, tool_base: str):
        self.tool_base = tool_base.rstrip("/")
        self.key = RSAKey.generate_key(2048, parameters={"kid": "platform-1", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "platform-1"})
        self.specs: dict[str, Spec] = {}
        self.tokens: set[str] = set()
        self.scores: list[dict[str, Any]] = []
        self.score_failures = 0
        self.deep_links: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # Life --------------------------------------------------------------------------------
    def start(self) -> Platform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def registration(self) -> dict[str, Any]:
        """What `safeshare lti add-platform` is given for this platform."""
        return dict(
            issuer=self.issuer,
            client_id=self.client_id,
            name="Test platform",
            auth_login_url=self.url + "/auth",
            auth_token_url=self.url + "/token",
            key_set_url=self.url + "/jwks",
            auth_audience=None,
            deployment_ids=[self.deployment_id],
        )

    def start_url(self, spec: Spec) -> str:
        """The address that starts a launch in a browser (the LMS's activity link)."""
        hint = secrets.token_hex(8)
        self.specs[hint] = spec
        return f"{self.url}/start?{urlencode({'hint': hint})}"

    # Tokens ------------------------------------------------------------------------------
    def id_token(self, spec: Spec, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": spec.user,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": spec.message,
            LTI + "version": "1.3.0",
            LTI + "roles": ROLES[spec.role],
            LTI + "target_link_uri": self.tool_base + "/lti/launch",
            **PERSONAL,
        }
        if spec.locale:
            claims["locale"] = spec.locale
        if spec.context:
            claims[LTI + "context"] = {
                "id": spec.context,
                "label": "SG101",
                "title": "Safeguarding refresher 2026",
            }
        if spec.message == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": spec.link, "title": "SafeShare activity"}
            if spec.scenario:
                claims[LTI + "custom"] = {"scenario": spec.scenario}
            claims[AGS] = {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitem": f"{self.url}/lineitems/{spec.link}",
                "lineitems": f"{self.url}/lineitems",
            }
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "platform-opaque-data",
            }
        t = spec.tamper
        claims["exp"] += t.get("exp_offset", 0)
        for name in ("aud", "iss"):
            if name in t:
                claims[name] = t[name]
        if "deployment_id" in t:
            claims[LTI + "deployment_id"] = t["deployment_id"]
        if "nonce" in t:
            claims["nonce"] = t["nonce"]
        for name in t.get("drop", ()):
            claims.pop(name, None)
            claims.pop(LTI + name, None)
        key = self.other_key if t.get("foreign_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "platform-1"}, claims, key)

    def tool_keys(self) -> KeySet:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.tool_base + "/lti/jwks", timeout=10) as resp:
            return KeySet.import_key_set(json.loads(resp.read()))

    def check_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        """Verify a JWT the tool signed (its JWKS) and its registered claims."""
        decoded = jwt.decode(token, self.tool_keys(), algorithms=["RS256"])
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.client_id},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        )
        registry.validate(decoded.claims)
        return decoded.claims


def _form_page(action: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<!doctype html><html lang="en"><body><form id="f" method="post" '
        f'action="{html.escape(action)}">{inputs}<button>Continue</button></form>'
        "<script>document.getElementById('f').submit();</script></body></html>"
    ).encode()


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "text/html") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _query(self) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            self.raw_body = body
            return {k: v[0] for k, v in parse_qs(body).items()}

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/jwks":
                keys = {"keys": [platform.key.as_dict(private=False) | {"alg": "RS256"}]}
                return self._send(200, json.dumps(keys).encode(), "application/json")
            if path == "/start":
                hint = self._query()["hint"]
                spec = platform.specs[hint]
                params = {
                    "iss": spec.tamper.get("login_iss", platform.issuer),
                    "login_hint": spec.user,
                    "lti_message_hint": hint,
                    "target_link_uri": platform.tool_base + "/lti/launch",
                    "client_id": platform.client_id,
                    "lti_deployment_id": platform.deployment_id,
                }
                self.send_response(302)
                self.send_header("Location", f"{platform.tool_base}/lti/login?{urlencode(params)}")
                self.end_headers()
                return None
            if path == "/auth":
                return self._auth(self._query())
            return self._send(404, b"not found")

        def _auth(self, q: dict[str, str]) -> None:
            spec = platform.specs.get(q.get("lti_message_hint", ""))
            redirect = platform.tool_base + "/lti/launch"
            if (
                spec is None
                or q.get("client_id") != platform.client_id
                or q.get("redirect_uri") != redirect
                or q.get("response_type") != "id_token"
                or q.get("scope") != "openid"
            ):
                return self._send(400, b"bad authentication request")
            spec.posted = {"id_token": platform.id_token(spec, q["nonce"]), "state": q["state"]}
            return self._send(200, _form_page(redirect, spec.posted))

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if path == "/token":
                return self._token(self._form())
            if path.startswith("/lineitems/") and path.endswith("/scores"):
                return self._score(path)
            if path == "/deep-link-return":
                return self._deep_link(self._form())
            return self._send(404, b"not found")

        def _token(self, form: dict[str, str]) -> None:
            try:
                assert form["grant_type"] == "client_credentials"
                assert form["client_assertion_type"].endswith("jwt-bearer")
                platform.check_tool_jwt(form["client_assertion"], platform.url + "/token")
            except Exception as exc:  # noqa: BLE001 - any fault: the token is refused
                return self._send(401, json.dumps({"error": str(exc)}).encode())
            token = secrets.token_urlsafe(16)
            platform.tokens.add(token)
            body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            return self._send(200, json.dumps(body).encode(), "application/json")

        def _score(self, path: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            auth = self.headers.get("Authorization", "")
            if auth.removeprefix("Bearer ") not in platform.tokens:
                return self._send(401, b'{"error": "no token"}', "application/json")
            if platform.score_failures > 0:
                platform.score_failures -= 1
                return self._send(503, b'{"error": "gradebook unavailable"}', "application/json")
            platform.scores.append(
                {
                    "lineitem": path.removesuffix("/scores").rsplit("/", 1)[-1],
                    "content_type": self.headers.get("Content-Type"),
                    "score": json.loads(body),
                }
            )
            return self._send(200, b"", "application/json")

        def _deep_link(self, form: dict[str, str]) -> None:
            claims = platform.check_tool_jwt(form["JWT"], platform.issuer)
            platform.deep_links.append(claims)
            items = claims.get(DL + "content_items", [])
            titles = "".join(f"<li>{html.escape(i.get('title', ''))}</li>" for i in items)
            page = f"<h1>Added {len(items)} activities</h1><ul>{titles}</ul>"
            return self._send(200, page.encode())

    return Handler
