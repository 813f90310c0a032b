"""The daily proposal budget: a per-account, per-UTC-day counter that concurrent workers share.

A reservation is one conditional UPDATE (`used < limit`), so however many workers race, the
account never spends past its limit. Reinforcements cost nothing and are never counted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.models import ProposalBudget


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


async def refund(db: AsyncSession, *, account_id: uuid.UUID, day: date) -> None:
    """Give a unit back (the analysis it paid for failed and will be retried)."""
    await db.execute(
        update(ProposalBudget)
        .where(
            ProposalBudget.account_id == account_id,
            ProposalBudget.day == day,
            ProposalBudget.used > 0,
        )
        .values(used=ProposalBudget.used - 1)
    )


async def used(db: AsyncSession, *, account_id: uuid.UUID, day: date) -> int:
    stmt = select(ProposalBudget.used).where(
        ProposalBudget.account_id == account_id, ProposalBudget.day == day
    )
    return int((await db.execute(stmt)).scalar_one_or_none() or 0)
