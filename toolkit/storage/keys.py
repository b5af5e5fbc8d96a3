"""The store's random keys: learner ids, resume codes and join codes."""

from __future__ import annotations

import secrets

# Join codes avoid letters and digits that are easily confused when read off a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_learner_id() -> str:
    """A pseudonymous learner id: random, meaningless, short enough to read back."""
    return "L-" + secrets.token_hex(5)


def new_resume_key() -> str:
    """A learner's secret resume code: 80 random bits, grouped for reading aloud."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def new_join_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
