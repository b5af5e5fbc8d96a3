"""Workshop verbs of `safeshare`: cohort create|list|close|delete, export, purge,
learner export|forget, trainer.

Each verb parses, calls one toolkit function, renders; errors a user can fix are printed
as one line and exit 1. ``toolkit/cli/__init__.py`` adds them to the group.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from toolkit.errors import SafeShareError


def _settings(**overrides: Any) -> Any:
    from toolkit.settings import Settings

    return Settings.from_env(**overrides)


def _store(settings: Any) -> Any:
    from toolkit.storage import open_store

    return open_store(settings.database_url)


def _printable(text: object) -> str:
    """Text safe for a terminal: a learner-chosen name must not carry escape sequences."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def _fail(exc: SafeShareError) -> click.ClickException:
    return click.ClickException(_printable(exc))


@click.group()
def cohort() -> None:
    """Workshop cohorts: create one (join code, learner URL, QR code), list, close, delete."""


@cohort.command("create")
@click.argument("name")
@click.option(
    "--scenario",
    "-s",
    "scenarios",
    multiple=True,
    required=True,
    help="Scenario id to offer (repeat for several).",
)
@click.option(
    "--retention-days",
    type=int,
    default=None,
    help="Days before `safeshare purge` deletes it (default: SAFESHARE_RETENTION_DAYS).",
)
@click.option(
    "--qr",
    "qr_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to save the QR code PNG (default: ./safeshare-CODE-qr.png).",
)
@click.option(
    "--url-base",
    default=None,
    help="Public base URL learners use, e.g. https://training.example.org.",
)
@click.option(
    "--language",
    type=click.Choice(["en", "cy"]),
    default=None,
    help="Interface language learners get unless they choose another (default: English).",
)
def cohort_create(
    name: str,
    scenarios: tuple[str, ...],
    retention_days: int | None,
    qr_path: Path | None,
    url_base: str | None,
    language: str | None,
) -> None:
    """Create a cohort; print its join code and learner URL, and save a QR code of the URL."""
    from toolkit.cases import load_library
    from toolkit.workshop import cohorts

    settings = _settings(retention_days=retention_days)
    try:
        with _store(settings) as store:
            known = load_library(settings.case_dirs).scenarios
            made = cohorts.create_cohort(
                store,
                name,
                scenarios,
                retention_days=settings.retention_days,
                known=known,
                language=language,
            )
    except SafeShareError as exc:
        raise _fail(exc) from None
    card = cohorts.join_card(made, settings.host, settings.port, url_base)
    saved = card.save_qr(qr_path or Path(f"safeshare-{card.code}-qr.png"))
    click.echo(f"Cohort: {_printable(made['name'])}")
    click.echo(f"Join code: {card.code}")
    click.echo(f"Learner URL: {card.url}")
    click.echo(f"QR code: {saved}")
    click.echo(f"Kept until: {made['retain_until']:%Y-%m-%d} (then `safeshare purge` deletes it)")


@cohort.command("list")
def cohort_list() -> None:
    """List cohorts: code, status, retention date, name, scenarios."""
    settings = _settings()
    with _store(settings) as store:
        rows = store.list_cohorts()
    if not rows:
        click.echo("No cohorts.")
        return
    for row in rows:
        state = "closed" if row["closed"] else "open"
        click.echo(
            f"{row['code']}  {state:<6}  kept until {row['retain_until']:%Y-%m-%d}  "
            f"{_printable(row['name'])}  [{', '.join(row['scenarios'])}]"
        )


@cohort.command("close")
@click.argument("code")
def cohort_close(code: str) -> None:
    """Close a cohort to new learners (its answers stay until the retention date)."""
    from toolkit.workshop import cohorts

    with _store(_settings()) as store:
        try:
            closed = cohorts.close_cohort(store, code)
        except SafeShareError as exc:
            raise _fail(exc) from None
    click.echo(f"Closed {closed['code']}: {_printable(closed['name'])}")


@cohort.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cohort_delete(code: str, yes: bool) -> None:
    """Delete a cohort now, with every learner, attempt, answer and override in it."""
    from toolkit.workshop import cohorts

    if not yes:
        click.confirm(f"Delete cohort {code.upper()} and all its answers?", abort=True)
    with _store(_settings()) as store:
        try:
            gone = cohorts.delete_cohort(store, code)
        except SafeShareError as exc:
            raise _fail(exc) from None
    click.echo(f"Deleted {code.upper()} and its {gone} learner(s).")


# Spelled out so `safeshare --help` need not import pandas and ipywidgets; a test keeps them
# equal to toolkit.app.exports.EXPORTERS and toolkit.workshop.views.VIEWS.
FORMATS = ("csv", "xlsx", "xapi")
VIEWS = ("answers", "step profile", "misconceptions", "progress")


@click.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    default="answers",
    show_default=True,
    help="Which view a CSV holds (a workbook holds all of them).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: safeshare-CODE[-VIEW].csv|xlsx|json here).",
)
@click.option(
    "--home-page",
    default=None,
    help="xAPI account homePage and activity IRI base (default: the learner URL).",
)
def export(code: str, fmt: str, view: str, out: Path | None, home_page: str | None) -> None:
    """Export a cohort's results as CSV, an XLSX workbook or xAPI statements (JSON)."""
    from toolkit.app.exports import export_cohort
    from toolkit.cases import load_library

    settings = _settings()
    home_page = home_page or f"http://{settings.host}:{settings.port}"
    try:
        with _store(settings) as store:
            scenarios = load_library(settings.case_dirs).scenarios
            data, name = export_cohort(store, scenarios, code, fmt, home_page, view)
    except SafeShareError as exc:
        raise _fail(exc) from None
    path = out or Path(name)
    path.write_bytes(data)
    click.echo(f"Wrote {path} ({len(data):,} bytes)")


@click.command("purge")
def purge() -> None:
    """Delete every cohort past its retention date, with everything its learners gave, and
    self-study learners (in no cohort) who started more than the retention period ago."""
    import datetime as dt

    from toolkit.storage.personal import purge_unattached
    from toolkit.workshop import cohorts

    settings = _settings()
    with _store(settings) as store:
        gone = cohorts.purge_expired(store)
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.retention_days)
        alone = purge_unattached(store, cutoff)
    click.echo(f"Purged {len(gone)} cohort(s){': ' + ', '.join(gone) if gone else '.'}")
    click.echo(
        f"Purged {len(alone)} self-study learner(s) who started over "
        f"{settings.retention_days} days ago."
    )


@click.group()
def learner() -> None:
    """One learner's personal data: export all of it on request, or erase it.

    WHO is the learner id (L-…, shown on exports and the dashboard) or the learner's own
    resume code."""


@learner.command("export")
@click.argument("who")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: print the JSON).",
)
def learner_export(who: str, out: Path | None) -> None:
    """Everything stored about one learner as JSON: attempts, answers, overrides."""
    import json

    from toolkit.storage.personal import find_learner, learner_record

    try:
        with _store(_settings()) as store:
            record = learner_record(store, find_learner(store, who))
    except SafeShareError as exc:
        raise _fail(exc) from None
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out} ({len(record['answers'])} answer(s))")


@learner.command("forget")
@click.argument("who")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def learner_forget(who: str, yes: bool) -> None:
    """Erase one learner and every answer, attempt and override of theirs."""
    from toolkit.storage.personal import find_learner, forget_learner

    try:
        with _store(_settings()) as store:
            learner_id = find_learner(store, who)
            if not yes:
                click.confirm(f"Erase learner {learner_id} and all their answers?", abort=True)
            rows = forget_learner(store, learner_id)
    except SafeShareError as exc:
        raise _fail(exc) from None
    click.echo(f"Erased {learner_id} ({rows} row(s)).")


@click.command("trainer")
@click.option("--host", default=None, help="Address to listen on.")
@click.option("--port", type=int, default=None, help="Port (default: SAFESHARE_TRAINER_PORT).")
@click.option("--room", type=int, default=None, help="Kernels kept warm.")
def trainer(host: str | None, port: int | None, room: int | None) -> None:
    """Serve the trainer app (its own Voilà, behind a token; never on the learner server)."""
    from toolkit.serving import server

    try:
        settings = _settings(host=host, trainer_port=port, room=room)
        sys.exit(server.run("trainer", settings))
    except SafeShareError as exc:
        raise _fail(exc) from None


COMMANDS = (cohort, export, purge, learner, trainer)
