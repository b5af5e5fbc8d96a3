"""Reading a long rationale in parts as well as whole: sentences, and clauses of long ones.

A linear model over a whole text weighs each feature by the text's length (see
:func:`~toolkit.scoring.detector.model.feature_values`), so a concept stated plainly in one
sentence of a long answer counts for less than the same sentence on its own: in
leave-one-author-out tests the model missed "I will check the address and names are accurate"
inside a three-sentence plan while finding it alone. So a text is also scored in **windows**,
each scored as a text of its own (its features taken from the whole reading by
:func:`~toolkit.scoring.detector.features.window`):

- every sentence, and every two consecutive sentences, of a text of two sentences or more;
- with ``"windows": "clauses"``, every clause of at least :data:`CLAUSE_MIN_WORDS` words in
  a sentence of at least :data:`CLAUSE_SENTENCE_MIN` words, for concepts only. Some people
  write a whole plan as one long sentence ("…she is at risk of significant harm, so I will
  refer to the front door today and record why"): the sentence windows cannot split it,
  and its concepts were diluted the same way.

The two readings are combined per kind of label:

- a **concept** takes the larger of the whole text's probability and its best window's. A
  concept is credited when the writer's reasoning applies it anywhere (CASE_FORMAT §1,
  rule 1), so one sentence that shows it is enough;
- a **misconception** takes the mean of the whole text's probability and its best
  sentence window's. A belief in one sentence may be reported and rejected in the next
  ("Some say GDPR stops us. It doesn't."), which only the whole text shows, so a window
  alone never decides it; and a clause cut from its sentence loses the "because…" that
  qualifies it: "I will tell Mother first what we are sharing and why" read alone looks
  like telling the family whatever the risk (0.95), but its sentence goes on "…because
  telling her does not add to the risk".

The model file says which windows its thresholds were set for (``"windows"``: ``"none"``,
``"sentences"`` or ``"clauses"``, the last meaning sentences and clauses). Measured with
every author held out in turn (docs/scoring.md): sentence windows took concept micro-F1
0.829 → 0.838 (misconceptions 0.868 → 0.867) over the whole text alone; clause windows
took it 0.8528 → 0.8549 (misconceptions 0.8960 → 0.8956), and on one-sentence rationales
of 20 words or more 0.822 → 0.834.

Only the first :data:`MAX_SENTENCES` sentences and :data:`MAX_CLAUSES` clause windows are
read, so a pathological text costs a bounded amount. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toolkit.scoring.text import Parsed

MAX_SENTENCES = 60
SPANS = (1, 2)  # sentence windows' widths, in sentences
CLAUSE_SENTENCE_MIN = 25  # words: a sentence this long is also read clause by clause…
CLAUSE_MIN_WORDS = 4  # …in clauses of at least this many words
MAX_CLAUSES = 60


def sentence_ranges(parsed: Parsed) -> list[tuple[int, int]]:
    """Words ``(first, last)`` of every window of one and two sentences, in text order.

    Empty for a text of fewer than two sentences (its only window is the text itself).
    """
    sentences = parsed.sentences[:MAX_SENTENCES]
    if len(sentences) < 2:
        return []
    return [
        (sentences[k].start, sentences[k + width - 1].end - 1)
        for k in range(len(sentences))
        for width in SPANS
        if k + width <= len(sentences)
    ]


def clause_ranges(parsed: Parsed) -> list[tuple[int, int]]:
    """Words ``(first, last)`` of each clause of :data:`CLAUSE_MIN_WORDS` words or more in a
    sentence of :data:`CLAUSE_SENTENCE_MIN` words or more with two clauses or more."""
    out: list[tuple[int, int]] = []
    for sent in parsed.sentences[:MAX_SENTENCES]:
        if sent.end - sent.start < CLAUSE_SENTENCE_MIN:
            continue
        clauses = [
            c for c in parsed.clauses[sent.first_clause : sent.end_clause] if c.end > c.start
        ]
        if len(clauses) < 2:
            continue
        out += [(c.start, c.end - 1) for c in clauses if c.end - c.start >= CLAUSE_MIN_WORDS]
    return out[:MAX_CLAUSES]


def ranges(parsed: Parsed, mode: str = "clauses") -> list[tuple[int, int]]:
    """Words ``(first, last)`` of every window ``mode`` reads: the sentence windows, then
    (``"clauses"``) the clause windows; none for ``"none"``."""
    if mode == "none":
        return []
    return sentence_ranges(parsed) + (clause_ranges(parsed) if mode == "clauses" else [])


def spans(parsed: Parsed, mode: str = "clauses") -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of the windows of :func:`ranges`, as written."""
    text, words = parsed.text, parsed.words
    out = []
    for first, last in ranges(parsed, mode):
        if last + 1 == parsed.sentences[parsed.sentence_of[last]].end:
            # a window ending a sentence runs to where the next sentence's first word begins,
            # so it keeps its own closing "?" or "!" (a question read without its "?" would
            # be an assertion)
            stop = words[last + 1].start if last + 1 < len(words) else len(text)
            out.append((words[first].start, len(text[:stop].rstrip())))
        else:
            out.append((words[first].start, words[last].end))
    return out


def combine(
    labels: Sequence[str],
    whole: Sequence[float],
    windows: Sequence[Sequence[float]],
    clauses: Sequence[Sequence[float]] = (),
) -> tuple[float, ...]:
    """Each label's probability from the whole text's, the sentence windows' (``windows``)
    and the clause windows' (``clauses``, read for concepts only): see the module docstring."""
    if not windows and not clauses:
        return tuple(whole)
    out = []
    for i, label in enumerate(labels):
        if label.startswith("C-"):
            out.append(max([whole[i], *(w[i] for w in windows), *(c[i] for c in clauses)]))
        elif windows:
            out.append((whole[i] + max(whole[i], *(w[i] for w in windows))) / 2)
        else:
            out.append(whole[i])
    return tuple(out)


def probabilities(
    labels: Sequence[str],
    parsed: Parsed,
    whole: Sequence[float],
    score: Callable[[int, int], Sequence[float]],
    mode: str = "clauses",
) -> tuple[float, ...]:
    """The combined probabilities of a text already scored whole (``whole``).

    ``score(first, last)`` gives the model's probabilities for words ``first..last`` read as
    a text of their own; it is called once per window, except a window that is the whole
    text (two sentences, both in one window), whose probabilities are ``whole`` already.
    """
    if mode == "none":
        return tuple(whole)
    everything = (0, len(parsed.words) - 1)
    sentences = [whole if span == everything else score(*span) for span in sentence_ranges(parsed)]
    clauses = [score(*span) for span in clause_ranges(parsed)] if mode == "clauses" else []
    return combine(labels, whole, sentences, clauses)
