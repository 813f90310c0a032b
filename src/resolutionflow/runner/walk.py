"""Where a session stands in its flow, replayed from its steps, and how closely it followed it.

The runner keeps no position of its own: the node an engineer is at is found by replaying the
session's stored steps over the flow (`replay`). The same replay gives `match_score`, so the
score an analysis reads is exactly the walk the engineer made, and a session imported with the
same steps scores the same. Pure: no database, no HTTP.

Steps are plain dicts in the import format (`step_type`, `step_order`, `content`,
`context_message`, `selected_option`, `was_free_text`, ...). A step recorded by the runner
names its node in `content.node_id`; other steps (imports) are matched by their text: a
question by its `context_message` (or content text) against the decision's question, an
action by its content text against the node's title.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolutionflow.flows.structure import node_index

# Steps that are part of the diagnostic path. Info steps are notes; the resolution step is the
# outcome, not a step of the path, so neither counts for or against the score.
PATH_STEPS = ("question", "action")


@dataclass(frozen=True)
class Position:
    """The result of a replay.

    `node_id` is the node the engineer is at, or None once the walk left the flow, reached
    the end (`finished`), or when there is no flow. `on_flow` of the `counted` path steps
    followed the flow.
    """

    node_id: str | None
    on_flow: int
    counted: int
    left_flow: bool
    finished: bool


def _norm(text: Any) -> str:
    return " ".join(str(text or "").lower().split())


def _content(step: dict[str, Any]) -> dict[str, Any]:
    content = step.get("content")
    return content if isinstance(content, dict) else {}


def _step_text(step: dict[str, Any]) -> str:
    return _norm(_content(step).get("text"))


def _matches(node: dict[str, Any], step: dict[str, Any]) -> bool:
    """Whether the step was taken at this node: by the node id the runner stores, else text."""
    named = _content(step).get("node_id")
    if named is not None:
        return bool(named == node.get("id"))
    if node.get("type") == "decision":
        asked = _norm(step.get("context_message")) or _step_text(step)
        return bool(asked) and asked in (_norm(node.get("question")), _norm(node.get("title")))
    wanted = _step_text(step)
    return bool(wanted) and wanted in (_norm(node.get("title")), _norm(node.get("description")))


def chosen_option(node: dict[str, Any], step: dict[str, Any]) -> dict[str, Any] | None:
    """The node's option the step chose (by id, else by label), or None (free text, skipped)."""
    if step.get("was_free_text") or step.get("was_skipped"):
        return None
    value = step.get("selected_option")
    if value is None or value == "":
        return None
    options = [o for o in node.get("options") or [] if isinstance(o, dict)]
    for option in options:
        if option.get("id") == value:
            return option
    label = _norm(value)
    for presented in step.get("options_presented") or []:
        if isinstance(presented, dict) and presented.get("value") == value:
            label = _norm(presented.get("label")) or label
    for option in options:
        if _norm(option.get("label")) == label:
            return option
    return None


def _ordered(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    indexed = list(enumerate(steps))
    indexed.sort(key=lambda p: (p[1].get("step_order", p[0]), p[0]))
    return [step for _, step in indexed]


def replay(tree: dict[str, Any] | None, steps: list[dict[str, Any]]) -> Position:
    """Follow the flow from its root along the steps, in step order.

    A question answered with one of the node's options moves to that option's node; an action
    done at an action node moves on to its next node (whether it worked or not: the flow asks
    next); a resolution at a solution node finishes the walk; an action at a solution node (a
    fix that "did not" work) is on the flow but ends it. Anything else (free text, "none of
    these", a step the flow does not have) leaves the flow, for good: later steps are off it.
    """
    index = node_index(tree) if tree else {}
    root = tree.get("id") if isinstance(tree, dict) else None
    node: dict[str, Any] | None = index.get(root) if isinstance(root, str) else None
    on_flow = counted = 0
    left = finished = False
    for step in _ordered(steps):
        kind = step.get("step_type")
        if kind in PATH_STEPS:
            counted += 1
        elif kind != "resolution":
            continue
        if node is None:
            left = left or not finished
            continue
        node_type = node.get("type")
        follows = _matches(node, step)
        if kind == "question" and node_type == "decision" and follows:
            option = chosen_option(node, step)
            if option is None:
                node, left = None, True
                continue
            on_flow += 1
            node = index.get(str(option.get("next_node_id")))
            left = node is None
        elif kind == "action" and node_type == "action" and follows:
            on_flow += 1
            node = index.get(str(node.get("next_node_id")))
            left = node is None
        elif kind == "action" and node_type == "solution" and follows:
            on_flow += 1
            node, left = None, True
        elif kind == "resolution" and node_type == "solution" and follows:
            node, finished = None, True
        else:
            node, left = None, True
    return Position(
        node_id=str(node["id"]) if node is not None else None,
        on_flow=on_flow,
        counted=counted,
        left_flow=left,
        finished=finished,
    )


def match_score(path: list[dict[str, Any]], tree: dict[str, Any] | None) -> float:
    """How much of a session's path stayed on its flow, 0..1: the share of its question and
    action steps taken, in order, on the flow before the walk first left it.

    - 1.0: every question was answered with one of the flow's options and every action was the
      flow's next node (a walk straight to a solution, or a part of one).
    - One answer typed instead of chosen after k steps on the flow, then m more steps: k/(k+1+m).
    - 0.0: no question or action steps, no flow, or the first step already off the flow.
    Notes (info steps) and the closing resolution step neither add nor take away. Rounded to 4
    places. This is the `match_score` the analysis reads (> 0.8 reinforces, > 0.5 with a typed
    answer enhances, < 0.5 proposes a new flow).
    """
    position = replay(tree, path)
    if not tree or position.counted == 0:
        return 0.0
    return round(position.on_flow / position.counted, 4)
