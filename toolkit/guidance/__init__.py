"""The guidance: ICO's 10 steps, lawful bases, conditions, principles, concepts, misconceptions,
failure themes, nations and sectors — read-only vocabulary loaded from package data."""

from toolkit.guidance.vocabulary import Vocabulary, vocabulary

__all__ = ["Vocabulary", "vocabulary"]
