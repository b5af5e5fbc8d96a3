"""The LTI 1.3 tool's Tornado application: login, launch, JWKS, Deep Linking pick.

Every request's work (PyLTI1p3's checks, which fetch the platform's keys, and the database)
runs in a thread pool, so one slow launch never holds up the others; the handler then sets
the cookies and sends the redirect or page on Tornado's thread.

A launch that fails any check gets a page saying so and stores nothing: PyLTI1p3 validates
state, nonce (taken once), issuer and audience, signature and expiry, deployment and the
message's claims before ``toolkit.lms.launches.accept`` writes anything.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
import tornado.web
from pylti1p3.exception import LtiException, OIDCException

from toolkit.cases import Library
from toolkit.errors import SafeShareError
from toolkit.i18n import language_of
from toolkit.lms import addresses, deep_linking, launches
from toolkit.lms.keys import jwks
from toolkit.lms.tool import KeySetCache, OnceNonces, StoreState, StoreToolConf
from toolkit.serving.lti import pages
from toolkit.serving.lti.adapters import ToolLaunch, ToolLogin, TornadoCookies, TornadoRequest
from toolkit.settings import Settings
from toolkit.storage import Store

log = logging.getLogger("safeshare.lti")
KEY_SET_SECONDS = 300.0
REFUSALS = (LtiException, OIDCException, SafeShareError, KeyError, ValueError, TypeError)


@dataclass
class Tool:
    """What every handler shares: settings, the store, the library, PyLTI1p3's config."""

    settings: Settings
    store: Store
    library: Library
    key_sets: KeySetCache = field(default_factory=lambda: KeySetCache(KEY_SET_SECONDS))
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(8, "lti"))

    def __post_init__(self) -> None:
        self.conf = StoreToolConf(self.store, self.settings.lti_key_dir)
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "SafeShare-LTI"

    def launch(self, handler: Any, cookies: TornadoCookies) -> ToolLaunch:
        request = TornadoRequest(handler)
        launch = ToolLaunch(
            request,
            self.conf,
            session_service=OnceNonces(request, StoreState(self.store)),
            cookie_service=cookies,
            requests_session=self.http,
        )
        launch.set_public_key_caching(self.key_sets, int(KEY_SET_SECONDS))
        return launch


@dataclass
class Answer:
    """What a handler sends: a redirect, or a page with its status."""

    redirect: str | None = None
    status: int = 200
    html: str = ""


class ToolHandler(tornado.web.RequestHandler):
    """Runs ``work`` in the pool, then answers; a refused request gets the refusal page."""

    def initialize(self, tool: Tool) -> None:
        self.tool = tool

    def check_xsrf_cookie(self) -> None:
        pass  # LTI posts come from the LMS; each carries its own single-use proof instead

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def run(self, work: Callable[[TornadoCookies], Answer]) -> None:
        cookies = TornadoCookies(self)
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self.tool.pool, work, cookies)
        except launches.LaunchRefused as exc:
            answer = Answer(status=403, html=pages.refused(str(exc), str(exc)))
        except REFUSALS as exc:
            reason = str(exc) or type(exc).__name__
            log.info("refused %s: %s", self.request.path, reason)
            answer = Answer(status=400, html=pages.refused(reason))
        cookies.apply()
        if answer.redirect:
            self.redirect(answer.redirect, status=303)
            return
        self.set_status(answer.status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(answer.html)


class LoginHandler(ToolHandler):
    """OIDC third-party initiated login: the LMS sends the browser here first."""

    async def get(self) -> None:
        await self.run(self.login)

    async def post(self) -> None:
        await self.run(self.login)

    def login(self, cookies: TornadoCookies) -> Answer:
        request = TornadoRequest(self)
        nonces = OnceNonces(request, StoreState(self.tool.store))
        login = ToolLogin(request, self.tool.conf, nonces, cookies)
        target = addresses.tool_url(self.tool.settings, "launch")
        return Answer(redirect=login.redirect(target))


class LaunchHandler(ToolHandler):
    """The id token arrives here (form post): a resource link or a deep-linking request."""

    async def post(self) -> None:
        await self.run(self.accept)

    def accept(self, cookies: TornadoCookies) -> Answer:
        tool = self.tool
        launch = tool.launch(self, cookies)
        claims = launch.get_launch_data()  # validates everything, or raises
        if launch.is_deep_link_launch():
            if not launches.is_trainer(claims):
                raise launches.LaunchRefused(deep_linking.NOT_INSTRUCTOR)
            settings = claims[deep_linking.SETTINGS_CLAIM]
            html = pages.picker(
                tool.library.scenarios.values(),
                launch.get_launch_id(),
                addresses.tool_url(tool.settings, "pick"),
                deep_linking.accepts_many(settings),
            )
            return Answer(html=html)
        if not launch.is_resource_launch():
            raise LtiException("SafeShare answers resource-link and deep-linking launches only")
        handoff = launches.accept(
            tool.store,
            claims,
            tool.library.scenarios.keys(),
            ticket_seconds=tool.settings.ticket_seconds,
            retention_days=tool.settings.retention_days,
        )
        if handoff.kind == "instructor":
            target = addresses.trainer_base(tool.settings)
        else:
            target = addresses.learner_base(tool.settings)
        log.info("launch accepted: %s for %s", handoff.kind, handoff.scenario_id)
        query = {"ticket": handoff.ticket}
        # the person's locale, only as a language the apps have ("cy-GB" -> "cy"): the page
        # then opens in Welsh (toolkit.i18n.choose_language); never stored
        locale = claims.get("locale")
        language = language_of(locale) if isinstance(locale, str) else None
        if language:
            query["locale"] = language
        return Answer(redirect=target + "?" + urlencode(query))


class PickHandler(ToolHandler):
    """An instructor's Deep Linking choice, signed and posted back to the LMS."""

    async def post(self) -> None:
        await self.run(self.pick)

    def pick(self, cookies: TornadoCookies) -> Answer:
        tool = self.tool
        launch_id = self.get_argument("launch_id", "")
        chosen = [s for s in self.get_arguments("scenario") if s in tool.library.scenarios]
        if not launch_id.startswith("lti1p3-launch-"):
            raise LtiException("the pick names no launch")
        request = TornadoRequest(self)
        state = StoreState(tool.store)
        launch = ToolLaunch.from_cache(
            launch_id,
            request,
            tool.conf,
            session_service=OnceNonces(request, state),
            cookie_service=cookies,
            requests_session=tool.http,
        )
        state.take_value(launch_id)  # one pick per launch: the page cannot be posted twice
        if not chosen:
            raise launches.LaunchRefused(deep_linking.NOTHING_CHOSEN)
        url, fields = deep_linking.response(
            launch, [tool.library.scenarios[s] for s in chosen], tool.settings
        )
        return Answer(html=pages.return_to_lms(url, fields, len(chosen)))


class JwksHandler(tornado.web.RequestHandler):
    """The tool's public keys, for the platform to check what the tool signs."""

    def initialize(self, tool: Tool) -> None:
        self.tool = tool

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "max-age=300")
        self.finish(json.dumps(jwks(self.tool.settings.lti_key_dir)))


def make_app(tool: Tool, extra: list[tuple[str, Any, dict[str, Any]]] | None = None) -> Any:
    """The Tornado application of the tool (``extra``: more routes, e.g. SCORM's)."""
    routes = [
        (r"/lti/login", LoginHandler, {"tool": tool}),
        (r"/lti/launch", LaunchHandler, {"tool": tool}),
        (r"/lti/pick", PickHandler, {"tool": tool}),
        (r"/lti/jwks", JwksHandler, {"tool": tool}),
        *(extra or []),
    ]
    return tornado.web.Application(routes)
