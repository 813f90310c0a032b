"""SQL of the runner: what flow search reads of past sessions, and node feedback."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flywheel.similarity import MAX_SUMMARIES
from resolutionflow.models import NodeFeedback, Session
from resolutionflow.tenancy.scope import scoped


async def summaries_by_flow(
    db: AsyncSession, account_id: uuid.UUID, per_flow: int = MAX_SUMMARIES
) -> dict[uuid.UUID, list[str]]:
    """The problem summaries of the latest resolved sessions that used each flow, oldest first
    (similarity reads the last `MAX_SUMMARIES` of a list)."""
    ranked = (
        select(
            Session.matched_flow_id.label("flow_id"),
            Session.problem_summary.label("summary"),
            Session.created_at.label("created_at"),
            func.row_number()
            .over(partition_by=Session.matched_flow_id, order_by=Session.created_at.desc())
            .label("n"),
        )
        .where(
            Session.account_id == account_id,
            Session.matched_flow_id.is_not(None),
            Session.status == "resolved",
        )
        .subquery()
    )
    stmt = (
        select(ranked.c.flow_id, ranked.c.summary)
        .where(ranked.c.n <= per_flow)
        .order_by(ranked.c.flow_id, ranked.c.created_at)
    )
    out: dict[uuid.UUID, list[str]] = defaultdict(list)
    for flow_id, summary in (await db.execute(stmt)).all():
        out[flow_id].append(summary)
    return dict(out)


async def feedback_of_flow(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID, limit: int = 200
) -> list[NodeFeedback]:
    stmt = (
        select(NodeFeedback)
        .where(NodeFeedback.account_id == account_id, NodeFeedback.flow_id == flow_id)
        .order_by(NodeFeedback.created_at.desc())
        .limit(limit)
    )
    return list((await db.execute(stmt)).scalars())


async def active_sessions_of(
    db: AsyncSession, account_id: uuid.UUID, user_id: uuid.UUID, limit: int = 10
) -> list[Session]:
    stmt = (
        scoped(Session, account_id)
        .where(Session.engineer_id == user_id, Session.status == "active")
        .order_by(Session.created_at.desc())
        .limit(limit)
    )
    return list((await db.execute(stmt)).scalars())


async def add_feedback(db: AsyncSession, feedback: NodeFeedback) -> None:
    db.add(feedback)
