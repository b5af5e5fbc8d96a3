"""The labelled rationale corpus the detector learns from: rows, their authors, their checks.

Each row is one rationale a practitioner might type, labelled with the concepts and
misconceptions it shows under the labelling rules of CASE_FORMAT §1, and the author who
wrote it. The bundled corpus (``corpus/*.jsonl``, one file per author) was written by
independent authors, each given a persona and only CASE_FORMAT §1 (see ``corpus/README.md``).
Trainers' moderation overrides, exported by ``safeshare detector export-moderation``, are
rows in the same shape with the cohort as their author.

Row shape (extra keys are kept in ``meta``)::

    {"id": "a03-0042", "author": "a03", "text": "…",
     "concepts": ["C-…"], "misconceptions": ["M-…"]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary

REQUIRED = ("id", "author", "text", "concepts", "misconceptions")


@dataclass(frozen=True)
class Example:
    """One labelled rationale."""

    id: str
    author: str
    text: str
    concepts: frozenset[str]
    misconceptions: frozenset[str]
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def labels(self) -> frozenset[str]:
        return self.concepts | self.misconceptions

    def to_dict(self) -> dict[str, Any]:
        order = {label: i for i, label in enumerate(all_labels())}
        return {
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "concepts": sorted(self.concepts, key=order.__getitem__),
            "misconceptions": sorted(self.misconceptions, key=order.__getitem__),
            **self.meta,
        }


def all_labels() -> tuple[str, ...]:
    """Every concept then every misconception, in contract order."""
    vocab = vocabulary()
    return (*vocab.concepts, *vocab.misconceptions)


class CorpusError(SafeShareError):
    """A corpus file with rows that cannot be used; the message lists them as file:line."""


def _row(record: Any, where: str) -> tuple[Example | None, list[str]]:
    if not isinstance(record, dict):
        return None, [f"{where}: expected a JSON object"]
    missing = [k for k in REQUIRED if k not in record]
    if missing:
        return None, [f"{where}: missing {', '.join(missing)}"]
    vocab = vocabulary()
    problems = []
    for key in ("id", "author", "text"):
        if not isinstance(record[key], str) or not record[key].strip():
            problems.append(f"{where}: {key}: must be a non-empty string")
    for key, known in (("concepts", vocab.concepts), ("misconceptions", vocab.misconceptions)):
        value = record[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: {key}: must be a list of ids")
            continue
        problems += [f"{where}: {key}: unknown id {v!r}" for v in value if v not in known]
    if problems:
        return None, problems
    meta = {k: v for k, v in record.items() if k not in REQUIRED}
    example = Example(
        record["id"],
        record["author"],
        record["text"],
        frozenset(record["concepts"]),
        frozenset(record["misconceptions"]),
        meta,
    )
    return example, []


def parse_lines(lines: Iterable[str], name: str) -> list[Example]:
    """Examples from JSONL lines; CorpusError lists every bad line as ``name:line: …``."""
    examples: list[Example] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        example, bad = _row(record, where)
        problems += bad
        if example is not None:
            examples.append(example)
    if problems:
        raise CorpusError("\n".join(problems))
    return examples


def read_examples(path: Path) -> list[Example]:
    """Examples from one JSONL file."""
    with open(path, encoding="utf-8") as fh:
        return parse_lines(fh, str(path))


def _bundled_files() -> Iterator[tuple[str, str]]:
    folder = resources.files("toolkit.training").joinpath("corpus")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".jsonl"):
            yield f"corpus/{entry.name}", entry.read_text("utf-8")


def bundled_corpus() -> list[Example]:
    """Every row of the bundled corpus, file by file; ids must be unique across files."""
    examples: list[Example] = []
    for name, text in _bundled_files():
        examples += parse_lines(text.splitlines(), name)
    check_unique(examples)
    return examples


def unseen_corpus() -> list[Example]:
    """Rows by the authors kept out of training (``corpus/unseen/``), to score the shipped
    model on writing by people it has never seen. They are written after a model is trained
    and are never read by :func:`bundled_corpus`; the next retraining moves them up into the
    corpus (see ``corpus/README.md``)."""
    folder = resources.files("toolkit.training").joinpath("corpus", "unseen")
    examples: list[Example] = []
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".jsonl"):
                examples += parse_lines(
                    entry.read_text("utf-8").splitlines(), f"corpus/unseen/{entry.name}"
                )
    check_unique(examples)
    return examples


def check_unique(examples: Iterable[Example]) -> None:
    seen: set[str] = set()
    dups = sorted({e.id for e in examples if e.id in seen or seen.add(e.id)})  # type: ignore[func-returns-value]
    if dups:
        raise CorpusError(f"duplicate example ids: {', '.join(dups[:10])}")


def corpus_hash(examples: Iterable[Example]) -> str:
    """A short fingerprint of the rows (ids, texts, labels), recorded with a trained model."""
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.id):
        digest.update(json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]
