"""SQL for the dashboard: aggregates over one account's sessions, steps and proposals of a period.

Each statement reads the period's sessions through the `(account_id, created_at)` index and
returns grouped counts, never rows per session; medians are computed by PostgreSQL
(`percentile_cont`), and in Python on SQLite, which has no median.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Hashable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.models import Flow, FlowProposal, Session, SessionStep
from resolutionflow.models.session import (
    ACTION_FAILED_PG,
    ACTION_FAILED_SQLITE,
    ACTION_SUCCEEDED_PG,
    ACTION_SUCCEEDED_SQLITE,
)

ESCALATED = ("escalated", "requesting_escalation")


def _period(account_id: uuid.UUID, since: datetime) -> list[ColumnElement[bool]]:
    return [Session.account_id == account_id, Session.created_at >= since]


def minutes_between(db: AsyncSession, later: Any, earlier: Any) -> ColumnElement[Any]:
    if is_postgres(db):
        return func.extract("epoch", later - earlier) / 60.0
    return (func.julianday(later) - func.julianday(earlier)) * 1440.0


async def mean_median(
    db: AsyncSession,
    value: ColumnElement[Any],
    where: list[ColumnElement[bool]],
    group: Any | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """{group value (None when ungrouped): (mean, median)} of `value` over the rows."""
    keys = [group] if group is not None else []
    if is_postgres(db):
        stmt = select(*keys, func.avg(value), func.percentile_cont(0.5).within_group(value)).where(
            *where
        )
        if group is not None:
            stmt = stmt.group_by(group)
        out: dict[Hashable, tuple[float, float]] = {}
        for row in (await db.execute(stmt)).all():
            key = row[0] if group is not None else None
            if row[-1] is not None:
                out[key] = (float(row[-2]), float(row[-1]))
        return out
    values: dict[Hashable, list[float]] = {}
    for row in (await db.execute(select(*keys, value).where(*where))).all():
        if row[-1] is not None:
            values.setdefault(row[0] if group is not None else None, []).append(float(row[-1]))
    return {k: (statistics.fmean(v), statistics.median(v)) for k, v in values.items()}


async def tier_status_counts(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[tuple[str, str, int]]:
    stmt = (
        select(Session.confidence_tier, Session.status, func.count())
        .where(*_period(account_id, since))
        .group_by(Session.confidence_tier, Session.status)
    )
    return [(t, s, int(n)) for t, s, n in (await db.execute(stmt)).all()]


async def resolve_times_by_tier(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> dict[Hashable, tuple[float, float]]:
    minutes = minutes_between(db, Session.resolved_at, Session.created_at)
    where = [
        *_period(account_id, since),
        Session.status == "resolved",
        Session.resolved_at.is_not(None),
    ]
    return await mean_median(db, minutes, where, Session.confidence_tier)


async def psa_counts(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[tuple[str, int, int]]:
    """(status, sessions, minutes logged) of the period's sessions with a PSA ticket."""
    stmt = (
        select(Session.status, func.count(), func.coalesce(func.sum(Session.time_spent_minutes), 0))
        .where(*_period(account_id, since), Session.psa_ticket_id.is_not(None))
        .group_by(Session.status)
    )
    return [(s, int(n), int(m or 0)) for s, n, m in (await db.execute(stmt)).all()]


async def psa_resolution_times(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[float, float] | None:
    minutes = minutes_between(db, Session.resolved_at, Session.created_at)
    where = [
        *_period(account_id, since),
        Session.psa_ticket_id.is_not(None),
        Session.status == "resolved",
        Session.resolved_at.is_not(None),
    ]
    return (await mean_median(db, minutes, where)).get(None)


async def psa_action_outcomes(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[int, int]:
    """(resolved ticketed sessions with a failed action, ticketed sessions where a failed
    action was followed by a successful one), each session counted once.

    Failed and successful actions are read through their own partial indexes (the predicates
    are written out literally so the planner can match them): for each ticketed session of
    the period, its first failure and its last success, each one index probe. A session
    eventually succeeded when its last success comes after its first failure.
    """
    pg = is_postgres(db)

    def probe(where: str, pick: Any) -> Any:
        return (
            select(pick(SessionStep.step_order))
            .where(SessionStep.session_id == Session.id, text(where))
            .scalar_subquery()
        )

    per_session = (
        select(
            Session.status.label("status"),
            probe(ACTION_FAILED_PG if pg else ACTION_FAILED_SQLITE, func.min).label("first_fail"),
            probe(ACTION_SUCCEEDED_PG if pg else ACTION_SUCCEEDED_SQLITE, func.max).label(
                "last_ok"
            ),
        )
        .where(*_period(account_id, since), Session.psa_ticket_id.is_not(None))
        # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would run the probes
        # once per reference below instead of once per session.
        .offset(0)
        .subquery()
    )
    p = per_session.c
    stmt = select(
        func.sum(case((and_(p.status == "resolved", p.first_fail.is_not(None)), 1), else_=0)),
        func.sum(case((and_(p.first_fail.is_not(None), p.last_ok > p.first_fail), 1), else_=0)),
    )
    row = (await db.execute(stmt)).one()
    return int(row[0] or 0), int(row[1] or 0)


async def daily_counts(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> dict[date, tuple[int, int, int]]:
    """{UTC day of creation: (created, of them resolved, of them escalated)}."""
    if is_postgres(db):
        day: Any = func.date(func.timezone("UTC", Session.created_at))
    else:
        day = func.date(Session.created_at)
    stmt = (
        select(
            day,
            func.count(),
            func.sum(case((Session.status == "resolved", 1), else_=0)),
            func.sum(case((Session.status.in_(ESCALATED), 1), else_=0)),
        )
        .where(*_period(account_id, since))
        .group_by(day)
    )
    out: dict[date, tuple[int, int, int]] = {}
    for d, n, r, e in (await db.execute(stmt)).all():
        key = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        out[key] = (int(n), int(r or 0), int(e or 0))
    return out


async def flow_uses(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[tuple[uuid.UUID, str, int, int, int]]:
    """(flow id, name, sessions, resolved, escalated) of every flow matched in the period."""
    stmt = (
        select(
            Flow.id,
            Flow.name,
            func.count(),
            func.sum(case((Session.status == "resolved", 1), else_=0)),
            func.sum(case((Session.status.in_(ESCALATED), 1), else_=0)),
        )
        .select_from(Session)
        .join(Flow, and_(Flow.id == Session.matched_flow_id, Flow.account_id == account_id))
        .where(*_period(account_id, since))
        .group_by(Flow.id, Flow.name)
    )
    return [
        (fid, name, int(n), int(r or 0), int(e or 0))
        for fid, name, n, r, e in (await db.execute(stmt)).all()
    ]


async def proposal_counts(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> list[tuple[str, str, int, int]]:
    """(type, status, proposals, of them published) of proposals created in the period."""
    published = func.sum(case((FlowProposal.published_flow_id.is_not(None), 1), else_=0))
    stmt = (
        select(FlowProposal.proposal_type, FlowProposal.status, func.count(), published)
        .where(FlowProposal.account_id == account_id, FlowProposal.created_at >= since)
        .group_by(FlowProposal.proposal_type, FlowProposal.status)
    )
    return [(t, s, int(n), int(p or 0)) for t, s, n, p in (await db.execute(stmt)).all()]


async def review_hours(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[float, float] | None:
    """(mean, median) hours from proposal to decision, over the period's reviewed proposals."""
    hours = minutes_between(db, FlowProposal.reviewed_at, FlowProposal.created_at) / 60.0
    where = [
        FlowProposal.account_id == account_id,
        FlowProposal.created_at >= since,
        FlowProposal.reviewed_at.is_not(None),
        FlowProposal.status.in_(("approved", "modified", "rejected", "dismissed")),
    ]
    return (await mean_median(db, hours, where)).get(None)
