"""The daily proposal budget: a per-account, per-UTC-day counter that concurrent workers share.

A reservation is one conditional UPDATE (`used < limit`), so however many workers race, the
account never spends past its limit. Reinforcements cost nothing and are never counted.

The budget counts proposals created (SPEC §5), not analyses: a unit is reserved before the
model call (the only moment a limit can still be kept), and given back when the answer merges
into an existing proposal. Each unit given back wakes one session parked for the budget, so a
desk with many similar sessions does not park work that would merge for free.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.models import FlowProposal, ProposalBudget, Session


def budget_day(now: datetime) -> date:
    return now.date()


def next_budget_day(now: datetime) -> datetime:
    """Midnight UTC after `now`: when a spent budget renews."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)


async def _ensure_row(db: AsyncSession, account_id: uuid.UUID, day: date) -> None:
    insert = pg_insert if is_postgres(db) else sqlite_insert
    stmt = insert(ProposalBudget).values(account_id=account_id, day=day, used=0)
    await db.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "day"]))


async def reserve(db: AsyncSession, *, account_id: uuid.UUID, day: date, limit: int) -> bool:
    """Take one unit of the day's budget; False when it is spent. `limit` 0 means no limit."""
    await _ensure_row(db, account_id, day)
    stmt = update(ProposalBudget).where(
        ProposalBudget.account_id == account_id, ProposalBudget.day == day
    )
    if limit > 0:
        stmt = stmt.where(ProposalBudget.used < limit)
    result = await db.execute(
        stmt.values(used=ProposalBudget.used + 1).returning(ProposalBudget.used)
    )
    return result.first() is not None


async def refund(db: AsyncSession, *, account_id: uuid.UUID, day: date, units: int = 1) -> None:
    """Give units back (the analysis failed, or its answer merged into an existing proposal)."""
    if units <= 0:
        return
    await db.execute(
        update(ProposalBudget)
        .where(ProposalBudget.account_id == account_id, ProposalBudget.day == day)
        .values(used=case((ProposalBudget.used > units, ProposalBudget.used - units), else_=0))
    )


async def merge_possible(
    db: AsyncSession, *, account_id: uuid.UUID, domain: str | None, flow_id: uuid.UUID | None
) -> bool:
    """Whether a pending proposal the session's answer could merge into exists (same domain,
    or an enhancement of the same flow): worth a model call even when the budget is spent."""
    match = FlowProposal.problem_domain == domain if domain else FlowProposal.id.is_(None)
    if flow_id is not None:
        match = match | (FlowProposal.target_flow_id == flow_id)
    stmt = select(FlowProposal.id).where(
        FlowProposal.account_id == account_id, FlowProposal.status == "pending", match
    )
    return (await db.execute(stmt.limit(1))).first() is not None


async def wake_parked(
    db: AsyncSession, *, account_id: uuid.UUID | None = None, limit: int | None = None
) -> int:
    """Put sessions parked for the budget back in the queue, oldest first: `limit` of them
    (one per unit given back), or all of them (a backfill with a one-off budget)."""
    parked = select(Session.id).where(Session.analysis_status == "waiting")
    if account_id is not None:
        parked = parked.where(Session.account_id == account_id)
    if limit is not None:
        if limit <= 0:
            return 0
        parked = parked.order_by(Session.resolved_at, Session.id).limit(limit)
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        update(Session)
        .where(Session.id.in_(parked.scalar_subquery()))
        .values(analysis_status="pending", analysis_not_before=None, analysis_error=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def used(db: AsyncSession, *, account_id: uuid.UUID, day: date) -> int:
    stmt = select(ProposalBudget.used).where(
        ProposalBudget.account_id == account_id, ProposalBudget.day == day
    )
    return int((await db.execute(stmt)).scalar_one_or_none() or 0)
