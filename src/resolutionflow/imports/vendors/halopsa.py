"""HaloPSA: Tickets and their Actions (REST API `/api/Tickets`, `/api/Actions`).

A ticket: `{id, summary, details, status_id, status_name, client_id, client_name, user_name,
team, agent_id, dateoccurred, datecreated, dateclosed, last_update, timetaken}`. Actions:
`{id, ticket_id, outcome, note, note_html, who, datetime, timetaken, hiddenfromuser}`;
`hiddenfromuser` marks the private (internal) ones. Status 9 is Closed in every instance.
"""

from __future__ import annotations

import re
from typing import Any

from resolutionflow.errors import Problem
from resolutionflow.imports.ticket import (
    ESCALATION_WORDS,
    Note,
    RecordError,
    Ticket,
    html_to_text,
    parse_time,
    require_id,
)
from resolutionflow.imports.vendors.common import Lookups, embedded_list, split_bundle

NAME = "halopsa"
CLOSED = 9
RESOLVING = re.compile(r"resol|closed?\b|complet|fix", re.IGNORECASE)


def bundle(data: Any) -> tuple[list[Any], Lookups]:
    tickets, lookups = split_bundle(data, "tickets", {"actions": "ticket_id"}, {})
    if isinstance(data, dict):
        lookups.add_by_id("statuses", data.get("statuses"))
    return tickets, lookups


def parse_ticket(record: Any, lookups: Lookups | None = None) -> Ticket:
    lookups = lookups or Lookups()
    ticket_id = require_id(record, "id")
    problems: list[Problem] = []
    summary = record.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        problems.append(Problem("summary", "is required"))
    status_id = record.get("status_id")
    status_row = lookups.get("statuses", status_id)
    status = str(record.get("status_name") or (status_row or {}).get("name") or "")
    actions = embedded_list(record, "actions", "actions") or lookups.of("actions", ticket_id)
    ticket = Ticket(
        vendor=NAME,
        ticket_id=ticket_id,
        summary=summary.strip() if isinstance(summary, str) else "",
        description=html_to_text(record.get("details_html") or record.get("details")),
        status=status,
        company=record.get("client_name") or None,
        contact=record.get("user_name") or None,
        board=record.get("team") or None,
        created_at=parse_time(
            record.get("dateoccurred") or record.get("datecreated"), "dateoccurred", problems
        ),
        closed_at=parse_time(record.get("dateclosed"), "dateclosed", problems),
        updated_at=parse_time(record.get("last_update"), "last_update", problems),
    )
    ticket.closed = status_id == CLOSED or status.lower() in ("closed", "resolved", "completed")
    resolutions: list[str] = []
    escalations: list[str] = []
    hours = 0.0
    for i, action in enumerate(sorted(actions, key=lambda a: str(a.get("datetime") or ""))):
        outcome = str(action.get("outcome") or "")
        text = html_to_text(action.get("note_html") or action.get("note"))
        at = parse_time(action.get("datetime"), f"actions[{i}].datetime", problems)
        taken = action.get("timetaken")
        if isinstance(taken, int | float) and not isinstance(taken, bool) and taken > 0:
            hours += float(taken)
        if ESCALATION_WORDS.search(outcome):
            escalations.append(f"{outcome}: {text}" if text else outcome)
        if not text:
            continue
        if RESOLVING.search(outcome):
            resolutions.append(text)
        else:
            ticket.notes.append(
                Note(
                    text,
                    internal=bool(action.get("hiddenfromuser")),
                    at=at,
                    author=action.get("who"),
                )
            )
    if problems:
        raise RecordError(problems)
    ticket.resolution = "\n\n".join(resolutions) or (
        html_to_text(record.get("clearance_note")) or None
    )
    taken = record.get("timetaken")
    if isinstance(taken, int | float) and not isinstance(taken, bool) and taken > 0:
        hours = float(taken)
    ticket.minutes = round(hours * 60) if hours else None
    if escalations:
        ticket.escalated = True
        ticket.escalation_reason = "Escalated in HaloPSA: " + escalations[-1]
    elif ESCALATION_WORDS.search(status):
        ticket.escalated = True
        ticket.escalation_reason = f"Escalated in HaloPSA: status '{status}'"
    return ticket


def updated_at(record: dict[str, Any]) -> str | None:
    return record.get("last_update")
