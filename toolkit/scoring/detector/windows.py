"""Reading a long rationale sentence by sentence as well as whole.

A linear model over a whole text weighs each feature by the text's length (see
:func:`~toolkit.scoring.detector.model.feature_values`), so a concept stated plainly in one
sentence of a long answer counts for less than the same sentence on its own: in
leave-one-author-out tests the model missed "I will check the address and names are accurate"
inside a three-sentence plan while finding it alone. So a text of two sentences or more is
also scored in **windows** of one and of two consecutive sentences, each read afresh as a
text of its own, and the two readings are combined per kind of label:

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


def spans(parsed: Parsed) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of every window of one and two sentences.

    Empty for a text of fewer than two sentences (its only window is the text itself).
    """
    sentences = [s for s in parsed.sentences[:MAX_SENTENCES] if s.end > s.start]
    if len(sentences) < 2:
        return []
    text, words = parsed.text, parsed.words
    # a window runs to where the next sentence's first word begins, so it keeps its own
    # closing "?" or "!" (a question read without its "?" would be an assertion)
    ends = [words[s.end].start if s.end < len(words) else len(text) for s in sentences]
    out = []
    for k in range(len(sentences)):
        for width in SPANS:
            if k + width <= len(sentences):
                start = words[sentences[k].start].start
                end = len(text[: ends[k + width - 1]].rstrip())
                out.append((start, end))
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
    score: Callable[[str], Sequence[float]],
) -> tuple[float, ...]:
    """The combined probabilities of a text already scored whole (``whole``).

    ``score`` gives the model's probabilities for a text read afresh; it is called once per
    window, except a window that is the whole text (two sentences, both in one window), whose
    probabilities are ``whole`` already.
    """
    text = parsed.text
    return combine(
        labels,
        whole,
        [whole if (a, b) == (0, len(text)) else score(text[a:b]) for a, b in spans(parsed)],
    )
