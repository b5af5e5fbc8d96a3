"""`safeshare cohort|export|purge` in-process with click's CliRunner: output and exit codes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from tests.workshop.conftest import play
from toolkit.cli import cli
from toolkit.storage import tables as t
from toolkit.storage.tables import metadata


@pytest.fixture
def run(store_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", store_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, **kwargs):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return invoke


def test_cohort_lifecycle(run, tmp_path):
    """Can a cohort be created (code, URL, QR), listed, closed and deleted from the shell?"""
    made = run(
        "cohort",
        "create",
        "DSL refresher",
        "-s",
        "sc-nursery-bruising",
        "--retention-days",
        "10",
        "--qr",
        str(tmp_path / "qr.png"),
    )
    assert made.exit_code == 0, made.output
    code = re.search(r"Join code: (\w+)", made.output).group(1)
    assert f"Learner URL: http://127.0.0.1:8866/?session={code}" in made.output
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")
    listed = run("cohort", "list")
    assert code in listed.output and "open" in listed.output
    assert run("cohort", "close", code.lower()).exit_code == 0
    assert f"{code}  closed" in run("cohort", "list").output
    assert run("cohort", "delete", code, input="n\n").exit_code == 1  # refused at the prompt
    deleted = run("cohort", "delete", code, "--yes")
    assert deleted.exit_code == 0 and "Deleted" in deleted.output
    assert run("cohort", "list").output.strip() == "No cohorts."


def test_create_saves_the_qr_code_by_default(run, tmp_path):
    """Without --qr, is the QR code saved as safeshare-CODE-qr.png in the current folder?"""
    made = run("cohort", "create", "Room", "-s", "sc-nursery-bruising")
    code = re.search(r"Join code: (\w+)", made.output).group(1)
    assert (tmp_path / f"safeshare-{code}-qr.png").exists()


def test_mistakes_exit_1_with_one_line(run):
    """Do an unknown scenario or cohort give a one-line error and exit 1, no traceback?"""
    bad = run("cohort", "create", "Room", "-s", "sc-nope")
    assert bad.exit_code == 1 and "unknown scenario(s): sc-nope" in bad.output
    assert "Traceback" not in bad.output
    missing = run("cohort", "close", "ZZZZZZ")
    assert missing.exit_code == 1 and "no cohort with join code" in missing.output
    assert run("export", "ZZZZZZ").exit_code == 1


def test_terminal_escapes_in_names_are_not_printed(run):
    """Is a cohort name carrying terminal escape codes shown without them?"""
    run("cohort", "create", "Room \x1b[31mred\x1b[0m", "-s", "sc-nursery-bruising")
    listed = run("cohort", "list").output
    assert "\x1b" not in listed and "red" in listed


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xapi"])
def test_export_writes_a_file_with_every_answer(run, store, room, tmp_path, fmt):
    """Does `safeshare export CODE --format F` write a file holding all 11 answers?"""
    out = tmp_path / f"room.{fmt}"
    done = run("export", room["code"], "--format", fmt, "--out", str(out))
    assert done.exit_code == 0, done.output
    data = out.read_bytes()
    if fmt == "csv":
        assert len(pd.read_csv(io.BytesIO(data))) == 11
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book["answers"].max_row == 12
    else:
        verbs = [s["verb"]["display"]["en-GB"] for s in json.loads(data)]
        assert verbs.count("answered") == 11


def test_purge_deletes_expired_cohorts_completely(run, store, room):
    """Does `safeshare purge` remove a cohort past retention and leave every table empty?"""
    assert "Purged 0 cohort(s)." in run("purge").output
    with store.engine.begin() as conn:
        conn.execute(update(t.cohorts).values(retain_until=room["created_at"]))
    assert f"Purged 1 cohort(s): {room['code']}" in run("purge").output
    with store.engine.connect() as conn:
        left = {
            n: conn.execute(select(func.count()).select_from(tb)).scalar()
            for n, tb in metadata.tables.items()
        }
    assert left == {name: 0 for name in metadata.tables}


def test_purge_also_deletes_old_self_study_learners(run, store, nursery):
    """Does `safeshare purge` erase learners in no cohort once past the retention period,
    and keep the recent ones?"""
    old = play(store, "", None, [{"decision": "d1", "choice": "b"}], nursery)
    recent = play(store, "", None, [{"decision": "d1", "choice": "b"}], nursery)
    with store.engine.begin() as conn:
        conn.execute(
            update(t.learners)
            .where(t.learners.c.id == old["id"])
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91))
        )
    out = run("purge").output
    assert "Purged 1 self-study learner(s) who started over 90 days ago." in out
    with store.engine.connect() as conn:
        left = conn.execute(select(t.learners.c.id)).scalars().all()
        answers = conn.execute(select(func.count()).select_from(t.answers)).scalar()
    assert left == [recent["id"]] and answers == 1


def test_learner_export_gives_everything_by_id_or_resume_code(run, store, room, tmp_path):
    """Does `safeshare learner export` give one learner's record, found by id or resume code,
    and the same record both ways?"""
    learner = next(
        row for row in store.cohort_learners(room["id"]) if store_answers(store, row["id"])
    )
    by_id = run("learner", "export", learner["id"])
    assert by_id.exit_code == 0, by_id.output
    record = json.loads(by_id.output)
    assert record["learner"]["id"] == learner["id"] and "resume_key" not in record["learner"]
    assert len(record["answers"]) == store_answers(store, learner["id"]) > 0
    with store.engine.connect() as conn:
        key = conn.execute(
            select(t.learners.c.resume_key).where(t.learners.c.id == learner["id"])
        ).scalar()
    saved = run("learner", "export", key.lower(), "--out", "me.json")
    assert saved.exit_code == 0 and "Wrote me.json" in saved.output
    assert json.loads((tmp_path / "me.json").read_text(encoding="utf-8")) == record


def test_learner_forget_erases_one_learner_only(run, store, room):
    """Does `safeshare learner forget` erase that learner's rows and nobody else's, and does an
    unknown learner give one line and exit 1, creating nothing?"""
    first, *others = store.cohort_learners(room["id"])
    before = {row["id"]: store_answers(store, row["id"]) for row in others}
    assert run("learner", "forget", first["id"], input="n\n").exit_code == 1  # refused
    gone = run("learner", "forget", first["id"], "--yes")
    assert gone.exit_code == 0 and f"Erased {first['id']}" in gone.output
    assert {row["id"] for row in store.cohort_learners(room["id"])} == set(before)
    assert {k: store_answers(store, k) for k in before} == before
    for who in (first["id"], "L-0000000000", "ABCD-EFGH-JKMN-PQRS"):
        missing = run("learner", "export", who)
        assert missing.exit_code == 1 and missing.output.startswith("Error: no learner")
    assert len(store.cohort_learners(room["id"])) == len(others)


def store_answers(store, learner_id: str) -> int:
    from toolkit.storage.personal import learner_record

    return len(learner_record(store, learner_id)["answers"])


def test_cli_choices_match_the_registries():
    """Do --format and --view offer exactly the exporters and views that exist?"""
    from toolkit.app.exports import EXPORTERS
    from toolkit.cli.workshop import FORMATS, VIEWS
    from toolkit.workshop.views import VIEWS as REGISTERED

    assert FORMATS == tuple(EXPORTERS) and VIEWS == tuple(REGISTERED)


def test_trainer_verb_serves_the_trainer_notebook(monkeypatch):
    """Does `safeshare trainer --port P` serve trainer.ipynb on P, signing in by token?"""
    from toolkit.serving import server

    calls = []
    monkeypatch.setattr(server, "run", lambda name, settings: calls.append((name, settings)) or 0)
    done = CliRunner().invoke(cli, ["trainer", "--port", "9123", "--room", "0"])
    assert done.exit_code == 0, done.output
    ((name, settings),) = calls
    assert (name, settings.trainer_port, settings.room) == ("trainer", 9123, 0)
    assert server.APPS[name].needs_token
    argv = server.build_voila_argv(settings, server.notebook_path(name), token=True)
    assert "--Voila.auto_token=True" in argv
    assert not [a for a in argv if "token=" in a.lower() and "auto_token" not in a.lower()]


def test_trainer_server_refuses_to_start_without_a_token(tmp_path):
    """Is starting the trainer server with no token an error, not an open dashboard?"""
    from toolkit.errors import SafeShareError
    from toolkit.serving.server import VoilaServer
    from toolkit.settings import Settings

    settings = Settings.from_env({}, trainer_port=0, database_url=f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(SafeShareError, match="needs a token"):
        VoilaServer("trainer", settings).start()
