"""The public addresses of the LMS routes: what an LMS administrator types in, and where a
launch sends the browser. Each defaults to the local server (`host` and its port setting)."""

from __future__ import annotations

from toolkit.settings import Settings

PATHS = {
    "login": "/lti/login",  # OIDC login initiation (third-party initiated login)
    "launch": "/lti/launch",  # redirect URI: resource-link and deep-linking launches
    "jwks": "/lti/jwks",  # the tool's public keys
    "pick": "/lti/pick",  # an instructor's deep-linking choice is posted here
    "scorm_launch": "/scorm/launch",  # a SCORM package's page asks for its learner's ticket
    "scorm_status": "/scorm/status",  # … and reads the learner's progress
}


def _host(settings: Settings) -> str:
    return f"[{settings.host}]" if ":" in settings.host else settings.host


def tool_base(settings: Settings) -> str:
    """The LTI tool's base address, without a trailing slash."""
    return (settings.lti_url or f"http://{_host(settings)}:{settings.lti_port}").rstrip("/")


def tool_url(settings: Settings, name: str) -> str:
    return tool_base(settings) + PATHS[name]


def learner_base(settings: Settings) -> str:
    """The learner app's address, with a trailing slash."""
    return (settings.learner_url or f"http://{_host(settings)}:{settings.port}").rstrip("/") + "/"


def trainer_base(settings: Settings) -> str:
    """The trainer app's address, with a trailing slash."""
    base = settings.trainer_url or f"http://{_host(settings)}:{settings.trainer_port}"
    return base.rstrip("/") + "/"
