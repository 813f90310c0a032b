"""A vendor-neutral ticket as a session to store: notes become steps, the company the customer."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from resolutionflow.errors import Problem, format_location
from resolutionflow.imports.ticket import MAX_STEPS, RecordError, Ticket, clip
from resolutionflow.sessions.schemas import SessionIn


def session_status(ticket: Ticket) -> str:
    """Closed tickets are resolved; open ones that left their first engineer are escalated."""
    if ticket.closed:
        return "resolved"
    if ticket.escalated:
        return "escalated"
    return "active"


def steps_of(ticket: Ticket) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    opening = ticket.description or ticket.summary
    content: dict[str, Any] = {"text": clip(opening), "type": "info", "source": ticket.vendor}
    if ticket.board:
        content["board"] = ticket.board
    if ticket.status:
        content["psa_status"] = ticket.status
    steps.append({"step_type": "info", "content": content})
    # Internal notes are what the engineers tried: each one is a free-text step.
    for note in (n for n in ticket.notes if n.internal):
        if len(steps) >= MAX_STEPS - 1:
            break
        text = clip(note.text)
        note_content: dict[str, Any] = {"text": text, "type": "note"}
        if note.author:
            note_content["author"] = note.author
        steps.append(
            {
                "step_type": "action",
                "content": note_content,
                "free_text_input": text,
                "was_free_text": True,
                "responded_at": note.at,
            }
        )
    if ticket.resolution and session_status(ticket) == "resolved":
        steps.append(
            {
                "step_type": "resolution",
                "content": {"text": clip(ticket.resolution), "type": "resolution"},
                "responded_at": ticket.closed_at,
            }
        )
    return steps


def session_in(ticket: Ticket) -> SessionIn:
    """The session for `ticket`, or RecordError with every field problem."""
    status = session_status(ticket)
    resolved_at = ticket.closed_at if status == "resolved" else None
    if status == "escalated":
        resolved_at = ticket.updated_at
    if resolved_at and ticket.created_at and resolved_at < ticket.created_at:
        resolved_at = ticket.created_at  # vendors sometimes stamp closing before opening
    resolution = clip(ticket.resolution) if status == "resolved" and ticket.resolution else None
    company = ticket.company.strip() if ticket.company else ""
    data = {
        "external_id": ticket.external_id,
        "problem_summary": clip(ticket.summary, 5000),
        "status": status,
        "resolution_summary": resolution,
        "escalation_reason": ticket.escalation_reason if status == "escalated" else None,
        "psa_provider": ticket.vendor,
        "psa_ticket_id": ticket.ticket_id[:100],
        "customer": clip(company, 255) if company else None,
        "time_spent_minutes": min(ticket.minutes, 100000) if ticket.minutes is not None else None,
        "created_at": ticket.created_at,
        "resolved_at": resolved_at,
        "steps": steps_of(ticket),
    }
    try:
        return SessionIn.model_validate(data)
    except ValidationError as exc:
        raise RecordError(
            [Problem(format_location(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None
