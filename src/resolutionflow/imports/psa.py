"""PSA ticket import: vendor records in, sessions out, in bulk, idempotent by ticket id."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.imports import repository as repo
from resolutionflow.imports.files import BadRecord
from resolutionflow.imports.mapping import session_in
from resolutionflow.imports.ticket import RecordError, Ticket
from resolutionflow.imports.vendors.common import Lookups
from resolutionflow.models import Account
from resolutionflow.models.base import utcnow
from resolutionflow.sessions import service as sessions_service
from resolutionflow.sessions.ingest import (
    analysis_status_for,
    session_problems,
    session_times,
    step_values,
)
from resolutionflow.sessions.schemas import SessionIn

CHUNK = 1000
# Imported sessions whose ticket may still change: open, or escalated and not yet closed.
OPEN = ("active", "escalated")
_DONE = object()  # a record whose ticket is already stored and finished
# Past this many new sessions, and each time they double, the planner's statistics are renewed.
STATISTICS_AFTER = 2000


@dataclass
class RecordProblem:
    record: int  # 1-based position in the file or the pull
    ticket_id: str | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "ticket_id": self.ticket_id,
            "field": self.field,
            "message": self.message,
        }

    def __str__(self) -> str:
        ticket = f" (ticket {self.ticket_id})" if self.ticket_id else ""
        return f"record {self.record}{ticket}: {self.field}: {self.message}"


@dataclass
class PsaSummary:
    vendor: str
    stored: int = 0
    updated: int = 0
    already_present: int = 0
    errors: list[RecordProblem] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return (
            self.stored + self.updated + self.already_present + len({e.record for e in self.errors})
        )

    def add(self, other: PsaSummary, offset: int = 0) -> None:
        self.stored += other.stored
        self.updated += other.updated
        self.already_present += other.already_present
        for e in other.errors:
            self.errors.append(RecordProblem(e.record + offset, e.ticket_id, e.field, e.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "stored": self.stored,
            "updated": self.updated,
            "already_present": self.already_present,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class _Prepared:
    number: int
    ticket: Ticket
    data: SessionIn


def _ticket_id_of(record: Any) -> str | None:
    if isinstance(record, dict):
        value = record.get("id")
        return str(value) if value is not None else None
    return None


def prepare(
    vendor: ModuleType, records: list[Any], lookups: Lookups, first_number: int, summary: PsaSummary
) -> list[_Prepared]:
    """Parse and check every record, reporting the bad ones; nothing touches the database."""
    ready: list[_Prepared] = []
    for number, record in enumerate(records, start=first_number):
        if record is _DONE:
            continue
        if isinstance(record, BadRecord):
            summary.errors.append(RecordProblem(number, None, "record", record.message))
            continue
        try:
            ticket = vendor.parse_ticket(record, lookups)
            data = session_in(ticket)
            problems = session_problems(data)
            if problems:
                raise RecordError(problems)
        except RecordError as exc:
            summary.errors += [
                RecordProblem(number, _ticket_id_of(record), p.location, p.message)
                for p in exc.problems
            ]
            continue
        ready.append(_Prepared(number, ticket, data))
    return ready


def _rows(
    account: Account, data: SessionIn, session_id: uuid.UUID, now: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created, resolved = session_times(data, now)
    values = {
        "account_id": account.id,
        "team_id": None,
        "engineer_id": None,
        "external_id": data.external_id,
        "problem_summary": data.problem_summary,
        "problem_domain": data.problem_domain,
        "status": data.status,
        "confidence_tier": "discovery",
        "confidence_score": 0.0,
        "matched_flow_id": None,
        "match_score": None,
        "resolution_summary": data.resolution_summary,
        "escalation_reason": data.escalation_reason,
        "psa_provider": data.psa_provider,
        "psa_ticket_id": data.psa_ticket_id,
        "customer": data.customer,
        "time_spent_minutes": data.time_spent_minutes,
        "created_at": created,
        "resolved_at": resolved,
        "analysis_status": analysis_status_for(data.status),
        "analysis_attempts": 0,
        "analysis_error": None,
    }
    steps = []
    for order, step in enumerate(data.steps):
        row = step_values(step, order)
        row.update(id=uuid.uuid4(), session_id=session_id, account_id=account.id)
        steps.append(row)
    return values, steps


async def _store(
    db: AsyncSession, account: Account, items: list[_Prepared], summary: PsaSummary
) -> None:
    """Write one chunk: new tickets in bulk, open ones that changed replaced, the rest left."""
    existing = await repo.existing_sessions(
        db, account.id, [i.data.external_id or "" for i in items]
    )
    now = utcnow()
    new_sessions: list[dict[str, Any]] = []
    new_steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        key = item.data.external_id or ""
        if key in seen:
            summary.already_present += 1  # the same ticket twice in one file: the first counts
            continue
        seen.add(key)
        found = existing.get(key)
        if found is None:
            session_id = uuid.uuid4()
            values, steps = _rows(account, item.data, session_id, now)
            values["id"] = session_id
            new_sessions.append(values)
            new_steps += steps
        elif found[1] in OPEN and item.data.status not in ("active", found[1]):
            # The ticket was open (or escalated, still open) at the last import and is finished
            # now: take its new state.
            values, steps = _rows(account, item.data, found[0], now)
            await repo.replace_session(db, account.id, found[0], values, steps)
            summary.updated += 1
        else:
            summary.already_present += 1
    if not new_sessions:
        return
    savepoint = await db.begin_nested()
    try:
        await repo.insert_sessions(db, new_sessions, new_steps)
        await savepoint.commit()
        summary.stored += len(new_sessions)
        return
    except IntegrityError:
        await savepoint.rollback()
    # Something in the chunk clashed (a concurrent import): take the records one at a time.
    by_session: dict[Any, list[dict[str, Any]]] = {}
    for step in new_steps:
        by_session.setdefault(step["session_id"], []).append(step)
    numbers = {i.data.external_id: (i.number, i.ticket.ticket_id) for i in items}
    for values in new_sessions:
        one = await db.begin_nested()
        try:
            await repo.insert_sessions(db, [values], by_session.get(values["id"], []))
            await one.commit()
            summary.stored += 1
        except IntegrityError as exc:
            await one.rollback()
            number, ticket_id = numbers[values["external_id"]]
            if await repo.existing_sessions(db, account.id, [values["external_id"]]):
                summary.already_present += 1
            else:
                summary.errors.append(
                    RecordProblem(number, ticket_id, "record", f"could not be stored: {exc.orig}")
                )


async def import_records(
    db: AsyncSession,
    *,
    account: Account,
    vendor: ModuleType,
    records: Iterable[Any],
    lookups: Lookups | None = None,
    first_number: int = 1,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
) -> PsaSummary:
    """Import vendor ticket records. Bad records are reported by position and skipped."""
    lookups = lookups or Lookups()
    summary = PsaSummary(vendor=vendor.NAME)
    items = records if isinstance(records, list) else list(records)
    batches = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
    # Tickets already imported and finished need no mapping at all: a re-run is cheap.
    keys = {f"{vendor.NAME}:{tid}" for r in items if (tid := _ticket_id_of(r)) is not None}
    known = await repo.existing_sessions(db, account.id, keys)
    finished = {key for key, (_id, status) in known.items() if status not in OPEN}

    def map_batch(index: int) -> tuple[list[_Prepared], PsaSummary]:
        """Pure work, run in a thread while the previous batch is being written."""
        part = PsaSummary(vendor=vendor.NAME)
        todo = []
        for record in batches[index]:
            tid = _ticket_id_of(record)
            if tid is not None and f"{vendor.NAME}:{tid}" in finished:
                part.already_present += 1
                todo.append(_DONE)
            else:
                todo.append(record)
        first = first_number + index * chunk_size
        return prepare(vendor, todo, lookups, first, part), part

    analysed_at = 0  # sessions stored when the statistics were last refreshed
    if len(items) >= chunk_size:
        await repo.refresh_statistics(db)
    upcoming = asyncio.create_task(asyncio.to_thread(map_batch, 0)) if batches else None
    try:
        for index in range(len(batches)):
            assert upcoming is not None
            ready, part = await upcoming
            upcoming = (
                asyncio.create_task(asyncio.to_thread(map_batch, index + 1))
                if index + 1 < len(batches)
                else None
            )
            summary.add(part)
            if summary.stored >= 2 * max(analysed_at, STATISTICS_AFTER):
                await repo.refresh_statistics(db)
                analysed_at = summary.stored
            await _store(db, account, ready, summary)
            if progress:
                progress(len(batches[index]))
    finally:
        if upcoming is not None:  # stopped by an error: the mapped batch is not wanted
            upcoming.cancel()
    summary.errors.sort(key=lambda e: e.record)
    if summary.stored or summary.updated:
        await sessions_service.data_changed(db, account_id=account.id)
    return summary
