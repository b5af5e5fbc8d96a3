"""Loading case files: parse YAML, check shape, then cross-references — every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolkit.cases.lenient import lenient
from toolkit.cases.library import Library
from toolkit.cases.model import Case, Review, Scenario
from toolkit.cases.rules import REVIEW_RULES, SCENARIO_RULES
from toolkit.cases.yamlsource import YamlSyntaxError, dotted, line_of, read_yaml
from toolkit.errors import CaseFileError
from toolkit.problems import Problem

KINDS: dict[str, tuple[type[Scenario] | type[Review], tuple]] = {
    "scenario": (Scenario, SCENARIO_RULES),
    "review": (Review, REVIEW_RULES),
}
# Files in a case folder that are not cases.
NOT_CASES = {"anonymisation-allow.yaml"}

_PYDANTIC_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (see CASE_FORMAT.md for the fields a case may have)",
}


def _shape_problems(name: str, document: Any, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        message = _PYDANTIC_MESSAGES.get(item["type"], item["msg"])
        message = message.removeprefix("Value error, ")
        problems.append(Problem(name, line_of(document, loc), dotted(loc), message))
    return problems


def _under(loc: tuple, shape_locs: set[tuple]) -> bool:
    return any(loc[: len(s)] == s for s in shape_locs)


def check_document(name: str, document: Any) -> tuple[Case | None, list[Problem]]:
    """Validate one parsed YAML document; return the case (if sound) and all its problems."""
    if not isinstance(document, dict):
        return None, [Problem(name, 1, "document", "a case file must be a YAML mapping")]
    kind = document.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        line = line_of(document, ("kind",))
        return None, [
            Problem(name, line, "kind", f"kind must be 'scenario' or 'review', not {kind!r}")
        ]
    cls, rules = KINDS[kind]
    problems: list[Problem] = []
    shape_locs: set[tuple] = set()
    try:
        case = cls.model_validate(document)
    except ValidationError as error:
        problems = _shape_problems(name, document, error)
        shape_locs = {tuple(item["loc"]) for item in error.errors()}
        case = lenient(cls, document)
    for rule in rules:
        for loc, message in rule(case):
            if not _under(loc, shape_locs):
                problems.append(Problem(name, line_of(document, loc), dotted(loc), message))
    return (None if problems else case), sorted(set(problems))


def load_case(path: Path | str) -> Case:
    """Read and validate one case file; raise CaseFileError listing every problem."""
    try:
        document = read_yaml(path)
    except YamlSyntaxError as exc:
        raise CaseFileError([exc.problem]) from None
    case, problems = check_document(str(path), document)
    if problems:
        raise CaseFileError(problems)
    return case


def case_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every YAML case file named directly or found under a named folder, sorted."""
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            yield from (p for p in found if p.name not in NOT_CASES)
        else:
            yield path


def load_library(paths: Iterable[Path | str]) -> Library:
    """Load every case under ``paths``; duplicate ids across files are problems too."""
    library = Library()
    for path in case_files(paths):
        if not path.exists():
            library.problems.append(Problem(str(path), 0, "file", "no such file or folder"))
            continue
        try:
            case = load_case(path)
        except CaseFileError as exc:
            library.problems.extend(exc.problems)
            continue
        shelf = library.scenarios if isinstance(case, Scenario) else library.reviews
        if case.id in library.files:
            first = library.files[case.id]
            library.problems.append(
                Problem(str(path), 1, "id", f"duplicate case id '{case.id}' (also in {first})")
            )
            continue
        shelf[case.id] = case
        library.files[case.id] = path
    return library


def validate_paths(paths: Iterable[Path | str]) -> list[Problem]:
    """All problems in the case files under ``paths`` (empty when everything is sound)."""
    return sorted(load_library(paths).problems)
