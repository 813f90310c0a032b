"""SQL for flow proposals as the review queue reads them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow, FlowProposal, Session
from resolutionflow.tenancy.scope import scoped


async def all_proposals(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    status: str | None = None,
    proposal_type: str | None = None,
    domain: str | None = None,
) -> list[FlowProposal]:
    stmt = scoped(FlowProposal, account_id)
    if status:
        stmt = stmt.where(FlowProposal.status == status)
    if proposal_type:
        stmt = stmt.where(FlowProposal.proposal_type == proposal_type)
    if domain:
        stmt = stmt.where(FlowProposal.problem_domain == domain)
    stmt = stmt.order_by(FlowProposal.created_at.desc(), FlowProposal.id)
    return list((await db.execute(stmt)).scalars())


async def proposal_for_session(db: AsyncSession, session_id: uuid.UUID) -> FlowProposal | None:
    stmt = select(FlowProposal).where(FlowProposal.source_session_id == session_id)
    return (await db.execute(stmt)).scalar_one_or_none()


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
        found = await proposal_for_session(db, session_id)
    return found if found is not None and found.account_id == account_id else None


SUMMARY_COLUMNS = (
    FlowProposal.id,
    FlowProposal.proposal_type,
    FlowProposal.status,
    FlowProposal.title,
    FlowProposal.problem_domain,
    FlowProposal.confidence_score,
    FlowProposal.supporting_session_count,
    FlowProposal.target_flow_id,
    FlowProposal.created_at,
    FlowProposal.reviewed_at,
)


def _filters(
    account_id: uuid.UUID, status: str | None, proposal_type: str | None, domain: str | None
) -> list[Any]:
    conditions: list[Any] = [FlowProposal.account_id == account_id]
    if status:
        conditions.append(FlowProposal.status == status)
    if proposal_type:
        conditions.append(FlowProposal.proposal_type == proposal_type)
    if domain:
        conditions.append(FlowProposal.problem_domain == domain)
    return conditions


async def page(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    status: str | None,
    proposal_type: str | None,
    domain: str | None,
    sort_by: str,
    skip: int,
    limit: int,
) -> tuple[list[Any], int]:
    """One page of proposal summaries (no flow payloads) and the total matching count."""
    conditions = _filters(account_id, status, proposal_type, domain)
    order = {
        "confidence": (FlowProposal.confidence_score.desc(), FlowProposal.created_at.desc()),
        "sessions": (FlowProposal.supporting_session_count.desc(), FlowProposal.created_at.desc()),
    }.get(sort_by, (FlowProposal.created_at.desc(),))
    stmt = (
        select(*SUMMARY_COLUMNS)
        .where(*conditions)
        .order_by(*order, FlowProposal.id)
        .offset(skip)
        .limit(limit)
    )
    rows = list((await db.execute(stmt)).mappings())
    total = (await db.execute(select(func.count()).where(*conditions))).scalar_one()
    return rows, int(total)


async def stats(db: AsyncSession, account_id: uuid.UUID, *, since: datetime) -> dict[str, Any]:
    """The seed's week windows: reviewed_at for decisions, created_at for reinforcements."""
    mine = FlowProposal.account_id == account_id
    counts = select(
        func.count().filter(FlowProposal.status == "pending"),
        func.count().filter(
            FlowProposal.status.in_(("approved", "modified")), FlowProposal.reviewed_at >= since
        ),
        func.count().filter(FlowProposal.status == "rejected", FlowProposal.reviewed_at >= since),
        func.count().filter(
            FlowProposal.status == "auto_reinforced", FlowProposal.created_at >= since
        ),
    ).where(mine)
    pending, approved, rejected, reinforced = (await db.execute(counts)).one()
    domains = await db.execute(
        select(FlowProposal.problem_domain, func.count().label("n"))
        .where(mine, FlowProposal.status == "pending", FlowProposal.problem_domain.is_not(None))
        .group_by(FlowProposal.problem_domain)
        .order_by(func.count().desc(), FlowProposal.problem_domain)
        .limit(5)
    )
    return {
        "pending_count": int(pending),
        "approved_this_week": int(approved),
        "rejected_this_week": int(rejected),
        "auto_reinforced_this_week": int(reinforced),
        "top_domains": [{"domain": d, "count": int(n)} for d, n in domains.all()],
    }


async def flow_in_account(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID
) -> Flow | None:
    stmt = select(Flow).where(Flow.id == flow_id, Flow.account_id == account_id)
    return (await db.execute(stmt)).scalar_one_or_none()
