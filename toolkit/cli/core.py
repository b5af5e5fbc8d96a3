"""The `safeshare` group, with its verbs on case files and on the servers.

validate, lint, score, rationale and coverage read case files; serve and reviewer start a
Voilà server. Heavy modules (scoring, storage, Voilà) are imported inside the verb that
needs them, so `safeshare --help` and `validate` start quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from toolkit.errors import ResponseError, SafeShareError
from toolkit.problems import render

EXISTING = click.Path(exists=True, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="safeshare")
def cli() -> None:
    """SafeShare: practise and review sharing information to safeguard children (UK)."""


def _report(problems: list) -> None:
    if problems:
        click.echo(render(problems))
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario and review files; print `file:line: field: message` per problem.

    Exits 1 if any problem is found, 0 otherwise.
    """
    from toolkit.cases import validate_paths

    _report(validate_paths(paths))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
def lint(paths: tuple[Path, ...]) -> None:
    """Anonymisation check: print `file:line: kind: text` for anything that looks real.

    Looks for real-looking names outside the file's cast, postcodes, NHS and National
    Insurance numbers, phone numbers, e-mails, exact dates of birth and street addresses.
    False positives go in `anonymisation-allow.yaml`, each with a reason. Exits 1 if any.
    """
    from toolkit.anonymise import lint_paths

    _report(lint_paths(paths))


@cli.command()
@click.argument("scenario", type=EXISTING)
@click.argument("responses", type=EXISTING)
@click.option("--json", "as_json", is_flag=True, help="Print the score object as JSON.")
def score(scenario: Path, responses: Path, as_json: bool) -> None:
    """Score one learner's RESPONSES.json against a SCENARIO file.

    Prints the CASE_FORMAT §4 score object (with --json) or a short summary. Bad responses
    (unknown decisions or options, answers off the learner's path, wrong types, an empty
    file, a rationale over 5,000 characters) give a one-line error and exit 2; a broken
    scenario file exits 1.
    """
    from toolkit.errors import CaseFileError
    from toolkit.scoring import score_file

    try:
        report = score_file(scenario, responses)
    except CaseFileError as exc:
        _report(exc.problems)
        return
    except ResponseError as exc:
        click.echo(f"{responses}: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(
        f"{report['scenario']} {report['learner']}: {report['points']:g}/"
        f"{report['max_points']:g} ({report['score']:.0%})"
    )
    for step, entry in report["steps"].items():
        click.echo(f"  {step}: {entry['score']:.0%} from {entry['evidence']} pieces of evidence")
    if report["misconceptions"]:
        click.echo("  misconceptions: " + ", ".join(report["misconceptions"]))


@cli.command()
@click.argument("texts", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line (default).")
def rationale(texts, as_json: bool) -> None:
    """Find reasoning concepts and misconceptions in free text.

    TEXTS is JSON Lines, one {"id": ..., "text": ...} per line ("-" reads standard input).
    Prints {"id", "concepts", "misconceptions", "evidence"} per line. A malformed line, or a
    text over 5,000 characters (never cut), gives a one-line error naming it and exits 2.
    """
    from toolkit.scoring.rationale import rationale_lines

    try:
        for record in rationale_lines(texts):
            click.echo(json.dumps(record, ensure_ascii=False))
    except ResponseError as exc:
        click.echo(f"{texts.name}: {exc}", err=True)
        sys.exit(2)


@cli.command()
@click.argument("paths", nargs=-1, type=EXISTING)
def coverage(paths: tuple[Path, ...]) -> None:
    """Print the library's step x scenario, nation and sector coverage.

    Exits 1 if the library misses a requirement (every step in two scenarios, every
    concept and misconception taught, two scenarios per nation, …), listing each.
    """
    from toolkit.cases import load_library
    from toolkit.cases.coverage import coverage as measure
    from toolkit.cases.coverage import render_text, requirements
    from toolkit.settings import Settings

    library = load_library(paths or Settings.from_env().case_dirs)
    cov = measure(library)
    click.echo(render_text(cov))
    unmet = requirements(cov)
    if unmet:
        click.echo("\nUnmet requirements:")
        click.echo("\n".join(f"- {line}" for line in unmet))
        sys.exit(1)


def _serve_command(app: str, summary: str):
    @click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
    @click.option("--port", type=int, default=None, help="Port to listen on.")
    @click.option(
        "--room",
        type=int,
        default=None,
        help="Kernels to warm before learners arrive (0 turns preheating off).",
    )
    def command(host: str | None, port: int | None, room: int | None) -> None:
        from toolkit.serving import server
        from toolkit.settings import Settings

        overrides = {"host": host, "room": room, server.APPS[app].port_setting: port}
        sys.exit(server.run(app, Settings.from_env(**overrides)))

    command.__doc__ = summary
    return command


cli.command("serve")(
    _serve_command(
        "learner",
        """Serve the learner app with Voilà on the bundled case studies (URL printed).

    Results go to the embedded SQLite database unless SAFESHARE_DATABASE_URL names another.
    Stops cleanly on Ctrl-C or SIGTERM, leaving no kernels behind.""",
    )
)
cli.command("reviewer")(
    _serve_command(
        "reviewer",
        """Serve the reviewer app with Voilà on the bundled reviews (URL printed).

    Reviewers pick a review or upload a CSV/XLSX chronology and see who knew what, flows
    shared, late or missed, themes across reviews and inter-rater agreement; charts download
    as PNG/SVG and chronologies as XLSX. Uploads stay in memory; nothing is stored.""",
    )
)


def main() -> None:  # pragma: no cover - console entry point wrapper
    try:
        cli()
    except SafeShareError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
