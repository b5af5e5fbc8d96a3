"""Text handling for rationale analysis: folding, words with offsets, sentences, clauses, scope.

A learner's rationale is read as a list of :class:`Word` objects. Each word keeps the
character offsets of the original text it came from, so whatever is matched on the folded
form can be quoted back exactly. Folding lowercases, straightens quotes, expands
contractions (``wouldn't`` → ``would not``), splits hyphenated words, maps US to UK spelling
(``recognize`` → ``recognise``) and fixes a short list of common misspellings.

Sentences end at ``. ! ?`` or a blank line; clauses also end at ``, ; : ( ) — /`` and line
breaks, and before conjunctions that open a new proposition (``but``, ``because``, ``as it``,
``and I``, ``and record``…). Negation and hedging are scoped to the clause: a cue such as
``not``, ``without`` or ``rather than`` covers the words after it up to the clause's end.
Someone else's view is denied when the writer rebuts it, later in its sentence or at the
start of the next ("The office manager says GDPR stops us. Rubbish."): see
:attr:`Parsed.rebutted`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from toolkit.scoring.patterns import lexicon as lx

_TOKENS = re.compile(
    r"(?P<word>\d+(?:\([0-9a-zA-Z]{1,3}\))+"  # 6(1)(e)
    r"|(?:[^\W\d_]\.){2,}"  # e.g.  i.e.
    r"|[^\W_](?:[^\W_]|['’‘`´](?=[^\W_])|[-‐‑](?=[^\W_]))*(?:(?<=[sS])['’](?![^\W_]))?"
    r"|&)"
    r"|(?P<end>[.!?…]+(?=[\s\"'”’)\]]|$))"
    r"|(?P<para>\n[ \t]*\n\s*)"
    r"|(?P<brk>[,;:()\[\]{}\"“”/\\|•·*\n\r\u2028\u2029]|(?<!\S)[-–—]+(?!\S)|[–—]+)"
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_HYPHENS = re.compile(r"[-‐‑]")
DENIAL_REACH = 3  # clauses after someone else's view in which a denial of it is looked for
_CLITICS = (("n't", "not"), ("'ll", "will"), ("'re", "are"), ("'ve", "have"), ("'m", "am"))


@dataclass(frozen=True, slots=True)
class Word:
    """One folded word and the ``[start, end)`` span of the original text it stands for."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """Words ``[start, end)`` between clause breaks.

    ``predicated`` says the clause has a verb (a list of terms has none): an auxiliary, a
    pronoun, an action verb, an ``-ed`` form, or a noun-like verb ("email", "record") as its
    first word. ``conditional`` says it opens with a hypothetical ``if`` (not "see if",
    "even if"). ``function_words`` counts articles, prepositions, pronouns and the like.
    """

    start: int
    end: int
    predicated: bool
    conditional: bool
    function_words: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """Words ``[start, end)`` and clauses ``[first_clause, end_clause)`` of one sentence."""

    start: int
    end: int
    first_clause: int
    end_clause: int
    question: bool


@dataclass(frozen=True, slots=True)
class Scope:
    """How a span of words is asserted.

    ``negated``: an odd number of negation cues cover it. ``uncertain``: a hedge (``not
    sure``, ``whether``) or a question covers it. ``reported``: it is someone else's view
    (``some people think``); ``refuted``: that view is then denied. ``cue`` is the word index
    of the negation cue before the span, so evidence can quote it.
    """

    negated: bool
    uncertain: bool
    reported: bool
    refuted: bool
    conditional: bool
    cue: int | None


def _spell(word: str) -> str:
    """US → UK spelling and common misspellings, for one lowercase word without hyphens."""
    if word in lx.SPELLING:
        return lx.SPELLING[word]
    if word.startswith("pediatr"):
        return "pa" + word[1:]
    for us, uk in lx.SPELLING_SUFFIXES:
        if word.endswith(us) and len(word) - len(us) >= 3 and word not in lx.IZE_KEEP:
            return word[: -len(us)] + uk
    return word


def _expand(word: str) -> tuple[str, ...]:
    """Contractions and possessives: ``wouldn't`` → would not, ``child's`` → child."""
    if word in lx.CONTRACTIONS:
        return lx.CONTRACTIONS[word]
    if "'" not in word:
        return (word,)
    for clitic, full in _CLITICS:
        if word.endswith(clitic):
            return (*_expand(word[: -len(clitic)]), full)
    stem, _, tail = word.rpartition("'")
    if tail == "d":
        return (stem, "would")
    if tail == "s" and stem in lx.IS_SUBJECTS:
        return (stem, "is")
    if tail in ("s", ""):
        return (stem,)
    return (word.replace("'", ""),)


@lru_cache(maxsize=8192)
def fold(word: str) -> tuple[str, ...]:
    """The folded words one raw word stands for (hyphens already split off).

    >>> fold("Wouldn't"), fold("recognize"), fold("wellbeing")
    (('would', 'not'), ('recognise',), ('well', 'being'))
    """
    lowered = word.lower().translate(_APOSTROPHES)
    if "(" in lowered:  # 6(1)(e)
        return tuple(p for p in re.split(r"[()]", lowered) if p)
    out: list[str] = []
    for part in _expand(lowered):
        spelt = _spell(part)
        out.extend(lx.COMPOUNDS.get(spelt, (spelt,)))
    return tuple(p for p in out if p)


def _word_parts(raw: str, start: int) -> list[tuple[str, int, int]]:
    """Split a hyphenated token into its parts with offsets, unless it is a known compound."""
    if not _HYPHENS.search(raw) or _HYPHENS.sub("", raw).lower() in lx.JOINED:
        return [(_HYPHENS.sub("", raw), start, start + len(raw))]
    parts, pos = [], start
    for piece in _HYPHENS.split(raw):
        parts.append((piece, pos, pos + len(piece)))
        pos += len(piece) + 1
    return parts


@dataclass(frozen=True)
class Parsed:
    """A text read into words, clauses and sentences, with negation and hedge cues marked."""

    text: str
    words: tuple[Word, ...]
    clauses: tuple[Clause, ...]
    sentences: tuple[Sentence, ...]
    clause_of: tuple[int, ...]
    sentence_of: tuple[int, ...]
    cues: tuple[str, ...]  # per word: "neg", "hedge", "report", "myth", "refute" or ""
    counts: dict[str, tuple[int, ...]]  # per cue kind: how many cues before each word index
    negations: tuple[int, ...]  # word indices of negation cues, ascending
    # per word: inside someone's view that the writer goes on to rebut ("Our manager says
    # GDPR stops us. Rubbish.", "my mate said wait for proof but that's not how it works")
    rebutted: tuple[bool, ...]

    def sentence_string(self, index: int) -> tuple[str, list[int]]:
        """The folded sentence as one space-separated string, and each word's start in it."""
        sent = self.sentences[index]
        starts, pos = [], 0
        for word in self.words[sent.start : sent.end]:
            starts.append(pos)
            pos += len(word.norm) + 1
        return " ".join(w.norm for w in self.words[sent.start : sent.end]), starts

    def span_words(self, index: int, starts: list[int], lo: int, hi: int) -> tuple[int, int]:
        """Word indices (first, last) of the characters ``[lo, hi)`` of a sentence string."""
        base = self.sentences[index].start
        return base + bisect_right(starts, lo) - 1, base + bisect_right(starts, hi - 1) - 1

    def quote(self, first: int, last: int) -> tuple[str, int, int]:
        """The original text behind words ``first..last`` and its offsets."""
        start, end = self.words[first].start, self.words[last].end
        return self.text[start:end], start, end

    def _count(self, kind: str, lo: int, hi: int) -> int:
        return self.counts[kind][hi] - self.counts[kind][lo]

    def _post_negation(self, last: int, clause_end: int) -> int:
        """1 if ``last`` is followed by copulas then a negation ("consent is not needed")."""
        i = last + 1
        while i < clause_end and i - last <= 3 and self.words[i].norm in lx.COPULAS:
            i += 1
        return int(i > last + 1 and i < clause_end and self.cues[i] == "neg")

    def _contradicted(self, sentence: Sentence, clause: int) -> bool:
        """Is one of the next few clauses a denial ("…but it doesn't", "…which is wrong")?"""
        for c in self.clauses[clause + 1 : min(sentence.end_clause, clause + 1 + DENIAL_REACH)]:
            denies = self._count("neg", c.start, c.end) + self._count("refute", c.start, c.end)
            if denies and (
                self.words[c.start].norm in lx.CONTRAST or self._count("refute", c.start, c.end)
            ):
                return True
        return False

    def scope(self, first: int, last: int, *, own_negation: bool = False) -> Scope:
        """How words ``first..last`` are asserted (see :class:`Scope`).

        Negation cues count when they come earlier in the same clause, inside the span
        (unless the pattern spells its own negation, ``own_negation``), or just after it
        behind a copula. Their parity decides, so "not … without" cancels out.
        """
        ci = self.clause_of[first]
        clause = self.clauses[ci]
        sentence = self.sentences[self.sentence_of[first]]
        before = self._count("neg", clause.start, first)
        inside = 0 if own_negation else self._count("neg", first, last + 1)
        after = self._post_negation(last, clause.end)
        reported = self._count("report", clause.start, first) > 0
        myth = self._count("myth", clause.start, first) > 0
        rebutted = self.rebutted[first]
        cue = self.negations[bisect_left(self.negations, clause.start)] if before else None
        return Scope(
            negated=(before + inside + after) % 2 == 1,
            uncertain=sentence.question or self._count("hedge", clause.start, first) > 0,
            reported=reported or myth or rebutted,
            refuted=myth or rebutted or (reported and self._contradicted(sentence, ci)),
            conditional=clause.conditional and last < clause.end,
            cue=cue,
        )


def word_tags(parsed: Parsed) -> tuple[str, ...]:
    """Each word's scope as one letter, for the trained detector's features.

    ``U`` inside a hedge or a question; ``R`` inside someone else's view the writer has not
    denied; ``C`` inside a hypothetical ``if`` clause; ``N`` negated (an odd number of
    negation cues earlier in the clause, or a denied view, in its own sentence or rebutted
    later: :attr:`Parsed.rebutted`); ``""`` asserted. The first that applies
    wins, in that order. Cue words themselves take the scope they stand in.
    """
    tags: list[str] = []
    cues = parsed.cues
    for ci, clause in enumerate(parsed.clauses):
        if clause.end <= clause.start:
            continue
        sentence = parsed.sentences[parsed.sentence_of[clause.start]]  # a clause is in one
        question = sentence.question
        refuted: bool | None = None
        hedged = reported = myth = False
        negations = 0
        # one pass over the clause, each word judged by the cues before it in the clause
        for i in range(clause.start, clause.end):
            if question or hedged:
                tags.append("U")
            else:
                if reported and refuted is None:
                    refuted = myth or parsed._contradicted(sentence, ci)
                denied = (reported and bool(refuted)) or parsed.rebutted[i]
                if reported and not denied:
                    tags.append("R")
                elif clause.conditional:
                    tags.append("C")
                elif (negations % 2 == 1) != denied:
                    tags.append("N")
                else:
                    tags.append("")
            cue = cues[i]
            if cue:
                hedged = hedged or cue == "hedge"
                myth = myth or cue == "myth"
                reported = reported or cue in ("report", "myth")
                negations += cue == "neg"
    return tuple(tags)


def _scan(text: str) -> tuple[list[Word], set[int], dict[int, bool]]:
    """Words, the word indices that open a clause, and those that open a sentence (→ '?')."""
    words: list[Word] = []
    clause_opens: set[int] = {0}
    sentence_opens: dict[int, bool] = {0: False}
    current = 0  # where the sentence being read began
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            for raw, start, end in _word_parts(m.group(), m.start()):
                words.extend(Word(norm, start, end) for norm in fold(raw))
        elif kind == "brk":
            clause_opens.add(len(words))
        elif kind == "end" and m.group() == "." and words and words[-1].norm in lx.ABBREVIATIONS:
            continue  # "Sch. 1", "Dr. X": not the end of a sentence
        elif current < len(words):
            sentence_opens[current] = kind == "end" and "?" in m.group()
            current = len(words)
            sentence_opens[current] = False
    return words, clause_opens, sentence_opens


def _opens_clause(norms: list[str], i: int) -> bool:
    """Does the conjunction at ``i`` start a new proposition? (see module docstring)"""
    word = norms[i]
    nxt = norms[i + 1] if i + 1 < len(norms) else ""
    prev = norms[i - 1] if i else ""
    if word in lx.BREAK_ALWAYS:
        return not (word == "then" and prev == "and")
    if word == "so":
        return nxt not in lx.SO_INTENSIFIED
    if word in lx.SUBORDINATORS:
        return nxt in lx.SUBJECTS and prev not in lx.AS_COMPARATIVE
    if word in ("and", "or"):
        return nxt in lx.CLAUSE_STARTERS or nxt in lx.VERBS or nxt in lx.AMBIGUOUS_VERBS
    return False


def _is_predicate(norm: str) -> bool:
    return norm in lx.VERBS or (len(norm) > 4 and norm.endswith("ed"))


def _consequents(norms: list[str], starts: list[int]) -> set[int]:
    """Where the main clause begins after an unpunctuated ``if`` clause ("if X | we can't")."""
    found: set[int] = set()
    bounds = [*starts[1:], len(norms)] if starts else []
    for start, end in zip(starts, bounds, strict=True):
        if norms[start] not in lx.CONDITIONALS:
            continue
        for j in range(start + 3, end - 1):
            if norms[j] in lx.SUBJECTS and norms[j + 1] in lx.AUX:
                found.add(j)
                break
    return found


def _clauses(norms: list[str], opens: set[int], sentence_starts: list[int]) -> list[Clause]:
    starts = sorted(
        {i for i in opens | set(sentence_starts) if i < len(norms)}
        | {i for i in range(1, len(norms)) if _opens_clause(norms, i)}
    )
    starts = sorted(set(starts) | _consequents(norms, starts))
    bounds = list(zip(starts, [*starts[1:], len(norms)], strict=False))
    return [
        Clause(
            a,
            b,
            predicated=b - a >= 2
            and (norms[a] in lx.AMBIGUOUS_VERBS or any(_is_predicate(n) for n in norms[a:b])),
            conditional=norms[a] in lx.CONDITIONALS
            and (a == 0 or norms[a - 1] not in lx.NOT_CONDITIONAL_AFTER),
            function_words=sum(n in lx.FUNCTION_WORDS for n in norms[a:b]),
        )
        for a, b in bounds
    ]


def _mark_cues(norms: list[str]) -> list[str]:
    """Label each word that starts a cue; the longest phrase in ``lx.CUES`` wins."""
    cues = [""] * len(norms)
    i = 0
    while i < len(norms):
        if norms[i] in lx.CUE_FIRST:
            for length in (4, 3, 2, 1):
                kind = (
                    lx.CUES.get(tuple(norms[i : i + length])) if i + length <= len(norms) else None
                )
                if kind is not None:
                    cues[i] = "" if kind == "pseudo" else kind
                    i += length - 1
                    break
        i += 1
    return cues


def _match(norms: list[str], i: int, end: int, phrases: frozenset[tuple[str, ...]]) -> int:
    """The length of the phrase of ``phrases`` starting at word ``i`` (before ``end``), or 0."""
    for n in (3, 2, 1):
        if i + n <= end and tuple(norms[i : i + n]) in phrases:
            return n
    return 0


def _after_openers(norms: list[str], start: int, end: int) -> int:
    """The first word of ``start..end`` after its openers ("but", "and", "honestly"…)."""
    i = start
    while i < end and norms[i] in lx.REBUTTAL_OPENERS:
        i += 1
    return i


def _rebuts(norms: list[str], start: int, end: int) -> bool:
    """Do words ``start..end`` open with a rebuttal of what came before ("Rubbish.",
    "but that's not right", "I don't accept that"; see the lexicon's ``REBUTTAL_*``)?"""
    i = _after_openers(norms, start, end)
    subject = norms[i] if i < end else ""
    if subject in lx.REBUTTAL_VIEW or subject in lx.REBUTTAL_SELF:
        i += 1
    phrases = lx.REBUTTAL_DISSENT if subject in lx.REBUTTAL_SELF else lx.REBUTTAL_VERDICTS
    for _ in range(4):
        n = _match(norms, i, end, phrases)
        if n:
            return i + n >= end or norms[i + n] not in lx.REBUTTAL_NOT_AFTER
        if i >= end or norms[i] not in lx.REBUTTAL_FILLERS:
            return False
        i += 1
    return False


def _own_voice(norms: list[str], start: int, end: int) -> bool:
    """Does the clause ``start..end`` open in the writer's voice ("I", "but we…")?"""
    i = _after_openers(norms, start, end)
    return i < end and norms[i] in lx.REBUTTAL_SELF


def _rebutted(
    norms: list[str],
    clauses: list[Clause],
    clause_of: list[int],
    sentences: list[Sentence],
) -> tuple[bool, ...]:
    """:attr:`Parsed.rebutted`: from a reporting verb ("says", "told") to a later clause of
    its sentence that rebuts it ("…, but that's not how it works"), or, where no clause of
    the sentence after the verb's turns to the writer's own voice ("I…"), to the sentence's
    end when the next sentence opens with the rebuttal ("…GDPR stops us. Rubbish.")."""
    out = [False] * len(norms)
    for k, sent in enumerate(sentences):
        verb = next(
            (i for i in range(sent.start, sent.end) if norms[i] in lx.REPORTING_VERBS), None
        )
        if verb is None or sent.question:
            continue
        # the view runs on until a clause in the writer's own voice ("…, I still think…")
        # (which may then rebut it: "…, I still think it's private, I disagree")
        view_end, rebutted = sent.end, False
        for c in clauses[clause_of[verb] + 1 : sent.end_clause]:
            if _rebuts(norms, c.start, c.end):
                view_end, rebutted = min(view_end, c.start), True
                break
            if _own_voice(norms, c.start, c.end):
                view_end = min(view_end, c.start)
        if not rebutted and view_end == sent.end and k + 1 < len(sentences):
            after = sentences[k + 1]
            rebutted = not after.question and _rebuts(norms, after.start, after.end)
        if rebutted:
            out[verb:view_end] = [True] * (view_end - verb)
    return tuple(out)


def _prefix_counts(cues: list[str]) -> dict[str, tuple[int, ...]]:
    counts: dict[str, tuple[int, ...]] = {}
    present = set(cues)
    none = (0,) * (len(cues) + 1)
    for kind in ("neg", "hedge", "report", "myth", "refute"):
        if kind not in present:  # most texts have few kinds of cue
            counts[kind] = none
            continue
        running, total = [0], 0
        for cue in cues:
            total += cue == kind
            running.append(total)
        counts[kind] = tuple(running)
    return counts


def _sentences(
    clauses: list[Clause],
    clause_of: list[int],
    starts: list[int],
    questions: dict[int, bool],
    n: int,
) -> list[Sentence]:
    out = []
    for si, start in enumerate(starts):
        end = starts[si + 1] if si + 1 < len(starts) else n
        if start < end:
            first, last = clause_of[start], clause_of[end - 1] + 1
            out.append(Sentence(start, end, first, last, questions.get(start, False)))
    return out


def parse(text: str) -> Parsed:
    """Read ``text`` into words (with offsets), clauses, sentences and cue marks."""
    words, clause_opens, sentence_opens = _scan(text)
    norms = [w.norm for w in words]
    starts = sorted(k for k in sentence_opens if k < len(words)) or [0]
    clauses = _clauses(norms, clause_opens, starts)
    clause_of = [0] * len(words)
    for ci, clause in enumerate(clauses):
        clause_of[clause.start : clause.end] = [ci] * (clause.end - clause.start)
    sentences = _sentences(clauses, clause_of, starts, sentence_opens, len(words))
    sentence_of = [0] * len(words)
    for si, sent in enumerate(sentences):
        sentence_of[sent.start : sent.end] = [si] * (sent.end - sent.start)
    cues = _mark_cues(norms)
    return Parsed(
        text,
        tuple(words),
        tuple(clauses),
        tuple(sentences),
        tuple(clause_of),
        tuple(sentence_of),
        tuple(cues),
        _prefix_counts(cues),
        tuple(i for i, cue in enumerate(cues) if cue == "neg"),
        _rebutted(norms, clauses, clause_of, sentences),
    )


def normalise(text: str) -> str:
    """The folded words of ``text`` joined by single spaces (punctuation dropped)."""
    return " ".join(w.norm for w in parse(text).words)
