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

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flywheel import repository as repo


def budget_day(now: datetime) -> date:
    return now.date()


def next_budget_day(now: datetime) -> datetime:
    """Midnight UTC after `now`: when a spent budget renews."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)


async def reserve(db: AsyncSession, *, account_id: uuid.UUID, day: date, limit: int) -> bool:
    """Take one unit of the day's budget; False when it is spent. `limit` 0 means no limit."""
    await repo.ensure_budget_row(db, account_id, day)
    return await repo.take_budget_unit(db, account_id, day, below=limit if limit > 0 else None)


async def refund(db: AsyncSession, *, account_id: uuid.UUID, day: date, units: int = 1) -> None:
    """Give units back (the analysis failed, or its answer merged into an existing proposal)."""
    if units > 0:
        await repo.give_budget_back(db, account_id, day, units)


async def merge_possible(
    db: AsyncSession, *, account_id: uuid.UUID, domain: str | None, flow_id: uuid.UUID | None
) -> bool:
    """Whether a pending proposal the session's answer could merge into exists (same domain,
    or an enhancement of the same flow): worth a model call even when the budget is spent."""
    return await repo.pending_proposal_exists(db, account_id, domain=domain, flow_id=flow_id)


async def wake_parked(
    db: AsyncSession, *, account_id: uuid.UUID | None = None, limit: int | None = None
) -> int:
    """Put sessions parked for the budget back in the queue, oldest first: `limit` of them
    (one per unit given back), or all of them (a backfill with a one-off budget)."""
    if limit is not None and limit <= 0:
        return 0
    return await repo.wake_parked_sessions(db, account_id=account_id, limit=limit)


async def used(db: AsyncSession, *, account_id: uuid.UUID, day: date) -> int:
    return await repo.budget_used(db, account_id, day)
