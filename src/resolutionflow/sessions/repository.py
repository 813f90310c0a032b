"""SQL for sessions and their steps."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, Session, SessionStep
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


async def bump_data_version(db: AsyncSession, account_id: uuid.UUID) -> None:
    """Mark the account's session data as changed (caches of derived reports go stale)."""
    await db.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(data_version=Account.data_version + 1)
    )


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
