"""`safeshare detector`: train the rationale detector, evaluate it honestly, learn from trainers.

Training needs the ``train`` extra (scikit-learn, numpy, scipy); the apps never import it.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
from pathlib import Path

import click

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)
MODERATION = click.option(
    "--with-moderation",
    "moderation",
    multiple=True,
    type=EXISTING,
    help="JSONL written by `safeshare detector export-moderation`; may be repeated.",
)

MARKDOWN = click.option(
    "--markdown",
    "markdown_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report as Markdown to this file.",
)
MISSES = click.option(
    "--misses",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write each row the model got wrong (JSONL) for error analysis.",
)


def _rows(moderation: tuple[Path, ...]):
    from toolkit.training.corpus import read_examples
    from toolkit.training.sources import training_rows

    return training_rows(row for path in moderation for row in read_examples(path))


def _needs_training_extra() -> None:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        click.echo(
            "error: training needs scikit-learn: `uv sync --extra train` (or `make test`'s "
            "environment, which has it)",
            err=True,
        )
        sys.exit(2)


def stop_workers_on_sigterm() -> None:
    """Treat SIGTERM as Ctrl-C, so joblib stops its worker processes before we exit.

    Fits run in joblib's worker processes; on KeyboardInterrupt joblib terminates them, but a
    plain SIGTERM kills only this process and left them running (found by killing a
    ten-minute `eval`: three orphans that went on fitting).
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@click.group()
def detector() -> None:
    """Train and evaluate the rationale detector on the labelled corpus."""


@detector.command()
@MODERATION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the weights (default: the package's detector/data/model.json).",
)
def train(moderation: tuple[Path, ...], out: Path | None) -> None:
    """Fit the detector on the bundled corpus (and trainers' moderation) and write its weights.

    One logistic regression per label, with the thresholds and settings of
    toolkit.training.fit.FitSettings (chosen by leave-one-author-out evaluation, see
    docs/scoring.md). The file records the corpus fingerprint, rows, authors and settings.
    """
    _needs_training_extra()
    stop_workers_on_sigterm()
    from importlib import resources

    from toolkit.training.corpus import corpus_hash
    from toolkit.training.fit import fit

    rows = _rows(moderation)
    model = fit(rows)
    authors = sorted({e.author for e in rows})
    model.trained.update(
        {
            "date": dt.date.today().isoformat(),
            "corpus": corpus_hash(rows),
            "rows": len(rows),
            "authors": authors,
            "moderation_rows": sum(e.author.startswith("moderation:") for e in rows),
        }
    )
    target = out or Path(
        str(resources.files("toolkit.scoring.detector").joinpath("data/model.json"))
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n", "utf-8")
    click.echo(
        f"trained on {len(rows)} rationales by {len(authors)} authors; "
        f"{len(model.weights)} features; wrote {target}"
    )


@detector.command("eval")
@MODERATION
@MARKDOWN
@MISSES
@click.option(
    "--authors",
    default=None,
    help="Comma-separated authors to hold out in turn (default: every author).",
)
def evaluate(
    moderation: tuple[Path, ...],
    markdown_out: Path | None,
    misses: Path | None,
    authors: str | None,
) -> None:
    """Leave-one-author-out precision, recall and F1 per label, the pattern rules beside it.

    Each author's rows are scored by a model fitted without them, never by a random
    split. Prints Markdown tables and the headline figures as a final JSON line.
    """
    _needs_training_extra()
    stop_workers_on_sigterm()
    from toolkit.training.evaluate import leave_one_author_out

    rows = _rows(moderation)
    held = [a.strip() for a in authors.split(",") if a.strip()] if authors else None
    try:
        ev = leave_one_author_out(
            rows, held_out=held, progress=lambda a: click.echo(f"holding out {a}", err=True)
        )
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _report(ev, markdown_out, misses)


def _report(ev, markdown_out: Path | None, misses: Path | None) -> None:
    """Print an evaluation's Markdown and headline JSON; write the files asked for."""
    from toolkit.training.evaluate import markdown

    text = markdown(ev)
    click.echo(text)
    if markdown_out:
        markdown_out.write_text(text, "utf-8")
    if misses:
        with open(misses, "w", encoding="utf-8") as fh:
            for example, found in ev.misses:
                record = {
                    **example.to_dict(),
                    "found": [*found.concepts, *found.misconceptions],
                    "confidence": found.confidence,
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    click.echo(json.dumps(ev.figures()))


@detector.command("check")
@click.argument("files", nargs=-1, required=True, type=EXISTING)
@click.option(
    "--model",
    "model_path",
    type=EXISTING,
    default=None,
    help="A weights file from `safeshare detector train --out` (default: the shipped model).",
)
@MARKDOWN
@MISSES
def check(
    files: tuple[Path, ...],
    model_path: Path | None,
    markdown_out: Path | None,
    misses: Path | None,
) -> None:
    """Score labelled rationales (corpus JSONL) with the detector as it is, refitting nothing.

    For text the model never saw: a new author's file, an independent test set, a cohort's
    moderation export. Per-label precision, recall and F1, per author, the pattern rules
    beside it, and the headline figures as a final JSON line. Needs no training extra.
    """
    from toolkit.errors import SafeShareError
    from toolkit.scoring.detector.model import ModelFileError, parse_model
    from toolkit.training.corpus import check_unique, read_examples
    from toolkit.training.evaluate import score_labelled

    try:
        model = parse_model(model_path.read_text("utf-8")) if model_path else None
    except (ModelFileError, UnicodeDecodeError) as exc:
        click.echo(f"error: {model_path}: {exc}", err=True)
        sys.exit(2)
    try:
        rows = [row for path in files for row in read_examples(path)]
        check_unique(rows)
    except (SafeShareError, UnicodeDecodeError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _report(score_labelled(rows, model), markdown_out, misses)


@detector.command("export-moderation")
@click.option("--cohort", default=None, help="Only this cohort's join code (default: all).")
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="JSONL file to write (default: standard output).",
)
def export_moderation_cmd(cohort: str | None, out) -> None:
    """Write every rationale a trainer moderated as a labelled example, with cohort and date.

    The trainer's concepts and misconceptions become the labels; feed the file to
    `safeshare detector train --with-moderation FILE`. Texts are learners' words: keep
    the file as you keep the results database.
    """
    from toolkit.settings import Settings
    from toolkit.storage import open_store
    from toolkit.training.moderation import export_moderation

    store = open_store(Settings.from_env().database_url)
    try:
        examples = export_moderation(store, cohort)
    finally:
        store.close()
    for example in examples:
        out.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
    click.echo(f"{len(examples)} moderated rationales", err=True)


COMMANDS = (detector,)
