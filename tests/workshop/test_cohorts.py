"""Cohorts: creating with a join card, closing, deleting and purging — leaving nothing behind."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from toolkit.errors import MissingEntry, SafeShareError
from toolkit.storage.tables import metadata
from toolkit.workshop.cohorts import (
    JoinCard,
    close_cohort,
    cohort_record,
    create_cohort,
    delete_cohort,
    join_card,
    learner_url,
    purge_expired,
)

KNOWN = {"sc-nursery-bruising", "sc-school-disclosure"}


def test_create_gives_a_join_card(store):
    """Does a new cohort get a code, and its card the learner URL with ?session=CODE?"""
    cohort = create_cohort(
        store, "  DSL   refresher ", ["sc-nursery-bruising"] * 2, retention_days=30, known=KNOWN
    )
    assert cohort["name"] == "DSL refresher" and cohort["scenarios"] == ["sc-nursery-bruising"]
    card = join_card(cohort, "127.0.0.1", 8866)
    assert card.url == f"http://127.0.0.1:8866/?session={cohort['code']}"
    kept = cohort["retain_until"] - cohort["created_at"]
    assert kept == dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("name", "scenarios", "days", "message"),
    [
        ("", ["sc-nursery-bruising"], 30, "give the cohort a name"),
        ("x" * 201, ["sc-nursery-bruising"], 30, "at most 200"),
        ("Room", [], 30, "at least one scenario"),
        ("Room", ["sc-nope"], 30, "unknown scenario(s): sc-nope"),
        ("Room", ["sc-nursery-bruising"], 0, "retention must be"),
        ("Room", ["sc-nursery-bruising"], 4000, "retention must be"),
    ],
)
def test_create_refuses_what_a_room_cannot_use(store, name, scenarios, days, message):
    """Is a nameless cohort, an unknown scenario or a silly retention refused, saying why?"""
    with pytest.raises(SafeShareError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_cohort(store, name, scenarios, retention_days=days, known=KNOWN)
    assert store.list_cohorts() == []


@pytest.mark.parametrize(
    ("host", "base", "expected"),
    [
        ("127.0.0.1", None, "http://127.0.0.1:9000/?session=ABC234"),
        ("::1", None, "http://[::1]:9000/?session=ABC234"),
        ("0.0.0.0", "https://train.example.org/", "https://train.example.org/?session=ABC234"),
    ],
)
def test_learner_url(host, base, expected):
    """Is the learner URL built from the learner server's address (or a public base URL)?"""
    assert learner_url("ABC234", host, 9000, base) == expected


def test_wildcard_host_is_replaced_by_the_machine_name():
    """Does a server on 0.0.0.0 get a URL a phone can reach, not 0.0.0.0?"""
    import socket

    assert (
        learner_url("ABC234", "0.0.0.0", 80) == f"http://{socket.gethostname()}:80/?session=ABC234"
    )


def test_qr_code_encodes_the_learner_url(tmp_path):
    """Does the PNG hold exactly the QR matrix of the learner URL?"""
    import matplotlib.image
    import segno

    card = JoinCard("ABC234", "Room", "http://127.0.0.1:8866/?session=ABC234")
    scale, border = 4, 4
    pixels = matplotlib.image.imread(io.BytesIO(card.qr_png(scale=scale)), format="png")
    matrix = segno.make(card.url, error="m").matrix
    size = len(matrix)
    assert pixels.shape[0] == (size + 2 * border) * scale
    dark = [
        [
            pixels[(border + r) * scale + 1, (border + c) * scale + 1].max() < 0.5
            for c in range(size)
        ]
        for r in range(size)
    ]
    assert dark == [[bool(v) for v in row] for row in matrix]
    saved = card.save_qr(tmp_path / "qr" / "room.png")
    assert saved.read_bytes().startswith(b"\x89PNG")


def test_close_stops_joining_but_keeps_answers(store, room):
    """Does closing a cohort mark it closed while its answers stay?"""
    closed = close_cohort(store, room["code"])
    assert closed["closed"] is True
    assert len(cohort_record(store, room["code"]).answers) == 11


def _rows(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar()
            for name, table in metadata.tables.items()
        }


def _override_one(store, room):
    answer = cohort_record(store, room["code"]).answers[0]
    store.add_override(answer["id"], "t", ["C-timely"], 1, "seen")


def test_delete_leaves_nothing_in_any_table(store, room):
    """After deleting a cohort, is every table empty (learners, attempts, answers, overrides)?"""
    _override_one(store, room)
    before = _rows(store)  # the LMS tables (issue 14) stay empty in a workshop
    assert all(before[name] for name in ("cohorts", "learners", "attempts", "answers", "overrides"))
    assert delete_cohort(store, room["code"]) == 5
    assert _rows(store) == {name: 0 for name in metadata.tables}
    with pytest.raises(MissingEntry):
        cohort_record(store, room["code"])


def test_purge_deletes_only_cohorts_past_retention(store, room, nursery):
    """Does purge remove an expired cohort completely and keep one still in retention?"""
    _override_one(store, room)
    keep = create_cohort(store, "Later", [nursery.id], retention_days=365)
    store.learner(cohort_code=keep["code"])
    when = dt.datetime.now(dt.UTC) + dt.timedelta(days=100)
    assert purge_expired(store, when) == [room["code"]]
    rows = _rows(store)
    assert rows == {**{name: 0 for name in metadata.tables}, "cohorts": 1, "learners": 1}
    assert purge_expired(store, when) == []


def test_record_applies_the_latest_override(store, room):
    """Does the cohort record show the trainer's latest judgement and keep the scorer's?"""
    answer = cohort_record(store, room["code"]).answers[0]
    store.add_override(answer["id"], "t", ["C-timely"], 1, "first")
    store.add_override(answer["id"], "t", ["C-risk-of-harm"], 2, "second")
    row = next(a for a in cohort_record(store, room["code"]).answers if a["id"] == answer["id"])
    assert row["result"]["concepts"] == ["C-risk-of-harm"]
    assert row["result"]["moderated"]["reason"] == "second"
    assert row["auto_result"] == answer["auto_result"] and row["override"]["reason"] == "second"


def test_incremental_record_matches_a_fresh_read(store, room, nursery):
    """Reading on from the last record: are new answers, finishes and overrides all seen?"""
    before = cohort_record(store, room["code"])
    ben = next(a for a in before.answers if a["display_name"] == "Ben onerror=alert(2)")
    result = {"points": 0, "max_points": 13, "concepts": [], "misconceptions": []}
    store.record_answer(ben["attempt_id"], "d3", {"decision": "d3"}, result)
    store.finish_attempt(ben["attempt_id"], "e-harmed")
    store.add_override(before.answers[0]["id"], "t", ["C-timely"], 1, "late look")
    later = cohort_record(store, room["code"], before)
    fresh = cohort_record(store, room["code"])
    assert later == fresh and len(later.answers) == 12
    assert next(a for a in later.answers if a["id"] == ben["id"])["ending"] == "e-harmed"
    assert later.answers[0]["result"]["moderated"]["reason"] == "late look"
