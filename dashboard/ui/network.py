"""The portfolio as a network: initiatives, goals and organisations, drawn by Graphviz (DOT)."""

import textwrap
from dataclasses import dataclass, field

# Initiatives without links are laid out in rows of this many (invisible edges keep the rows)
ROW = 5


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # initiative, goal or organisation (its shape)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    directed: bool = True
    dashed: bool = False
    weight: int = 1  # line width


@dataclass
class Graph:
    """Nodes, the edges between them, and the groups of linked initiatives (clusters)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, node ids)
    loose: tuple[str, list[str]] | None = None  # (title, ids of initiatives without links)


SHAPES = {
    "initiative": 'shape=box style="rounded,filled" fillcolor="#dbe8f5" color="#1f4e79"',
    "goal": 'shape=ellipse style=filled fillcolor="#fde9d9" color="#b35900"',
    "organisation": 'shape=note style=filled fillcolor="#eeeeee" color="#555555"',
}


def quoted(text: str, width: int = 30) -> str:
    """A DOT string literal, wrapped onto lines of about width characters."""
    lines = textwrap.wrap(text, width) or [""]
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz's DOT language, left to right, each group in its own box."""
    lines = [
        "digraph portfolio {",
        '  graph [rankdir=LR fontname="Source Sans Pro" fontsize=12 nodesep=0.25 ranksep=0.6]',
        '  node [fontname="Source Sans Pro" fontsize=11]',
        '  edge [fontname="Source Sans Pro" fontsize=9 color="#555555"]',
    ]
    by_id = {node.id: node for node in graph.nodes}
    placed: set[str] = set()

    def node(node_id: str, indent: str) -> str:
        placed.add(node_id)
        item = by_id[node_id]
        return f"{indent}{quoted(node_id, 1000)} [label={quoted(item.label)} {SHAPES[item.kind]}]"

    # Graphviz stacks the boxes bottom-up in the order given: the loose ones first puts them
    # last on the page, under the groups in their order
    boxes = [*([graph.loose] if graph.loose else []), *reversed(graph.groups)]
    for index, (title, members) in enumerate(boxes):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label={quoted(title, 60)} style=dashed color="#999999"')
        lines.extend(node(member, "    ") for member in members)
        if graph.loose and title == graph.loose[0]:
            for start in range(0, len(members), ROW):
                row = members[start : start + ROW]
                if len(row) > 1:
                    chain = " -> ".join(quoted(m, 1000) for m in row)
                    lines.append(f"    {chain} [style=invis]")
        lines.append("  }")
    lines.extend(node(n.id, "  ") for n in graph.nodes if n.id not in placed)
    for edge in graph.edges:
        attributes = [f"label={quoted(edge.label, 20)}", f"penwidth={edge.weight}"]
        if not edge.directed:
            attributes.append("dir=none")
        if edge.dashed:
            attributes.append("style=dashed")
        lines.append(
            f"  {quoted(edge.source, 1000)} -> {quoted(edge.target, 1000)} [{' '.join(attributes)}]"
        )
    lines.append("}")
    return "\n".join(lines)
