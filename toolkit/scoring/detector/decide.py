"""From per-label probabilities to the labels shown: thresholds, contradictions, exceptions.

Three rules turn the model's probabilities into what the learner is told:

1. **Thresholds.** A label is a candidate when its probability reaches the label's threshold;
   below it the detector cannot stand behind the label, so it is not shown at all.
2. **Contradictions.** A belief and the concept that denies it cannot both be shown: one
   rationale does not both hold that consent is always needed and recognise that it is not.
   Of such a pair (:data:`EXCLUSIVE`) only the more probable label stays. (Until 2026-12-07
   it was the label further above its own threshold, which, misconceptions having the lower
   threshold, gave a belief the edge in a near-tie: "I would share without consent." was
   challenged as M-consent-always at 0.981 over C-consent-not-basis at 0.986. Held out by
   author over 71 "authors": micro-F1 0.8485 / 0.8877 the old way, 0.8486 / 0.8881 the new.)
   In the labelled corpus no rationale carries both labels of any pair.
3. **Stated exceptions.** A belief is not challenged where the writer states its words
   together with the exception its definition turns on, and the pattern rules found it
   nowhere else in the text held plainly: "I will tell Mother first what we are sharing and
   why, because … telling her does not add to the risk" is not the belief that the family
   must be told first *even where* that raises the risk (CASE_FORMAT §1). The exceptions are
   the cues' ``unless`` in ``patterns/misconceptions.yaml`` (``_excused`` in
   :mod:`toolkit.scoring.rules`). The model alone read that model answer (housing move,
   decision 4) as the belief at 0.95: its corpus has many "tell mum first" beliefs and few
   plans to tell a parent first that say why it is safe. In the corpus, none of the 49
   rationales stating that telling is safe was labelled with the belief.

Lists of terms (CASE_FORMAT §1, rule 3) need no rule of their own here: the corpus holds
hundreds of them labelled as showing nothing, and the model learns from them (with the
pattern rules' stuffing guard as a feature). A hard cap on "list-shaped" texts was tried and
dropped: terse notes ("999, CPR, SW after.") look like lists and are reasoning.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

# A misconception and a concept that contradicts it (the belief and its denial).
EXCLUSIVE = (
    ("M-consent-always", "C-consent-not-basis"),
    ("M-dp-barrier", "C-consent-not-basis"),
    ("M-confidentiality-absolute", "C-consent-not-basis"),
    ("M-no-record", "C-record-decision"),
    ("M-share-everything", "C-minimum-necessary"),
    ("M-wait-for-proof", "C-timely"),
    ("M-wait-for-proof", "C-emergency-action"),
    ("M-paperwork-first", "C-timely"),
    ("M-paperwork-first", "C-emergency-action"),
    ("M-tell-family-always", "C-withhold-notice-if-risk"),
)


def decide(
    labels: Sequence[str],
    probabilities: Sequence[float],
    thresholds: Sequence[float],
    excused: Collection[str] = (),
) -> set[int]:
    """Indices of the labels to show (see the module docstring for the three rules).

    ``excused``: beliefs stated with their exception and held nowhere else (rule 3).
    """
    shown = {
        i
        for i, p in enumerate(probabilities)
        if p >= thresholds[i] and not (labels[i].startswith("M-") and labels[i] in excused)
    }
    index = {label: i for i, label in enumerate(labels)}
    for belief, denial in EXCLUSIVE:
        a, b = index.get(belief), index.get(denial)
        if a in shown and b in shown:
            shown.discard(b if probabilities[a] >= probabilities[b] else a)
    return shown
