"""Layered layout of a flow for drawing: rows by depth, columns by subtree, every link routed.

Works on any tree the editor may hold, valid or not: links to missing nodes get a ghost node,
links that close a cycle are kept apart as back links, and nodes the root cannot reach are
laid out as their own groups to the right. Pure: no drawing, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolutionflow.flows.structure import iter_nodes, valid_id

MISSING = "missing"


@dataclass
class Link:
    source: str
    target: str
    label: str | None
    sessions: int | None = None
    back: bool = False  # closes a cycle: drawn aside, never used for layering


@dataclass
class Box:
    node_id: str
    kind: str  # decision | action | solution | missing | unknown
    node: dict[str, Any]
    layer: int = 0
    slot: float = 0.0
    reachable: bool = True
    children: list[str] = field(default_factory=list)  # in the spanning tree, in link order


@dataclass
class Layout:
    boxes: dict[str, Box]
    links: list[Link]
    layers: int
    slots: float  # width in slots


def _label_of(option: dict[str, Any]) -> str | None:
    label = option.get("label")
    return label if isinstance(label, str) and label.strip() else None


def _count_of(option: dict[str, Any]) -> int | None:
    count = option.get("session_count")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else None


def collect(tree: Any) -> tuple[dict[str, Box], list[Link], str | None]:
    """The boxes (first node wins an id) and every link, with ghosts for missing targets."""
    boxes: dict[str, Box] = {}
    for node in iter_nodes(tree):
        node_id = valid_id(node.get("id"))
        if node_id is None or node_id in boxes:
            continue
        kind = node.get("type")
        kind = kind if kind in ("decision", "action", "solution") else "unknown"
        boxes[node_id] = Box(node_id, kind, node)
    links: list[Link] = []
    for node in iter_nodes(tree):
        source = valid_id(node.get("id"))
        if source is None or boxes.get(source) is None or boxes[source].node is not node:
            continue
        options = node.get("options")
        for option in options if isinstance(options, list) else []:
            if isinstance(option, dict) and valid_id(option.get("next_node_id")):
                target = option["next_node_id"]
                links.append(Link(source, target, _label_of(option), _count_of(option)))
        if valid_id(node.get("next_node_id")):
            links.append(Link(source, node["next_node_id"], None))
    for link in links:
        if link.target not in boxes:
            ghost = f"{MISSING}:{link.target}"
            boxes.setdefault(ghost, Box(ghost, MISSING, {"id": link.target}))
            link.target = ghost
    root_id = valid_id(tree.get("id")) if isinstance(tree, dict) else None
    return boxes, links, root_id


def layout(tree: Any) -> Layout:
    boxes, links, root_id = collect(tree)
    outgoing: dict[str, list[Link]] = {node_id: [] for node_id in boxes}
    for link in links:
        outgoing[link.source].append(link)
    starts = [root_id] if root_id in boxes else []
    starts += [node_id for node_id in boxes if node_id not in starts]
    order, parent_of = _spanning(boxes, outgoing, starts, root_id)
    _layer(boxes, links, order)
    next_slot = 0.0
    for start in starts:
        if start not in parent_of:
            next_slot = _place(boxes, start, next_slot) + 0.35  # a little air between groups
    layers = max((b.layer for b in boxes.values()), default=0) + 1
    slots = max((b.slot for b in boxes.values()), default=0.0) + 1
    return Layout(boxes=boxes, links=links, layers=layers, slots=slots)


def _spanning(
    boxes: dict[str, Box],
    outgoing: dict[str, list[Link]],
    starts: list[str],
    root_id: str | None,
) -> tuple[list[str], dict[str, str]]:
    """Depth-first from the root, then from each node not yet seen; marks back links.

    Returns the nodes in reverse post-order (a topological order once back links are set
    aside) and each node's parent in the spanning tree.
    """
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    post: list[str] = []
    parent_of: dict[str, str] = {}
    for start in starts:
        if start in state:
            continue
        if start != root_id:
            boxes[start].reachable = False
        state[start] = 1
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node_id, i = stack[-1]
            out = outgoing[node_id]
            if i < len(out):
                stack[-1] = (node_id, i + 1)
                link = out[i]
                seen = state.get(link.target)
                if seen == 1:
                    link.back = True
                elif seen is None:
                    state[link.target] = 1
                    parent_of[link.target] = node_id
                    boxes[node_id].children.append(link.target)
                    boxes[link.target].reachable = boxes[start].reachable
                    stack.append((link.target, 0))
                continue
            state[node_id] = 2
            post.append(node_id)
            stack.pop()
    return list(reversed(post)), parent_of


def _layer(boxes: dict[str, Box], links: list[Link], order: list[str]) -> None:
    """Longest path from the top: every forward link points at least one row down."""
    incoming: dict[str, list[str]] = {node_id: [] for node_id in boxes}
    for link in links:
        if not link.back:
            incoming[link.target].append(link.source)
    for node_id in order:
        parents = incoming[node_id]
        boxes[node_id].layer = max((boxes[p].layer + 1 for p in parents), default=0)


def _place(boxes: dict[str, Box], start: str, first_slot: float) -> float:
    """Leaves take the next free column; a parent sits over the middle of its children.

    Subtrees own disjoint column ranges, so two boxes in one row never overlap. Returns the
    last column used.
    """
    next_slot = first_slot
    last = first_slot
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        node_id, expanded = stack.pop()
        box = boxes[node_id]
        if not box.children:
            box.slot = next_slot
            last = next_slot
            next_slot += 1
            continue
        if not expanded:
            stack.append((node_id, True))
            stack.extend((child, False) for child in reversed(box.children))
            continue
        box.slot = (boxes[box.children[0]].slot + boxes[box.children[-1]].slot) / 2
    return last + 1
