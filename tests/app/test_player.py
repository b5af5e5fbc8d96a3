"""The scenario player: position, branching and the server-side guard on answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.app.player import Player
from toolkit.cases import load_case
from toolkit.errors import AccessDenied

EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_case(EXAMPLE)


def test_follows_option_next(scenario):
    """Does choosing an option with its own `next` branch there?"""
    player = Player(scenario)
    assert player.current.id == "d1"
    assert player.answer("d1", {"choice": "b"}) == "d1b"
    assert player.answer("d1b", {"choice": "b"}) == "e-harmed"
    assert player.finished and player.ending.outcome == "harmed"


def test_decision_next_and_default_order(scenario):
    """Do multi and share-plan decisions follow their own `next`?"""
    player = Player(scenario)
    player.answer("d1", {"choice": "a"})
    assert player.answer("d2", {"choices": ["a"]}) == "d3"
    assert player.answer("d3", {"plan": {}}) == "d4"


@pytest.mark.parametrize("decision", ["d2", "d4", "e-protected", "nope"])
def test_refuses_answers_off_the_current_decision(scenario, decision):
    """Is an answer to anything but the current decision refused, whatever the page sends?"""
    with pytest.raises(AccessDenied):
        Player(scenario).answer(decision, {"choice": "a"})


def test_refuses_answers_after_the_end(scenario):
    """Can a finished scenario take no further answers?"""
    player = Player(scenario)
    player.answer("d1", {"choice": "b"})
    player.answer("d1b", {"choice": "b"})
    with pytest.raises(AccessDenied):
        player.answer("d1", {"choice": "a"})


def test_resume_rebuilds_position(scenario):
    """Does a player rebuilt from stored answers resume at the next decision?"""
    stored = {"d1": {"choice": "a"}, "d2": {"choices": ["a", "b"]}}
    player = Player(scenario, stored)
    assert player.path == ["d1", "d2"] and player.current.id == "d3"
    assert player.responses("L-1")["answers"][1] == {"decision": "d2", "choices": ["a", "b"]}


def test_resume_ignores_answers_off_the_path(scenario):
    """Are stored answers that no longer lie on the path (an edited case) ignored?"""
    player = Player(scenario, {"d1": {"choice": "a"}, "d1b": {"choice": "a"}})
    assert player.path == ["d1"] and player.current.id == "d2"
