"""The `safeshare` command: each verb parses its arguments, calls one toolkit function, renders.

Heavy modules (scoring, storage, Voilà) are imported inside the verb that needs them, so
`safeshare --help` and `validate` start quickly.
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


def main() -> None:  # pragma: no cover - console entry point wrapper
    try:
        cli()
    except SafeShareError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


__all__ = ["cli", "main", "json", "ResponseError"]
