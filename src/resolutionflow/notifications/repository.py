"""SQL for notifications."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import rowcount
from resolutionflow.models import Notification
from resolutionflow.models.base import utcnow


async def for_user(
    db: AsyncSession, user_id: uuid.UUID, *, unread_only: bool, skip: int, limit: int
) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id).offset(skip).limit(limit)
    return list((await db.execute(stmt)).scalars())


async def unread_count(db: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int((await db.execute(stmt)).scalar_one())


async def mark_read(db: AsyncSession, user_id: uuid.UUID, ids: list[uuid.UUID] | None) -> int:
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    result = await db.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def add_for_users(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    user_ids: list[uuid.UUID],
    kind: str,
    payload: dict[str, Any],
) -> None:
    """One unread notification per user, in one statement."""
    if not user_ids:
        return
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "account_id": account_id,
            "user_id": user_id,
            "kind": kind,
            "payload": payload,
            "created_at": now,
            "read_at": None,
        }
        for user_id in user_ids
    ]
    await db.execute(insert(Notification), rows)


async def settle_proposal(db: AsyncSession, account_id: uuid.UUID, proposal_id: uuid.UUID) -> int:
    """Mark read every unread 'proposal pending' notification about this proposal."""
    stmt = (
        update(Notification)
        .where(
            Notification.account_id == account_id,
            Notification.kind == "proposal.pending",
            Notification.read_at.is_(None),
            Notification.payload["proposal_id"].as_string() == str(proposal_id),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rowcount(await db.execute(stmt))
