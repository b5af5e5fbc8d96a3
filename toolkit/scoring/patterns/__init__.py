"""Rationale patterns: word lists for text folding and the concept/misconception registry.

``lexicon`` holds the word lists :mod:`toolkit.scoring.text` folds and splits by;
``registry`` compiles ``concepts.yaml`` and ``misconceptions.yaml`` (with ``macros.yaml``).
Nothing is loaded on import of this package.
"""
