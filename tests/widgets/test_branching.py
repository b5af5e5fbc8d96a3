"""The branching diagram: layered by depth, faults marked, labels escaped, SVG well formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.cases.lenient import lenient
from toolkit.cases.model import Scenario
from toolkit.cases.yamlsource import read_yaml
from toolkit.widgets.branching import branching_svg, build, diagram_faults

FILES = Path(__file__).parent / "files"
EXAMPLE = Path(__file__).parents[2] / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"


@pytest.fixture
def example() -> Scenario:
    return load_case(EXAMPLE)


@pytest.fixture
def faulty() -> Scenario:
    """A scenario that fails validation, built leniently as the author app builds it."""
    return lenient(Scenario, read_yaml(FILES / "branching-faults.yaml"))


def test_columns_are_breadth_first_depths(example: Scenario):
    """Is each decision in the column of its shortest path from d1, with endings last?"""
    nodes = build(example).nodes
    columns = {node_id: node.column for node_id, node in nodes.items()}
    assert columns == {
        "d1": 0,
        "d1b": 1,
        "d2": 1,
        "d3": 2,
        "d4": 3,
        "e-protected": 4,
        "e-mixed": 4,
        "e-harmed": 4,
    }
    assert all(node.reachable for node in nodes.values())


def test_options_sharing_a_target_share_one_labelled_edge(example: Scenario):
    """Do d1's options a, c and d draw one arrow to d2, marked best and misconception?"""
    edges = {(e.source, e.target): e for e in build(example).edges}
    assert edges[("d1", "d2")].options == ["a ✓", "c ✗", "d ✗"]
    assert edges[("d1", "d2")].tone == "best"
    assert edges[("d1", "d1b")].tone == "misconception"
    assert edges[("d2", "d3")].options == []  # a multi decision's own `next`


def test_a_sound_scenario_has_no_faults(example: Scenario):
    """Does the example scenario draw with nothing marked red?"""
    assert diagram_faults(example) == []


def test_faults_are_marked(faulty: Scenario):
    """Are unreachable decisions and endings, unknown targets and dead ends all reported?"""
    diagram = build(faulty)
    assert diagram.unreachable == ["d3", "d4", "e-bad"]
    assert sorted(diagram.missing) == ["d4:no-next", "d9"]
    faults = diagram_faults(faulty)
    assert "decision d3 is never reached from the first decision" in faults
    assert "ending e-bad is never reached from the first decision" in faults
    assert "d1 (option b ✗): unknown: d9" in faults
    assert "d4: no `next`: dead end" in faults


def test_unreachable_decisions_get_their_own_column(faulty: Scenario):
    """Do unreachable decisions sit between the reachable ones and the endings?"""
    nodes = build(faulty).nodes
    assert nodes["d1"].column == 0 and nodes["d2"].column == 1
    assert nodes["d3"].column == nodes["d4"].column == 2
    assert nodes["e-good"].column == nodes["e-bad"].column == 3


@pytest.mark.parametrize("name", ["example", "faulty"])
def test_svg_is_well_formed(name: str, request: pytest.FixtureRequest):
    """Does the SVG parse as XML, with one box per node?"""
    scenario = request.getfixturevalue(name)
    root = ET.fromstring(branching_svg(scenario))
    boxes = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(boxes) == len(build(scenario).nodes)


def test_hostile_labels_are_escaped():
    """Do titles carrying <script> and SVG attributes stay text inside the diagram?"""
    svg = branching_svg(load_case(FILES / "hostile-labels.yaml"))
    ET.fromstring(svg)  # still well formed: nothing closed the <text> early
    assert "<script" not in svg and "<svg onload" not in svg
    assert "&lt;/text&gt;&lt;script&gt;" in svg


def test_a_cycle_draws_without_looping(tmp_path: Path):
    """Does a backward `next` (a cycle the validator refuses) still draw, with every node once?"""
    cycle = Path(__file__).parents[1] / "cases" / "files" / "bad" / "cycle.yaml"
    scenario = lenient(Scenario, read_yaml(cycle))
    diagram = build(scenario)
    ET.fromstring(branching_svg(scenario))
    assert len(diagram.nodes) == len(scenario.decisions) + len(scenario.endings)
