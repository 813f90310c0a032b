"""ConnectWise Manage (PSA): service tickets, their notes and time entries (REST API 3.0).

A ticket: `{id, summary, board {id, name}, status {id, name}, company {id, identifier, name},
contact {id, name}, closedFlag, closedDate, actualHours, resolveMinutes, _info {dateEntered,
lastUpdated}}`. Notes (`/service/tickets/{id}/notes`): `{id, ticketId, text,
detailDescriptionFlag, internalAnalysisFlag, resolutionFlag, internalFlag, member {name},
dateCreated}`. Time entries (`/time/entries`, chargeToType ServiceTicket): `{id, chargeToId,
notes, internalNotes, addToDetailDescriptionFlag, addToInternalAnalysisFlag,
addToResolutionFlag, actualHours, timeStart, member {name}}`.
"""

from __future__ import annotations

from typing import Any

from resolutionflow.errors import Problem
from resolutionflow.imports.ticket import (
    ESCALATION_WORDS,
    Note,
    RecordError,
    Ticket,
    html_to_text,
    name_of,
    parse_time,
    require_id,
)
from resolutionflow.imports.vendors.common import Lookups, embedded_list, split_bundle

NAME = "connectwise"
CLOSED_WORDS = ("closed", "completed", "resolved", "cancelled")


def bundle(data: Any) -> tuple[list[Any], Lookups]:
    return split_bundle(
        data,
        "tickets",
        {"notes": "ticketId", "timeEntries": "chargeToId"},
        {},
    )


def _hours(value: Any, where: str, problems: list[Problem]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(Problem(where, "must be a number of hours, 0 or more"))
        return None
    return float(value)


def parse_ticket(record: Any, lookups: Lookups | None = None) -> Ticket:
    lookups = lookups or Lookups()
    ticket_id = require_id(record, "id")
    problems: list[Problem] = []
    summary = record.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        problems.append(Problem("summary", "is required"))
    info = record.get("_info") if isinstance(record.get("_info"), dict) else {}
    status = name_of(record.get("status")) or ""
    board = name_of(record.get("board"))
    notes = embedded_list(record, "notes", "notes") or lookups.of("notes", ticket_id)
    entries = embedded_list(record, "timeEntries", "timeEntries") or lookups.of(
        "timeEntries", ticket_id
    )
    ticket = Ticket(
        vendor=NAME,
        ticket_id=ticket_id,
        summary=(summary or "").strip() if isinstance(summary, str) else "",
        status=status,
        company=name_of(record.get("company")) or record.get("companyName"),
        contact=name_of(record.get("contact")) or record.get("contactName"),
        board=board,
        created_at=parse_time(
            info.get("dateEntered") or record.get("dateEntered"), "_info.dateEntered", problems
        ),
        updated_at=parse_time(info.get("lastUpdated"), "_info.lastUpdated", problems),
        closed_at=parse_time(record.get("closedDate"), "closedDate", problems),
    )
    ticket.closed = bool(record.get("closedFlag")) or status.lower().lstrip(">").startswith(
        CLOSED_WORDS
    )
    hours = _hours(record.get("actualHours"), "actualHours", problems)
    resolutions: list[str] = []
    description: list[str] = []
    for i, note in enumerate(sorted(notes, key=lambda n: str(n.get("dateCreated") or ""))):
        text = html_to_text(note.get("text"))
        if not text:
            continue
        at = parse_time(note.get("dateCreated"), f"notes[{i}].dateCreated", problems)
        author = name_of(note.get("member")) or name_of(note.get("contact"))
        if note.get("resolutionFlag"):
            resolutions.append(text)
        elif note.get("detailDescriptionFlag") and not description:
            description.append(text)
        elif note.get("internalAnalysisFlag") or note.get("internalFlag"):
            ticket.notes.append(Note(text, internal=True, at=at, author=author))
        else:
            ticket.notes.append(Note(text, internal=False, at=at, author=author))
    entry_hours = 0.0
    for i, entry in enumerate(entries):
        if entry.get("chargeToType") not in (None, "ServiceTicket"):
            continue
        at = parse_time(entry.get("timeStart"), f"timeEntries[{i}].timeStart", problems)
        author = name_of(entry.get("member"))
        entry_hours += (
            _hours(entry.get("actualHours"), f"timeEntries[{i}].actualHours", problems) or 0.0
        )
        internal = html_to_text(entry.get("internalNotes"))
        if internal:
            ticket.notes.append(Note(internal, internal=True, at=at, author=author))
        text = html_to_text(entry.get("notes"))
        if text and entry.get("addToResolutionFlag"):
            resolutions.append(text)
        elif text:
            ticket.notes.append(
                Note(
                    text,
                    internal=bool(entry.get("addToInternalAnalysisFlag")),
                    at=at,
                    author=author,
                )
            )
    if problems:
        raise RecordError(problems)
    ticket.notes.sort(key=lambda n: (n.at is None, n.at))
    ticket.description = description[0] if description else ""
    ticket.resolution = "\n\n".join(resolutions) or None
    total = hours if hours is not None else (entry_hours or None)
    ticket.minutes = round(total * 60) if total is not None else None
    reason = None
    if ESCALATION_WORDS.search(status):
        reason = f"status '{status}'"
    elif board and ESCALATION_WORDS.search(board):
        reason = f"moved to board '{board}'"
    if reason:
        ticket.escalated = True
        ticket.escalation_reason = f"Escalated in ConnectWise: {reason}"
    return ticket


def updated_at(record: dict[str, Any]) -> str | None:
    info = record.get("_info")
    return info.get("lastUpdated") if isinstance(info, dict) else None
