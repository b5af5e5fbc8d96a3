"""Every row the detector learns from: authored corpus, rule-made lists, trainers' judgements."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.training.corpus import Example, bundled_corpus, check_unique
from toolkit.training.generated import generated_lists


def training_rows(extra: Iterable[Example] = ()) -> list[Example]:
    """The bundled corpus, the generated lists of terms, then ``extra`` (e.g. moderation)."""
    rows = [*bundled_corpus(), *generated_lists(), *extra]
    check_unique(rows)
    return rows
