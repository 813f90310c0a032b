"""SQL for imports: existing imported sessions, bulk writes, pull cursors."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import JSON, String, Table, any_, cast, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import ImportCursor, Session, SessionStep
from resolutionflow.tenancy.scope import scoped


async def existing_sessions(
    db: AsyncSession, account_id: uuid.UUID, external_ids: Iterable[str]
) -> dict[str, tuple[uuid.UUID, str]]:
    """external_id -> (session id, status) for the ids the account already has."""
    wanted = list(set(external_ids))
    found: dict[str, tuple[uuid.UUID, str]] = {}
    postgres = db.get_bind().dialect.name == "postgresql"
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        # One array parameter on PostgreSQL: one plan, whatever the chunk's size.
        condition = (
            Session.external_id == any_(cast(array(chunk), ARRAY(String)))
            if postgres
            else Session.external_id.in_(chunk)
        )
        stmt = select(Session.external_id, Session.id, Session.status).where(
            Session.account_id == account_id, condition
        )
        for external_id, session_id, status in await db.execute(stmt):
            if external_id is not None:
                found[external_id] = (session_id, status)
    return found


async def insert_sessions(
    db: AsyncSession, sessions: list[dict[str, Any]], steps: list[dict[str, Any]]
) -> None:
    """Write many sessions and their steps: COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    if db.get_bind().dialect.name == "postgresql":
        await _copy(db, Session.__table__, sessions)  # type: ignore[arg-type]
        await _copy(db, SessionStep.__table__, steps)  # type: ignore[arg-type]
        return
    if sessions:
        await db.execute(insert(Session), sessions)
    for start in range(0, len(steps), 5000):
        await db.execute(insert(SessionStep), steps[start : start + 5000])


async def _copy(db: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows in binary through the transaction's own asyncpg connection.

    Row-by-row INSERTs spend most of a large import on round trips; COPY sends them in one
    stream, inside the same transaction (and savepoint) as everything else.
    """
    if not rows:
        return
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    records = [
        tuple(
            _json(row[c]) if c in json_columns and row[c] is not None else row[c] for c in columns
        )
        for row in rows
    ]
    connection = await db.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, records=records, columns=columns
    )


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def replace_session(
    db: AsyncSession,
    account_id: uuid.UUID,
    session_id: uuid.UUID,
    values: dict[str, Any],
    steps: list[dict[str, Any]],
) -> None:
    """Overwrite an imported session that was still open with what its ticket says now."""
    await db.execute(
        delete(SessionStep).where(
            SessionStep.session_id == session_id, SessionStep.account_id == account_id
        )
    )
    await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.account_id == account_id)
        .values(**values)
    )
    if steps:
        await db.execute(insert(SessionStep), steps)


async def refresh_statistics(db: AsyncSession) -> None:
    """ANALYZE the session tables on PostgreSQL, inside the import's own transaction.

    A bulk import grows the tables faster than autovacuum looks at them; with stale
    statistics the planner reads every session of the account to find a few external ids,
    and each chunk gets slower. ANALYZE in the same transaction counts its own new rows.
    """
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("ANALYZE sessions"))


async def cursor_for(db: AsyncSession, account_id: uuid.UUID, vendor: str) -> ImportCursor | None:
    stmt = scoped(ImportCursor, account_id).where(ImportCursor.vendor == vendor)
    found: ImportCursor | None = (await db.execute(stmt)).scalar_one_or_none()  # type: ignore[assignment]
    return found


async def add_cursor(db: AsyncSession, cursor: ImportCursor) -> ImportCursor:
    db.add(cursor)
    await db.flush()
    return cursor


async def add_rows(db: AsyncSession, *rows: object) -> None:
    """New rows (an article's session, its step and its proposal), written now."""
    db.add_all(rows)
    await db.flush()
