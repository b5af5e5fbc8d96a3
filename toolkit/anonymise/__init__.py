"""Anonymisation lint: finds real-looking personal data in case files before they are shared.

``lint_paths`` backs ``safeshare lint``; detectors are a registry keyed by kind
(``DETECTORS``), names are checked against each file's cast, and false alarms are passed
through ``anonymisation-allow.yaml``.
"""

from toolkit.anonymise.allow import (
    ALLOW_FILE,
    Allow,
    AllowEntry,
    find_allow_file,
    load_allow,
    read_allow,
)
from toolkit.anonymise.cast import cast_of
from toolkit.anonymise.detectors import DETECTORS, Match, scan
from toolkit.anonymise.lint import lint_file, lint_files, lint_paths, lint_text
from toolkit.anonymise.names import find_names, given_names, known_words

__all__ = [
    "ALLOW_FILE",
    "Allow",
    "AllowEntry",
    "DETECTORS",
    "Match",
    "cast_of",
    "find_allow_file",
    "find_names",
    "given_names",
    "known_words",
    "lint_file",
    "lint_files",
    "lint_paths",
    "lint_text",
    "load_allow",
    "read_allow",
    "scan",
]
