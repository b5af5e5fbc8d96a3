"""Feedback lines: each cites the guidance steps it rests on and corrects misconceptions kindly.

The tone is a colleague's, not a marker's: a misconception is named as a common and
understandable worry, then corrected — with the vocabulary's own ``correction`` when it has
one, otherwise by naming the belief the guidance does not support.

Lines that depend only on an id are memoised: the vocabulary they read is read-only, and a
cohort of a thousand learners asks for the same few lines thousands of times.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from toolkit.guidance import vocabulary
from toolkit.scoring.profile import concept_steps, misconception_steps, natural


def cite(steps: Iterable[str]) -> str:
    """``(S2, S7)``: the step ids a line rests on, in S1…S10 order; empty when none."""
    return _cite(tuple(steps))


@lru_cache(maxsize=1024)
def _cite(steps: tuple[str, ...]) -> str:
    ordered = sorted(dict.fromkeys(steps), key=natural)
    return f"({', '.join(ordered)})" if ordered else ""


def labelled(label: str, steps: Iterable[str], text: str) -> str:
    """``What to share (S2, S7): text`` — the shape of every share-plan field's line."""
    return f"{label} {cite(steps)}: {text}"


@lru_cache(maxsize=256)
def misconception_line(misconception_id: str) -> str:
    """A kind correction of one misconception, citing the steps it works against."""
    record = vocabulary().misconceptions.get(misconception_id)
    steps = cite(misconception_steps(misconception_id))
    if record is None:
        return f"Your reasoning shows {misconception_id} {steps}.".replace(" .", ".")
    if record.correction:
        return f"A common worry ({record.name.lower()}): {record.correction.strip()} {steps}"
    return (
        f"A common worry ({record.name.lower()}) is that {record.belief}; the guidance does "
        f"not say so{' — look again at ' + steps.strip('()') if steps else ''}."
    )


@lru_cache(maxsize=256)
def missing_concept_line(concept_id: str) -> str:
    """A nudge towards an expected reasoning concept the rationale did not show."""
    record = vocabulary().concepts.get(concept_id)
    if record is None:
        return f"Your reasoning could also show {concept_id}."
    steps = cite(concept_steps(concept_id))
    return (
        f"Your reasoning could also show “{record.name}”: a sound rationale {record.shows} {steps}."
    )


def short_rationale_line(words: int, min_words: int) -> str:
    """Ask for more when a rationale is below the decision's ``min_words``."""
    return (
        f"Your reasoning has {words} word{'s' if words != 1 else ''}; write at least {min_words} "
        "so a colleague could follow why you decided as you did."
    )


def no_rationale_line(max_points: float) -> str:
    """Invite reasoning when a decision asked for it and none was given."""
    return (
        f"You gave no reasoning. Explaining why is part of the decision (worth up to "
        f"{max_points:g} points here) and is what you would record (S3, S7)."
    )
