"""`safeshare new` templates: commented case files that validate and lint clean as written.

An author starts from a file that already works and changes one thing at a time, checking as
they go; a blank form would fail validation on every line at once. The templates are data
(``templates/*.yaml``). A line ``#@ NAME`` in one is replaced by comment lines listing a
vocabulary (``LISTS``), read from the guidance package, so the ids an author may use are
beside the field that uses them and can never drift from what the validator accepts.
"""

from __future__ import annotations

import re
import textwrap
import typing
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from toolkit.cases.model import Tag
from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary

WIDTH = 100  # comment lines are wrapped to this many characters
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_ID = 80  # the case model's Id limit
_MARKER = re.compile(r"^(?P<indent>[ \t]*)#@ (?P<name>[a-z_]+)[ \t]*$", re.MULTILINE)
_ID_TOKEN = "@ID@"


@dataclass(frozen=True)
class TemplateKind:
    """One kind of case file `safeshare new` can write."""

    name: str
    prefix: str  # every id of this kind starts with it
    folder: str  # sub-folder of a case directory
    data_file: str  # under toolkit/cases/templates/


KINDS: dict[str, TemplateKind] = {
    "scenario": TemplateKind("scenario", "sc-", "scenarios", "scenario.yaml"),
    "review": TemplateKind("review", "rv-", "reviews", "review.yaml"),
}

# Meanings in our own words for the ids the case model fixes but the vocabulary does not
# describe (timings, telling the family, outcomes, tags).
TIMING_MEANINGS = {
    "now": "at once: within the hour, before anything else",
    "today": "the same working day",
    "after-meeting": "at the next planned meeting or review",
    "not-needed": "no sharing is needed here",
}
TELL_FAMILY_MEANINGS = {
    "yes-first": "tell the family before sharing",
    "yes-after": "share, then tell the family what was shared and why",
    "not-if-risk": "do not tell them while telling would raise the risk or harm enquiries",
    "no": "do not tell the family",
}
OUTCOME_MEANINGS = {
    "protected": "the child is protected: shown for the path the case teaches",
    "mixed": "help comes, but late or at a cost",
    "harmed": "the child comes to harm; the pieces were never put together",
}
TAG_MEANINGS = {
    "emergency": "an emergency where the learner must act at once (use with step S9)",
    "tell-family-raises-risk": "telling the family first would put the child at more risk",
    "share-less": "the right answer shares less than is held or asked for",
    "not-sharing-right": "not sharing, or not yet, is the right answer",
}


def _steps() -> list[tuple[str, str]]:
    return [(s.id, s.short or s.heading) for s in vocabulary().steps.values()]


def _concepts() -> list[tuple[str, str]]:
    return [(c.id, f"{c.shows} ({' '.join(c.steps)})") for c in vocabulary().concepts.values()]


def _themes() -> list[tuple[str, str]]:
    return [(t.id, f"{t.name} ({' '.join(t.steps)})") for t in vocabulary().themes.values()]


def _named(table: str) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(key, term.name) for key, term in getattr(vocabulary(), table).items()]


def _fixed(meanings: dict[str, str]) -> Callable[[], list[tuple[str, str]]]:
    return lambda: list(meanings.items())


# The vocabularies a template may list, by marker name: each gives (id, meaning) rows.
LISTS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "steps": _steps,
    "concepts": _concepts,
    "misconceptions": lambda: [(m.id, m.belief) for m in vocabulary().misconceptions.values()],
    "bases": _named("bases"),
    "conditions": _named("conditions"),
    "nations": _named("nations"),
    "sectors": _named("sectors"),
    "themes": _themes,
    "timing": _fixed(TIMING_MEANINGS),
    "tell_family": _fixed(TELL_FAMILY_MEANINGS),
    "outcomes": _fixed(OUTCOME_MEANINGS),
    "tags": _fixed({tag: TAG_MEANINGS[tag] for tag in typing.get_args(Tag)}),
}


def vocabulary_comment(name: str, indent: str = "") -> str:
    """The comment block listing vocabulary ``name``: one aligned, wrapped line per id."""
    rows = LISTS[name]()
    width = max(len(key) for key, _ in rows)
    lead = f"{indent}#   "
    lines = []
    for key, meaning in rows:
        first = f"{lead}{key.ljust(width)}  "
        lines.extend(
            textwrap.wrap(
                meaning,
                WIDTH,
                initial_indent=first,
                subsequent_indent=f"{indent}#   " + " " * (width + 2),
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def case_id(kind: str, name: str) -> str:
    """The case id for ``name``: checked, with the kind's prefix (sc-/rv-) added if missing.

    Raises SafeShareError saying what a valid name looks like.
    """
    spec = _kind(kind)
    if not ID_PATTERN.match(name):
        raise SafeShareError(
            f"NAME must be an id: lower-case letters, digits and hyphens, starting with a "
            f"letter or digit (for example {spec.prefix}school-disclosure), not {name!r}"
        )
    other = next((k for k in KINDS.values() if k is not spec and name.startswith(k.prefix)), None)
    if other is not None:
        raise SafeShareError(
            f"{name!r} starts with {other.prefix!r}, the prefix of a {other.name}; "
            f"a {spec.name} id starts with {spec.prefix!r}"
        )
    found = name if name.startswith(spec.prefix) else spec.prefix + name
    if found == spec.prefix or len(found) > MAX_ID:
        raise SafeShareError(f"NAME must give an id of 1 to {MAX_ID} characters after the prefix")
    return found


def render(kind: str, identifier: str) -> str:
    """The template text of ``kind`` with ``identifier`` as its id and vocabularies listed."""
    spec = _kind(kind)
    text = resources.files("toolkit.cases").joinpath("templates", spec.data_file)
    source = text.read_text(encoding="utf-8")
    listed = _MARKER.sub(lambda m: vocabulary_comment(m["name"], m["indent"]), source)
    return listed.replace(_ID_TOKEN, identifier)


def template_path(kind: str, name: str, directory: Path | str) -> Path:
    """Where ``safeshare new KIND NAME --dir DIRECTORY`` writes: DIRECTORY/<folder>/<id>.yaml."""
    return Path(directory) / _kind(kind).folder / f"{case_id(kind, name)}.yaml"


def write_template(kind: str, name: str, directory: Path | str) -> Path:
    """Write a new case file from the template; return its path.

    Refuses (SafeShareError) to overwrite a file that exists: an author's work is never
    replaced by a template.
    """
    path = template_path(kind, name, directory)
    if path.exists():
        raise SafeShareError(f"{path} already exists; choose another NAME or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(render(kind, path.stem))
    return path


def _kind(kind: str) -> TemplateKind:
    if kind not in KINDS:
        raise SafeShareError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return KINDS[kind]
