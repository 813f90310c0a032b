"""What changed between two versions of a flow: nodes and options added, removed or edited."""

from __future__ import annotations

from typing import Any

from resolutionflow.flows.structure import node_index, valid_id

# The node fields a reviewer cares about; other keys (counters, flags) change too often to list.
COMPARED_FIELDS = ("type", "title", "question", "description", "help_text", "next_node_id")


def added_node_ids(before: Any, after: Any) -> list[str]:
    """Ids of the nodes in `after` that `before` does not have, in `after`'s order: the one
    count of added nodes every page and description uses."""
    old = node_index(before)
    return [node_id for node_id in node_index(after) if node_id not in old]


def compare_trees(before: Any, after: Any) -> dict[str, Any]:
    """Added, removed and changed nodes and options, in the trees' own order, plus a summary."""
    old = node_index(before)
    new = node_index(after)
    added_nodes = [_node_brief(new[node_id]) for node_id in added_node_ids(before, after)]
    removed_nodes = [_node_brief(node) for node_id, node in old.items() if node_id not in new]
    changed_nodes: list[dict[str, Any]] = []
    added_options: list[dict[str, Any]] = []
    removed_options: list[dict[str, Any]] = []
    changed_options: list[dict[str, Any]] = []
    for node_id, node in new.items():
        if node_id not in old:
            continue
        changes = {
            field: {"before": old[node_id].get(field), "after": node.get(field)}
            for field in COMPARED_FIELDS
            if old[node_id].get(field) != node.get(field)
        }
        if changes:
            changed_nodes.append({"id": node_id, "changes": changes})
        before_options = _options_of(old[node_id])
        after_options = _options_of(node)
        for option_id, option in after_options.items():
            if option_id not in before_options:
                added_options.append(_option_brief(node_id, option))
            elif _option_key(option) != _option_key(before_options[option_id]):
                changed_options.append(
                    {
                        **_option_brief(node_id, option),
                        "before": _option_brief(node_id, before_options[option_id]),
                    }
                )
        removed_options += [
            _option_brief(node_id, option)
            for option_id, option in before_options.items()
            if option_id not in after_options
        ]
    result: dict[str, Any] = {
        "added_nodes": added_nodes,
        "removed_nodes": removed_nodes,
        "changed_nodes": changed_nodes,
        "added_options": added_options,
        "removed_options": removed_options,
        "changed_options": changed_options,
    }
    result["summary"] = summarise(result)
    return result


def describe_addition(comparison: dict[str, Any]) -> str:
    """What an enhancement adds, for its description: the summary line (the same counts the
    review page shows) and the titles of the new steps."""
    titles = [
        f'"{entry["title"]}"'
        for entry in comparison.get("added_nodes") or []
        if isinstance(entry.get("title"), str) and entry["title"].strip()
    ]
    text = summarise(comparison)
    text = text[:1].upper() + text[1:]
    return f"{text}: {', '.join(titles)}." if titles else f"{text}."


def summarise(comparison: dict[str, Any]) -> str:
    """One line, e.g. "2 nodes added, 1 option added to 'root'"."""
    parts: list[str] = []
    for key, noun, verb in (
        ("added_nodes", "node", "added"),
        ("removed_nodes", "node", "removed"),
        ("changed_nodes", "node", "changed"),
    ):
        if comparison.get(key):
            parts.append(f"{_count(len(comparison[key]), noun)} {verb}")
    for key, verb, preposition in (
        ("added_options", "added", "to"),
        ("removed_options", "removed", "from"),
        ("changed_options", "changed", "on"),
    ):
        entries = comparison.get(key) or []
        if not entries:
            continue
        owners = list(dict.fromkeys(entry["node_id"] for entry in entries))
        where = f"'{owners[0]}'" if len(owners) == 1 else _count(len(owners), "node")
        parts.append(f"{_count(len(entries), 'option')} {verb} {preposition} {where}")
    return ", ".join(parts) if parts else "no changes"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _node_brief(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": node.get("id"), "type": node.get("type"), "title": node.get("title")}


def _options_of(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    options = node.get("options")
    out: dict[str, dict[str, Any]] = {}
    for option in options if isinstance(options, list) else []:
        option_id = valid_id(option.get("id")) if isinstance(option, dict) else None
        if option_id is not None and option_id not in out:
            out[option_id] = option
    return out


def _option_key(option: dict[str, Any]) -> tuple[Any, Any]:
    return option.get("label"), option.get("next_node_id")


def _option_brief(node_id: str, option: dict[str, Any]) -> dict[str, Any]:
    return {
        "node_id": node_id,
        "option_id": option.get("id"),
        "label": option.get("label"),
        "next_node_id": option.get("next_node_id"),
    }


def changed_node_ids(comparison: dict[str, Any]) -> set[str]:
    """Nodes a diagram should highlight: added ones and those that gained or changed options."""
    ids = {entry["id"] for entry in comparison.get("added_nodes", [])}
    ids.update(entry["node_id"] for entry in comparison.get("added_options", []))
    ids.update(entry["node_id"] for entry in comparison.get("changed_options", []))
    ids.update(entry["id"] for entry in comparison.get("changed_nodes", []))
    return {node_id for node_id in ids if isinstance(node_id, str)}
