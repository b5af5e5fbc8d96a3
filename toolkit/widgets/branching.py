"""A scenario's branching diagram: decisions, options and endings as an inline SVG, drawn by hand.

Authors need the diagram most while a case is broken — an unreachable decision, an ending no
path reaches, an option whose ``next`` names nothing — so it is built from a case that may
have failed validation (``toolkit.cases.lenient``) and marks those faults rather than refusing.
Layout is layered: a decision's column is its breadth-first depth from the first decision;
unreachable decisions get a column of their own; endings share the last column.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from toolkit.cases.model import Scenario
from toolkit.cases.rules import successors
from toolkit.widgets.html import esc

NODE_W, NODE_H = 176, 50
COL_W, ROW_H = 250, 72
MARGIN_X, MARGIN_Y = 40, 44
LABEL_CHARS = 26


@dataclass
class Node:
    """A box in the diagram. ``kind``: decision | ending | missing (a `next` naming nothing)."""

    id: str
    kind: str
    label: str
    detail: str = ""
    reachable: bool = True
    column: int = 0
    row: int = 0


@dataclass
class Edge:
    """One arrow: the options (``a``, ``b``…) or the decision's own ``next`` leading along it."""

    source: str
    target: str
    options: list[str] = field(default_factory=list)  # labels: "a ✓" best, "b ✗" misconception
    tone: str = "plain"  # best (carries a best option) | misconception | plain


@dataclass
class Diagram:
    nodes: dict[str, Node]
    edges: list[Edge]

    @property
    def unreachable(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.kind != "missing" and not n.reachable]

    @property
    def missing(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.kind == "missing"]


def _edges(scenario: Scenario, index: int) -> list[Edge]:
    decision = scenario.decisions[index]
    ways = successors(scenario, index)
    options = decision.options if decision.type == "choice" else []
    best = max((o.points for o in options), default=None)
    grouped: dict[str, Edge] = {}
    for position, (_, target) in enumerate(ways):
        key = target if target is not None else f"{decision.id}:no-next"
        edge = grouped.setdefault(key, Edge(decision.id, key))
        if position < len(options):
            option = options[position]
            if option.points == best:
                edge.options.append(f"{option.id} ✓")
                edge.tone = "best"
            elif option.misconception:
                edge.options.append(f"{option.id} ✗")
                edge.tone = "misconception" if edge.tone == "plain" else edge.tone
            else:
                edge.options.append(option.id)
    return list(grouped.values())


def build(scenario: Scenario) -> Diagram:
    """The diagram's nodes (laid out) and edges for ``scenario``, faults included."""
    nodes = {
        d.id: Node(d.id, "decision", d.title or _first_line(d.prompt), d.type)
        for d in scenario.decisions
    }
    for ending in scenario.endings:
        nodes.setdefault(ending.id, Node(ending.id, "ending", ending.title, ending.outcome))
    edges = [e for i in range(len(scenario.decisions)) for e in _edges(scenario, i)]
    for edge in edges:
        if edge.target not in nodes:
            dead = edge.target.endswith(":no-next")
            label = "no `next`: dead end" if dead else f"unknown: {edge.target}"
            nodes[edge.target] = Node(edge.target, "missing", label)
    _layout(scenario, nodes, edges)
    return Diagram(nodes, edges)


def _layout(scenario: Scenario, nodes: dict[str, Node], edges: list[Edge]) -> None:
    depth: dict[str, int] = {}
    if scenario.decisions:
        start = scenario.decisions[0].id
        depth[start] = 0
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for edge in edges:
                if edge.source == here and edge.target not in depth:
                    depth[edge.target] = depth[here] + 1
                    if nodes[edge.target].kind == "decision":
                        queue.append(edge.target)
    decided = [depth[n] for n in depth if nodes[n].kind == "decision"]
    last = max(decided, default=0)
    lost = any(n.kind == "decision" and n.id not in depth for n in nodes.values())
    end_column = last + (2 if lost else 1)
    rows: dict[int, int] = {}
    for node in nodes.values():
        node.reachable = node.id in depth
        if node.kind == "decision":
            node.column = depth.get(node.id, last + 1)
        else:
            node.column = end_column
        node.row = rows.get(node.column, 0)
        rows[node.column] = node.row + 1


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- drawing ----------------------------------------------------------------------------------

STYLE = {
    "decision": ("#eef4fb", "#2f5d8a"),
    "protected": ("#e6f4ea", "#1b6e2a"),
    "mixed": ("#fff4dc", "#8a6d00"),
    "harmed": ("#fdecea", "#a00000"),
    "missing": ("#ffffff", "#a00000"),
}
EDGE_COLOURS = {"best": "#1b6e2a", "misconception": "#a05a00", "plain": "#555555"}


def _xy(node: Node) -> tuple[int, int]:
    return MARGIN_X + node.column * COL_W, MARGIN_Y + node.row * ROW_H


def _node_svg(node: Node) -> str:
    x, y = _xy(node)
    fill, stroke = STYLE.get(node.detail if node.kind == "ending" else node.kind, STYLE["decision"])
    dash = ' stroke-dasharray="6 4"' if not node.reachable or node.kind == "missing" else ""
    if not node.reachable and node.kind != "missing":
        fill, stroke = "#fff0f0", "#a00000"
    head = node.id if node.kind == "missing" else f"{node.id} · {node.detail}"
    note = "unreachable" if not node.reachable and node.kind != "missing" else ""
    return (
        f'<g class="ss-node ss-{esc(node.kind)}"><title>{esc(node.id)}: {esc(node.label)}'
        f"{' (unreachable)' if note else ''}</title>"
        f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="1.6"{dash}/>'
        f'<text x="{x + 8}" y="{y + 18}" font-weight="bold">{esc(_short(head))}</text>'
        f'<text x="{x + 8}" y="{y + 36}">{esc(_short(node.label))}</text>'
        + (
            f'<text x="{x + NODE_W - 6}" y="{y + 12}" text-anchor="end" font-size="10" '
            f'fill="#a00000">{note}</text>'
            if note
            else ""
        )
        + "</g>"
    )


def _route(edge: Edge, nodes: dict[str, Node], lane: int) -> tuple[str, int, int]:
    """The path of one edge and where its label goes.

    Neighbouring columns get one curve. Longer or backward edges run along the gap under the
    source's row (rows are aligned, so the gap holds no box), ``lane`` pixels apart.
    """
    source, target = nodes[edge.source], nodes[edge.target]
    (sx, sy), (tx, ty) = _xy(source), _xy(target)
    x1, y1 = sx + NODE_W, sy + NODE_H // 2
    x2, y2 = tx, ty + NODE_H // 2
    if target.column == source.column + 1:
        bend = (x2 - x1) // 2
        path = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
        return path, (x1 + x2) // 2, (y1 + y2) // 2 - 4
    gutter = sy + NODE_H + 6 + lane
    turn = (COL_W - NODE_W) // 2
    path = (
        f"M{x1},{y1} C{x1 + turn},{y1} {x1},{gutter} {x1 + turn},{gutter} "
        f"L{x2 - turn},{gutter} C{x2},{gutter} {x2 - turn},{y2} {x2},{y2}"
    )
    return path, x1 + turn + 40, gutter - 2


def _edge_svg(edge: Edge, nodes: dict[str, Node], lane: int) -> str:
    colour = EDGE_COLOURS[edge.tone]
    path, lx, ly = _route(edge, nodes, lane)
    label = ", ".join(edge.options)
    text = (
        f'<text x="{lx}" y="{ly}" text-anchor="middle" font-size="11" fill="{colour}" '
        f'stroke="#fff" stroke-width="3" paint-order="stroke">{esc(label)}</text>'
        if label
        else ""
    )
    return (
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.4" '
        f'marker-end="url(#ss-arrow-{edge.tone})"/>{text}'
    )


def _edges_svg(diagram: Diagram) -> str:
    lanes: dict[tuple[int, int], int] = {}  # (column, row) of a source → long edges so far
    parts = []
    for edge in diagram.edges:
        source, target = diagram.nodes[edge.source], diagram.nodes[edge.target]
        lane = 0
        if target.column != source.column + 1:
            key = (source.column, source.row)
            lane = lanes.get(key, 0)
            lanes[key] = lane + 1
        parts.append(_edge_svg(edge, diagram.nodes, (lane % 3) * 5))
    return "".join(parts)


def _defs() -> str:
    markers = "".join(
        f'<marker id="ss-arrow-{tone}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for tone, colour in EDGE_COLOURS.items()
    )
    return f"<defs>{markers}</defs>"


LEGEND = (
    "✓ best option (green arrow) · ✗ option carrying a misconception (orange) · "
    "red dashed: unreachable or missing"
)


def branching_svg(scenario: Scenario) -> str:
    """The diagram as an ``<svg>`` string; every label escaped."""
    diagram = build(scenario)
    nodes = diagram.nodes.values()
    columns = max((n.column for n in nodes), default=0) + 1
    rows = max((n.row for n in nodes), default=0) + 1
    width = MARGIN_X * 2 + (columns - 1) * COL_W + NODE_W
    height = MARGIN_Y + rows * ROW_H + 30
    body = _edges_svg(diagram) + "".join(_node_svg(n) for n in nodes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ss-branching" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="12" style="max-width: 100%; height: auto" '
        f'aria-label="Branching diagram of {esc(scenario.id)}">{_defs()}'
        f'<text x="{MARGIN_X}" y="18" font-size="11" fill="#444">{esc(LEGEND)}</text>'
        f"{body}</svg>"
    )


def diagram_faults(scenario: Scenario) -> list[str]:
    """Plain sentences for what the diagram marks red, for a list beside it."""
    diagram = build(scenario)
    faults = []
    for node_id in diagram.unreachable:
        node = diagram.nodes[node_id]
        what = "decision" if node.kind == "decision" else "ending"
        faults.append(f"{what} {node_id} is never reached from the first decision")
    for edge in diagram.edges:
        target = diagram.nodes[edge.target]
        if target.kind == "missing":
            via = f" (option {', '.join(edge.options)})" if edge.options else ""
            faults.append(f"{edge.source}{via}: {target.label}")
    return faults
