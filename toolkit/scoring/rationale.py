"""Rationale analysis: which reasoning concepts and misconceptions a free-text answer shows.

Two readers look at every rationale, and both explain themselves:

- the **pattern rules** (:mod:`toolkit.scoring.rules`): hand-written cues per label, read in
  their scope (negation, hedges, questions, someone else's view, hypotheticals), with a
  keyword-stuffing guard;
- the **trained detector** (:mod:`toolkit.scoring.detector`): one linear model per label over
  scoped word n-grams, word classes, character n-grams and the rules' verdicts, learned from
  rationales written by many authors and labelled by the rules of CASE_FORMAT §1.

The detector decides (:mod:`toolkit.scoring.detector.decide`): a label is shown when its
model's confidence reaches the label's threshold, and a belief and the concept that denies
it are never shown together. A label's evidence is the rule's match where a rule held for
it, otherwise the words of the features that weighed most for it. :func:`analyse_rules`
gives the pattern rules' verdict alone, for comparison.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import ResponseError
from toolkit.scoring import rules
from toolkit.scoring.detector import windows
from toolkit.scoring.detector.decide import decide
from toolkit.scoring.detector.features import Reading, read, window
from toolkit.scoring.detector.model import Contribution, LinearModel, bundled
from toolkit.scoring.limits import rationale_too_long
from toolkit.scoring.patterns import lexicon as lx
from toolkit.scoring.patterns.registry import registry
from toolkit.scoring.text import Parsed, parse

EVIDENCE_SPANS = 2  # words shown for a label the model found without a rule: its top features
# Two of a label's quoted spans in one sentence with at most this many words between them are
# quoted as one ("more" and "before I" → "more marks before I"), up to QUOTE_MAX_WORDS words.
QUOTE_GAP = 4
QUOTE_MAX_WORDS = 12
# A quote ending on one of these ("record my") runs on to the words it introduces, up to
# DANGLING_RUN of them in the same clause ("record my decision").
DANGLING = frozenset("a an the my our his her their your its this that these those".split())
DANGLING_RUN = 2


@dataclass(frozen=True)
class Evidence:
    """The words behind one label: ``text == original[start:end]``."""

    id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class RationaleResult:
    """What a rationale shows.

    ``withheld`` holds rule matches the keyword-stuffing guard discarded; ``confidence``
    the detector's probability for each label it shows (empty for :func:`analyse_rules`).
    """

    concepts: tuple[str, ...]
    misconceptions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    withheld: tuple[Evidence, ...] = ()
    confidence: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self, id: str | int | None = None) -> dict[str, Any]:  # noqa: A002 - contract name
        """The CASE_FORMAT §4 rationale line, with each label's confidence added."""
        out: dict[str, Any] = {
            "id": id,
            "concepts": list(self.concepts),
            "misconceptions": list(self.misconceptions),
            "evidence": [
                {"id": e.id, "text": e.text, "start": e.start, "end": e.end} for e in self.evidence
            ],
        }
        if self.confidence:
            out["confidence"] = {k: round(v, 3) for k, v in self.confidence.items()}
        return out


def _hit_evidence(parsed: Parsed, hits: Iterable[rules.Hit]) -> list[Evidence]:
    out = []
    for hit in hits:
        text, start, end = parsed.quote(hit.quote_from, hit.last)
        out.append(Evidence(hit.label, text, start, end))
    return out


def _label_hit_evidence(parsed: Parsed, label: str, hits: Iterable[rules.Hit]) -> list[Evidence]:
    """One label's rule matches as quotes, near neighbours in a sentence joined (QUOTE_GAP):
    two cues of one phrase ("at risk", "significant harm") read as the learner wrote them
    ("at risk of significant harm")."""
    return _phrases(parsed, label, ((h.quote_from, h.last) for h in hits))


def _ordered(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One entry per distinct (label, span), in text order."""
    seen: dict[tuple[str, int, int], Evidence] = {}
    for e in evidence:
        seen.setdefault((e.id, e.start, e.end), e)
    return tuple(sorted(seen.values(), key=lambda e: (e.start, e.end, e.id)))


def _split(labels: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    order = registry().rank
    ranked = sorted(set(labels), key=order.__getitem__)
    return (
        tuple(x for x in ranked if x.startswith("C-")),
        tuple(x for x in ranked if x.startswith("M-")),
    )


def _check(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"analyse() needs a str, not {type(text).__name__}")


def analyse_rules(text: str) -> RationaleResult:
    """The pattern rules' verdict alone (the detector before it was trained), for comparison."""
    _check(text)
    parsed = parse(text)
    kept, withheld = rules.guard(parsed, rules.find(parsed, registry()))
    concepts, misconceptions = _split(h.label for h in kept)
    return RationaleResult(
        concepts,
        misconceptions,
        _ordered(_hit_evidence(parsed, kept)),
        _ordered(_hit_evidence(parsed, withheld)),
    )


def _quotable(parsed: Parsed, name: str, first: int, last: int) -> bool:
    """Can this occurrence be shown as the words behind a label? Not the text's shape, and
    not a lone function word ("we", "is"): those weigh but explain nothing."""
    if name.startswith("s:"):
        return False
    return first != last or parsed.words[first].norm not in lx.FUNCTION_WORDS


def _model_evidence(
    reading: Reading, label: str, contributions: Iterable[Contribution]
) -> list[Evidence]:
    """The words of the features that weighed most for one label, at most EVIDENCE_SPANS."""
    spans: list[tuple[int, int]] = []
    for c in contributions:
        name, first, last = c.occurrence
        if not _quotable(reading.parsed, name, first, last):
            continue
        if not any(a <= first and last <= b for a, b in spans):
            spans = [s for s in spans if not (first <= s[0] and s[1] <= last)] + [(first, last)]
        if len(spans) >= EVIDENCE_SPANS:
            break
    return _phrases(reading.parsed, label, spans)


def _phrases(parsed: Parsed, label: str, spans: Iterable[tuple[int, int]]) -> list[Evidence]:
    """``label``'s evidence: the word spans joined into phrases (:func:`_joined`), quoted."""
    out = []
    for first, last in _joined(parsed, spans):
        text, start, end = parsed.quote(first, _completed(parsed, last))
        out.append(Evidence(label, text, start, end))
    return out


def _completed(parsed: Parsed, last: int) -> int:
    """Where a quote ending at word ``last`` should end: a quote cut off after "my" or "the"
    reads as noise ("record my"), so it runs on through the next words of its clause that
    are not function words, at most DANGLING_RUN ("record my decision")."""
    words, clause = parsed.words, parsed.clause_of
    if words[last].norm not in DANGLING:
        return last
    end = last
    while (
        end + 1 < len(words)
        and end - last < DANGLING_RUN
        and clause[end + 1] == clause[last]
        and words[end + 1].norm not in lx.FUNCTION_WORDS
    ):
        end += 1
    return end


def _joined(parsed: Parsed, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word spans in text order, neighbours in one sentence joined (see QUOTE_GAP).

    A feature is one to three words, so the two that weighed most for a label are often
    fragments of one phrase; quoted apart they read as noise ("more", "before I"), quoted
    together as what the learner wrote.
    """
    out: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if out:
            a, b = out[-1]
            if (
                first - b - 1 <= QUOTE_GAP
                and parsed.sentence_of[a] == parsed.sentence_of[last]
                and max(b, last) - a + 1 <= QUOTE_MAX_WORDS
            ):
                out[-1] = (a, max(b, last))
                continue
        out.append((first, last))
    return out


def analyse(text: str, model: LinearModel | None = None) -> RationaleResult:
    """Find the concepts and misconceptions ``text`` shows, with the words behind each.

    A label is shown when the trained detector's probability reaches its threshold
    (``model``: the bundled one unless given); a text is also read in parts, sentence by
    sentence and a long sentence clause by clause (:mod:`toolkit.scoring.detector.windows`).
    Its evidence is the pattern rule's match where one held for it, otherwise the words of
    its strongest features. Pure and
    deterministic: no I/O, no clock. Labels come in vocabulary order; evidence in text
    order, one entry per distinct span.
    """
    _check(text)
    model = model or bundled()
    reading = read(text)
    probs = model.score(reading.features).probabilities
    if model.windows != "none":
        probs = windows.probabilities(
            model.labels,
            reading.parsed,
            probs,
            lambda first, last: model.score(window(reading, first, last)).probabilities,
            model.windows,
        )
    held = {h.label for h in reading.kept}
    excused = {h.label for h in reading.excused} - held
    shown = decide(model.labels, probs, model.threshold, excused)
    evidence: list[Evidence] = []
    by_rule = {i: [h for h in reading.kept if h.label == model.labels[i]] for i in shown}
    weighed = model.contributions([i for i in shown if not by_rule[i]], reading.features)
    for i in sorted(shown):
        label = model.labels[i]
        evidence += _label_hit_evidence(reading.parsed, label, by_rule[i]) or _model_evidence(
            reading, label, weighed[i]
        )
    concepts, misconceptions = _split(model.labels[i] for i in shown)
    return RationaleResult(
        concepts,
        misconceptions,
        _ordered(evidence),
        _ordered(_hit_evidence(reading.parsed, reading.withheld)),
        {model.labels[i]: probs[i] for i in sorted(shown)},
    )


def analyse_many(texts: Iterable[str]) -> list[RationaleResult]:
    """:func:`analyse` for each text, in order."""
    return [analyse(text) for text in texts]


def _line_record(number: int, line: str) -> tuple[Any, str] | None:
    """``(id, text)`` from one JSONL line, None for a blank line; ResponseError if malformed."""
    stripped = line.lstrip("\ufeff").strip()
    if not stripped:
        return None
    try:
        record = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ResponseError(
            f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})"
        ) from None
    if not isinstance(record, dict):
        raise ResponseError(f'line {number}: expected an object like {{"id": "r1", "text": "…"}}')
    for key in ("id", "text"):
        if key not in record:
            raise ResponseError(f'line {number}: missing "{key}"')
    rid, text = record["id"], record["text"]
    if isinstance(rid, bool) or not isinstance(rid, str | int) or rid == "":
        raise ResponseError(f'line {number}: "id" must be a non-empty string or an integer')
    if not isinstance(text, str):
        raise ResponseError(f'line {number}: "text" must be a string, not {type(text).__name__}')
    return rid, text


def rationale_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Analyse JSONL lines ``{"id", "text"}``; yield one output dict per non-blank line.

    Lines are numbered from 1 as read; blank lines are skipped. A malformed line or a
    repeated id raises :class:`~toolkit.errors.ResponseError` ``"line N: …"`` when reached
    (earlier lines have been yielded by then).
    """
    first_seen: dict[Any, int] = {}
    for number, line in enumerate(lines, start=1):
        parsed = _line_record(number, line)
        if parsed is None:
            continue
        rid, text = parsed
        if rid in first_seen:
            raise ResponseError(
                f"line {number}: duplicate id {rid!r} (first on line {first_seen[rid]})"
            )
        first_seen[rid] = number
        if too_long := rationale_too_long(text):
            raise ResponseError(f'line {number}: "text" {too_long}; it is never cut')
        yield analyse(text).to_dict(rid)
