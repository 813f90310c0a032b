"""The analysis queue on the sessions table: claim with a lease, release, finish, retry.

Claims are one `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING id`:
on PostgreSQL concurrent workers skip each other's rows; on SQLite (one writer at a time,
and FOR UPDATE renders as nothing) the same statement is simply serialised. A claim sets
`lease_owner` and `lease_expires_at`; every later write checks the lease is still the
worker's, so a worker that stalled past its lease cannot overwrite the work of the worker
that took the session over.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Session


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
    return {"failed": gave_up.rowcount, "requeued": requeued.rowcount, "woken": woken.rowcount}


async def claim(
    db: AsyncSession, *, worker_id: str, limit: int, lease_seconds: int, now: datetime
) -> list[uuid.UUID]:
    """Take up to `limit` of the oldest claimable sessions (by resolved_at) for this worker."""
    candidates = (
        select(Session.id)
        .where(_claimable(now))
        .order_by(Session.resolved_at, Session.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
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
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


def complete(session: Session, *, now: datetime, proposal_id: uuid.UUID | None = None) -> None:
    session.analysis_status = "completed"
    if proposal_id is not None:
        session.proposal_id = proposal_id
    session.analysis_error = None
    session.analyzed_at = now
    session.lease_owner = None
    session.lease_expires_at = None
    session.analysis_not_before = None


def fail(session: Session, *, error: str, now: datetime) -> None:
    session.analysis_status = "failed"
    session.analysis_error = error[:4000]
    session.analyzed_at = now
    session.lease_owner = None
    session.lease_expires_at = None


def retry_later(session: Session, *, error: str, at: datetime) -> None:
    session.analysis_status = "pending"
    session.analysis_error = error[:4000]
    session.analysis_not_before = at
    session.lease_owner = None
    session.lease_expires_at = None


def wait_until(session: Session, *, at: datetime, reason: str) -> None:
    """Park the session (budget spent); the claim it used does not count as an attempt."""
    session.analysis_status = "waiting"
    session.analysis_error = reason
    session.analysis_not_before = at
    session.analysis_attempts = max(0, session.analysis_attempts - 1)
    session.lease_owner = None
    session.lease_expires_at = None


def backoff_delay(
    attempt: int, *, base_seconds: float = 30.0, cap_seconds: float = 3600.0
) -> float:
    """Exponential backoff: 30 s, 60 s, 120 s, ... capped at an hour."""
    return min(cap_seconds, base_seconds * (2 ** max(0, attempt - 1)))


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
