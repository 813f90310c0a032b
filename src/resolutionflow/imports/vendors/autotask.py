"""Autotask (Datto) PSA: Tickets, TicketNotes and TimeEntries entities (REST API v1.0).

A ticket: `{id, ticketNumber, title, description, status, queueID, companyID, contactID,
createDate, completedDate, lastActivityDate, resolution}` where status and queueID are
picklist values (status 5 is Complete in every instance). Notes: `{id, ticketID, title,
description, noteType, publish, createDateTime}`. Time entries: `{id, ticketID, hoursWorked,
summaryNotes, internalNotes, startDateTime}`. Companies `{id, companyName}`, contacts
`{id, firstName, lastName}`. A bundle may carry the picklists it uses
(`picklists: {status: [{value, label}], queueID: [...]}`, as entityInformation/fields answers).
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
    parse_time,
    require_id,
)
from resolutionflow.imports.vendors.common import Lookups, embedded_list, split_bundle

NAME = "autotask"
COMPLETE = 5  # the status picklist value Autotask reserves for Complete
DEFAULT_STATUS = {1: "New", 5: "Complete", 7: "Waiting Customer", 8: "In Progress"}


def bundle(data: Any) -> tuple[list[Any], Lookups]:
    tickets, lookups = split_bundle(
        data,
        "tickets",
        {"ticketNotes": "ticketID", "timeEntries": "ticketID"},
        {"companies": "companies", "contacts": "contacts"},
    )
    if isinstance(data, dict):
        add_picklists(lookups, data.get("picklists"))
    return tickets, lookups


def add_picklists(lookups: Lookups, picklists: Any) -> None:
    if not isinstance(picklists, dict):
        return
    for field, values in picklists.items():
        lookups.add_by_id(f"picklist:{field}", values, key="value")


def _label(lookups: Lookups, field: str, value: Any) -> str:
    entry = lookups.get(f"picklist:{field}", value)
    if entry and entry.get("label"):
        return str(entry["label"])
    if field == "status" and isinstance(value, int) and value in DEFAULT_STATUS:
        return DEFAULT_STATUS[value]
    return "" if value is None else str(value)


def _number(value: Any, where: str, problems: list[Problem]) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(Problem(where, "must be a number of hours, 0 or more"))
        return 0.0
    return float(value)


def parse_ticket(record: Any, lookups: Lookups | None = None) -> Ticket:
    lookups = lookups or Lookups()
    ticket_id = require_id(record, "id")
    problems: list[Problem] = []
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem("title", "is required"))
    status_value = record.get("status")
    if status_value is not None and (
        isinstance(status_value, bool) or not isinstance(status_value, int)
    ):
        problems.append(Problem("status", "must be a picklist value (an integer)"))
        status_value = None
    status = _label(lookups, "status", status_value)
    queue = _label(lookups, "queueID", record.get("queueID")) or None
    company = lookups.get("companies", record.get("companyID"))
    contact = lookups.get("contacts", record.get("contactID"))
    notes = embedded_list(record, "ticketNotes", "ticketNotes") or lookups.of(
        "ticketNotes", ticket_id
    )
    entries = embedded_list(record, "timeEntries", "timeEntries") or lookups.of(
        "timeEntries", ticket_id
    )
    ticket = Ticket(
        vendor=NAME,
        ticket_id=ticket_id,
        summary=title.strip() if isinstance(title, str) else "",
        description=html_to_text(record.get("description")),
        status=status,
        board=queue,
        company=(company or {}).get("companyName"),
        contact=" ".join(
            str(p) for p in ((contact or {}).get("firstName"), (contact or {}).get("lastName")) if p
        )
        or None,
        created_at=parse_time(record.get("createDate"), "createDate", problems),
        closed_at=parse_time(record.get("completedDate"), "completedDate", problems),
        updated_at=parse_time(record.get("lastActivityDate"), "lastActivityDate", problems),
        resolution=html_to_text(record.get("resolution")) or None,
    )
    ticket.closed = status_value == COMPLETE or status.lower() in ("complete", "closed")
    for i, note in enumerate(notes):
        text = html_to_text(note.get("description"))
        title_text = (note.get("title") or "").strip()
        if not text and not title_text:
            continue
        at = parse_time(note.get("createDateTime"), f"ticketNotes[{i}].createDateTime", problems)
        body = f"{title_text}: {text}" if title_text and text else text or title_text
        # publish 1 is "All Autotask Users" (internal); 2 and 3 reach co-managing or customers.
        ticket.notes.append(Note(body, internal=note.get("publish", 1) == 1, at=at))
    hours = 0.0
    for i, entry in enumerate(entries):
        hours += _number(entry.get("hoursWorked"), f"timeEntries[{i}].hoursWorked", problems)
        at = parse_time(entry.get("startDateTime"), f"timeEntries[{i}].startDateTime", problems)
        for key in ("summaryNotes", "internalNotes"):
            text = html_to_text(entry.get(key))
            if text:
                ticket.notes.append(Note(text, internal=True, at=at))
    if problems:
        raise RecordError(problems)
    ticket.notes.sort(key=lambda n: (n.at is None, n.at))
    ticket.minutes = round(hours * 60) if entries else None
    if ESCALATION_WORDS.search(status) or (queue and ESCALATION_WORDS.search(queue)):
        ticket.escalated = True
        where = f"status '{status}'" if ESCALATION_WORDS.search(status) else f"queue '{queue}'"
        ticket.escalation_reason = f"Escalated in Autotask: {where}"
    return ticket


def updated_at(record: dict[str, Any]) -> str | None:
    return record.get("lastActivityDate")
