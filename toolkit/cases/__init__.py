"""Case files: scenarios and reviews, their typed model, loading and validation."""

from toolkit.cases.load import Library, case_files, load_case, load_library, validate_paths
from toolkit.cases.model import Decision, Option, Review, Scenario

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
