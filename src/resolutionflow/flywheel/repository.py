"""SQL the flywheel needs beyond the queue: proposals to compare, flows to lock, usage counters."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from resolutionflow.db import is_postgres, rowcount
from resolutionflow.models import (
    Flow,
    FlowProposal,
    ModelUsage,
    ProposalBudget,
    Session,
    SessionStep,
    User,
)


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


Scope = tuple[uuid.UUID, str | None, str, uuid.UUID | None]  # account, domain, type, flow


async def pending_versions(
    db: AsyncSession, scopes: Iterable[Scope]
) -> dict[Scope, list[tuple[uuid.UUID, int]]]:
    """(id, supporting session count) of every pending proposal of each scope (account,
    domain, type and, when not None, target flow; a None domain matches None), oldest first,
    in one query. Only a merge changes a pending proposal's text, and every merge raises the
    count, so the pair tells whether a text read earlier is current."""
    wanted = list(dict.fromkeys(scopes))
    found: dict[Scope, list[tuple[uuid.UUID, int]]] = {scope: [] for scope in wanted}
    if not wanted:
        return found
    clauses = []
    for account_id, domain, kind, flow_id in wanted:
        where = [
            FlowProposal.account_id == account_id,
            FlowProposal.proposal_type == kind,
            FlowProposal.problem_domain == domain
            if domain is not None
            else FlowProposal.problem_domain.is_(None),
        ]
        if flow_id is not None:
            where.append(FlowProposal.target_flow_id == flow_id)
        clauses.append(and_(*where))
    stmt = (
        select(
            FlowProposal.id,
            FlowProposal.supporting_session_count,
            FlowProposal.account_id,
            FlowProposal.problem_domain,
            FlowProposal.proposal_type,
            FlowProposal.target_flow_id,
        )
        .where(FlowProposal.status == "pending", or_(*clauses))
        .order_by(FlowProposal.created_at, FlowProposal.id)
    )
    # Every pending proposal of the scopes, each batch: read as plain rows on the session's
    # connection, since ORM row handling cost more than the query itself at tens of thousands.
    rows = (await (await db.connection()).execute(stmt)).all()
    for pid, count, account_id, domain, kind, flow_id in rows:
        # A row belongs to its own flow's scope and to the scope of any flow.
        for scope in {(account_id, domain, kind, flow_id), (account_id, domain, kind, None)}:
            if scope in found:
                found[scope].append((pid, int(count)))
    return found


ProposalTextRow = tuple[uuid.UUID, int, str, str | None, list[str] | None, list[str] | None]


async def proposal_texts(db: AsyncSession, ids: list[uuid.UUID]) -> list[ProposalTextRow]:
    """What similarity reads of these proposals (id, supporting_session_count, title,
    description, match_keywords, supporting_summaries), as plain rows, in chunks."""
    out: list[ProposalTextRow] = []
    for start in range(0, len(ids), 1000):
        stmt = select(
            FlowProposal.id,
            FlowProposal.supporting_session_count,
            FlowProposal.title,
            FlowProposal.description,
            FlowProposal.match_keywords,
            FlowProposal.supporting_summaries,
        ).where(FlowProposal.id.in_(ids[start : start + 1000]))
        out.extend(
            (row[0], row[1], row[2], row[3], row[4], row[5])
            for row in (await db.execute(stmt)).all()
        )
    return out


async def lock_proposals(db: AsyncSession, ids: list[uuid.UUID]) -> list[FlowProposal]:
    """Lock these proposals in the given (sorted) order and read them fresh."""
    if not ids:
        return []
    stmt = (
        select(FlowProposal)
        .where(FlowProposal.id.in_(ids))
        .order_by(FlowProposal.id)
        .options(undefer(FlowProposal.fold_record))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list((await db.execute(stmt)).scalars())


async def lock_proposal(db: AsyncSession, proposal_id: uuid.UUID) -> FlowProposal | None:
    stmt = (
        select(FlowProposal)
        .where(FlowProposal.id == proposal_id)
        .options(undefer(FlowProposal.fold_record))
        .with_for_update(key_share=True)
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
        account_id=account_id,
        day=day,
        provider=provider,
        model=model or "-",
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "day", "provider", "model"],
        set_={
            "calls": ModelUsage.calls + stmt.excluded.calls,
            "input_tokens": ModelUsage.input_tokens + stmt.excluded.input_tokens,
            "output_tokens": ModelUsage.output_tokens + stmt.excluded.output_tokens,
        },
    )
    await db.execute(stmt)


async def claimed_sessions(
    db: AsyncSession, ids: list[uuid.UUID], worker_id: str, *, lock: bool = False
) -> list[Session]:
    """The sessions of `ids` this worker still holds the lease of (optionally row-locked)."""
    stmt = (
        select(Session)
        .where(
            Session.id.in_(ids),
            Session.analysis_status == "processing",
            Session.lease_owner == worker_id,
        )
        .order_by(Session.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(key_share=True)
    return list((await db.execute(stmt)).scalars())


async def steps_of_sessions(
    db: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[SessionStep]]:
    stmt = (
        select(SessionStep)
        .where(SessionStep.session_id.in_(ids))
        .order_by(SessionStep.session_id, SessionStep.step_order)
    )
    out: dict[uuid.UUID, list[SessionStep]] = {sid: [] for sid in ids}
    for step in (await db.execute(stmt)).scalars():
        out[step.session_id].append(step)
    return out


async def flows_by_id(
    db: AsyncSession, ids: set[uuid.UUID], *, lock: bool = False
) -> dict[uuid.UUID, Flow]:
    if not ids:
        return {}
    stmt = select(Flow).where(Flow.id.in_(ids)).order_by(Flow.id)
    if lock:
        stmt = stmt.with_for_update(key_share=True)
    return {f.id: f for f in (await db.execute(stmt)).scalars()}


async def sources_among(db: AsyncSession, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these sessions are already the source of a proposal."""
    stmt = select(FlowProposal.source_session_id).where(FlowProposal.source_session_id.in_(ids))
    return set((await db.execute(stmt)).scalars())


async def people_names(db: AsyncSession, account_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The names of each account's people, for the strict redaction level."""
    if not account_ids:
        return {}
    stmt = select(User.account_id, User.name).where(
        User.account_id.in_(account_ids), User.name.is_not(None)
    )
    out: dict[uuid.UUID, list[str]] = {}
    for account_id, name in (await db.execute(stmt)).all():
        out.setdefault(account_id, []).append(str(name))
    return out


# -- the analysis queue ---------------------------------------------------------------------
# The queue is the sessions table. A claim is one UPDATE ... WHERE id IN (SELECT ... FOR
# UPDATE SKIP LOCKED) RETURNING id: on PostgreSQL concurrent workers skip each other's rows;
# on SQLite (one writer at a time; FOR UPDATE renders as nothing) it is simply serialised. A
# claim sets lease_owner and lease_expires_at; every later write checks the lease is still
# the worker's, so a worker that stalled past its lease cannot overwrite its successor's work.


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Session.analysis_status == "pending",
        or_(Session.analysis_not_before.is_(None), Session.analysis_not_before <= now),
    )


async def release_stale(db: AsyncSession, *, now: datetime, max_attempts: int) -> dict[str, int]:
    """Hand back sessions whose lease expired and wake sessions whose wait is over."""
    expired = and_(Session.analysis_status == "processing", Session.lease_expires_at < now)
    gave_up = await db.execute(
        update(Session)
        .where(expired, Session.analysis_attempts >= max_attempts)
        .values(
            analysis_status="failed",
            analysis_error="the worker analysing it stopped responding "
            f"{max_attempts} times (lease expired)",
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    requeued = await db.execute(
        update(Session)
        .where(expired)
        .values(analysis_status="pending", lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    woken = await db.execute(
        update(Session)
        .where(Session.analysis_status == "waiting", Session.analysis_not_before <= now)
        .values(analysis_status="pending")
        .execution_options(synchronize_session=False)
    )
    return {
        "failed": rowcount(gave_up),
        "requeued": rowcount(requeued),
        "woken": rowcount(woken),
    }


async def claim(
    db: AsyncSession, *, worker_id: str, limit: int, lease_seconds: int, now: datetime
) -> list[uuid.UUID]:
    """Take up to `limit` of the oldest claimable sessions (by resolved_at) for this worker."""
    candidates = (
        select(Session.id)
        .where(_claimable(now))
        .order_by(Session.resolved_at, Session.id)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    result = await db.execute(
        update(Session)
        .where(Session.id.in_(candidates.scalar_subquery()))
        .values(
            analysis_status="processing",
            lease_owner=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            analysis_attempts=Session.analysis_attempts + 1,
        )
        .returning(Session.id)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in result.all()]


async def lock_if_leased(db: AsyncSession, session_id: uuid.UUID, worker_id: str) -> Session | None:
    """The session, row-locked, if this worker still holds its lease; else None."""
    stmt = (
        select(Session)
        .where(
            Session.id == session_id,
            Session.analysis_status == "processing",
            Session.lease_owner == worker_id,
        )
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def outlook(db: AsyncSession, *, now: datetime) -> tuple[int, datetime | None]:
    """(sessions claimable now, when the next one becomes claimable: a lease running out or
    a retry or budget wait ending; None when nothing else is coming)."""
    claimable = int((await db.execute(select(func.count()).where(_claimable(now)))).scalar_one())
    leases = select(func.min(Session.lease_expires_at)).where(
        Session.analysis_status == "processing"
    )
    waits = select(func.min(Session.analysis_not_before)).where(
        Session.analysis_status.in_(("pending", "waiting")), Session.analysis_not_before > now
    )
    times = [
        t for t in ((await db.execute(leases)).scalar(), (await db.execute(waits)).scalar()) if t
    ]
    return claimable, min(times) if times else None


async def remaining(db: AsyncSession, *, now: datetime) -> int:
    """Sessions a drain has ahead of it: claimable now, or being processed."""
    stmt = select(func.count()).where(or_(_claimable(now), Session.analysis_status == "processing"))
    return int((await db.execute(stmt)).scalar_one())


# -- the daily proposal budget (policy in flywheel/budget.py) ---------------------------------


async def ensure_budget_row(db: AsyncSession, account_id: uuid.UUID, day: date) -> None:
    insert = pg_insert if is_postgres(db) else sqlite_insert
    stmt = insert(ProposalBudget).values(account_id=account_id, day=day, used=0)
    await db.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "day"]))


async def take_budget_unit(
    db: AsyncSession, account_id: uuid.UUID, day: date, *, below: int | None
) -> bool:
    """One conditional UPDATE (`used < below`), so racing workers never overspend."""
    stmt = update(ProposalBudget).where(
        ProposalBudget.account_id == account_id, ProposalBudget.day == day
    )
    if below is not None:
        stmt = stmt.where(ProposalBudget.used < below)
    result = await db.execute(
        stmt.values(used=ProposalBudget.used + 1).returning(ProposalBudget.used)
    )
    return result.first() is not None


async def give_budget_back(db: AsyncSession, account_id: uuid.UUID, day: date, units: int) -> None:
    await db.execute(
        update(ProposalBudget)
        .where(ProposalBudget.account_id == account_id, ProposalBudget.day == day)
        .values(used=case((ProposalBudget.used > units, ProposalBudget.used - units), else_=0))
    )


async def pending_proposal_exists(
    db: AsyncSession, account_id: uuid.UUID, *, domain: str | None, flow_id: uuid.UUID | None
) -> bool:
    match = FlowProposal.problem_domain == domain if domain else FlowProposal.id.is_(None)
    if flow_id is not None:
        match = match | (FlowProposal.target_flow_id == flow_id)
    stmt = select(FlowProposal.id).where(
        FlowProposal.account_id == account_id, FlowProposal.status == "pending", match
    )
    return (await db.execute(stmt.limit(1))).first() is not None


async def wake_parked_sessions(
    db: AsyncSession, *, account_id: uuid.UUID | None, limit: int | None
) -> int:
    parked = select(Session.id).where(Session.analysis_status == "waiting")
    if account_id is not None:
        parked = parked.where(Session.account_id == account_id)
    if limit is not None:
        parked = parked.order_by(Session.resolved_at, Session.id).limit(limit)
    result = await db.execute(
        update(Session)
        .where(Session.id.in_(parked.scalar_subquery()))
        .values(analysis_status="pending", analysis_not_before=None, analysis_error=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def budget_used(db: AsyncSession, account_id: uuid.UUID, day: date) -> int:
    stmt = select(ProposalBudget.used).where(
        ProposalBudget.account_id == account_id, ProposalBudget.day == day
    )
    return int((await db.execute(stmt)).scalar_one_or_none() or 0)


def _count_order(domain: str | None, proposal_type: str) -> tuple[str, str]:
    """The order proposals are inserted in: each insert's trigger locks the review-queue count
    of its domain and type until the commit, and one order in every worker cannot deadlock."""
    return (domain or "", proposal_type)


async def add_proposals(db: AsyncSession, proposals: list[FlowProposal]) -> None:
    """New proposals (in `_count_order`), and whatever the merges before them changed."""
    ordered: list[FlowProposal] = sorted(
        proposals, key=lambda p: _count_order(p.problem_domain, p.proposal_type)
    )
    db.add_all(ordered)
    await db.flush()


async def insert_proposal_rows(db: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Many proposals in one INSERT, in `_count_order` (the reinforcement records of a batch)."""
    if rows:
        rows = sorted(
            rows,
            key=lambda r: _count_order(r["problem_domain"], r["proposal_type"]),  # type: ignore[arg-type]
        )
        await db.execute(insert(FlowProposal), rows)
    await db.flush()


async def relax_commit_durability(db: AsyncSession) -> None:
    """This transaction's commit does not wait for the WAL flush (PostgreSQL only)."""
    if is_postgres(db):
        await db.execute(text("SET LOCAL synchronous_commit TO OFF"))
