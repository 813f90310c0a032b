"""SQL for flows and their versions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import rowcount
from resolutionflow.flows.success import FAILURE_STATUSES, SUCCESS_STATUSES, Success
from resolutionflow.models import Flow, FlowVersion, Session
from resolutionflow.tenancy.scope import scoped


async def flows_by_keys(
    db: AsyncSession, account_id: uuid.UUID, keys: Iterable[str]
) -> dict[str, Flow]:
    wanted = set(keys)
    if not wanted:
        return {}
    stmt = scoped(Flow, account_id).where(Flow.key.in_(wanted))
    return {f.key: f for f in (await db.execute(stmt)).scalars() if f.key}


async def flows_by_ids(
    db: AsyncSession, account_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Flow]:
    wanted = set(ids)
    if not wanted:
        return {}
    stmt = scoped(Flow, account_id).where(Flow.id.in_(wanted))
    return {f.id: f for f in (await db.execute(stmt)).scalars()}


async def flows_with_key_prefix(db: AsyncSession, account_id: uuid.UUID, prefix: str) -> list[Flow]:
    stmt = scoped(Flow, account_id).where(Flow.key.like(f"{prefix}%"))
    return list((await db.execute(stmt)).scalars())


def _filtered(
    account_id: uuid.UUID, *, q: str | None, domain: str | None, origin: str | None
) -> Select[Flow]:
    stmt = scoped(Flow, account_id)
    if domain:
        stmt = stmt.where(Flow.problem_domain == domain)
    if origin:
        stmt = stmt.where(Flow.origin == origin)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Flow.name).like(like),
                func.lower(func.coalesce(Flow.description, "")).like(like),
                func.lower(func.coalesce(Flow.key, "")).like(like),
            )
        )
    return stmt


async def list_flows(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    q: str | None = None,
    domain: str | None = None,
    origin: str | None = None,
    skip: int = 0,
    limit: int = 100,
) -> tuple[list[Flow], int]:
    stmt = _filtered(account_id, q=q, domain=domain, origin=origin)
    total = (await db.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await db.execute(stmt.order_by(Flow.name, Flow.id).offset(skip).limit(limit))
    return list(rows.scalars()), int(total)


async def all_flows(db: AsyncSession, account_id: uuid.UUID) -> list[Flow]:
    stmt = scoped(Flow, account_id).order_by(Flow.key, Flow.name, Flow.id)
    return list((await db.execute(stmt)).scalars())


async def versions(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID
) -> list[FlowVersion]:
    stmt = (
        scoped(FlowVersion, account_id)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.version.desc())
    )
    return list((await db.execute(stmt)).scalars())


async def version(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID, number: int
) -> FlowVersion | None:
    stmt = scoped(FlowVersion, account_id).where(
        FlowVersion.flow_id == flow_id, FlowVersion.version == number
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def update_if_version(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    flow_id: uuid.UUID,
    version: int,
    values: dict[str, Any],
) -> bool:
    """Compare-and-set: write `values` only if the flow is still at `version`."""
    result = await db.execute(
        update(Flow)
        .where(Flow.id == flow_id, Flow.account_id == account_id, Flow.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def success_of(
    db: AsyncSession, account_id: uuid.UUID, flow_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Success]:
    """Successes and uses of each flow over all its matched sessions (one grouped query)."""
    wanted = set(flow_ids)
    if not wanted:
        return {}
    ended = SUCCESS_STATUSES + FAILURE_STATUSES
    stmt = (
        select(
            Session.matched_flow_id,
            func.sum(case((Session.status.in_(SUCCESS_STATUSES), 1), else_=0)),
            func.sum(case((Session.status.in_(ended), 1), else_=0)),
        )
        .where(Session.account_id == account_id, Session.matched_flow_id.in_(wanted))
        .group_by(Session.matched_flow_id)
    )
    found = {fid: Success(int(s or 0), int(u or 0)) for fid, s, u in (await db.execute(stmt)).all()}
    return {fid: found.get(fid, Success(0, 0)) for fid in wanted}


async def add(db: AsyncSession, row: Flow | FlowVersion) -> None:
    """A new flow or version row, written now (its id is known and later rows may refer to it)."""
    db.add(row)
    await db.flush()
