"""Hypothesis strategies for flow structures: valid trees of varied shape, and diffs for them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Ids and labels deliberately include characters that are awkward for Mermaid and JSON.
ID_ALPHABET = "abcxyzAB019-_. :/[]\"'{}|#<>()é"
LABEL_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))

node_ids = st.text(ID_ALPHABET, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
labels = st.text(LABEL_ALPHABET, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
short_text = st.text(LABEL_ALPHABET, max_size=40)


def _options(draw: st.DrawFn, targets: list[str]) -> list[dict[str, Any]]:
    option_ids = draw(st.lists(node_ids, min_size=len(targets), max_size=len(targets), unique=True))
    options = []
    for option_id, target in zip(option_ids, targets, strict=True):
        option: dict[str, Any] = {"id": option_id, "label": draw(labels), "next_node_id": target}
        if draw(st.booleans()):
            option["session_count"] = draw(st.integers(0, 50))
        options.append(option)
    return options


@st.composite
def valid_trees(draw: st.DrawFn, max_nodes: int = 24) -> dict[str, Any]:
    """A valid flow: a root decision, then decisions, actions and solutions linked forward
    only (so no cycles), every node given a parent first (so all are reachable), and spare
    links pointing at any later node (so nodes are shared, as in a DAG)."""
    wanted = draw(st.integers(2, max_nodes))
    ids = draw(st.lists(node_ids, min_size=wanted + 1, max_size=wanted + 1, unique=True))
    # Each node: its type and its outgoing slots; slots are filled with node indexes later.
    types = ["decision"]
    slots: list[list[int | None]] = [[None] * draw(st.integers(2, 5))]
    open_slots = [(0, i) for i in range(len(slots[0]))]
    while open_slots and len(types) < wanted:
        node_index, slot = open_slots.pop(draw(st.integers(0, len(open_slots) - 1)))
        slots[node_index][slot] = len(types)
        kind = draw(st.sampled_from(["decision", "action", "solution"]))
        width = {"decision": draw(st.integers(2, 5)), "action": 1, "solution": 0}[kind]
        open_slots += [(len(types), i) for i in range(width)]
        types.append(kind)
        slots.append([None] * width)
    if open_slots:
        # One final solution closes the first open slot; the others link to any later node.
        final = len(types)
        types.append("solution")
        slots.append([])
        for number, (node_index, slot) in enumerate(open_slots):
            later = final if number == 0 else draw(st.integers(node_index + 1, final))
            slots[node_index][slot] = later
    nodes: list[dict[str, Any]] = []
    for index, kind in enumerate(types):
        targets = [ids[t] for t in slots[index] if t is not None]
        node: dict[str, Any] = {"id": ids[index], "type": kind, "title": draw(short_text)}
        if kind == "decision":
            node["question"] = draw(short_text)
            node["options"] = _options(draw, targets)
        else:
            node["description"] = draw(short_text)
            node["options"] = []
        if index > 0:
            node["next_node_id"] = targets[0] if kind == "action" else None
        if draw(st.integers(0, 4)) == 0:
            node["charted"] = draw(st.booleans())
        nodes.append(node)
    root, children = nodes[0], nodes[1:]
    root["help_text"] = draw(short_text)
    order = draw(st.permutations(range(len(children))))
    root["children"] = [children[i] for i in order]
    return root


def _later_solution(tree: dict[str, Any]) -> list[str]:
    return [n["id"] for n in tree["children"] if n["type"] == "solution"]


@st.composite
def trees_with_diffs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid tree and an enhancement diff that applies to it cleanly.

    New nodes hang off decisions with room for another option, either through
    attach_after_node_id or through an explicit modified_options entry; they lead only to
    solutions (old or new), so the merged flow cannot loop."""
    tree = draw(valid_trees(max_nodes=12))
    decisions = [tree, *(n for n in tree["children"] if n["type"] == "decision")]
    room = {d["id"]: 5 - len(d["options"]) for d in decisions}
    solutions = _later_solution(tree)
    taken = {tree["id"], *(n["id"] for n in tree["children"])}
    new_nodes: list[dict[str, Any]] = []
    modified: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 4))):
        parents = sorted(node_id for node_id, free in room.items() if free > 0)
        if not parents:
            break
        parent = draw(st.sampled_from(parents))
        room[parent] -= 1
        new_id = f"new-{number}"
        while new_id in taken:
            new_id += "x"
        taken.add(new_id)
        kind = draw(st.sampled_from(["solution", "action", "decision"]))
        node: dict[str, Any] = {
            "id": new_id,
            "type": kind,
            "title": f"New step {number}",
            "question": "",
            "description": draw(short_text),
            "options": [],
        }
        if kind == "action":
            node["next_node_id"] = draw(st.sampled_from(solutions))
        elif kind == "decision":
            node["question"] = f"New question {number}?"
            node["options"] = [
                {
                    "id": f"n{number}-a",
                    "label": "Works",
                    "next_node_id": draw(st.sampled_from(solutions)),
                },
                {
                    "id": f"n{number}-b",
                    "label": "Fails",
                    "next_node_id": draw(st.sampled_from(solutions)),
                },
            ]
        label = f"Path {number} (new)"
        if draw(st.booleans()):
            node["attach_after_node_id"] = parent
            node["new_option_label"] = label if draw(st.booleans()) else None
        else:
            node["attach_after_node_id"] = parent if draw(st.booleans()) else None
            node["new_option_label"] = label
            modified.append(
                {
                    "node_id": parent,
                    "add_option": {"id": f"add-{number}", "label": label, "next_node_id": new_id},
                }
            )
        new_nodes.append(node)
    return tree, {"new_nodes": new_nodes, "modified_options": modified}


garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "type", "options", "children", "next_node_id", "label", "title"])
            | st.text(max_size=4),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
