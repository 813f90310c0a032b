"""The steps the runner records, built in the import format so a session run in the browser
is stored, transcribed and analysed exactly like an imported one. Pure.

Each builder returns a dict that `sessions.schemas.StepIn` accepts. Steps taken at a flow
node carry its id in `content.node_id` (the import format keeps extra content keys), which
is how `runner.walk.replay` finds the node again even if the wording is edited later.
"""

from __future__ import annotations

from typing import Any

NONE_OF_THESE = "None of these"


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def node_question(node: dict[str, Any]) -> str:
    """What a decision node asks (its title when it has no question)."""
    return str(node.get("question") or node.get("title") or "Question").strip()


def node_title(node: dict[str, Any]) -> str:
    return str(node.get("title") or node.get("description") or node.get("id") or "").strip()


def question_step(
    node: dict[str, Any],
    *,
    option_id: str | None = None,
    free_text: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A question answered at a decision node: one of its options (with an optional note), or
    "none of these" with the engineer's own answer (`free_text`, which marks it free text)."""
    question = node_question(node)
    answer = _clean(free_text)
    return {
        "step_type": "question",
        "content": {"text": question, "type": "question", "node_id": node.get("id")},
        "context_message": question,
        "options_presented": [
            {"value": str(o["id"]), "label": str(o.get("label") or o["id"])}
            for o in node.get("options") or []
            if isinstance(o, dict) and o.get("id")
        ],
        "selected_option": None if answer else option_id,
        "free_text_input": answer or _clean(note),
        "was_free_text": bool(answer),
    }


def action_step(node: dict[str, Any], *, worked: bool, notes: str | None = None) -> dict[str, Any]:
    """An action node done: it worked, or it did not fix it; notes become the result details."""
    return {
        "step_type": "action",
        "content": {"text": node_title(node), "type": "action", "node_id": node.get("id")},
        "action_result": {"success": worked, "details": _clean(notes)},
    }


def solution_step(
    node: dict[str, Any], *, resolved: bool, notes: str | None = None
) -> dict[str, Any]:
    """A solution tried: "resolved it" is the resolution step; "did not" is a failed action
    (the fix was tried and did not work), after which the walk is off the flow."""
    if resolved:
        return {
            "step_type": "resolution",
            "content": {"text": node_title(node), "type": "resolution", "node_id": node.get("id")},
        }
    return {
        "step_type": "action",
        "content": {"text": node_title(node), "type": "action", "node_id": node.get("id")},
        "action_result": {"success": False, "details": _clean(notes)},
    }


def free_question(question: str, found: str) -> dict[str, Any]:
    """A question the engineer asked on their own, and what they found (no options: free text)."""
    return {
        "step_type": "question",
        "content": {"text": question.strip(), "type": "question"},
        "context_message": question.strip(),
        "free_text_input": _clean(found),
        "was_free_text": bool(_clean(found)),
    }


def free_action(action: str, *, worked: bool, result: str | None = None) -> dict[str, Any]:
    """An action the engineer took on their own, and its result."""
    return {
        "step_type": "action",
        "content": {"text": action.strip(), "type": "action"},
        "action_result": {"success": worked, "details": _clean(result)},
    }


def note_step(text: str) -> dict[str, Any]:
    """A note: an info step, which the analysis reads and the match score ignores."""
    return {"step_type": "info", "content": {"text": text.strip(), "type": "info"}}
