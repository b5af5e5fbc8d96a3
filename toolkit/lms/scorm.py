"""`safeshare scorm`: a SCORM 1.2 package (zip) that an LMS imports, one SCO per scenario.

The package holds no scenario content: each SCO page (``sco-<scenario>.html``) opens the
hosted learner app and reports to the LMS through its SCORM API (``scorm_sco.js``; see
toolkit.lms.scorm_launch for the server's side). Inside:

- ``imsmanifest.xml``: one organisation, an item per scenario (with ``adlcp:masteryscore``
  when a pass mark is given), a ``sco`` resource per page; valid against the SCORM 1.2
  schemas, which are packed beside it at the root as SCORM 1.2 asks (ADL's files, kept
  in ``toolkit/lms/scorm12/``);
- the SCO pages and the script they share.

Each package has a random id. Its scenarios are registered in the store when it is built,
so the server answers only packages it made; the package's learners form one cohort.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from toolkit.cases import Scenario
from toolkit.errors import SafeShareError

HERE = Path(__file__).parent
SCHEMAS = HERE / "scorm12"
SCRIPT = "safeshare-sco.js"
ISSUER_PREFIX = "scorm:"
CONTEXT = "package"

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={identifier} version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                        http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
                        http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="safeshare">
    <organization identifier="safeshare">
      <title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""
ITEM = """      <item identifier="item-{sid}" identifierref="res-{sid}" isvisible="true">
        <title>{title}</title>{mastery}
      </item>"""
RESOURCE = """    <resource identifier="res-{sid}" type="webcontent" adlcp:scormtype="sco"
              href="{page}">
      <file href="{page}"/>
      <file href="{script}"/>
    </resource>"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SafeShare: {title}</title>
<style>
html, body {{ margin: 0; height: 100%; font-family: system-ui, sans-serif; }}
#ss-app {{ border: 0; width: 100%; height: 100%; display: block; }}
#ss-status {{ margin: 2em; font-size: 1.1em; }}
</style>
</head>
<body>
<p id="ss-status" role="status">Opening SafeShare&#8230;</p>
<iframe id="ss-app" title="SafeShare: {title}" hidden></iframe>
<script type="application/json" id="ss-config">{config}</script>
<script src="{script}"></script>
</body>
</html>
"""


@dataclass(frozen=True)
class Package:
    """What `safeshare scorm` made: its id, issuer (as the store knows it) and file."""

    id: str
    issuer: str
    path: Path
    scenarios: tuple[str, ...]


def sco_page(scenario: Scenario, api_base: str, package_id: str, pass_mark: int | None) -> str:
    config = {
        "api": api_base.rstrip("/"),
        "package": package_id,
        "scenario": scenario.id,
        "passMark": pass_mark,
    }
    # JSON inside <script>: "</" could end the element early, so it is written "<\/".
    text = json.dumps(config).replace("</", "<\\/")
    return PAGE.format(title=escape(scenario.title), config=text, script=SCRIPT)


def manifest(
    scenarios: Sequence[Scenario], package_id: str, title: str, pass_mark: int | None
) -> str:
    mastery = (
        f"\n        <adlcp:masteryscore>{pass_mark}</adlcp:masteryscore>"
        if pass_mark is not None
        else ""
    )
    items = "\n".join(
        ITEM.format(sid=s.id, title=xml_escape(s.title), mastery=mastery) for s in scenarios
    )
    resources = "\n".join(
        RESOURCE.format(sid=s.id, page=f"sco-{s.id}.html", script=SCRIPT) for s in scenarios
    )
    return MANIFEST.format(
        identifier=quoteattr(f"safeshare-{package_id}"),
        title=xml_escape(title),
        items=items,
        resources=resources,
    )


def write_package(
    out: Path,
    scenarios: Sequence[Scenario],
    api_base: str,
    *,
    title: str,
    pass_mark: int | None = None,
    package_id: str | None = None,
) -> Package:
    """Write the zip to ``out`` and return what was made (the caller registers it)."""
    if not scenarios:
        raise SafeShareError("name at least one scenario to package")
    if not api_base.startswith(("https://", "http://")):
        raise SafeShareError(f"--url-base must be an http(s) address, not {api_base!r}")
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        raise SafeShareError(f"--pass-mark is a percentage (0–100), not {pass_mark}")
    package_id = package_id or uuid.uuid4().hex
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest(scenarios, package_id, title, pass_mark))
        for scenario in scenarios:
            page = sco_page(scenario, api_base, package_id, pass_mark)
            zf.writestr(f"sco-{scenario.id}.html", page)
        zf.write(HERE / "scorm_sco.js", SCRIPT)
        for schema in sorted(SCHEMAS.glob("*.xsd")):
            zf.write(schema, schema.name)
    return Package(package_id, ISSUER_PREFIX + package_id, out, tuple(s.id for s in scenarios))
