"""Case files: scenarios and reviews, their typed model, loading and validation.

The loaders are imported on first use (module ``__getattr__``): a learner kernel that only
unpickles the server's scenarios never loads the YAML parser and the validator (measured:
about 2 MiB and 0.3 s of CPU per warm kernel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolkit.cases.library import Library
from toolkit.cases.model import Decision, Option, Review, Scenario

if TYPE_CHECKING:
    from toolkit.cases.load import case_files, load_case, load_library, validate_paths

_LOADERS = ("case_files", "load_case", "load_library", "validate_paths")

__all__ = [
    "Decision",
    "Library",
    "Option",
    "Review",
    "Scenario",
    "case_files",
    "load_case",
    "load_library",
    "validate_paths",
]


def __getattr__(name: str) -> Any:
    if name in _LOADERS:
        from toolkit.cases import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
