"""Problem: one fault found in a user's file, located by file, line and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A fault a user can fix: where it is and what is wrong.

    ``line`` is 1-based; 0 means the fault belongs to the whole file. ``field`` is a dotted
    path into the document (``decisions.2.options.0.next``) or, for the anonymisation lint,
    the kind of finding (``postcode``).
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


def render(problems: list[Problem]) -> str:
    """All problems, one per line, sorted by file and line: the CLI's output format."""
    return "\n".join(str(p) for p in sorted(problems))
