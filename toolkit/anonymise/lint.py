"""The anonymisation lint: every real-looking identifier in case files, as Problems.

``lint_paths`` is what ``safeshare lint`` runs. Each finding is a
``Problem(file, line, kind, text)``, printed as ``file:line: kind: text``. Findings named in
the nearest ``anonymisation-allow.yaml`` (looked for upward from each file) are passed.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.anonymise.allow import ALLOW_FILE, Allow, find_allow_file, read_allow
from toolkit.anonymise.cast import cast_of
from toolkit.anonymise.detectors import scan
from toolkit.anonymise.names import find_names, known_words
from toolkit.problems import Problem

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
# Chronology spreadsheets and notes are content too, but only inside the case library: a
# project README may legitimately name real people and services.
CONTENT_SUFFIXES = frozenset({".csv", ".md"})
CONTENT_FOLDER = "case_studies"
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules"})


def lint_text(
    text: str,
    filename: str,
    cast: Iterable[str] | None = None,
    allowed: Iterable[str] = (),
) -> list[Problem]:
    """Findings in ``text``, reported against ``filename``.

    ``cast`` holds the labels and agency names the file may use ("Child A, 2 years",
    "Little Acorns Nursery"); by default it is read from the text when ``filename`` is
    YAML. ``allowed`` are allow-list strings: a finding is passed when it appears, as whole
    words, inside one of them, and their words count as cast for the name check.
    """
    if cast is None:
        cast = cast_of(text) if Path(filename).suffix.lower() in YAML_SUFFIXES else ()
    allowed = tuple(allowed)
    phrases = [_normal(phrase) for phrase in allowed]
    findings = scan(text) + find_names(text, known_words([*cast, *allowed]))
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return [
        Problem(filename, bisect_right(line_starts, match.start), match.kind, match.text)
        for match in findings
        if not _is_allowed(match.text, phrases)
    ]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _is_allowed(found: str, phrases: list[str]) -> bool:
    if not phrases:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(_normal(found))}(?!\w)")
    return any(pattern.search(phrase) for phrase in phrases)


def lint_paths(paths: Iterable[str | Path], allow: Allow | None = None) -> list[Problem]:
    """Lint files and folders; return every finding, sorted by file and line.

    Folders are walked for YAML files, and for CSV and Markdown files inside a
    ``case_studies`` folder; files named directly are always linted. With ``allow`` given,
    it applies to every file; otherwise each file uses the nearest allow-list above it,
    whose own faults (such as an entry without a reason) are reported too. The same text
    found twice on one line is reported once.
    """
    paths = list(paths)
    problems: set[Problem] = set()
    allow_lists: dict[Path, tuple[Allow, list[Problem]]] = {}
    for path in paths:
        if not Path(path).exists():
            problems.add(Problem(str(path), 0, "file", "no such file or folder"))
    for file in lint_files(paths):
        file_allow = allow
        if file_allow is None:
            file_allow, allow_problems = _nearest_allow(file, allow_lists)
            problems.update(allow_problems)
        problems.update(lint_file(file, file_allow))
    return sorted(problems)


def lint_file(file: Path, allow: Allow | None = None) -> list[Problem]:
    """Findings in one file, with ``allow``'s entries for that file applied."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(str(file), 0, "file", "not UTF-8 text")]
    except OSError as exc:
        return [Problem(str(file), 0, "file", f"cannot read ({exc.strerror})")]
    allowed = allow.texts_for(file) if allow is not None else ()
    return lint_text(text, str(file), allowed=allowed)


def _nearest_allow(
    file: Path, cache: dict[Path, tuple[Allow, list[Problem]]]
) -> tuple[Allow, list[Problem]]:
    found = find_allow_file(file)
    if found is None:
        return Allow(), []
    if found not in cache:
        cache[found] = read_allow(found)
    return cache[found]


def lint_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files ``lint_paths`` reads, each once, in order; allow-lists are never linted."""
    seen: set[Path] = set()
    for path in map(Path, paths):
        candidates = _walk(path) if path.is_dir() else [path] if path.is_file() else []
        for file in candidates:
            key = file.resolve()
            if file.name != ALLOW_FILE and key not in seen:
                seen.add(key)
                yield file


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            file = Path(root, name)
            if _is_lintable(file):
                yield file


def _is_lintable(file: Path) -> bool:
    suffix = file.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return True
    return suffix in CONTENT_SUFFIXES and CONTENT_FOLDER in file.resolve().parts
