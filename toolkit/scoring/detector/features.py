"""Features of a rationale for the trained detector, each remembering the words it came from.

A rationale becomes a set of named features (strings), built from the same reading of the
text as the pattern rules (:func:`toolkit.scoring.text.parse`):

- ``w:`` **word n-grams** (1–3 words, never across a sentence) over folded words, prefixed
  by the scope of their last word (:func:`~toolkit.scoring.text.word_tags`): ``w:wait for
  proof`` is asserted, ``w:N:wait for proof`` negated, ``w:R:…`` someone else's view,
  ``w:U:…`` hedged or asked, ``w:C:…`` inside a hypothetical. A misconception's words in
  a denied scope are different features from the same words asserted, so the model can
  learn that only the asserted ones show the belief;
- ``k:`` **word-class n-grams**: the same, with words replaced by their class where they
  have one (``k:@family @consent``), so wording the corpus never used still shares features
  with wording it did;
- ``c:`` **character n-grams** (4 letters, inside words of 5 letters or more): typos and
  inflections share most of them with the correct word;
- ``r:`` / ``rw:`` / ``rx:`` **pattern rules**: a label's hand-written cue matched and
  held (``r:``), was withheld as keyword stuffing (``rw:``), or matched only where it is
  denied, hedged, asked or someone else's view (``rx:``, misconceptions only);
- ``s:`` **shape**: a list of terms (the rules' stuffing guard fired), no verb in any of
  several clauses (a list, or a terse note), a question, length band.

Every occurrence keeps its first and last word so the words behind a label can be quoted.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from toolkit.scoring import rules
from toolkit.scoring.detector.classes import word_class
from toolkit.scoring.patterns.registry import registry
from toolkit.scoring.text import Parsed, parse, word_tags

FAMILIES = ("w", "k", "c", "p", "r", "rw", "rx", "s")  # every feature name starts "<family>:"
NGRAM_MAX = 3
PAIR_WINDOW = 12  # a pair's words are at most this far apart (keeps long clauses linear)
CHAR_N = 4
CHAR_MIN_WORD = 5
# Words that, next to a class word in the same clause, change what it means ("need" consent,
# consent "first", wait "until"): with the class words they make the clause-pair features.
MODIFIERS = frozenset(
    "must need needs have has got should always never only until till unless before first "
    "without can not no allowed cannot wait if after everything all whole nothing already "
    "surely probably their they someone else job place later straight because so reason why "
    "what".split()
)


# One feature found in a text: (name, first word, last word). A plain tuple: a text has
# hundreds, and building them is most of the detector's time.
Occurrence = tuple[str, int, int]


@dataclass(frozen=True)
class Reading:
    """One text as the detector sees it: the parse, the rules' verdicts, the features.

    ``hits`` are the rules' matches before the stuffing guard split them into ``kept`` and
    ``withheld``, so a part of the text can be judged again on its own (:func:`window`);
    ``excused`` are beliefs stated with their exception (:func:`rules._excused`), which are
    not features: :func:`toolkit.scoring.detector.decide.decide` reads them.
    """

    parsed: Parsed
    kept: list[rules.Hit]
    withheld: list[rules.Hit]
    mentions: list[rules.Hit]
    features: list[Occurrence]
    hits: list[rules.Hit]
    excused: list[rules.Hit]


def _ngrams(
    out: list[Occurrence], prefix: str, tokens: Sequence[str], tags: Sequence[str], lo: int, hi: int
) -> None:
    """Append word 1..NGRAM_MAX-grams of ``tokens[lo:hi]``, tagged by their last word's scope."""
    for i in range(lo, hi):
        gram = prefix[:-1]
        sep = ":"
        for j in range(i, min(i + NGRAM_MAX, hi)):
            gram = f"{gram}{sep}{tokens[j]}"
            sep = " "
            tag = tags[j]
            out.append((f"{prefix}{tag}:{gram[len(prefix) :]}" if tag else gram, i, j))


def _class_ngrams(
    out: list[Occurrence],
    tokens: Sequence[str],
    classes: Sequence[str | None],
    tags: Sequence[str],
    lo: int,
    hi: int,
) -> None:
    """N-grams over words with classes substituted; only those holding at least one class."""
    for i in range(lo, hi):
        gram = "k"
        sep = ":"
        has = False
        for j in range(i, min(i + NGRAM_MAX, hi)):
            cls = classes[j]
            gram = f"{gram}{sep}{cls or tokens[j]}"
            sep = " "
            has = has or cls is not None
            if has:
                tag = tags[j]
                out.append((f"k:{tag}:{gram[2:]}" if tag else gram, i, j))


def _pairs(
    out: list[Occurrence],
    tokens: Sequence[str],
    classes: Sequence[str | None],
    tags: Sequence[str],
    lo: int,
    hi: int,
) -> None:
    """Unordered pairs of key words (classes and modifiers) close together in one clause."""
    keys = [
        (classes[i] or tokens[i], i) for i in range(lo, hi) if classes[i] or tokens[i] in MODIFIERS
    ]
    for a in range(len(keys)):
        x, i = keys[a]
        for b in range(a + 1, len(keys)):
            y, j = keys[b]
            if j - i > PAIR_WINDOW:
                break
            if x == y:
                continue
            tag = tags[j]
            first, second = (x, y) if x < y else (y, x)
            out.append((f"p:{tag}:{first}+{second}" if tag else f"p:{first}+{second}", i, j))


def _char_ngrams(out: list[Occurrence], tokens: Sequence[str]) -> None:
    for i, token in enumerate(tokens):
        if len(token) < CHAR_MIN_WORD or not token.isalpha():
            continue
        padded = f"<{token}>"
        out.extend((f"c:{padded[k : k + CHAR_N]}", i, i) for k in range(len(padded) - CHAR_N + 1))


def _shape(
    parsed: Parsed, stuffed: bool, first: int = 0, last: int | None = None
) -> Iterable[Occurrence]:
    """Shape features of words ``first..last`` (the whole text by default)."""
    if not parsed.words:
        return
    last = len(parsed.words) - 1 if last is None else last
    words = last - first + 1
    band = "tiny" if words < 6 else "short" if words < 20 else "mid" if words < 60 else "long"
    yield (f"s:len-{band}", first, last)
    if stuffed:
        yield ("s:list", first, last)
    clauses = [
        c
        for c in parsed.clauses[parsed.clause_of[first] : parsed.clause_of[last] + 1]
        if first <= c.start and c.end - 1 <= last and c.end > c.start
    ]
    if len(clauses) >= 2 and not any(c.predicated for c in clauses):
        yield ("s:verbless", first, last)
    sentences = parsed.sentences[parsed.sentence_of[first] : parsed.sentence_of[last] + 1]
    if any(s.question for s in sentences):
        yield ("s:question", first, last)


def _rule_features(
    kept: list[rules.Hit], withheld: list[rules.Hit], mentions: list[rules.Hit]
) -> Iterable[Occurrence]:
    for kind, hits in (("r", kept), ("rw", withheld), ("rx", mentions)):
        for h in hits:
            yield (f"{kind}:{h.label}", h.quote_from, h.last)


def read(text: str) -> Reading:
    """Parse ``text``, run the pattern rules, and extract every feature occurrence."""
    parsed = parse(text)
    mentions: list[rules.Hit] = []
    excused: list[rules.Hit] = []
    hits = rules.find(parsed, registry(), mentions, excused)
    kept, withheld = rules.guard(parsed, hits)
    features = extract(parsed, stuffed=bool(withheld))
    features.extend(_rule_features(kept, withheld, mentions))
    return Reading(parsed, kept, withheld, mentions, features, hits, excused)


def window(reading: Reading, first: int, last: int) -> list[Occurrence]:
    """The features of words ``first..last`` of a reading, judged as a text of their own.

    Every text feature lies inside one sentence (n-grams) or one clause (pairs), and the
    rules match sentence by sentence, so a window of whole sentences has the features of
    the whole reading that fall inside it; only what depends on the whole text is worked out
    again: the shape, and the stuffing guard over the window's own matches. For whole
    sentences this equals reading the window's text afresh (tested on the corpus) at a
    fraction of the cost. A window of clauses inside a sentence keeps the sentence's reading
    of scope: a clause after "I don't think" is still inside its negation; so does a
    sentence reporting a view the next sentence rebuts ("Our manager says GDPR stops us.
    Rubbish."), which read alone would be the writer's own.
    """
    out = [
        o
        for o in reading.features
        if first <= o[1] and o[2] <= last and o[0][0] not in "rs"  # not rules, not shape
    ]
    hits = [h for h in reading.hits if first <= h.first and h.last <= last]
    kept, withheld = rules.guard(reading.parsed, hits)
    mentions = [h for h in reading.mentions if first <= h.first and h.last <= last]
    out.extend(_shape(reading.parsed, bool(withheld), first, last))
    out.extend(_rule_features(kept, withheld, mentions))
    return out


def extract(parsed: Parsed, stuffed: bool = False) -> list[Occurrence]:
    """Every text feature occurrence (not the rules') in a parsed text."""
    tokens = [w.norm for w in parsed.words]
    tags = word_tags(parsed)
    classes = [word_class(t) for t in tokens]
    out: list[Occurrence] = []
    for sent in parsed.sentences:
        _ngrams(out, "w:", tokens, tags, sent.start, sent.end)
        _class_ngrams(out, tokens, classes, tags, sent.start, sent.end)
    for clause in parsed.clauses:
        _pairs(out, tokens, classes, tags, clause.start, clause.end)
    _char_ngrams(out, tokens)
    out.extend(_shape(parsed, stuffed))
    return out
