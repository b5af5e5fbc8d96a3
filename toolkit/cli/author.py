"""`safeshare new`: start a case file from a commented template that already validates.

Kept apart from ``core.py`` so authoring verbs can grow without crowding the learner's and
trainer's; ``toolkit/cli/__init__.py`` registers it with one line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.errors import SafeShareError


@click.command()
@click.argument("kind", type=click.Choice(["scenario", "review"]))
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Case folder to write into (default: the first of SAFESHARE_CASE_DIRS, "
    "normally case_studies/). The file goes in its scenarios/ or reviews/ folder.",
)
def new(kind: str, name: str, directory: Path | None) -> None:
    """Write a commented KIND template named NAME that validates and lints clean as written.

    NAME is an id (lower-case letters, digits, hyphens); sc- or rv- is added if missing, so
    `safeshare new scenario school-trip` writes case_studies/scenarios/sc-school-trip.yaml.
    Every field is explained in comments, with the ids it accepts listed beside it. Refuses
    to overwrite an existing file, and exits 1 with a message for that or a bad NAME.
    """
    from toolkit.cases.template import write_template

    if directory is None:
        from toolkit.settings import Settings

        directory = Settings.from_env().case_dirs[0]
    try:
        path = write_template(kind, name, directory)
    except SafeShareError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}")
    click.echo(f"next: edit it, then `safeshare validate {path}` and `safeshare lint {path}`,")
    click.echo("or open it in the author notebook (make lab → notebooks/author.ipynb).")
