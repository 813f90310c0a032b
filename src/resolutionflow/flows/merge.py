"""Applying an enhancement diff (new nodes, added options) to a flow, naming every conflict."""

from __future__ import annotations

from typing import Any

from resolutionflow.errors import Problem
from resolutionflow.flows.diff import added_node_ids
from resolutionflow.flows.structure import (
    MAX_OPTIONS,
    iter_nodes,
    json_copy,
    node_index,
    show,
    valid_id,
    validate_tree,
)

# Keys that only say where a new node goes; the stored node does not keep them.
_PLACEMENT_KEYS = ("attach_after_node_id", "new_option_label")


__all__ = ["added_node_ids", "apply_enhancement", "diff_between"]


def diff_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{new_nodes, modified_options} that turn `before` into `after` (additions only, as
    after sessions are folded into an enhancement). An option of `before` that led to a
    not-charted node and now leads somewhere charted is listed again under its own id, which
    `apply_enhancement` reads as charting that route."""
    old_nodes = node_index(before)
    new_index = node_index(after)
    added = added_node_ids(before, after)
    added_set = set(added)
    parent_of: dict[str, tuple[str, str | None]] = {}
    modified: list[dict[str, Any]] = []
    for nid, node in new_index.items():
        old_options = {
            o.get("id"): o
            for o in (old_nodes.get(nid) or {}).get("options") or []
            if isinstance(o, dict)
        }
        for option in node.get("options") or []:
            target = option.get("next_node_id")
            if target in added_set and target not in parent_of:
                parent_of[target] = (nid, option.get("label"))
            if nid not in old_nodes:
                continue
            previous = old_options.get(option.get("id"))
            if previous is None or previous.get("next_node_id") != target:
                modified.append({"node_id": nid, "add_option": dict(option)})
        target = node.get("next_node_id")
        if target in added_set and target not in parent_of:
            parent_of[target] = (nid, None)
    new_nodes = []
    for nid in added:
        node = {k: v for k, v in new_index[nid].items() if k != "children"}
        parent, label = parent_of.get(nid, (None, None))
        node["attach_after_node_id"] = parent
        node["new_option_label"] = label
        new_nodes.append(node)
    return {"new_nodes": new_nodes, "modified_options": modified}


def apply_enhancement(tree: Any, diff: Any) -> tuple[dict[str, Any], list[Problem]]:
    """A new tree with the diff applied, and every problem: conflicts first, then validation.

    The input is never changed. A conflict is reported, not worked around: nothing is rewired
    that the diff did not ask for, so a reviewer can trust that the merged flow is the diff.
    """
    if not isinstance(tree, dict):
        return {}, validate_tree(tree)
    merged = json_copy(tree)
    if not isinstance(merged.get("children"), list):
        merged["children"] = []
    problems: list[Problem] = []
    if not isinstance(diff, dict):
        problems.append(Problem("diff", "the change must be an object with new_nodes"))
        diff = {}
    placements = _add_nodes(merged, _list_of(diff, "new_nodes", problems), problems)
    index = node_index(merged)
    linked = _add_options(index, _list_of(diff, "modified_options", problems), problems)
    for new_id, parent_id, label in placements:
        _attach(index, new_id, parent_id, label, linked, problems)
    for problem in validate_tree(merged):
        if problem not in problems:
            problems.append(problem)
    return merged, problems


def _list_of(diff: dict[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    value = diff.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem("diff", f"{key} must be a list"))
        return []
    return value


def _add_nodes(
    merged: dict[str, Any], new_nodes: list[Any], problems: list[Problem]
) -> list[tuple[str, Any, str]]:
    """Append the new nodes; returns (new id, attach point, option label) for each one added."""
    taken = {valid_id(node.get("id")) for node in iter_nodes(merged)}
    placements: list[tuple[str, Any, str]] = []
    for number, raw in enumerate(new_nodes):
        where = f"new_nodes[{number}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "a new node must be an object"))
            continue
        new_id = valid_id(raw.get("id"))
        if new_id is None:
            problems.append(Problem(where, "the new node has no id"))
            continue
        if new_id in taken:
            problems.append(
                Problem(new_id, f"the new node's id {show(new_id)} is already used in the flow")
            )
            continue
        taken.add(new_id)
        node = {k: json_copy(v) for k, v in raw.items() if k not in _PLACEMENT_KEYS}
        node.setdefault("options", [])
        node.setdefault("next_node_id", None)
        merged["children"].append(node)
        label = raw.get("new_option_label")
        if not (isinstance(label, str) and label.strip()):
            title = raw.get("title")
            label = title if isinstance(title, str) and title.strip() else new_id
        placements.append((new_id, raw.get("attach_after_node_id"), label))
    return placements


def _add_options(
    index: dict[str, dict[str, Any]], entries: list[Any], problems: list[Problem]
) -> set[tuple[str, str]]:
    """Append each add_option; returns the (node, target) links the diff made explicitly."""
    linked: set[tuple[str, str]] = set()
    for number, entry in enumerate(entries):
        where = f"modified_options[{number}]"
        if not isinstance(entry, dict):
            problems.append(Problem(where, "each modified option must be an object"))
            continue
        node_id = valid_id(entry.get("node_id"))
        option = entry.get("add_option")
        if node_id is None:
            problems.append(Problem(where, "it names no node_id"))
            continue
        if node_id not in index:
            problems.append(Problem(node_id, f"node {show(node_id)} no longer exists"))
            continue
        if not isinstance(option, dict) or valid_id(option.get("id")) is None:
            problems.append(Problem(node_id, f"the option to add to {show(node_id)} has no id"))
            continue
        if _add_option(index[node_id], node_id, json_copy(option), problems, index):
            target = option.get("next_node_id")
            if isinstance(target, str):
                linked.add((node_id, target))
    return linked


def _add_option(
    node: dict[str, Any],
    node_id: str,
    option: dict[str, Any],
    problems: list[Problem],
    index: dict[str, dict[str, Any]] | None = None,
) -> bool:
    """Append one option unless it conflicts; True when the link now exists. An option of
    the same id or label that leads to a not-charted node is pointed at the new route."""
    options = node.get("options")
    if not isinstance(options, list):
        options = node["options"] = []
    existing = [o for o in options if isinstance(o, dict)]
    target = option.get("next_node_id")
    for other in existing:
        same = valid_id(other.get("id")) == option["id"] or (
            isinstance(option.get("label"), str)
            and isinstance(other.get("label"), str)
            and _fold(other["label"]) == _fold(option["label"])
        )
        led_to = (index or {}).get(str(other.get("next_node_id")))
        if same and isinstance(led_to, dict) and led_to.get("charted") is False:
            other["next_node_id"] = target
            return True
    if option["id"] in {valid_id(o.get("id")) for o in existing}:
        problems.append(
            Problem(node_id, f"option id {show(option['id'])} is already used on {show(node_id)}")
        )
        return False
    label = option.get("label")
    if isinstance(label, str):
        for other in existing:
            other_label = other.get("label")
            if not isinstance(other_label, str) or _fold(other_label) != _fold(label):
                continue
            if other.get("next_node_id") == target:
                return True  # The same choice to the same place is already offered.
            problems.append(
                Problem(
                    node_id,
                    f"node {show(node_id)} already has an option labelled {show(other_label)} "
                    f"leading to {show(other.get('next_node_id'))}; the new one would lead to "
                    f"{show(target)}",
                )
            )
            return False
    if node.get("type") == "decision" and len(options) >= MAX_OPTIONS:
        problems.append(
            Problem(
                node_id,
                f"node {show(node_id)} already has {len(options)} options; adding "
                f"{show(label)} would exceed the limit of {MAX_OPTIONS}",
            )
        )
        return False
    options.append(option)
    return True


def _attach(
    index: dict[str, dict[str, Any]],
    new_id: str,
    parent_id: Any,
    label: str,
    linked: set[tuple[str, str]],
    problems: list[Problem],
) -> None:
    """Link a new node from its attach point, or say why that cannot be done safely."""
    if parent_id is None or parent_id == "":
        return  # Linked some other way, or not at all: the validator says which.
    if not isinstance(parent_id, str) or parent_id not in index:
        problems.append(
            Problem(
                new_id,
                f"node {show(parent_id)} no longer exists, so {show(new_id)} has nowhere to attach",
            )
        )
        return
    parent = index[parent_id]
    if (parent_id, new_id) in linked or _links_to(parent, new_id):
        return
    kind = parent.get("type")
    if kind == "decision":
        option = {"id": _free_option_id(parent, new_id), "label": label, "next_node_id": new_id}
        _add_option(parent, parent_id, option, problems, index)
    elif kind == "action" and not parent.get("next_node_id"):
        parent["next_node_id"] = new_id
    elif kind == "action":
        problems.append(
            Problem(
                parent_id,
                f"action {show(parent_id)} already leads to {show(parent['next_node_id'])}; "
                f"attaching {show(new_id)} after it would rewire the flow, so the change must "
                "say so in modified_options",
            )
        )
    elif kind == "solution":
        problems.append(
            Problem(
                parent_id,
                f"node {show(parent_id)} is a solution and ends the flow; "
                f"{show(new_id)} cannot be attached after it",
            )
        )
    else:
        problems.append(
            Problem(parent_id, f"node {show(parent_id)} has no usable type to attach a node to")
        )


def _links_to(node: dict[str, Any], target: str) -> bool:
    if node.get("next_node_id") == target:
        return True
    options = node.get("options")
    return isinstance(options, list) and any(
        isinstance(o, dict) and o.get("next_node_id") == target for o in options
    )


def _free_option_id(node: dict[str, Any], new_id: str) -> str:
    options = node.get("options")
    listed = options if isinstance(options, list) else []
    used = {valid_id(o.get("id")) for o in listed if isinstance(o, dict)}
    candidate = f"opt-{new_id}"
    suffix = 2
    while candidate in used:
        candidate = f"opt-{new_id}-{suffix}"
        suffix += 1
    return candidate


def _fold(label: str) -> str:
    return " ".join(label.split()).casefold()
