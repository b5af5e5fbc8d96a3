"""LMS verbs of `safeshare`: lti keygen|add-platform|platforms|grades, and scorm.

Each parses, calls one toolkit function, renders; a fault the operator can fix is one line
and exit 1. ``toolkit/cli/__init__.py`` adds them to the group. See docs/lms.md.
"""

from __future__ import annotations

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


@click.group()
def lti() -> None:
    """The LTI 1.3 tool: its keys, the LMS platforms it trusts, the grades it posts."""


@lti.command("keygen")
def lti_keygen() -> None:
    """Make the tool's signing key (the newest signs; older ones stay in the JWKS).

    Keys go to SAFESHARE_LTI_KEY_DIR (var/lti/ by default), readable by you only. Once a
    key exists, `safeshare serve` also starts the LTI tool on SAFESHARE_LTI_PORT.
    """
    from toolkit.lms.addresses import tool_url
    from toolkit.lms.keys import generate_key

    settings = _settings()
    key = generate_key(settings.lti_key_dir)
    click.echo(f"made key {key.kid} in {settings.lti_key_dir}")
    click.echo(f"public keyset: {tool_url(settings, 'jwks')}")


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (its `iss`), e.g. its URL.")
@click.option("--client-id", required=True, help="The client id the platform gave this tool.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="A deployment id the platform gave (repeat for several).",
)
@click.option("--auth-url", required=True, help="The platform's OIDC authentication URL.")
@click.option("--token-url", required=True, help="The platform's OAuth 2 access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--audience", default=None, help="Token audience, if not the token URL.")
@click.option("--name", default=None, help="A name for listings (default: the issuer).")
def lti_add_platform(**options: Any) -> None:
    """Register (or update) an LMS as an LTI 1.3 platform this tool trusts.

    Launches from any other issuer, client id or deployment are refused.
    """
    from toolkit.storage import lms as records

    fields = dict(
        issuer=options["issuer"].strip(),
        client_id=options["client_id"].strip(),
        name=(options["name"] or options["issuer"]).strip(),
        auth_login_url=options["auth_url"].strip(),
        auth_token_url=options["token_url"].strip(),
        key_set_url=options["jwks_url"].strip(),
        auth_audience=options["audience"],
        deployment_ids=[d.strip() for d in options["deployment_ids"] if d.strip()],
    )
    for name in ("auth_login_url", "auth_token_url", "key_set_url"):
        if not fields[name].startswith(("https://", "http://")):
            raise click.ClickException(f"{name}: an http(s) address, not {fields[name]!r}")
    with _store(_settings()) as store:
        platform = records.add_platform(store, **fields)
    ids = ", ".join(platform["deployment_ids"])
    click.echo(f"platform {platform['name']}: client {platform['client_id']}, deployments {ids}")


@lti.command("platforms")
def lti_platforms() -> None:
    """List the registered platforms, and the tool's addresses to give each LMS."""
    from toolkit.lms.addresses import tool_url
    from toolkit.storage import lms as records

    settings = _settings()
    click.echo(f"login (initiate login) URL:    {tool_url(settings, 'login')}")
    click.echo(f"redirect / launch URL:         {tool_url(settings, 'launch')}")
    click.echo(f"deep linking URL:              {tool_url(settings, 'launch')}")
    click.echo(f"public keyset URL:             {tool_url(settings, 'jwks')}")
    with _store(settings) as store:
        rows = records.platforms(store)
    if not rows:
        click.echo("no platform registered yet: safeshare lti add-platform …")
    for p in rows:
        ids = ", ".join(p["deployment_ids"])
        click.echo(
            f"- {p['name']}: issuer {p['issuer']}, client {p['client_id']}, deployments {ids}"
        )


@lti.command("grades")
@click.option("--retry", is_flag=True, help="Make every grade not yet posted due at once.")
def lti_grades(retry: bool) -> None:
    """List grades waiting for the LMS or posted (newest first), with the last error.

    A failed post is retried by itself (30 s, doubling to hourly); the result stays stored
    in SafeShare whatever happens to the post.
    """
    from toolkit.storage import lms as records

    with _store(_settings()) as store:
        if retry:
            click.echo(f"{records.retry_grades_now(store)} grade(s) due now")
        rows = records.grades(store)
    if not rows:
        click.echo("no LMS grades yet")
    for g in rows:
        if g["posted_at"]:
            state = f"posted {str(g['posted_at'])[:19]}"
        elif g["finished_at"] is None:
            state = "attempt not finished"
        else:
            state = f"waiting ({g['tries']} failed tries; next {str(g['next_try_at'])[:19]})"
        error = f": {g['last_error']}" if g["last_error"] and not g["posted_at"] else ""
        click.echo(f"{g['learner_id']} {g['scenario_id']} → {g['issuer']}: {state}{error}")


@click.command("scorm")
@click.argument("scenarios", nargs=-1, required=True)
@click.option(
    "--url-base",
    required=True,
    help="Where learners' browsers reach SafeShare's /scorm/ paths (https://…).",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The zip."
)
@click.option("--title", default=None, help="The package's title in the LMS.")
@click.option(
    "--pass-mark",
    type=int,
    default=None,
    help="Percentage to pass (status passed/failed); without it, finishing is `completed`.",
)
def scorm(
    scenarios: tuple[str, ...], url_base: str, out: Path, title: str | None, pass_mark: int | None
) -> None:
    """Write a SCORM 1.2 package (zip) of SCENARIOS for an LMS to import.

    Each scenario becomes a SCO that opens the hosted learner app and reports lesson status,
    score and session time to the LMS. The package is registered in the database, so this
    server answers it; allow the LMS's address with SAFESHARE_LMS_ORIGINS.
    """
    from toolkit.cases import load_library
    from toolkit.lms.scorm import write_package
    from toolkit.storage import lms as records

    settings = _settings()
    library = load_library(settings.case_dirs)
    unknown = [s for s in scenarios if s not in library.scenarios]
    if unknown:
        known = ", ".join(sorted(library.scenarios))
        raise click.ClickException(f"unknown scenario(s) {', '.join(unknown)}; known: {known}")
    chosen = [library.scenarios[s] for s in dict.fromkeys(scenarios)]
    title = title or (
        f"SafeShare: {chosen[0].title}" if len(chosen) == 1 else "SafeShare scenarios"
    )
    try:
        package = write_package(out, chosen, url_base, title=title, pass_mark=pass_mark)
    except SafeShareError as exc:
        raise click.ClickException(str(exc)) from None
    with _store(settings) as store:
        for scenario in chosen:
            records.save_link(store, package.issuer, "", scenario.id, scenario.id, title=title)
    click.echo(f"wrote {out}: {len(chosen)} SCO(s), package {package.id}")
    if not settings.lms_origins:
        click.echo("note: set SAFESHARE_LMS_ORIGINS to your LMS's address before learners start")


COMMANDS = (lti, scorm)
