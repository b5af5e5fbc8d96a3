"""The pattern rules: hand-written cues per label, read in scope, and the keyword-stuffing guard.

Each label's cues (``patterns/*.yaml``, compiled by :mod:`toolkit.scoring.patterns.registry`)
run over each sentence of a parsed text (:mod:`toolkit.scoring.text`); each match is then read
in its scope:

- **negation** flips a match: a cue may give its label only when affirmed (the default),
  only when negated ("I would *not* wait for proof" → ``C-timely``, not
  ``M-wait-for-proof``), or either way;
- **hedges and questions** ("not sure whether…", "…?") assert nothing, so they earn nothing;
- **misconceptions need an affirmed belief**: a misconception cue inside someone else's
  reported view ("some people think…"), or wholly inside a hypothetical ``if`` clause ("if
  we waited for proof she could be hurt"), is a mention, not a belief. A reported view
  that is then denied ("…but it doesn't", "it's a myth that…", "I used to think…") counts
  as negated. Such mentions are kept apart (:func:`mentions`): the trained detector reads
  them as evidence *against* the belief.

Finally the keyword-stuffing guard (:func:`guard`) withholds matches that come from a list
of terms rather than from reasoning.

The rules are precise and explain themselves, so the trained detector
(:mod:`toolkit.scoring.detector`) uses their verdicts as features. Known limits: no parsing
beyond clauses, so who does what is not tracked, pronouns are not resolved, and a rejected
match that spans two clauses can hide a valid match inside it (:func:`_scan_rule`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from re import Match

from toolkit.scoring.patterns import lexicon as lx
from toolkit.scoring.patterns.registry import GATE_MIN, Cue, LabelRule, Registry
from toolkit.scoring.text import Parsed

LIST_MIN_FRAGMENTS = 2  # list rule: at least this many term fragments holding a match…
LIST_FRAGMENT_SHARE = 0.5  # …making up at least this share of the clauses holding a match
FRAGMENT_MAX_FUNCTION_WORDS = 1  # a verbless clause with at most this many is a term fragment
RUN_MIN_LABELS = 3  # run rule: this many labels in a run of bare terms is a list


@dataclass(frozen=True)
class Hit:
    """One accepted match: its label and words ``first..last`` (``quote_from`` for evidence)."""

    label: str
    first: int
    last: int
    quote_from: int
    absorbs: bool = False


def _owns_negation(cue: Cue, parsed: Parsed, first: int, last: int) -> bool:
    """Does the match need its own negation words ("without delay") to match at all?"""
    if not cue.may_own_negation:
        return False
    words = range(first, last + 1)
    if not any(parsed.cues[i] == "neg" for i in words):
        return False
    blanked = " ".join("_" if parsed.cues[i] == "neg" else parsed.words[i].norm for i in words)
    return cue.regex.fullmatch(blanked) is None


@dataclass(frozen=True)
class _Sentence:
    """One sentence as the cues see it: its index, folded string and word starts in it."""

    index: int
    folded: str
    starts: list[int]


def _try(cue: Cue, parsed: Parsed, sent: _Sentence, lo: int, hi: int) -> Hit | None:
    """Accept or reject one cue matched at characters ``[lo, hi)`` of a sentence."""
    if cue.needs is not None and not cue.needs.search(sent.folded):
        return None
    if cue.unless is not None and cue.unless.search(sent.folded):
        return None
    first, last = parsed.span_words(sent.index, sent.starts, lo, hi)
    return _accept(cue, parsed, first, last)


def _retry(
    cues: tuple[Cue, ...], tried: Cue, parsed: Parsed, sent: _Sentence, pos: int
) -> Hit | None:
    """After ``tried`` was rejected at ``pos``, the first other cue that matches there and holds."""
    for cue in cues:
        m = cue.regex.match(sent.folded, pos) if cue is not tried else None
        hit = _try(cue, parsed, sent, m.start(), m.end()) if m else None
        if hit is not None:
            return hit
    return None


def _accept(cue: Cue, parsed: Parsed, first: int, last: int) -> Hit | None:
    """Apply negation, hedging and reported-speech rules to one match (module docstring)."""
    owns = _owns_negation(cue, parsed, first, last)
    scope = parsed.scope(first, last, own_negation=owns)
    belief = cue.label.startswith("M-")
    if scope.uncertain or (belief and scope.conditional):
        return None
    if belief and scope.reported and not scope.refuted:
        return None
    negated = scope.negated != scope.refuted
    if (cue.when == "affirmed" and negated) or (cue.when == "negated" and not negated):
        return None
    quote_from = scope.cue if scope.negated and scope.cue is not None else first
    return Hit(cue.label, first, last, quote_from, cue.absorbs)


def _mention(cue: Cue, parsed: Parsed, sent: _Sentence, lo: int, hi: int) -> Hit | None:
    """A misconception cue matched where the belief is not affirmed, or None.

    Denied, hedged, asked, someone else's undenied view, or inside a hypothetical: the
    writer has the belief in mind without holding it ("I won't wait for proof").
    """
    if not cue.label.startswith("M-") or cue.when != "affirmed":
        return None
    if (cue.needs is not None and not cue.needs.search(sent.folded)) or (
        cue.unless is not None and cue.unless.search(sent.folded)
    ):
        return None
    first, last = parsed.span_words(sent.index, sent.starts, lo, hi)
    scope = parsed.scope(first, last, own_negation=_owns_negation(cue, parsed, first, last))
    held = not (scope.uncertain or scope.conditional or (scope.reported and not scope.refuted))
    if held and scope.negated == scope.refuted:
        return None
    return Hit(cue.label, first, last, first)


def _excused(cue: Cue, parsed: Parsed, sent: _Sentence, lo: int, hi: int) -> Hit | None:
    """A belief the writer holds with the exception its definition names, or None.

    The cue matched, its ``unless`` (the exception: "…it won't add to the risk") is in the
    sentence, and without it the match would have held: the writer states the belief's
    words and answers its condition ("I'll tell Mum first, as telling her does not add to
    the risk" is not the belief that the family must be told *even where* that raises the
    risk, CASE_FORMAT §1).
    """
    if not cue.label.startswith("M-") or cue.unless is None or cue.when != "affirmed":
        return None
    if not cue.unless.search(sent.folded):
        return None
    return _try(replace(cue, unless=None), parsed, sent, lo, hi)


def matches(rule: LabelRule, candidates: Sequence[int], folded: str) -> Iterator[tuple[int, Match]]:
    """``rule.regex.finditer(folded)`` as (cue index, match), running only the candidate cues.

    A cue left out of ``candidates`` is one whose gate literals are not in ``folded``: it
    cannot match anywhere, so the alternation over the candidates alone matches the same.
    That alternation is run as a merge of each candidate's own matches: from the position
    the last match ended, the leftmost start wins, and of cues starting there the first in
    order (the alternation tries its branches in order; each cue's regex is its branch with
    the same word boundaries). The regexes tried per sentence fall from every cue of every
    label the label gates let through (about 48) to the cues whose own literals are present
    (about 9).
    """
    cues = rule.cues
    if len(candidates) == 1:
        (c,) = candidates
        for m in cues[c].regex.finditer(folded):
            yield c, m
        return
    ahead: dict[int, Match | None] = {c: cues[c].regex.search(folded) for c in candidates}
    pos = 0
    while True:
        best: tuple[int, Match] | None = None
        for c in candidates:
            m = ahead[c]
            if m is not None and m.start() < pos:
                m = ahead[c] = cues[c].regex.search(folded, pos)
            if m is not None and (best is None or m.start() < best[1].start()):
                best = (c, m)
        if best is None:
            return
        yield best
        pos = best[1].end()


def _scan_rule(
    rule: LabelRule,
    candidates: Sequence[int],
    parsed: Parsed,
    sent: _Sentence,
    mentions: list[Hit] | None = None,
    excused: list[Hit] | None = None,
) -> Iterator[Hit]:
    """Accepted matches of one label in one sentence, left to right.

    A match consumes its words whether it is accepted or rejected, so a construction read
    as negated is not re-read piecemeal: in "I won't sit tight until I'm sure" the negated
    ``sit tight until … sure`` (→ ``C-timely``) hides its tail ``until I'm sure``, which
    alone would read as ``M-wait-for-proof``. The cost: a rejected match that strays
    across a clause can hide a valid one inside it (see the module's known limits).
    A rejected misconception match is added to ``mentions`` when that list is given, and to
    ``excused`` when that is given and the match was rejected only for its stated exception.
    """
    for c, m in matches(rule, candidates, sent.folded):
        cue = rule.cues[c]
        hit = _try(cue, parsed, sent, m.start(), m.end())
        if hit is None and len(candidates) > 1:
            others = tuple(rule.cues[k] for k in candidates)  # only on a rejection: rare
            hit = _retry(others, cue, parsed, sent, m.start())
        if hit is not None:
            yield hit
        else:
            if mentions is not None:
                mention = _mention(cue, parsed, sent, m.start(), m.end())
                if mention is not None:
                    mentions.append(mention)
            if excused is not None:
                held = _excused(cue, parsed, sent, m.start(), m.end())
                if held is not None:
                    excused.append(held)


def candidates(reg: Registry, folded: str) -> dict[int, list[int]]:
    """Rule index → the indices of its cues that can match in ``folded``, in order: the
    ungated, and those with a gate literal in it (found through the literals' heads among
    the sentence's own three-character substrings, then checked whole)."""
    heads = {folded[i : i + GATE_MIN] for i in range(len(folded) - GATE_MIN + 1)}
    found: set[tuple[int, int]] = set(reg.ungated)
    by_head = reg.by_head
    for head in heads.intersection(by_head):
        for literal, cues in by_head[head]:
            if literal in folded:
                found.update(cues)
    out: dict[int, list[int]] = {}
    for r, c in sorted(found):
        out.setdefault(r, []).append(c)
    return out


def find(
    parsed: Parsed,
    reg: Registry,
    mentions: list[Hit] | None = None,
    excused: list[Hit] | None = None,
) -> list[Hit]:
    """Every accepted match of every label, sentence by sentence.

    Misconception matches rejected because the belief is not affirmed go to ``mentions``
    when it is given (see :func:`_mention`); those rejected only because the writer states
    the belief's exception go to ``excused`` when it is given (see :func:`_excused`).
    """
    hits: list[Hit] = []
    for index in range(len(parsed.sentences)):
        sent = _Sentence(index, *parsed.sentence_string(index))
        for r, cues in candidates(reg, sent.folded).items():
            hits.extend(_scan_rule(reg.rules[r], cues, parsed, sent, mentions, excused))
    return _absorb(hits)


def _absorb(hits: list[Hit]) -> list[Hit]:
    """Drop matches lying inside a term of art matched for another label (``absorbs``)."""
    terms = [h for h in hits if h.absorbs]
    if not terms:
        return hits
    return [
        h
        for h in hits
        if not any(t.label != h.label and t.first <= h.first and h.last <= t.last for t in terms)
    ]


def _is_fragment(parsed: Parsed, clause: int) -> bool:
    c = parsed.clauses[clause]
    if c.end - c.start < 2:
        return True
    return not c.predicated and c.function_words <= FRAGMENT_MAX_FUNCTION_WORDS


def _list_rule(parsed: Parsed, hits: list[Hit]) -> set[int]:
    """Clauses to withhold because the text is a list of term fragments."""
    holding = {parsed.clause_of[h.first] for h in hits}
    fragments = {c for c in holding if _is_fragment(parsed, c)}
    if len(fragments) >= LIST_MIN_FRAGMENTS and len(fragments) >= LIST_FRAGMENT_SHARE * len(
        holding
    ):
        return fragments
    return set()


def _units(hits: list[Hit]) -> list[tuple[int, int, set[int]]]:
    """Overlapping hits merged into units: (first word, last word, hit indices)."""
    units: list[tuple[int, int, set[int]]] = []
    for i in sorted(range(len(hits)), key=lambda i: (hits[i].first, hits[i].last)):
        if units and hits[i].first <= units[-1][1]:
            first, last, members = units[-1]
            units[-1] = (first, max(last, hits[i].last), members | {i})
        else:
            units.append((hits[i].first, hits[i].last, {i}))
    return units


def _bare(parsed: Parsed, lo: int, hi: int) -> bool:
    """Are words ``[lo, hi)`` in one clause and all bare terms (no verb, no function word)?"""
    if parsed.clause_of[lo - 1] != parsed.clause_of[hi]:
        return False
    return all(
        parsed.words[i].norm not in lx.FUNCTION_WORDS and parsed.words[i].norm not in lx.VERBS
        for i in range(lo, hi)
    )


def _run_rule(parsed: Parsed, hits: list[Hit]) -> set[int]:
    """Indices into ``hits`` of runs of matches strung together by nothing but bare terms."""
    withheld: set[int] = set()
    run: list[tuple[int, int, set[int]]] = []
    for unit in [*_units(hits), None]:
        if unit is not None and run and _bare(parsed, run[-1][1] + 1, unit[0]):
            run.append(unit)
            continue
        members = set().union(*(u[2] for u in run)) if run else set()
        if len(run) >= RUN_MIN_LABELS and len({hits[i].label for i in members}) >= RUN_MIN_LABELS:
            withheld |= members
        run = [unit] if unit is not None else []
    return withheld


def guard(parsed: Parsed, hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """Split hits into (kept, withheld) by the keyword-stuffing guard.

    Listing guidance terms is not reasoning, so two measurable rules withhold credit:

    1. **List rule.** A *term fragment* is a clause (text between commas, full stops, other
       breaks and clause-opening conjunctions) of one word, or one with no verb (no
       auxiliary, pronoun, action verb or ``-ed`` form) and at most one function word
       (article, preposition, conjunction…). If at least ``LIST_MIN_FRAGMENTS`` (2) term
       fragments hold a match, and they are at least half of the clauses that hold one,
       the matches in them are withheld. "risk of harm, public task, DSL, timely" earns
       nothing; "Risk of harm, so I'd ring the MASH now" keeps its credit (one fragment),
       as does "because of our duties under the Children Act" (a verbless clause of words).
    2. **Run rule.** Within a clause, matches joined only by bare terms (words that are
       neither verbs nor function words) form a run; a run of ``RUN_MIN_LABELS`` (3) or
       more matches with as many different labels is a string of terms and is withheld:
       "I would consider risk of harm public task lawful basis timely secure email".
       Overlapping matches count as one. "Share it now over the secure portal with the
       named DSL" keeps its credit: its matches are joined by ordinary words.
    """
    drop_clauses = _list_rule(parsed, hits)
    drop = _run_rule(parsed, hits)
    kept, withheld = [], []
    for i, hit in enumerate(hits):
        gone = i in drop or parsed.clause_of[hit.first] in drop_clauses
        (withheld if gone else kept).append(hit)
    return kept, withheld
