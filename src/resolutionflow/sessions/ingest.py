"""Turn validated session input into rows: defaults, cross-field checks, analysis status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from resolutionflow.errors import Problem
from resolutionflow.sessions.schemas import SessionIn, StepIn


def analysis_status_for(status: str) -> str | None:
    """Only resolved sessions are analysed; finished unresolved ones are skipped; active wait."""
    if status == "resolved":
        return "pending"
    if status == "active":
        return None
    return "skipped"


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def default_tier(match_score: float | None, has_match: bool) -> str:
    if not has_match:
        return "discovery"
    score = match_score or 0.0
    if score > 0.8:
        return "high"
    if score > 0.5:
        return "medium"
    return "low"


def step_problems(steps: list[StepIn], *, first_order: int = 0) -> list[Problem]:
    """Cross-field problems in steps that the field types cannot express."""
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for position, step in enumerate(steps):
        where = f"steps[{position}]"
        order = step.step_order if step.step_order is not None else first_order + position
        if order in seen:
            problems.append(
                Problem(f"{where}.step_order", f"{order} is already used by steps[{seen[order]}]")
            )
        seen[order] = position
        if step.selected_option is not None:
            values = [o.value for o in step.options_presented or []]
            if not values:
                problems.append(
                    Problem(f"{where}.selected_option", "given but options_presented is empty")
                )
            elif step.selected_option not in values:
                problems.append(
                    Problem(
                        f"{where}.selected_option",
                        f"'{step.selected_option}' is not one of the presented values "
                        f"({', '.join(values)})",
                    )
                )
        if step.options_presented:
            values = [o.value for o in step.options_presented]
            dup = sorted({v for v in values if values.count(v) > 1})
            if dup:
                problems.append(
                    Problem(f"{where}.options_presented", f"duplicate value(s): {', '.join(dup)}")
                )
    return problems


def session_problems(data: SessionIn) -> list[Problem]:
    problems = step_problems(data.steps)
    created, resolved = aware(data.created_at), aware(data.resolved_at)
    if created and resolved and resolved < created:
        problems.append(Problem("resolved_at", "is before created_at"))
    if data.status == "active" and data.resolved_at is not None:
        problems.append(Problem("resolved_at", "an active session has no resolved_at"))
    if data.team and data.team_id:
        problems.append(Problem("team", "give team or team_id, not both"))
    if data.engineer and data.engineer_id:
        problems.append(Problem("engineer", "give engineer or engineer_id, not both"))
    if data.matched_flow and data.matched_flow_id:
        problems.append(Problem("matched_flow", "give matched_flow or matched_flow_id, not both"))
    return problems


def step_values(step: StepIn, order: int) -> dict[str, Any]:
    """Column values for one step, with the documented defaults filled in."""
    if isinstance(step.content, str):
        content: dict[str, Any] = {"text": step.content, "type": step.step_type}
    else:
        content = step.content.model_dump(exclude_none=True)
        content.setdefault("type", step.step_type)
    context = step.context_message
    if context is None and step.step_type == "question":
        context = content.get("text") or None
    free_text = step.free_text_input if step.free_text_input else None
    was_free_text = step.was_free_text if step.was_free_text is not None else bool(free_text)
    return {
        "step_order": order,
        "step_type": step.step_type,
        "content": content,
        "context_message": context,
        "options_presented": (
            [o.model_dump() for o in step.options_presented]
            if step.options_presented is not None
            else None
        ),
        "selected_option": step.selected_option,
        "free_text_input": free_text,
        "was_free_text": was_free_text,
        "was_skipped": step.was_skipped,
        "action_result": step.action_result.model_dump() if step.action_result else None,
        "responded_at": aware(step.responded_at),
    }


def session_times(data: SessionIn, now: datetime) -> tuple[datetime, datetime | None]:
    """created_at defaults to now; a finished session without resolved_at ends after its time."""
    created = aware(data.created_at) or now
    resolved = aware(data.resolved_at)
    if resolved is None and data.status != "active":
        minutes = data.time_spent_minutes or 0
        resolved = max(created + timedelta(minutes=minutes), created)
        if resolved > now and created <= now:
            resolved = now
    return created, resolved
