"""The flywheel worker: claims resolved sessions, analyses them, and never loses one.

Each session goes through short transactions only: the claim; a read of the session; for
model-backed paths a budget reservation; then the model call with no transaction open;
then one write transaction that first checks the lease is still this worker's. Transient
faults retry with exponential backoff up to `worker_max_attempts`, then the session is
`failed` with the error kept; a spent budget parks it as `waiting` until the next UTC day.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from resolutionflow.ai.base import (
    GenerationResult,
    PermanentProviderError,
    Provider,
    TransientProviderError,
)
from resolutionflow.ai.registry import get_provider
from resolutionflow.config import Settings
from resolutionflow.db import get_sessionmaker
from resolutionflow.flywheel import budget, queue, service
from resolutionflow.flywheel import repository as repo
from resolutionflow.flywheel.analysis import (
    ENHANCEMENT,
    NEW_FLOW,
    REINFORCE,
    AnalysisFailed,
    Generated,
    choose_path,
    generate_enhancement,
    generate_new_flow,
    has_divergence,
)
from resolutionflow.models.base import utcnow
from resolutionflow.sessions.snapshot import session_snapshot

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    session_id: uuid.UUID
    result: str  # reinforced | proposed | merged | waiting | retry | failed | lost_lease | done
    detail: str = ""


@dataclass
class DrainStats:
    outcomes: dict[str, int] = field(default_factory=dict)
    processed: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.result] = self.outcomes.get(outcome.result, 0) + 1
        self.processed += 1


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        provider: Provider | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.provider = provider or get_provider(settings, "analysis")
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.model_slots = asyncio.Semaphore(max(1, settings.ai_concurrency))
        self._read = get_sessionmaker(settings, write=False)
        self._write = get_sessionmaker(settings, write=True)

    # -- the queue ---------------------------------------------------------------------

    async def claim_batch(self, limit: int) -> list[uuid.UUID]:
        now = self.clock()
        async with self._write() as db, db.begin():
            await queue.release_stale(db, now=now, max_attempts=self.settings.worker_max_attempts)
            return await queue.claim(
                db, worker_id=self.worker_id, limit=limit,
                lease_seconds=self.settings.worker_lease_seconds, now=now,
            )  # fmt: skip

    async def run_batch(self, limit: int | None = None) -> list[Outcome]:
        """Claim up to `limit` sessions and analyse them concurrently."""
        ids = await self.claim_batch(limit or self.settings.worker_batch_size)
        if not ids:
            return []
        return list(await asyncio.gather(*(self.process(sid) for sid in ids)))

    async def drain(
        self,
        *,
        batch_size: int = 50,
        on_progress: Callable[[Outcome], None] | None = None,
        wait_for_others: bool = False,
        max_wait_seconds: float = 900.0,
    ) -> DrainStats:
        """Work until nothing is claimable.

        With `wait_for_others`, also wait for what will become claimable soon: sessions another
        worker holds (its lease may run out if it died) and retries whose backoff ends within
        `max_wait_seconds`. Sessions waiting for the next budget day are never waited for.
        """
        stats = DrainStats()
        started = time.perf_counter()
        concurrency = max(1, min(batch_size, self.settings.ai_concurrency * 2))
        pending: set[asyncio.Task[Outcome]] = set()
        while True:
            room = concurrency * 2 - len(pending)
            ids = await self.claim_batch(room) if room > 0 else []
            for sid in ids:
                pending.add(asyncio.create_task(self.process(sid)))
            if not pending:
                if not wait_for_others or not await self._worth_waiting(max_wait_seconds):
                    break
                await asyncio.sleep(0.5)
                continue
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                outcome = task.result()
                stats.add(outcome)
                if on_progress:
                    on_progress(outcome)
        stats.seconds = time.perf_counter() - started
        return stats

    async def _worth_waiting(self, max_wait_seconds: float) -> bool:
        now = self.clock()
        async with self._read() as db:
            claimable, next_at = await queue.outlook(db, now=now)
        if claimable:
            return True
        if next_at is None:
            return False
        horizon = now + timedelta(seconds=max_wait_seconds)
        # Budget waits end at midnight: never worth holding a drain open for.
        return next_at <= horizon and next_at != budget.next_budget_day(now)

    # -- one session -------------------------------------------------------------------

    async def process(self, session_id: uuid.UUID) -> Outcome:
        try:
            return await self._process(session_id)
        except Exception as exc:  # a bug or a database fault: keep the session, retry later
            log.exception("analysis of session %s crashed", session_id)
            return await self._retry_or_fail(session_id, f"{type(exc).__name__}: {exc}")

    async def _process(self, session_id: uuid.UUID) -> Outcome:
        async with self._read() as db:
            loaded = await repo.session_with_steps(db, session_id)
            if loaded is None:
                return Outcome(session_id, "done", "session deleted")
            session, steps = loaded
            if session.lease_owner != self.worker_id or session.analysis_status != "processing":
                return Outcome(session_id, "lost_lease")
            if await repo.already_has_proposal(db, session_id):
                return await self._finish_without_change(session_id, "already analysed")
            snapshot = session_snapshot(session, steps)
            flow = None
            if session.matched_flow_id is not None:
                flow = await repo.flow_of_account(db, session.account_id, session.matched_flow_id)
            account_id = session.account_id
        path = choose_path(
            has_match=session.matched_flow_id is not None,
            match_score=session.match_score,
            divergence=has_divergence(snapshot["steps"]),
        )
        if path == ENHANCEMENT and flow is None:
            path = NEW_FLOW  # the matched flow is gone
        if path == REINFORCE:
            return await self._reinforce(session_id)

        day = budget.budget_day(self.clock())
        reserved = await self._reserve(session_id, account_id, day)
        if reserved is not None:
            return reserved
        try:
            async with self.model_slots:
                if path == ENHANCEMENT:
                    assert flow is not None
                    generated = await generate_enhancement(
                        self.provider, snapshot, flow_name=flow.name, tree=flow.tree_structure
                    )
                else:
                    generated = await generate_new_flow(self.provider, snapshot)
        except TransientProviderError as exc:
            await self._refund(account_id, day)
            return await self._retry_or_fail(session_id, f"model unavailable: {exc}")
        except AnalysisFailed as exc:
            await self._refund(account_id, day)
            return await self._fail(
                session_id, exc.describe(), usage=exc.usage, account_id=account_id
            )
        except PermanentProviderError as exc:
            await self._refund(account_id, day)
            return await self._fail(session_id, f"model refused the request: {exc}")
        return await self._record(session_id, path, snapshot, generated, account_id, day)

    async def _reinforce(self, session_id: uuid.UUID) -> Outcome:
        now = self.clock()
        try:
            async with self._write() as db, db.begin():
                session = await queue.lock_if_leased(db, session_id, self.worker_id)
                if session is None:
                    return Outcome(session_id, "lost_lease")
                await service.reinforce(db, session=session, now=now)
                queue.complete(session, now=now)
        except IntegrityError:
            return await self._finish_without_change(session_id, "already analysed")
        return Outcome(session_id, "reinforced")

    async def _reserve(
        self,
        session_id: uuid.UUID,
        account_id: uuid.UUID,
        day: datetime.date,  # type: ignore[valid-type]
    ) -> Outcome | None:
        """Reserve budget; park the session until the next budget day when it is spent."""
        async with self._write() as db, db.begin():
            session = await queue.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            ok = await budget.reserve(
                db, account_id=account_id, day=day,
                limit=self.settings.daily_proposal_budget,
            )  # fmt: skip
            if ok:
                return None
            until = budget.next_budget_day(self.clock())
            queue.wait_until(
                session, at=until,
                reason=f"daily proposal budget of {self.settings.daily_proposal_budget} spent; "
                f"waiting until {until.isoformat()}",
            )  # fmt: skip
        return Outcome(session_id, "waiting")

    async def _refund(self, account_id: uuid.UUID, day: date) -> None:
        async with self._write() as db, db.begin():
            await budget.refund(db, account_id=account_id, day=day)

    async def _record(
        self,
        session_id: uuid.UUID,
        path: str,
        snapshot: dict[str, Any],
        generated: Generated,
        account_id: uuid.UUID,
        day: date,
    ) -> Outcome:
        now = self.clock()
        try:
            async with self._write() as db, db.begin():
                session = await queue.lock_if_leased(db, session_id, self.worker_id)
                if session is None:
                    await budget.refund(db, account_id=account_id, day=day)
                    return Outcome(session_id, "lost_lease")
                if path == ENHANCEMENT:
                    flow = await repo.flow_of_account(db, account_id, session.matched_flow_id)
                    if flow is None:
                        raise RuntimeError("the matched flow was deleted during analysis")
                    proposal, merged = await service.record_enhancement(
                        db, session=session, snapshot=snapshot, flow=flow,
                        generated=generated.data, now=now,
                    )  # fmt: skip
                else:
                    proposal, merged = await service.record_new_flow(
                        db, session=session, snapshot=snapshot, generated=generated.data, now=now
                    )
                await service.record_usage(
                    db, account_id=account_id, usage=generated.usage, now=now
                )
                queue.complete(session, now=now)
        except IntegrityError:
            return await self._finish_without_change(session_id, "already analysed")
        return Outcome(session_id, "merged" if merged else "proposed", str(proposal.id))

    async def _finish_without_change(self, session_id: uuid.UUID, why: str) -> Outcome:
        now = self.clock()
        async with self._write() as db, db.begin():
            session = await queue.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            queue.complete(session, now=now)
        return Outcome(session_id, "done", why)

    async def _retry_or_fail(self, session_id: uuid.UUID, error: str) -> Outcome:
        now = self.clock()
        async with self._write() as db, db.begin():
            session = await queue.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            if session.analysis_attempts >= self.settings.worker_max_attempts:
                queue.fail(
                    session, now=now,
                    error=f"gave up after {session.analysis_attempts} attempts: {error}",
                )  # fmt: skip
                return Outcome(session_id, "failed", error)
            delay = queue.backoff_delay(
                session.analysis_attempts, base_seconds=self.settings.worker_retry_base_seconds
            )
            queue.retry_later(session, error=error, at=now + timedelta(seconds=delay))
        return Outcome(session_id, "retry", error)

    async def _fail(
        self,
        session_id: uuid.UUID,
        error: str,
        *,
        usage: list[GenerationResult] | None = None,
        account_id: uuid.UUID | None = None,
    ) -> Outcome:
        now = self.clock()
        async with self._write() as db, db.begin():
            session = await queue.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            if usage and account_id:
                await service.record_usage(db, account_id=account_id, usage=usage, now=now)
            queue.fail(session, error=error, now=now)
        return Outcome(session_id, "failed", error)
