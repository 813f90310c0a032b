"""Flows going out as Mermaid flowchart text for diagrams (the JSON export object is
`flows.service.export_flow`)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection
from typing import Any

from resolutionflow.flows.structure import edges, iter_nodes, valid_id

MAX_DIAGRAM_TEXT = 160

# Numeric entity codes Mermaid understands inside quoted text; anything here could otherwise
# end the label or start Mermaid syntax.
_ENTITIES = {
    "#": "#35;",
    '"': "#34;",
    "<": "#60;",
    ">": "#62;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "(": "#40;",
    ")": "#41;",
    "|": "#124;",
    "`": "#96;",
}
_SHAPES = {
    "decision": ('{"', '"}'),
    "action": ('["', '"]'),
    "solution": ('(["', '"])'),
}
_CLASSES = (
    "    classDef added fill:#dcfce7,stroke:#15803d,stroke-width:2px",
    "    classDef missing fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4 3",
)


def to_mermaid(tree: Any, *, highlight: Collection[str] = frozenset()) -> str:
    """A `flowchart TD` of the flow: decisions as rhombi, actions as boxes, solutions as
    stadiums, option labels on the edges. Ids are made Mermaid-safe; the same tree always
    gives the same text. Links to nodes that do not exist are drawn to a dashed 'missing' box."""
    nodes: dict[str, dict[str, Any]] = {}
    for node in iter_nodes(tree):
        node_id = valid_id(node.get("id"))
        if node_id is not None and node_id not in nodes:
            nodes[node_id] = node
    links = edges(tree)
    missing = list(dict.fromkeys(t for _, t, _ in links if t not in nodes))
    names = mermaid_ids([*nodes, *missing])
    lines = ["flowchart TD"]
    for node_id, node in nodes.items():
        opening, closing = _SHAPES.get(str(node.get("type")), _SHAPES["action"])
        lines.append(f"    {names[node_id]}{opening}{escape(_node_text(node, node_id))}{closing}")
    for node_id in missing:
        lines.append(f'    {names[node_id]}["{escape("missing: " + node_id)}"]')
    for source, target, label in links:
        arrow = f'-->|"{escape(label)}"|' if label and label.strip() else "-->"
        lines.append(f"    {names[source]} {arrow} {names[target]}")
    marked = sorted(names[node_id] for node_id in nodes if node_id in set(highlight))
    if marked or missing:
        lines += _CLASSES
    if marked:
        lines.append(f"    class {','.join(marked)} added")
    if missing:
        lines.append(f"    class {','.join(names[node_id] for node_id in missing)} missing")
    return "\n".join(lines) + "\n"


def mermaid_ids(node_ids: list[str]) -> dict[str, str]:
    """A Mermaid-safe name per id, stable for the same id set. Ids that would clash once
    cleaned get a short hash of the original, so different ids never share a name."""
    cleaned = {node_id: "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id) for node_id in node_ids}
    clashes = Counter(cleaned.values())
    out: dict[str, str] = {}
    used: set[str] = set()
    for node_id in sorted(node_ids):
        name = cleaned[node_id]
        if clashes[name] > 1:
            digest = hashlib.sha1(node_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            name = base = f"{cleaned[node_id]}_{digest}"
            extra = 2
            while name in used or name in clashes:
                name = f"{base}_{extra}"
                extra += 1
        used.add(name)
        out[node_id] = name
    return out


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label: one line, no syntax characters, bounded."""
    flat = " ".join(str(text).split())
    if len(flat) > MAX_DIAGRAM_TEXT:
        flat = flat[: MAX_DIAGRAM_TEXT - 1] + "…"
    return "".join(_ENTITIES.get(char, char) for char in flat)


def _node_text(node: dict[str, Any], node_id: str) -> str:
    fields = ("question", "title") if node.get("type") == "decision" else ("title", "question")
    for field in (*fields, "description"):
        value = node.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return node_id
