"""Reading a long rationale sentence by sentence as well as whole.

A linear model over a whole text weighs each feature by the text's length (see
:func:`~toolkit.scoring.detector.model.feature_values`), so a concept stated plainly in one
sentence of a long answer counts for less than the same sentence on its own: in
leave-one-author-out tests the model missed "I will check the address and names are accurate"
inside a three-sentence plan while finding it alone. So a text of two sentences or more is
also scored in **windows** of one and of two consecutive sentences, each scored as a text
of its own (its features taken from the whole reading by
:func:`~toolkit.scoring.detector.features.window`, which equals reading it afresh), and the
two readings are combined per kind of label:

- a **concept** takes the larger of the whole text's probability and its best window's. A
  concept is credited when the writer's reasoning applies it anywhere (CASE_FORMAT §1,
  rule 1), so one sentence that shows it is enough;
- a **misconception** takes the mean of the whole text's probability and its best
  window's. A belief in one sentence may be reported and rejected in the next ("Some say
  GDPR stops us. It doesn't."), which only the whole text shows, so a window alone never
  decides it.

The model file says whether it was tuned for this (``"windows": "sentences"``) and its
thresholds are set for the combined probabilities. Measured with every author held out in
turn (docs/scoring.md): concept micro-F1 0.829 → 0.838, misconception 0.868 → 0.867 over the
whole text alone; on rationales of 40 words or more (eight authors held out) 0.841 → 0.862
and 0.823 → 0.850.

Only the first :data:`MAX_SENTENCES` sentences are windowed, so a pathological text of
thousands of one-word sentences costs a bounded amount. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toolkit.scoring.text import Parsed

MAX_SENTENCES = 60
SPANS = (1, 2)  # window widths, in sentences


def ranges(parsed: Parsed) -> list[tuple[int, int]]:
    """Sentence ranges ``[lo, hi)`` of every window of one and two sentences, in text order.

    Empty for a text of fewer than two sentences (its only window is the text itself).
    """
    n = min(len(parsed.sentences), MAX_SENTENCES)
    if n < 2:
        return []
    return [(k, k + width) for k in range(n) for width in SPANS if k + width <= n]


def spans(parsed: Parsed) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of the windows of :func:`ranges`, as written."""
    sentences, text, words = parsed.sentences, parsed.text, parsed.words
    out = []
    for lo, hi in ranges(parsed):
        # a window runs to where the next sentence's first word begins, so it keeps its own
        # closing "?" or "!" (a question read without its "?" would be an assertion)
        end = sentences[hi].start if hi < len(sentences) else len(words)
        stop = words[end].start if end < len(words) else len(text)
        out.append((words[sentences[lo].start].start, len(text[:stop].rstrip())))
    return out


def combine(
    labels: Sequence[str],
    whole: Sequence[float],
    windows: Sequence[Sequence[float]],
) -> tuple[float, ...]:
    """Each label's probability from the whole text's and the windows' (module docstring)."""
    if not windows:
        return tuple(whole)
    out = []
    for i, label in enumerate(labels):
        best = max(whole[i], max(w[i] for w in windows))
        out.append(best if label.startswith("C-") else (whole[i] + best) / 2)
    return tuple(out)


def probabilities(
    labels: Sequence[str],
    parsed: Parsed,
    whole: Sequence[float],
    score: Callable[[int, int], Sequence[float]],
) -> tuple[float, ...]:
    """The combined probabilities of a text already scored whole (``whole``).

    ``score(lo, hi)`` gives the model's probabilities for sentences ``[lo, hi)`` read as a
    text of their own; it is called once per window, except a window that is the whole text
    (two sentences, both in one window), whose probabilities are ``whole`` already.
    """
    n = len(parsed.sentences)
    return combine(
        labels,
        whole,
        [whole if (lo, hi) == (0, n) else score(lo, hi) for lo, hi in ranges(parsed)],
    )
