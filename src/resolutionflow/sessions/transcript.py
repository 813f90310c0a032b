"""Readable and structured descriptions of a session, and the diagnostic path it took.

Three views of one session dict (the shape in the shared session format):
`build_transcript` is the numbered text a reviewer or a model reads; `session_payload` is the
compact structured form sent alongside it; `diagnostic_path` reduces a payload to the steps
a flow is built from. Everything here is pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SPACE = re.compile(r"\s+")


def one_line(value: Any) -> str:
    """Session text on a single line: engineers paste logs, and a stray newline must not be
    able to forge a new transcript line."""
    if value is None:
        return ""
    return _SPACE.sub(" ", str(value)).strip()


def _sorted_steps(session: dict[str, Any]) -> list[dict[str, Any]]:
    steps = [s for s in session.get("steps") or [] if isinstance(s, dict)]
    indexed = list(enumerate(steps))
    # A missing step_order falls back to the position, as on import.
    indexed.sort(key=lambda pair: (_order(pair[1], pair[0]), pair[0]))
    return [step for _, step in indexed]


def _order(step: dict[str, Any], position: int) -> int:
    order = step.get("step_order")
    return order if isinstance(order, int) else position


def _content(step: dict[str, Any]) -> dict[str, Any]:
    content = step.get("content")
    return content if isinstance(content, dict) else {}


def step_text(step: dict[str, Any]) -> str:
    content = _content(step)
    return one_line(content.get("text")) or one_line(step.get("context_message"))


def step_kind(step: dict[str, Any]) -> str:
    """The step's type: the content's own type first, as the step was rendered, then the
    stored step_type."""
    content = _content(step)
    return one_line(content.get("type") or step.get("step_type") or "info")


def option_labels(step: dict[str, Any]) -> list[str]:
    labels: list[str] = []
    for option in step.get("options_presented") or []:
        if isinstance(option, dict):
            label = one_line(option.get("label")) or one_line(option.get("value"))
            if label:
                labels.append(label)
    return labels


def selected_label(step: dict[str, Any]) -> str | None:
    """The label of the chosen option; its raw value if no presented option carries it."""
    value = step.get("selected_option")
    if value is None or value == "":
        return None
    for option in step.get("options_presented") or []:
        if isinstance(option, dict) and option.get("value") == value:
            return one_line(option.get("label")) or one_line(value)
    return one_line(value)


def _free_text(step: dict[str, Any]) -> str:
    return one_line(step.get("free_text_input"))


def _free_text_is_answer(step: dict[str, Any]) -> bool:
    """Free text is the answer when flagged so, or when no option was chosen; otherwise it is
    a note next to the chosen option."""
    if not _free_text(step):
        return False
    return bool(step.get("was_free_text")) or selected_label(step) is None


def _result(step: dict[str, Any]) -> dict[str, Any] | None:
    result = step.get("action_result")
    if not isinstance(result, dict):
        return None
    return {"success": bool(result.get("success")), "details": one_line(result.get("details"))}


def _percent(score: Any) -> str:
    try:
        value = float(score)
    except (TypeError, ValueError):
        value = 0.0
    return f"{value:.0%}"


def build_transcript(session: dict[str, Any]) -> str:
    """The session as numbered text: the header, then each step and what the engineer did."""
    lines = [
        f"Problem: {one_line(session.get('problem_summary')) or 'Unknown'}",
        f"Domain: {one_line(session.get('problem_domain')) or 'Unknown'}",
        f"Confidence at resolution: {one_line(session.get('confidence_tier')) or 'unknown'}"
        f" ({_percent(session.get('confidence_score'))})",
        f"Resolution: {one_line(session.get('resolution_summary')) or 'No summary recorded'}",
    ]
    if one_line(session.get("escalation_reason")):
        lines.append(f"Escalation reason: {one_line(session['escalation_reason'])}")
    steps = _sorted_steps(session)
    if steps:
        lines.append("")
        lines.append("Diagnostic trail:")
    for number, step in enumerate(steps, start=1):
        lines.append(f"Step {number} [{step_kind(step)}]: {step_text(step) or '(no text)'}")
        lines.extend(f"  -> {outcome}" for outcome in _outcomes(step))
    return "\n".join(lines)


def _outcomes(step: dict[str, Any]) -> list[str]:
    """What the engineer did at a step, one answer only: skipped, else the option chosen, else
    the free text typed; then the action's result."""
    outcomes: list[str] = []
    label = selected_label(step)
    if step.get("was_skipped"):
        outcomes.append("Skipped")
    elif label is not None:
        outcomes.append(f"Selected: {label}")
    elif _free_text(step):
        outcomes.append(f"Free text: {_free_text(step)}")
    result = _result(step)
    if result is not None:
        outcome = "Succeeded" if result["success"] else "Did not resolve"
        if result["details"]:
            outcome += f" - {result['details']}"
        outcomes.append(f"Result: {outcome}")
    return outcomes


def session_payload(session: dict[str, Any]) -> dict[str, Any]:
    """The fields a flow builder needs, compact and JSON-serialisable; empty fields left out."""
    steps: list[dict[str, Any]] = []
    for number, step in enumerate(_sorted_steps(session), start=1):
        item: dict[str, Any] = {"n": number, "type": step_kind(step), "text": step_text(step)}
        labels = option_labels(step)
        if labels:
            item["options"] = labels
        if step.get("was_skipped"):
            item["skipped"] = True
        else:
            label = selected_label(step)
            if _free_text_is_answer(step):
                item["free_text"] = _free_text(step)
            elif label is not None:
                item["selected"] = label
                if _free_text(step):
                    item["note"] = _free_text(step)
        result = _result(step)
        if result is not None:
            item["result"] = {k: v for k, v in result.items() if v != ""}
        steps.append(item)
    payload: dict[str, Any] = {
        "session_id": one_line(session.get("id")) or None,
        "problem_summary": one_line(session.get("problem_summary")),
        "problem_domain": one_line(session.get("problem_domain")) or None,
        "confidence_tier": one_line(session.get("confidence_tier")) or None,
        "confidence_score": _score(session.get("confidence_score")),
        "resolution_summary": one_line(session.get("resolution_summary")) or None,
        "escalation_reason": one_line(session.get("escalation_reason")) or None,
        "steps": steps,
    }
    return {k: v for k, v in payload.items() if v is not None}


def _score(value: Any) -> float:
    try:
        return round(float(value), 4)
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True)
class PathStep:
    """One step of the route a session took, as a flow would chart it.

    kind is "question" (answer = the label taken, free = it was typed rather than chosen),
    "action" (success/details = the result seen) or "resolution". notes are the info steps
    that came just before it.
    """

    kind: str
    text: str
    options: tuple[str, ...] = ()
    answer: str = ""
    free: bool = False
    success: bool | None = None
    details: str = ""
    notes: tuple[str, ...] = ()


def diagnostic_path(payload: dict[str, Any]) -> list[PathStep]:
    """The charted route of a session payload: answered questions and actions in order, then
    one resolution. Skipped or unanswered questions are left out; info steps become notes on
    whatever comes next; resolution steps and the summary make the final step."""
    path: list[PathStep] = []
    notes: list[str] = []
    resolutions: list[str] = []
    for step in payload.get("steps") or []:
        kind, text = step.get("type"), one_line(step.get("text"))
        if kind == "question":
            if step.get("skipped"):
                continue
            answer, free = one_line(step.get("selected")), False
            if step.get("free_text"):
                answer, free = one_line(step["free_text"]), True
            if not answer:
                continue
            options = tuple(one_line(o) for o in step.get("options") or [] if one_line(o))
            path.append(PathStep("question", text, options, answer, free, notes=tuple(notes)))
            notes = []
        elif kind == "action":
            result = step.get("result") or {}
            success = bool(result["success"]) if "success" in result else None
            details = one_line(result.get("details"))
            path.append(
                PathStep("action", text, success=success, details=details, notes=tuple(notes))
            )
            notes = []
        elif kind == "resolution":
            if text:
                resolutions.append(text)
        elif text:
            notes.append(text)
    summary = one_line(payload.get("resolution_summary"))
    text = summary or (resolutions[-1] if resolutions else "")
    details = " ".join(r for r in resolutions if r != text)
    path.append(PathStep("resolution", text, details=details, notes=tuple(notes)))
    return path
