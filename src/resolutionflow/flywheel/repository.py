"""SQL the flywheel needs beyond the queue: proposals to compare, flows to lock, usage counters."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlalchemy import exists, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import is_postgres
from resolutionflow.models import Flow, FlowProposal, ModelUsage, Session, SessionStep


async def session_with_steps(
    db: AsyncSession, session_id: uuid.UUID
) -> tuple[Session, list[SessionStep]] | None:
    session = await db.get(Session, session_id)
    if session is None:
        return None
    stmt = (
        select(SessionStep)
        .where(SessionStep.session_id == session_id)
        .order_by(SessionStep.step_order)
    )
    return session, list((await db.execute(stmt)).scalars())


async def flow_of_account(
    db: AsyncSession, account_id: uuid.UUID, flow_id: uuid.UUID, *, lock: bool = False
) -> Flow | None:
    stmt = select(Flow).where(Flow.id == flow_id, Flow.account_id == account_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await db.execute(stmt)).scalar_one_or_none()


def _supports(db: AsyncSession, session_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """SQL condition: the proposal's supporting_session_ids holds this session."""
    sid = str(session_id)
    if is_postgres(db):
        return FlowProposal.supporting_session_ids.op("@>")(
            text("CAST(:sid_json AS jsonb)").bindparams(sid_json=f'["{sid}"]')
        )
    return text(
        "EXISTS (SELECT 1 FROM json_each(flow_proposals.supporting_session_ids) "
        "WHERE json_each.value = :sid)"
    ).bindparams(sid=sid)


async def proposal_supported_by(
    db: AsyncSession, account_id: uuid.UUID, session_id: uuid.UUID
) -> FlowProposal | None:
    stmt = (
        select(FlowProposal)
        .where(FlowProposal.account_id == account_id, _supports(db, session_id))
        .limit(1)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def already_has_proposal(db: AsyncSession, session_id: uuid.UUID) -> bool:
    """Whether the session is the source of a proposal or already counted in one."""
    stmt = select(
        exists().where(FlowProposal.source_session_id == session_id)
        | select(FlowProposal.id).where(_supports(db, session_id)).exists()
    )
    return bool((await db.execute(stmt)).scalar())


async def lock_merge_scope(
    db: AsyncSession, account_id: uuid.UUID, domain: str | None, proposal_type: str
) -> None:
    """Serialise merge decisions for one account, domain and type (PostgreSQL).

    Without it two workers analysing sessions about one new problem at the same moment would
    each find nothing similar and both create a proposal. SQLite writers are serial already.
    """
    if not is_postgres(db):
        return
    digest = hashlib.blake2b(
        f"{account_id}|{domain}|{proposal_type}".encode(), digest_size=8
    ).digest()
    key = int.from_bytes(digest, "big", signed=True)
    await db.execute(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))


async def pending_candidates(
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    domain: str | None,
    proposal_type: str,
    target_flow_id: uuid.UUID | None = None,
) -> list[FlowProposal]:
    """Every pending proposal of the account, domain (None matches None) and type."""
    stmt = select(FlowProposal).where(
        FlowProposal.account_id == account_id,
        FlowProposal.status == "pending",
        FlowProposal.proposal_type == proposal_type,
        FlowProposal.problem_domain == domain
        if domain is not None
        else FlowProposal.problem_domain.is_(None),
    )
    if target_flow_id is not None:
        stmt = stmt.where(FlowProposal.target_flow_id == target_flow_id)
    return list((await db.execute(stmt.order_by(FlowProposal.created_at))).scalars())


async def lock_proposal(db: AsyncSession, proposal_id: uuid.UUID) -> FlowProposal | None:
    stmt = (
        select(FlowProposal)
        .where(FlowProposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def add_usage(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    day: date,
    provider: str,
    model: str,
    calls: int,
    input_tokens: int,
    output_tokens: int,
) -> None:
    insert = pg_insert if is_postgres(db) else sqlite_insert
    stmt = insert(ModelUsage).values(
        account_id=account_id, day=day, provider=provider, model=model or "-",
        calls=calls, input_tokens=input_tokens, output_tokens=output_tokens,
    )  # fmt: skip
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "day", "provider", "model"],
        set_={
            "calls": ModelUsage.calls + stmt.excluded.calls,
            "input_tokens": ModelUsage.input_tokens + stmt.excluded.input_tokens,
            "output_tokens": ModelUsage.output_tokens + stmt.excluded.output_tokens,
        },
    )
    await db.execute(stmt)
