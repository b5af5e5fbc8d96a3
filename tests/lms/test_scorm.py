"""SCORM 1.2: the package is valid against the SCORM 1.2 schemas; its launch and status
calls map the LMS's learner to ours and report their progress."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
import requests
import xmlschema
from click.testing import CliRunner

from tests.lms.answers import PATH, SCENARIO, play
from toolkit.app.identity import parse_query
from toolkit.app.lms_learner import LmsLearnerApp
from toolkit.cli import cli
from toolkit.lms.scorm import write_package
from toolkit.storage import lms as records

XSD = Path(__file__).parent / "files" / "scorm12"
ORIGIN = "http://127.0.0.1:9"  # the test LMS's origin, allowed by the `lms` fixture


def scorm_schema() -> xmlschema.XMLSchema:
    """ADL's SCORM 1.2 schemas as vendored. Their ims_xml.xsd binds the default namespace to
    the XML namespace, which strict parsers refuse; it only declares xml:lang, so the W3C's
    own xml.xsd (shipped with xmlschema) stands in for it."""
    builtin = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"

    def mapper(url: str) -> str:
        return builtin.as_uri() if url.endswith("/ims_xml.xsd") else url

    return xmlschema.XMLSchema(str(XSD / "adlcp_rootv1p2.xsd"), uri_mapper=mapper)


@pytest.fixture(scope="module")
def package(tmp_path_factory, library):
    out = tmp_path_factory.mktemp("scorm") / "safeshare.zip"
    chosen = [library.scenarios[SCENARIO], library.scenarios["sc-wales-youth-club"]]
    made = write_package(
        out, chosen, "https://safeshare.example.org", title="Refresher", pass_mark=80
    )
    return made, zipfile.ZipFile(out)


def test_manifest_is_valid_scorm_1_2(package):
    """Is imsmanifest.xml valid against ADL's SCORM 1.2 schemas, with an item and a SCO
    resource per scenario, and the pass mark as adlcp:masteryscore?"""
    made, zf = package
    manifest = zf.read("imsmanifest.xml").decode()
    scorm_schema().validate(manifest)
    assert manifest.count('adlcp:scormtype="sco"') == 2
    assert manifest.count("<adlcp:masteryscore>80</adlcp:masteryscore>") == 2
    assert "<schemaversion>1.2</schemaversion>" in manifest


@pytest.mark.parametrize(
    "spoil",
    [
        ('adlcp:scormtype="sco"', 'adlcp:scormtype="page"'),
        ("<title>Refresher</title>", "<titel>Refresher</titel>"),
        ('<item identifier="item-', '<item identifier="1tem '),
    ],
    ids=["unknown scormtype", "misspelt element", "identifier not an NCName"],
)
def test_the_schema_check_catches_a_broken_manifest(package, spoil):
    """Would the validation notice a broken manifest (so its passing means something)?"""
    _, zf = package
    manifest = zf.read("imsmanifest.xml").decode().replace(*spoil)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        scorm_schema().validate(manifest)


def test_package_carries_the_schemas_and_sco_pages(package):
    """Does the zip hold ADL's four XSDs (byte-identical to the vendored test data), one SCO
    page per scenario naming the package, scenario and pass mark, and the script; and does
    nothing in it point anywhere but the given address?"""
    made, zf = package
    names = set(zf.namelist())
    for xsd in XSD.glob("*.xsd"):
        assert (
            hashlib.sha256(zf.read(xsd.name)).digest() == hashlib.sha256(xsd.read_bytes()).digest()
        )
    assert {"imsmanifest.xml", "safeshare-sco.js", f"sco-{SCENARIO}.html"} <= names
    page = zf.read(f"sco-{SCENARIO}.html").decode()
    config = json.loads(re.search(r'id="ss-config">(.*?)</script>', page, re.S)[1])
    assert config == {
        "api": "https://safeshare.example.org",
        "package": made.id,
        "scenario": SCENARIO,
        "passMark": 80,
    }
    for name in ("safeshare-sco.js", f"sco-{SCENARIO}.html"):
        addresses = re.findall(r"https?://[^\s\"'<>]+", zf.read(name).decode())
        assert set(addresses) <= {"https://safeshare.example.org"}, addresses


def test_scorm_command_writes_and_registers_the_package(tmp_path, monkeypatch):
    """Does `safeshare scorm` write the zip and register its scenarios, and refuse an unknown
    scenario with one line?"""
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    out = tmp_path / "p.zip"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["scorm", SCENARIO, "--url-base", "https://s.example.org", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    package_id = re.search(r"package ([0-9a-f]{32})", result.output)[1]
    from toolkit.storage import open_store

    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        (link,) = records.links(store, "scorm:" + package_id)
    assert link["scenario_id"] == SCENARIO and zipfile.is_zipfile(out)

    bad = runner.invoke(cli, ["scorm", "sc-nope", "--url-base", "https://s", "--out", str(out)])
    assert bad.exit_code == 1 and "unknown scenario(s) sc-nope" in bad.output


def registered(lms, library) -> str:
    made = write_package(
        lms.settings.lti_key_dir.parent / "p.zip",
        [library.scenarios[SCENARIO]],
        lms.platform.tool_base,
        title="Refresher",
    )
    records.save_link(lms.store, made.issuer, "", SCENARIO, SCENARIO, title="Refresher")
    return made.id


def call(lms, path: str, body: dict, origin: str = ORIGIN) -> requests.Response:
    return requests.post(
        lms.platform.tool_base + path, json=body, headers={"Origin": origin}, timeout=30
    )


def test_launch_maps_the_student_and_a_relaunch_resumes(lms, library):
    """Does a SCO's launch give the learner page (with a ticket), a status token and a
    secret; does the same student with that secret come back as the same learner, and
    without it as a new one? Do the answers' progress show in the status?"""
    package_id = registered(lms, library)
    body = {"package": package_id, "scenario": SCENARIO, "student": "2041", "secret": ""}
    first = call(lms, "/scorm/launch", body)
    assert first.status_code == 200, first.text
    assert first.headers["Access-Control-Allow-Origin"] == ORIGIN
    launch = first.json()
    assert launch["app"].startswith(lms.settings.learner_url + "?ticket=")

    app = LmsLearnerApp(library, lms.store)
    app.start(parse_query(launch["app"].split("?", 1)[1]))
    play(app, PATH[:2])
    progress = call(lms, "/scorm/status", {"status": launch["status"]}).json()
    assert progress["answered"] == 2 and progress["finished"] is False

    again = call(lms, "/scorm/launch", {**body, "secret": launch["secret"]}).json()
    resumed = LmsLearnerApp(library, lms.store)
    resumed.start(parse_query(again["app"].split("?", 1)[1]))
    assert resumed.learner["id"] == app.learner["id"] and resumed.player.current.id == "d3"
    play(resumed, PATH[2:])
    done = call(lms, "/scorm/status", {"status": again["status"]}).json()
    assert done["finished"] is True and done["answered"] == 4 and 0 < done["score"] <= 1

    stranger = call(lms, "/scorm/launch", {**body, "secret": "guessed"}).json()
    fresh = LmsLearnerApp(library, lms.store)
    fresh.start(parse_query(stranger["app"].split("?", 1)[1]))
    assert fresh.learner["id"] != app.learner["id"] and fresh.player.current.id == "d1"


@pytest.mark.parametrize(
    "body, origin, status",
    [
        ({"package": "0" * 32, "scenario": SCENARIO, "student": "1"}, ORIGIN, 404),
        ({"package": "not-a-package", "scenario": SCENARIO, "student": "1"}, ORIGIN, 400),
        ({"scenario": SCENARIO, "student": "1"}, ORIGIN, 400),
        ({"package": "0" * 32, "scenario": SCENARIO, "student": ""}, ORIGIN, 400),
        ({"package": "0" * 32, "scenario": SCENARIO, "student": "1"}, "https://evil.example", 403),
    ],
    ids=["unknown package", "malformed package", "no package", "no student", "other origin"],
)
def test_bad_scorm_launches_are_refused(lms, body, origin, status):
    """Is a launch for an unknown or malformed package, without a learner id, or from an
    origin not in lms_origins refused with a JSON error, storing nothing?"""
    from sqlalchemy import func, select

    from toolkit.storage import tables as t

    answer = call(lms, "/scorm/launch", body, origin)
    assert answer.status_code == status and answer.json()["error"]
    if origin != ORIGIN:
        assert "Access-Control-Allow-Origin" not in answer.headers
    with lms.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.learners)).scalar() == 0


def test_status_needs_its_token(lms):
    """Is a status call with a made-up token refused?"""
    answer = call(lms, "/scorm/status", {"status": "x" * 43})
    assert answer.status_code == 403
