"""The tool's RSA signing keys: made by `safeshare lti keygen`, published as a JWKS.

Keys live as PEM files in ``settings.lti_key_dir`` (``var/lti/`` by default, outside
``notebooks/``, so never served), readable by their owner only. The newest key signs
(deep-linking responses, grade-service tokens); every key on disk stays in the public JWKS,
so a platform that cached the old set keeps working through a rotation. Remove a retired
key's file once the platforms have fetched the new set. Each key's id (``kid``) is its
RFC 7638 thumbprint.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import SafeShareError

KEY_BITS = 2048


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]


def generate_key(key_dir: Path) -> ToolKey:
    """Make a new RSA key in ``key_dir`` (created, owner-only); it signs from now on."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    tool_key = _tool_key(pem)
    key_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)
    # A sortable name: the newest file is the signing key.
    path = key_dir / f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(pem)
    return tool_key


def load_keys(key_dir: Path) -> list[ToolKey]:
    """Every key in ``key_dir``, newest first; [] when there is none."""
    if not key_dir.is_dir():
        return []
    return [_tool_key(p.read_text()) for p in sorted(key_dir.glob("*.pem"), reverse=True)]


def signing_key(key_dir: Path) -> ToolKey:
    """The newest key; SafeShareError saying what to run when there is none."""
    keys = load_keys(key_dir)
    if not keys:
        raise SafeShareError(f"no LTI tool key in {key_dir}: run `safeshare lti keygen` first")
    return keys[0]


def jwks(key_dir: Path) -> dict[str, Any]:
    """The public JSON Web Key Set a platform fetches to check the tool's signatures."""
    return {"keys": [key.public_jwk for key in load_keys(key_dir)]}


def _tool_key(pem: str) -> ToolKey:
    from jwcrypto.jwk import JWK

    jwk = JWK.from_pem(pem.encode("ascii"))
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update(kid=kid, alg="RS256", use="sig")
    return ToolKey(kid=kid, private_pem=pem, public_jwk=public)
