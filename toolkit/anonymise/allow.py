"""The anonymisation allow-list: strings the lint may pass, each with the reason it is safe.

An ``anonymisation-allow.yaml`` applies to the files in its folder and below. Shape::

    allow:
      - text: Jordan                       # the exact string the lint found
        reason: Fictional pseudonym chosen by the author, not a real person
        files: [scenarios/sc-youth-club.yaml]   # optional; omitted means every file

``files`` are paths or glob patterns relative to the allow file's folder; a pattern without
a ``/`` also matches by file name. Every entry needs a reason so a reviewer can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from toolkit.errors import CaseFileError
from toolkit.problems import Problem

ALLOW_FILE = "anonymisation-allow.yaml"
ENTRY_FIELDS = ("text", "reason", "files")


@dataclass(frozen=True)
class AllowEntry:
    """One allowed string, why it is safe, and the files it covers (empty: all files)."""

    text: str
    reason: str
    files: tuple[str, ...] = ()

    def covers(self, relative: str) -> bool:
        """Does this entry apply to the file at ``relative`` (posix, from the list's folder)?"""
        if not self.files:
            return True
        name = relative.rsplit("/", 1)[-1]
        return any(
            fnmatchcase(relative, pattern) or ("/" not in pattern and fnmatchcase(name, pattern))
            for pattern in self.files
        )


@dataclass(frozen=True)
class Allow:
    """An allow-list; ``root`` is the folder its ``files`` patterns are relative to."""

    entries: tuple[AllowEntry, ...] = ()
    root: Path | None = None

    def texts_for(self, file: str | Path) -> tuple[str, ...]:
        """The allowed strings that apply to ``file``."""
        relative = _relative(Path(file), self.root)
        return tuple(entry.text for entry in self.entries if entry.covers(relative))


def _relative(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return file.as_posix()


def find_allow_file(start: str | Path) -> Path | None:
    """The nearest ``anonymisation-allow.yaml`` in ``start``'s folder or any folder above.

    The path is relative to the working directory when it lies inside it, so problems in
    the list read like the lint's other output.
    """
    here = Path(start).resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ALLOW_FILE).is_file():
            return _shown(candidate / ALLOW_FILE)
    return None


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def load_allow(path: str | Path) -> Allow:
    """Read an allow-list; raise CaseFileError listing every fault in it."""
    allow, problems = read_allow(path)
    if problems:
        raise CaseFileError(problems)
    return allow


def read_allow(path: str | Path) -> tuple[Allow, list[Problem]]:
    """Read an allow-list, keeping its sound entries and reporting the faulty ones.

    The lint uses this form so that one entry without a reason is reported without losing
    the rest of the list.
    """
    path, name = Path(path), str(path)
    try:
        document = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        return Allow(root=path.parent), [Problem(name, line, "yaml", str(exc.problem))]
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        return Allow(root=path.parent), [Problem(name, 0, "yaml", str(exc).splitlines()[0])]
    entries, problems = _entries(document, name)
    return Allow(tuple(entries), path.parent), problems


def _entries(document: Any, name: str) -> tuple[list[AllowEntry], list[Problem]]:
    if document is None:
        return [], []
    if not isinstance(document, CommentedMap) or not isinstance(
        document.get("allow") or [], CommentedSeq | list
    ):
        return [], [Problem(name, 1, "allow", "expected a mapping with an `allow:` list")]
    problems = [
        Problem(name, document.lc.key(key)[0] + 1, str(key), "unknown key (expected `allow`)")
        for key in document
        if key != "allow"
    ]
    entries = []
    for index, raw in enumerate(document.get("allow") or []):
        line = document["allow"].lc.item(index)[0] + 1
        entry, faults = _entry(raw, f"allow.{index}")
        problems.extend(Problem(name, line, field, message) for field, message in faults)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _entry(raw: Any, field: str) -> tuple[AllowEntry | None, list[tuple[str, str]]]:
    if not isinstance(raw, dict):
        return None, [(field, "each entry is a mapping with `text` and `reason`")]
    faults = [(f"{field}.{key}", "unknown field") for key in raw if key not in ENTRY_FIELDS]
    text, reason, files = raw.get("text"), raw.get("reason"), raw.get("files", [])
    if not isinstance(text, str) or not text.strip():
        faults.append((f"{field}.text", "every allow entry needs the text it allows"))
    if not isinstance(reason, str) or not reason.strip():
        faults.append((f"{field}.reason", "every allow entry needs a reason"))
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        faults.append((f"{field}.files", "a list of paths or patterns relative to this file"))
    if faults:
        return None, faults
    return AllowEntry(text.strip(), reason.strip(), tuple(files)), []
