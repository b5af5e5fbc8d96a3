"""What SafeShare's Voilà servers need beyond Voilà 0.5.13, run inside Voilà's server process.

Voilà builds one object of ours in its process: the identity provider named by
``--Voila.identity_provider_class`` (see ``toolkit.serving.server``). It is Jupyter's own
PasswordIdentityProvider (a token when the server has one, open otherwise) plus two repairs
found by the security review (issue 9, docs/security.md):

1. **The page's _xsrf cookie.** When a tab closes or reloads, Voilà's page asks the server to
   shut its kernel down (a beacon POST to /voila/api/shutdown/<kernel id> carrying the
   ``_xsrf`` cookie's value). Voilà never sets that cookie, so every such request was
   refused (403) and each page load left its kernel running until culled (measured: 12 page
   loads, 12 kernels). The provider sets it on the page's response, as Jupyter's login page
   does, so the request passes Tornado's XSRF check.
2. **Query-socket bookkeeping.** A warm kernel waits on /voila/query/<its id> for its page's
   query string. When a socket Voilà no longer held was closed, Voilà deleted whichever entry
   its loop ended on: the newest warm kernel's, whose page then never loaded. Anyone could
   cause that with two sockets under a made-up id. Each socket now removes only its own entry.
3. **No template or theme from the address.** A page asked for with ``?template=`` or
   ``?theme=`` never got a warm kernel (Voilà keeps warm only pages of the configured look),
   so anyone could make the server start a cold kernel per request. Both are now taken out
   of a page request before Voilà reads them (toolkit.serving.page_template).

It also signs trainers in for a workshop day and takes the token out of the address
(toolkit.serving.sign_in), signs an LMS instructor in for their course's cohort only
(toolkit.serving.lti.course_sign_in), and, on the learner server, admits a page only when its kernel
fits (toolkit.serving.admission): otherwise the page is a small one saying the room is
full, served without starting a kernel.

It also compiles Voilà's page templates and nbformat's validators once, as the server starts,
and shares the compiled templates with every page (``toolkit.serving.template_cache``): Voilà
made each page compile them again.

It also installs the warm pool's guard (issue 15, ``toolkit.serving.pool_guard``): a pooled
kernel whose notebook failed is dropped and replaced, never handed to a learner; and, when
the learner server forks its kernels (issue 17), starts the zygote as Voilà starts, so the
first learners find it ready (``toolkit.serving.fork_provisioner.start_early``).
"""

from __future__ import annotations

import inspect
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider, User
from traitlets import default

from toolkit.serving import sign_in
from toolkit.serving.admission import Refusal
from toolkit.serving.fork_provisioner import start_early
from toolkit.serving.lti import course_sign_in
from toolkit.serving.pool_guard import guard_pool
from toolkit.serving.template_cache import (
    share_template_bytecode,
    warm_notebook_validators,
    warm_page_templates,
)

# Query arguments Voilà would read to render a page differently (and then cold).
LOOK_ARGUMENTS = ("template", "theme")


class PageCookieIdentityProvider(PasswordIdentityProvider):
    """Jupyter's identity provider that also gives every Voilà page its ``_xsrf`` cookie."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        repair_query_sockets()
        _warm_templates(self.parent)  # page templates compiled once (serving.template_cache)
        guard_pool(self.parent)  # failed warm kernels leave the pool (serving.pool_guard)
        start_early(self.parent)  # forked kernels: the zygote starts with Voilà
        self._opened_store: Any = None

    def _store(self) -> Any:
        """The store, opened on an LMS instructor's first sign-in (toolkit.serving.lti)."""
        if self._opened_store is None:
            from toolkit.settings import Settings
            from toolkit.storage import attach_store

            settings = Settings.from_env()
            self._opened_store = attach_store(settings.database_url, settings.store_wait)
        return self._opened_store

    @default("cookie_options")
    def _sign_in_cookie(self) -> dict[str, Any]:
        return sign_in.cookie_options()

    @default("get_secure_cookie_kwargs")
    def _sign_in_check(self) -> dict[str, Any]:
        return sign_in.cookie_check()

    async def get_user(self, handler: Any) -> User | None:
        user = super().get_user(handler)
        if inspect.isawaitable(user):
            user = await user
        if user is None and self.token:  # the trainer server: an LMS instructor's sign-in
            user = course_sign_in.user_from(handler, self._store, _is_page(handler))
        if user is None or not _is_page(handler):
            return user
        course = course_sign_in.course_of(user)
        if course is not None:
            course_sign_in.scope_page(handler, course)
        _drop_look_arguments(handler)
        address = sign_in.address_without_token(handler)
        if address is not None:
            handler.redirect(address)  # Tornado then skips the page: no kernel is started
            return user
        refusal = _admission(handler)
        if refusal is not None:
            _refuse(handler, refusal)  # likewise: answered here, without a kernel
            return user
        if not _has_xsrf_cookie(handler):
            # Tornado makes the token and sets its cookie on first use; it reads
            # current_user to choose the cookie's lifetime, so that must be known first.
            handler.current_user = user
            handler.xsrf_token  # noqa: B018 - read for its side effect: the Set-Cookie
        return user


def _warm_templates(voila_app: Any) -> None:
    """Share compiled page templates between pages, compiled now rather than by the first
    pages of a burst. A failure here costs speed only: it is logged and pages compile."""
    share_template_bytecode()
    paths = getattr(voila_app, "template_paths", None)
    configuration = getattr(voila_app, "voila_configuration", None)
    if not paths or configuration is None:
        return
    try:
        warm_page_templates(paths, configuration.template)
        warm_notebook_validators()
    except Exception as exc:  # noqa: BLE001 - pages still render, compiling as before
        voila_app.log.warning("[SafeShare] page templates not compiled at start: %s", exc)


def _is_page(handler: Any) -> bool:
    from voila.handler import VoilaHandler

    return isinstance(handler, VoilaHandler) and handler.request.method == "GET"


def _admission(handler: Any) -> Refusal | None:
    """Ask the kernel manager (a RoomKernelManager on the learner server) about the app page
    itself; other paths (files, redirects) start no kernel."""
    admit = getattr(handler.kernel_manager, "admit", None)
    if admit is None or any(handler.path_args):
        return None
    return admit(handler)


def _refuse(handler: Any, refusal: Refusal) -> None:
    handler.set_status(refusal.status)
    handler.set_header("Retry-After", str(refusal.retry_after))
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Content-Type", "text/html; charset=UTF-8")
    handler.finish(refusal.page())


def _drop_look_arguments(handler: Any) -> None:
    """Take ?template= and ?theme= out of the request, as if they had not been given."""
    for name in LOOK_ARGUMENTS:
        handler.request.arguments.pop(name, None)
        handler.request.query_arguments.pop(name, None)


def _has_xsrf_cookie(handler: Any) -> bool:
    return handler.get_cookie(handler.settings.get("xsrf_cookie_name", "_xsrf")) is not None


def repair_query_sockets() -> None:
    """Make a closing query socket remove its own entry only (idempotent)."""
    from voila.request_info_handler import RequestInfoSocketHandler

    RequestInfoSocketHandler.on_close = _forget_own_entry


def _forget_own_entry(self: Any) -> None:
    waiters = type(self)._waiters
    for kernel_id, waiter in list(waiters.items()):
        if waiter is self:
            del waiters[kernel_id]
