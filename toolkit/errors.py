"""Domain exceptions: faults a user can fix, never bugs. The library raises; the CLI/app render."""

from __future__ import annotations

from toolkit.problems import Problem


class SafeShareError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class CaseFileError(SafeShareError):
    """A case file (scenario or review) has one or more problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ResponseError(SafeShareError):
    """A learner's responses do not fit the scenario (unknown ids, off-path, wrong types)."""


class MissingEntry(SafeShareError):
    """A record asked for by id is not in the store."""


class AccessDenied(SafeShareError):
    """An action is not allowed for this user or not allowed now."""


class StoreUnavailable(SafeShareError):
    """The database cannot be used now: unreachable, or its schema not brought up to date."""
