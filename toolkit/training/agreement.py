"""How far independent labellers agree on the corpus: Cohen's kappa per label.

Every row of the bundled corpus was labelled by its author and again by a second labeller
who saw only the text and CASE_FORMAT §1; the disagreements were settled by an adjudicator
(corpus/README.md). A row keeps ``author_labels`` and ``second_labels`` only where either
differs from its final labels, so all three label sets can be read back from the files.
The 10% sample relabelled by a further independent labeller (L1) is in
``corpus/agreement/l1-sample.jsonl``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources

from toolkit.review.agreement import cohen_kappa
from toolkit.training.corpus import Example, all_labels

Labels = Mapping[str, frozenset[str]]


def label_sets(rows: Iterable[Example]) -> tuple[Labels, Labels, Labels]:
    """(author's, second labeller's, final) labels of each row, by id."""
    author, second, final = {}, {}, {}
    for e in rows:
        final[e.id] = e.labels
        author[e.id] = frozenset(e.meta.get("author_labels", e.labels))
        given = e.meta.get("second_labels", e.labels)
        second[e.id] = frozenset(given) if given is not None else e.labels
    return author, second, final


def l1_sample() -> Labels:
    """The further labeller's labels for the 10% sample."""
    text = resources.files("toolkit.training").joinpath("corpus/agreement/l1-sample.jsonl")
    out = {}
    for line in text.read_text("utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["id"]] = frozenset(r["concepts"]) | frozenset(r["misconceptions"])
    return out


def kappas(first: Labels, second: Labels) -> dict[str, dict[str, float]]:
    """Per label, over the rows both labelled: counts, observed agreement and kappa."""
    ids = sorted(set(first) & set(second))
    out = {}
    for label in all_labels():
        cells = {"both": 0, "first_only": 0, "second_only": 0, "neither": 0}
        for i in ids:
            key = {(True, True): "both", (True, False): "first_only"}.get(
                (label in first[i], label in second[i]),
                "second_only" if label in second[i] else "neither",
            )
            cells[key] += 1
        out[label] = {"rows": len(ids), **cells, **cohen_kappa(**cells)}
    return out


def markdown(rows: Iterable[Example]) -> str:
    """The agreement tables for docs/scoring.md."""
    author, second, final = label_sets(list(rows))
    l1 = l1_sample()
    pairs = {
        "author vs second labeller": kappas(author, second),
        "author vs adjudicated": kappas(author, final),
        "second labeller vs adjudicated": kappas(second, final),
        "L1 (10% sample) vs author": kappas(l1, author),
        "L1 (10% sample) vs adjudicated": kappas(l1, final),
    }
    names = list(pairs)
    lines = [
        "| label | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label in all_labels():
        cells = [f"{pairs[n][label]['kappa']:.2f}" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    counts = " · ".join(f"{n}: {next(iter(pairs[n].values()))['rows']} rows" for n in names)
    return "\n".join(lines) + f"\n\nRows compared: {counts}.\n"
