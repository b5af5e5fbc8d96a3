"""Reads YAML keeping line numbers, and maps a field path back to the line it came from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from toolkit.problems import Problem

Loc = Sequence[str | int]


class YamlSyntaxError(Exception):
    """The file is not YAML; carries the one Problem that says where."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def read_yaml(path: Path | str, text: str | None = None) -> Any:
    """Parse with ruamel's round-trip loader so every map and list remembers its lines.

    Raises YamlSyntaxError naming the line of the first syntax fault (YAML cannot be parsed
    past one). Duplicate keys are a syntax fault too: silently keeping the last would hide
    an author's mistake.
    """
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise YamlSyntaxError(
                Problem(name, 0, "file", f"not UTF-8 text ({exc.reason})")
            ) from None
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(Problem(name, line, "yaml", message or "invalid YAML")) from None
    except YAMLError as exc:
        raise YamlSyntaxError(Problem(name, 0, "yaml", str(exc).splitlines()[0])) from None


def line_of(document: Any, loc: Loc) -> int:
    """The 1-based line of the deepest part of ``loc`` present in ``document`` (0 if none).

    A missing field has no line of its own, so it is reported at its parent's line.
    """
    node, line = document, 1 if isinstance(document, CommentedMap | CommentedSeq) else 0
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
        else:
            break
        node = node[part]
    return line


def dotted(loc: Loc) -> str:
    """``('decisions', 2, 'next')`` → ``decisions.2.next``: the field name users see."""
    return ".".join(str(part) for part in loc) or "document"
