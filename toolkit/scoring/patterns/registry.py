"""The concept/misconception registry: YAML cue lists compiled into one regex per label.

``concepts.yaml`` and ``misconceptions.yaml`` map each vocabulary id to a list of cues. A cue
is a regular expression over *folded* text (see :mod:`toolkit.scoring.text`: lowercase, UK
spelling, contractions expanded, punctuation dropped, one space between words), written
either as a plain string or as a mapping::

    C-timely:
      - straight away|immediately|without delay          # fires when asserted
      - re: wait ~ for ~ {proof}                         # "I would not wait for proof"
        when: negated                                    # affirmed (default) | negated | any
        needs: '{risk}'                                  # must also occur in the sentence
        unless: 'not (?:add|increase) ~ risk'            # must not occur in the sentence
        absorbs: true                                    # a name: matches inside it don't count

``{name}`` expands a macro from ``macros.yaml`` (a list of alternatives, may nest);
`` ~ `` stands for up to three other words and `` ~~ `` for up to six. Cues match whole
words only and never cross a sentence. Where a label's cues match at the same word the first
listed is tried first; if the rules reject it (polarity, ``needs``, ``unless``) the others
are tried there in turn. A match that needs its own negation word to match at all
(``without delay``, ``does not let``) owns it: only cues before it in the clause can negate
it. If the match would still stand with that word blanked ("data protection is *not* a
barrier" still has ``{dp} ~ barrier``), the word negates it.
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

import yaml

from toolkit.guidance import vocabulary

WHEN = ("affirmed", "negated", "any")
_MACRO = re.compile(r"\{([a-z_0-9]+)\}")
_NEGATION = re.compile(
    r"\b(?:not|no|never|without|nobody|nothing|none|nor|neither|instead|rather)\b"
)


@dataclass(frozen=True)
class Cue:
    """One registry entry: which label it gives, and under what polarity."""

    label: str
    source: str
    regex: re.Pattern[str]  # the cue alone, whole words: for retrying it at one position
    when: str
    needs: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    may_own_negation: bool  # the cue's text contains a negation word
    absorbs: bool = False  # a term of art: other labels' matches inside it do not count
    # literals every match contains one of (required_literals); None: none could be proved
    gate: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LabelRule:
    """All cues of one label. Their matches in a sentence are those of :attr:`regex`, the
    cues as one alternation (group ``e<i>`` is ``cues[i]``), which scoring runs as only the
    cues that can match there, merged (:func:`toolkit.scoring.rules.matches`)."""

    label: str
    cues: tuple[Cue, ...]

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The alternation itself: the definition the merged scan is tested against, compiled
        on first use only (scoring never needs it)."""
        body = "|".join(f"(?P<e{i}>{cue.source})" for i, cue in enumerate(self.cues))
        return re.compile(r"(?<!\S)(?:" + body + r")(?!\S)")


@dataclass(frozen=True)
class Registry:
    """Compiled rules in vocabulary order, and each label's rank for sorting output.

    ``by_head`` indexes the cues by their gate literals: a literal's first :data:`GATE_MIN`
    characters → (literal, the (rule index, cue index) pairs it gates), so a sentence's
    candidate cues are found from its own three-character substrings (see
    :func:`toolkit.scoring.rules.candidates`). ``ungated`` are the cues with no gate,
    candidates in every sentence.
    """

    rules: tuple[LabelRule, ...]
    rank: dict[str, int]
    by_head: dict[str, tuple[tuple[str, tuple[tuple[int, int], ...]], ...]] = field(
        default_factory=dict
    )
    ungated: tuple[tuple[int, int], ...] = ()


def _read(name: str) -> Any:
    text = resources.files("toolkit.scoring.patterns").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


def expand(pattern: str, macros: dict[str, list[str]], depth: int = 0) -> str:
    """Replace ``{macro}`` names and the ``~``/``~~`` gaps with plain regex."""
    if depth > 8:
        raise ValueError(f"macro nesting too deep in {pattern!r}")

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise ValueError(f"unknown macro {{{name}}} in {pattern!r}")
        return "(?:" + "|".join(expand(alt, macros, depth + 1) for alt in macros[name]) + ")"

    out = _MACRO.sub(one, pattern)
    return out.replace(" ~~ ", r" (?:\S+ ){0,6}").replace(" ~ ", r" (?:\S+ ){0,3}")


def _whole_words(pattern: str | None, macros: dict[str, list[str]]) -> re.Pattern[str] | None:
    return re.compile(r"(?<!\S)(?:" + expand(pattern, macros) + r")(?!\S)") if pattern else None


def _cue(label: str, raw: Any, macros: dict[str, list[str]]) -> Cue:
    spec = {"re": raw} if isinstance(raw, str) else dict(raw)
    unknown = set(spec) - {"re", "when", "needs", "unless", "absorbs", "note"}
    if unknown or "re" not in spec:
        raise ValueError(f"{label}: cue {raw!r}: needs 're'; unknown keys {sorted(unknown)}")
    when = spec.get("when", "affirmed")
    if when not in WHEN:
        raise ValueError(f"{label}: cue {spec['re']!r}: 'when' must be one of {WHEN}")
    source = expand(str(spec["re"]), macros)
    if re.compile(source).groups:
        raise ValueError(f"{label}: cue {spec['re']!r}: use (?:…), not capturing groups")
    if re.fullmatch(source, ""):
        raise ValueError(f"{label}: cue {spec['re']!r}: matches nothing at all (empty text)")
    literals = required_literals(_sre_parse.parse(source))
    needs, unless = spec.get("needs"), spec.get("unless")
    return Cue(
        label=label,
        source=source,
        regex=re.compile(r"(?<!\S)(?:" + source + r")(?!\S)"),
        when=when,
        needs=_whole_words(needs, macros),
        unless=_whole_words(unless, macros),
        may_own_negation=bool(_NEGATION.search(source)),
        absorbs=bool(spec.get("absorbs", False)),
        gate=tuple(sorted(literals, key=len, reverse=True)) if literals else None,
    )


GATE_MIN = 3  # literals shorter than this are too common to gate anything


def required_literals(items: Any) -> set[str] | None:
    """Literal strings at least one of which any match of a parsed regex contains, or None.

    Sound by construction: a sequence needs whatever any one of its parts needs (the part
    with the longest shortest literal is chosen), an alternation needs one of what each
    branch needs, a repeat needs what its body needs only if it must occur at least once;
    classes, gaps, anchors and lookarounds need nothing.
    """
    run: list[str] = []
    candidates: list[set[str]] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found: set[str] | None = None
        if op is _sre.SUBPATTERN:
            found = required_literals(av[3])
        elif op is _sre.BRANCH:
            branches = [required_literals(b) for b in av[1]]
            if all(b is not None for b in branches):
                found = set().union(*branches)  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            found = required_literals(av[2])
        if found is not None:
            candidates.append(found)
    flush()
    usable = [c for c in candidates if c and min(map(len, c)) >= GATE_MIN]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)))


def _index(rules: tuple[LabelRule, ...]) -> tuple[dict[str, Any], tuple[tuple[int, int], ...]]:
    """Registry.by_head and Registry.ungated."""
    by_literal: dict[str, list[tuple[int, int]]] = {}
    ungated: list[tuple[int, int]] = []
    for r, rule in enumerate(rules):
        for c, cue in enumerate(rule.cues):
            if cue.gate is None:
                ungated.append((r, c))
            for literal in cue.gate or ():
                by_literal.setdefault(literal, []).append((r, c))
    by_head: dict[str, list[tuple[str, tuple[tuple[int, int], ...]]]] = {}
    for literal, cues in by_literal.items():
        by_head.setdefault(literal[:GATE_MIN], []).append((literal, tuple(cues)))
    return {h: tuple(v) for h, v in by_head.items()}, tuple(ungated)


def build(macros: dict[str, list[str]], entries: dict[str, list[Any]]) -> Registry:
    """Compile entries (label → cues) against the vocabulary; every id needs cues."""
    vocab = vocabulary()
    order = [*vocab.concepts, *vocab.misconceptions]
    unknown = sorted(set(entries) - set(order))
    missing = [label for label in order if not entries.get(label)]
    if unknown or missing:
        raise ValueError(f"rationale patterns: unknown ids {unknown}, ids without cues {missing}")
    rules = tuple(
        LabelRule(label, tuple(_cue(label, raw, macros) for raw in entries[label]))
        for label in order
    )
    by_head, ungated = _index(rules)
    return Registry(rules, {label: i for i, label in enumerate(order)}, by_head, ungated)


@cache
def registry() -> Registry:
    """The bundled registry, compiled once on first use (read-only afterwards)."""
    macros = {name: [str(a) for a in alts] for name, alts in _read("macros.yaml").items()}
    entries = {**_read("concepts.yaml"), **_read("misconceptions.yaml")}
    return build(macros, entries)
