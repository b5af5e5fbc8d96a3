"""How much free text scoring reads, and how much of what it found is kept.

A rationale is a few sentences: a learner's reasoning about one decision. The cap is stated
here once, and every door checks it before any text is analysed (the learner app, `safeshare
score`, `safeshare rationale`): text over it is refused with one line saying so, never cut.
Measured before the cap (issue 15): one 8.9 MB rationale cost 60–72 s of a core and stored
157,894 evidence spans. Evidence kept per answer is bounded too, a few spans per label.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

RATIONALE_MAX_CHARS = 5_000  # CASE_FORMAT §4: at least 2,000; a page of reasoning is ~3,000
EVIDENCE_PER_LABEL = 3  # spans kept for each concept or misconception found in one answer

T = TypeVar("T")


def rationale_too_long(text: str) -> str | None:
    """Why ``text`` cannot be scored (it is over the cap), or None when it can."""
    if len(text) <= RATIONALE_MAX_CHARS:
        return None
    return f"is {len(text):,} characters, more than the limit of {RATIONALE_MAX_CHARS:,}"


def first_per_label(spans: Iterable[T], label: str = "id") -> tuple[T, ...]:
    """The first EVIDENCE_PER_LABEL spans of each label, in their order.

    Every label found keeps at least one span (a trainer's moderation reads them), but a long
    or repetitive text cannot fill the store with thousands.
    """
    seen: dict[str, int] = {}
    kept = []
    for span in spans:
        key = getattr(span, label)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= EVIDENCE_PER_LABEL:
            kept.append(span)
    return tuple(kept)
