"""SQL for sessions and their steps."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import rowcount
from resolutionflow.models import Account, FlowProposal, Session, SessionStep
from resolutionflow.tenancy.scope import scoped


async def existing_external_ids(
    db: AsyncSession, account_id: uuid.UUID, external_ids: Iterable[str]
) -> set[str]:
    wanted = list(set(external_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Session.external_id).where(
            Session.account_id == account_id, Session.external_id.in_(chunk)
        )
        found.update(x for x in (await db.execute(stmt)).scalars() if x is not None)
    return found


async def steps_of(db: AsyncSession, session_id: uuid.UUID) -> list[SessionStep]:
    stmt = (
        select(SessionStep)
        .where(SessionStep.session_id == session_id)
        .order_by(SessionStep.step_order)
    )
    return list((await db.execute(stmt)).scalars())


async def list_sessions(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    analysis_status: str | None = None,
    status: str | None = None,
    domain: str | None = None,
    skip: int = 0,
    limit: int | None = None,
) -> list[Session]:
    stmt = scoped(Session, account_id)
    if analysis_status:
        stmt = stmt.where(Session.analysis_status == analysis_status)
    if status:
        stmt = stmt.where(Session.status == status)
    if domain:
        stmt = stmt.where(Session.problem_domain == domain)
    stmt = stmt.order_by(Session.created_at.desc(), Session.id).offset(skip)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await db.execute(stmt)).scalars())


async def data_version(db: AsyncSession, account_id: uuid.UUID) -> int:
    stmt = select(Account.data_version).where(Account.id == account_id)
    return int((await db.execute(stmt)).scalar_one_or_none() or 0)


async def bump_data_version(db: AsyncSession, account_id: uuid.UUID) -> None:
    """Mark the account's session data as changed (caches of derived reports go stale)."""
    await db.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(data_version=Account.data_version + 1)
    )


async def proposal_about_session(
    db: AsyncSession, account_id: uuid.UUID, session_id: uuid.UUID
) -> FlowProposal | None:
    """The proposal a session produced, or the one it was merged into."""
    stmt = (
        select(FlowProposal)
        .join(Session, Session.proposal_id == FlowProposal.id)
        .where(Session.id == session_id, FlowProposal.account_id == account_id)
    )
    found = (await db.execute(stmt)).scalar_one_or_none()
    if found is None:
        stmt = select(FlowProposal).where(
            FlowProposal.source_session_id == session_id, FlowProposal.account_id == account_id
        )
        found = (await db.execute(stmt)).scalar_one_or_none()
    return found


async def requeue_failed(
    db: AsyncSession,
    *,
    account_id: uuid.UUID | None = None,
    session_ids: list[uuid.UUID] | None = None,
) -> int:
    """Put failed sessions back in the analysis queue with a fresh attempt count."""
    stmt = update(Session).where(Session.analysis_status == "failed")
    if account_id is not None:
        stmt = stmt.where(Session.account_id == account_id)
    if session_ids is not None:
        stmt = stmt.where(Session.id.in_(session_ids))
    result = await db.execute(
        stmt.values(
            analysis_status="pending",
            analysis_attempts=0,
            analysis_not_before=None,
            analysis_error=None,
        ).execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def counts_by_analysis_status(
    db: AsyncSession, *, account_id: uuid.UUID | None = None
) -> dict[str, int]:
    stmt = select(Session.analysis_status, func.count()).group_by(Session.analysis_status)
    if account_id is not None:
        stmt = stmt.where(Session.account_id == account_id)
    return {status or "none": int(n) for status, n in (await db.execute(stmt)).all()}


async def insert_steps(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many steps in one statement (executemany)."""
    if rows:
        await db.execute(insert(SessionStep), rows)


async def next_step_order(db: AsyncSession, session_id: uuid.UUID) -> int:
    """One past the highest step_order of the session (0 for a session without steps)."""
    stmt = select(func.max(SessionStep.step_order)).where(SessionStep.session_id == session_id)
    highest = (await db.execute(stmt)).scalar_one_or_none()
    return 0 if highest is None else int(highest) + 1


async def delete_step(db: AsyncSession, session_id: uuid.UUID, step_order: int) -> int:
    """Delete one step by its order; the number of rows deleted (0 or 1)."""
    result = await db.execute(
        delete(SessionStep).where(
            SessionStep.session_id == session_id, SessionStep.step_order == step_order
        )
    )
    return rowcount(result)


async def sessions_by_ref(
    db: AsyncSession, ref: str, account_id: uuid.UUID | None = None
) -> list[Session]:
    """Sessions whose internal id or external id is `ref` (of one account, or of any)."""
    try:
        key: uuid.UUID | None = uuid.UUID(ref)
    except ValueError:
        key = None
    match = Session.external_id == ref
    if key is not None:
        match = match | (Session.id == key)
    stmt = select(Session).where(match)
    if account_id is not None:
        stmt = stmt.where(Session.account_id == account_id)
    return list((await db.execute(stmt.order_by(Session.created_at).limit(10))).scalars())


async def add_session(db: AsyncSession, session: Session) -> None:
    """A new session row, written now so its steps can refer to it."""
    db.add(session)
    await db.flush()
