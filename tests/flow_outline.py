"""A flow as indented text, the way a reader follows it: each decision's options in order
with how many sessions took them, each action's next step, and a node reached a second way
shown once, then referred to by its id. A test helper: assertions read a tree as text."""

from __future__ import annotations

from typing import Any

from resolutionflow.flows.structure import node_index

_MARK = {"decision": "?", "action": "→", "solution": "✓"}


def outline(tree: Any) -> str:
    index = node_index(tree)
    lines: list[str] = []
    shown: set[str] = set()

    def line(depth: int, text: str) -> None:
        lines.append("  " * depth + text)

    def walk(node_id: Any, depth: int) -> None:
        node = index.get(node_id) if isinstance(node_id, str) else None
        if node is None:
            line(depth, f"(missing node {node_id!r})")
            return
        kind = str(node.get("type"))
        if node.get("charted") is False:
            line(depth, f"· {node.get('title')}")
            return
        text = node.get("question") if kind == "decision" else node.get("title")
        if node_id in shown:
            line(depth, f"{_MARK.get(kind, '·')} {text}  [{node_id}, as above]")
            return
        shown.add(node_id)
        line(depth, f"{_MARK.get(kind, '·')} {text}  [{node_id}]")
        for option in node.get("options") or []:
            count = option.get("session_count")
            counted = f" ({count})" if isinstance(count, int) and count else ""
            line(depth + 1, f"- {option.get('label')}{counted}:")
            walk(option.get("next_node_id"), depth + 2)
        if kind == "action":
            walk(node.get("next_node_id"), depth)

    if isinstance(tree, dict):
        walk(tree.get("id"), 0)
    return "\n".join(lines)
