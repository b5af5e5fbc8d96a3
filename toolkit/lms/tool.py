"""PyLTI1p3's view of SafeShare: registrations and deployments from the store, OIDC state in
the database, nonces taken once, the platform's key set cached briefly.

PyLTI1p3 validates everything in a launch (state, nonce, issuer, audience, signature, expiry,
deployment, message claims); this module only tells it where things are:

- ``StoreToolConf``: a platform is found by issuer and client id (many client ids per issuer,
  as PyLTI1p3 recommends); a deployment id must be one registered for it.
- ``StoreState``: OIDC nonces and state, and launches kept for a deep-linking pick, go to the
  ``lti_state`` table, so a launch may land on any worker or server sharing the database.
- ``OnceNonces``: PyLTI1p3 only checks that a nonce was issued; here checking it takes it,
  so the same id token posted again is refused ("Invalid Nonce").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from toolkit.lms.keys import ToolKey, signing_key
from toolkit.storage import Store
from toolkit.storage import lms as records

# Login to launch takes seconds; an instructor's deep-linking pick, a few minutes.
STATE_SECONDS = 600


class ToolRegistration(Registration):
    """A registration that names our signing key's id in every JWT header it signs."""

    def __init__(self, key: ToolKey):
        self._key = key
        self.set_tool_private_key(key.private_pem)

    def get_kid(self) -> str:
        return self._key.kid

    def get_jwks(self) -> list[dict[str, Any]]:
        return [self._key.public_jwk]


def registration(platform: dict[str, Any], key: ToolKey) -> ToolRegistration:
    """PyLTI1p3's Registration for a stored platform, signing with ``key``."""
    reg = ToolRegistration(key)
    reg.set_issuer(platform["issuer"]).set_client_id(platform["client_id"])
    reg.set_auth_login_url(platform["auth_login_url"])
    reg.set_auth_token_url(platform["auth_token_url"])
    reg.set_key_set_url(platform["key_set_url"])
    if platform.get("auth_audience"):
        reg.set_auth_audience(platform["auth_audience"])
    return reg


class StoreToolConf(ToolConfAbstract):
    """Platforms as `safeshare lti add-platform` registered them."""

    def __init__(self, store: Store, key_dir: Path):
        self.store, self.key_dir = store, key_dir
        self.issuers_relation_types = {}  # PyLTI1p3's class-level dict, made per instance

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> None:
        return None  # never asked: every issuer may have many client ids

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> ToolRegistration | None:
        platform = records.find_platform(self.store, iss, client_id) if client_id else None
        if platform is None:
            return None
        return registration(platform, signing_key(self.key_dir))

    def find_deployment(self, iss: str, deployment_id: str) -> None:
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = records.find_platform(self.store, iss, client_id)
        if platform is None or deployment_id not in platform["deployment_ids"]:
            return None
        return Deployment().set_deployment_id(deployment_id)


class StoreState(LaunchDataStorage):
    """PyLTI1p3's launch data storage over the ``lti_state`` table (no session cookie)."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def get_session_cookie_name(self) -> None:
        return None  # keys are random (nonces, uuids): no per-browser prefix is needed

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return records.get_state(self.store, self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        records.put_state(self.store, self._prepare_key(key), value, exp or STATE_SECONDS)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def take_value(self, key: str) -> Any:
        return records.take_state(self.store, self._prepare_key(key))


class OnceNonces(SessionService):
    """PyLTI1p3's session service with single-use nonces."""

    def __init__(self, request: Any, state: StoreState):
        super().__init__(request)
        state.set_request(request)
        self.set_data_storage(state)
        self.set_launch_data_lifetime(STATE_SECONDS)

    def check_nonce(self, nonce: str) -> bool:
        return self.data_storage.take_value(self._get_key("nonce", nonce)) is not None


class KeySetCache(LaunchDataStorage):
    """The platforms' public key sets, kept in this process for ``seconds`` (PyLTI1p3 would
    otherwise fetch the platform's JWKS on every launch)."""

    def __init__(self, seconds: float = 300.0):
        super().__init__()
        self.seconds = seconds
        self._values: dict[str, tuple[float, Any]] = {}

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        until, value = self._values.get(key, (0.0, None))
        return value if until > time.monotonic() else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._values[key] = (time.monotonic() + self.seconds, value)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def clear(self) -> None:
        self._values.clear()
