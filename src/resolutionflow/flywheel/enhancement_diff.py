"""Rebuild the enhancement diff format from two trees (after sessions are folded into a merge)."""

from __future__ import annotations

from typing import Any

from resolutionflow.flows.structure import iter_nodes


def diff_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{new_nodes, modified_options} that turn `before` into `after` (additions only)."""
    old_nodes = {n.get("id"): n for n in iter_nodes(before)}
    new_nodes_by_id = {n.get("id"): n for n in iter_nodes(after)}
    added = [nid for nid in new_nodes_by_id if nid not in old_nodes]
    parent_of: dict[str, tuple[str, str | None]] = {}
    modified: list[dict[str, Any]] = []
    for node in iter_nodes(after):
        nid = node.get("id")
        old_option_ids = {o.get("id") for o in (old_nodes.get(nid) or {}).get("options") or []}
        for option in node.get("options") or []:
            target = option.get("next_node_id")
            if target in added and target not in parent_of:
                parent_of[target] = (nid, option.get("label"))
            if nid in old_nodes and option.get("id") not in old_option_ids:
                modified.append({"node_id": nid, "add_option": dict(option)})
        target = node.get("next_node_id")
        if target in added and target not in parent_of:
            parent_of[target] = (nid, None)
    new_nodes = []
    for nid in added:
        node = {k: v for k, v in new_nodes_by_id[nid].items() if k != "children"}
        parent, label = parent_of.get(nid, (None, None))
        node["attach_after_node_id"] = parent
        node["new_option_label"] = label
        new_nodes.append(node)
    return {"new_nodes": new_nodes, "modified_options": modified}
