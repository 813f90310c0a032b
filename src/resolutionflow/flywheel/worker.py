"""The flywheel worker: claims resolved sessions, analyses them, and never loses one.

Each session goes through short transactions only: the claim; a read of the session; for
model-backed paths a budget reservation; then the model call with no transaction open;
then one write transaction that first checks the lease is still this worker's. Transient
faults retry with exponential backoff up to `worker_max_attempts`, then the session is
`failed` with the error kept; a spent budget parks it as `waiting` until the next UTC day.

Backoff never sleeps in the worker: the provider is built with `ai_worker_call_retries`
in-call retries (none by default), and a failed call puts the session back with a
not-before time (the server's Retry-After when it sent one), so the slot serves other
sessions meanwhile. With `ai_offline_fallback` (the default), a model answer still invalid
after the repair request, an empty, refused or rejected answer, or a model unavailable on
the session's last attempt gives the offline draft instead of `failed`, marked on the
proposal with the error. Wrong settings (401, 403, 404: key, permission, model name)
still fail, so they are noticed and the sessions can be requeued once fixed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow import logs
from resolutionflow.ai.base import (
    PermanentProviderError,
    Provider,
    TransientProviderError,
)
from resolutionflow.ai.registry import get_provider
from resolutionflow.config import Settings
from resolutionflow.db import get_sessionmaker
from resolutionflow.flywheel import budget, placement, privacy, queue, reinforcement, usage
from resolutionflow.flywheel import repository as repo
from resolutionflow.flywheel.analysis import (
    ENHANCEMENT,
    NEW_FLOW,
    OFFLINE_FALLBACK,
    REINFORCE,
    AnalysisFailed,
    Generated,
    choose_path,
    generate_enhancement,
    generate_new_flow,
    has_divergence,
    offline_draft,
)
from resolutionflow.models.base import utcnow
from resolutionflow.ops.metrics import observe_model_calls, observe_outcome
from resolutionflow.redaction import Redactor
from resolutionflow.sessions.snapshot import session_snapshot

log = logging.getLogger(__name__)

# HTTP statuses that mean the provider settings are wrong, not the model's answer.
CONFIGURATION_STATUSES = frozenset({401, 403, 404})
# PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled back
# whole and may simply run again.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
TRANSIENT_TRIES = 4
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Whether a database error only means "run the transaction again"."""
    return (
        isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES
    )


async def again_if_transient(attempt: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a transaction, and again (up to TRANSIENT_TRIES times, after a short random pause)
    when the database rolled it back for a deadlock or a serialization conflict with another
    worker. Any other error, or the last try's, is raised."""
    for tries in range(1, TRANSIENT_TRIES + 1):
        try:
            return await attempt()
        except DBAPIError as exc:
            if not is_transient(exc) or tries == TRANSIENT_TRIES:
                raise
            log.warning("%s: %s; trying again", what, str(exc.orig).splitlines()[0])
            await asyncio.sleep(random.uniform(0.02, 0.2) * tries)
    raise AssertionError("unreachable")


@dataclass
class Outcome:
    session_id: uuid.UUID
    result: str  # reinforced | proposed | merged | waiting | retry | failed | lost_lease | done
    detail: str = ""


@dataclass
class Job:
    """A session that needs the model: what the model call and the write afterwards need."""

    session_id: uuid.UUID
    account_id: uuid.UUID
    path: str
    snapshot: dict[str, Any]
    flow_name: str | None = None
    flow_tree: dict[str, Any] | None = None
    # What the model is shown: the flow's tree and name redacted with the session's redactor.
    prompt_tree: dict[str, Any] | None = None
    redactor: Redactor = field(default_factory=Redactor)
    attempts: int = 1  # this claim included
    people: list[str] = field(default_factory=list)  # the account's users' names


@dataclass
class Ready:
    """A model answer waiting to be written (several are written in one transaction)."""

    job: Job
    generated: Generated
    day: date
    # Whether a budget unit was reserved before the model call. When the budget was spent but
    # a merge looked possible, the analysis runs unpaid: it may merge (free), or take a unit
    # if one is free by then, or be parked.
    paid: bool = True


@dataclass
class DrainStats:
    outcomes: dict[str, int] = field(default_factory=dict)
    processed: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.result] = self.outcomes.get(outcome.result, 0) + 1
        self.processed += 1
        observe_outcome(outcome.result)


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
        self.provider = provider or get_provider(
            settings, "analysis", max_retries=max(0, settings.ai_worker_call_retries)
        )
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.model_slots = asyncio.Semaphore(max(1, settings.ai_concurrency))
        self._read = get_sessionmaker(settings, write=False)
        self._write = get_sessionmaker(settings, write=True)
        self.usage = usage.UsageTally()
        self._budgeted = settings.daily_proposal_budget > 0
        # Set by `stop()`: drains claim nothing more and return once their jobs are in.
        self._stopping = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def stop(self) -> None:
        """Ask running drains to finish what they hold and return; claims nothing more."""
        self._stopping.set()

    async def wait_idle(self, seconds: float) -> bool:
        """Wait up to `seconds` for a running drain to return; False if it did not
        (its sessions' leases then run out and another worker takes them)."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            return False
        return True

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncSession]:
        """A short write transaction. On PostgreSQL its commit does not wait for the WAL flush:
        a commit lost in a database crash only means the session is analysed again, which the
        lease and the one-proposal-per-session rule make safe."""
        async with self._write() as db, db.begin():
            await repo.relax_commit_durability(db)
            yield db

    async def waiting(self) -> int:
        """Sessions a drain would analyse now (queued or with a lapsed lease)."""
        async with self._read() as db:
            return await repo.remaining(db, now=self.clock())

    async def flush_usage(self) -> None:
        if self.usage.totals:
            async with self._tx() as db:
                await self.usage.flush(db)

    # -- the queue ---------------------------------------------------------------------

    async def claim_batch(self, limit: int) -> list[uuid.UUID]:
        now = self.clock()
        async with self._tx() as db:
            await repo.release_stale(db, now=now, max_attempts=self.settings.worker_max_attempts)
            ids = await repo.claim(
                db,
                worker_id=self.worker_id,
                limit=limit,
                lease_seconds=self.settings.worker_lease_seconds,
                now=now,
            )
        if ids:
            log.info("claimed %d session(s)", len(ids))
        return ids

    async def drain(
        self,
        *,
        on_progress: Callable[[Outcome], None] | None = None,
        wait_for_others: bool = False,
        max_wait_seconds: float = 900.0,
    ) -> DrainStats:
        """Work until nothing is claimable.

        With `wait_for_others`, also wait for what will become claimable soon: sessions another
        worker holds (its lease may run out if it died) and retries whose backoff ends within
        `max_wait_seconds`. Sessions waiting for the next budget day are never waited for.

        Each claim takes at most `worker_batch_size` sessions in one short transaction, and
        claims go on while fewer than `worker_batch_size` jobs are in flight, so a tick clears
        the whole backlog (the daily budget, not the batch, limits what a day spends). Model
        calls among those jobs are limited by `ai_concurrency`, not by the claim: answers that
        come in together are written in one transaction, and what a batch costs (reading and
        writing the proposals it joins, reading its pools) is then shared by more sessions.
        After `stop()` nothing more is claimed: the jobs in flight are recorded and the drain
        returns.
        """
        logs.bind(worker_id=self.worker_id)  # jobs started below inherit it
        self._idle.clear()
        try:
            return await self._drain(on_progress, wait_for_others, max_wait_seconds)
        finally:
            self._idle.set()

    async def _drain(
        self,
        on_progress: Callable[[Outcome], None] | None,
        wait_for_others: bool,
        max_wait_seconds: float,
    ) -> DrainStats:
        stats = DrainStats()
        started = time.perf_counter()
        batch_size = max(1, self.settings.worker_batch_size)
        pending: set[asyncio.Task[Outcome | Ready]] = set()
        while True:
            room = batch_size - len(pending)
            stopping = self._stopping.is_set()
            ids = await self.claim_batch(room) if room > 0 and not stopping else []
            if ids:
                settled, jobs = await self.prepare(ids)
                for outcome in settled:
                    stats.add(outcome)
                    if on_progress:
                        on_progress(outcome)
                pending.update(asyncio.create_task(self.run_job(job)) for job in jobs)
                if not jobs:
                    continue
            if not pending:
                if (
                    stopping
                    or not wait_for_others
                    or not await self._worth_waiting(max_wait_seconds)
                ):
                    break
                await asyncio.sleep(0.5)
                continue
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            # Let jobs finishing in the same tick finish too: their answers are written in one
            # transaction, which is where a batch pays off (one similarity pass per pool).
            await asyncio.sleep(0)
            finished_too = {task for task in pending if task.done()}
            done |= finished_too
            pending -= finished_too
            results = [task.result() for task in done]
            finished = [r for r in results if isinstance(r, Outcome)]
            finished += await self.record([r for r in results if isinstance(r, Ready)])
            for outcome in finished:
                stats.add(outcome)
                if on_progress:
                    on_progress(outcome)
            if stats.processed % 200 < len(done):
                await self.flush_usage()
        await self.flush_usage()
        stats.seconds = time.perf_counter() - started
        return stats

    async def _worth_waiting(self, max_wait_seconds: float) -> bool:
        now = self.clock()
        async with self._read() as db:
            claimable, next_at = await repo.outlook(db, now=now)
        if claimable:
            return True
        if next_at is None:
            return False
        horizon = now + timedelta(seconds=max_wait_seconds)
        # Budget waits end at midnight: never worth holding a drain open for.
        return next_at <= horizon and next_at != budget.next_budget_day(now)

    # -- a claimed batch -----------------------------------------------------------------

    async def process(self, session_id: uuid.UUID) -> Outcome:
        """Analyse one claimed session (the batch path with a batch of one)."""
        outcomes, jobs = await self.prepare([session_id])
        results = [await self.run_job(job) for job in jobs]
        outcomes += await self.record([r for r in results if isinstance(r, Ready)])
        outcomes += [r for r in results if isinstance(r, Outcome)]
        await self.flush_usage()
        for outcome in outcomes:
            observe_outcome(outcome.result)
        return outcomes[0]

    async def prepare(self, ids: list[uuid.UUID]) -> tuple[list[Outcome], list[Job]]:
        """Read a claimed batch in a few queries, settle what needs no model (reinforcements,
        sessions already analysed) in one transaction, and return the model jobs."""
        try:
            return await self._prepare(ids)
        except Exception as exc:  # a bug or a database fault: keep the sessions, retry later
            log.exception("preparing %d session(s) failed", len(ids))
            error = f"{type(exc).__name__}: {exc}"
            return [await self._retry_or_fail(sid, error) for sid in ids], []

    async def _prepare(self, ids: list[uuid.UUID]) -> tuple[list[Outcome], list[Job]]:
        async with self._read() as db:
            sessions = await repo.claimed_sessions(db, ids, self.worker_id)
            steps = await repo.steps_of_sessions(db, [s.id for s in sessions])
            flows = await repo.flows_by_id(
                db, {s.matched_flow_id for s in sessions if s.matched_flow_id}
            )
            sources = await repo.sources_among(db, [s.id for s in sessions])
            # The account's people: kept out of the proposal's text at every redaction
            # level, and redacted from what the model sees at the strict one.
            people = await repo.people_names(db, {s.account_id for s in sessions})
        held = {s.id for s in sessions}
        outcomes = [Outcome(sid, "lost_lease") for sid in ids if sid not in held]
        reinforce: list[uuid.UUID] = []
        done_already: list[uuid.UUID] = []
        jobs: list[Job] = []
        for session in sessions:
            if session.proposal_id is not None or session.id in sources:
                done_already.append(session.id)
                continue
            snapshot = session_snapshot(session, steps[session.id])
            flow = flows.get(session.matched_flow_id) if session.matched_flow_id else None
            if flow is not None and flow.account_id != session.account_id:
                flow = None
            path = choose_path(
                has_match=session.matched_flow_id is not None,
                match_score=session.match_score,
                divergence=has_divergence(snapshot["steps"]),
            )
            if path == ENHANCEMENT and flow is None:
                path = NEW_FLOW  # the matched flow is gone
            if path == REINFORCE:
                reinforce.append(session.id)
                continue
            # Redacted once, here: the prompt, the folded path and the stored summaries all
            # come from this copy, with one placeholder per value across all of them.
            known = people.get(session.account_id, [])
            strict = self.settings.redaction == "strict"
            redactor = Redactor(self.settings.redaction, names=known if strict else ())
            jobs.append(
                Job(
                    session_id=session.id,
                    account_id=session.account_id,
                    path=path,
                    snapshot=privacy.redact_snapshot(snapshot, redactor),
                    flow_name=redactor.text(flow.name) if flow else None,
                    flow_tree=flow.tree_structure if flow else None,
                    prompt_tree=privacy.redact_tree(flow.tree_structure, redactor)
                    if flow
                    else None,
                    redactor=redactor,
                    attempts=session.analysis_attempts,
                    people=known,
                )
            )
        if done_already:
            outcomes += await self._finish_many(done_already, "already analysed")
        if reinforce:
            outcomes += await self._reinforce_many(reinforce)
        return outcomes, jobs

    async def _finish_many(self, ids: list[uuid.UUID], why: str) -> list[Outcome]:
        now = self.clock()

        async def attempt() -> set[uuid.UUID]:
            async with self._tx() as db:
                sessions = await repo.claimed_sessions(db, ids, self.worker_id, lock=True)
                for session in sessions:
                    queue.complete(session, now=now)
            return {s.id for s in sessions}

        held = await again_if_transient(attempt, "settling analysed sessions")
        return [
            Outcome(sid, "done", why) if sid in held else Outcome(sid, "lost_lease") for sid in ids
        ]

    async def _reinforce_many(self, ids: list[uuid.UUID]) -> list[Outcome]:
        now = self.clock()

        async def attempt() -> set[uuid.UUID]:
            async with self._tx() as db:
                sessions = await repo.claimed_sessions(db, ids, self.worker_id, lock=True)
                made, counts = await reinforcement.reinforce_many(
                    db, sessions=sessions, now=now, redaction=self.settings.redaction
                )
                for session in sessions:
                    queue.complete(session, now=now, proposal_id=made[session.id])
                await db.flush()
                await reinforcement.apply_reinforcements(db, counts, now)
            return {s.id for s in sessions}

        try:
            held = await again_if_transient(attempt, "reinforcing flows")
        except IntegrityError:
            # Another analysis got there first: alone, the session is done; in a batch,
            # settle each on its own so the others still count.
            if len(ids) == 1:
                return [await self._finish_without_change(ids[0], "already analysed")]
            return [outcome for sid in ids for outcome in await self._reinforce_many([sid])]
        return [
            Outcome(sid, "reinforced") if sid in held else Outcome(sid, "lost_lease") for sid in ids
        ]

    async def run_job(self, job: Job) -> Outcome | Ready:
        with logs.bound(session_id=job.session_id):
            try:
                return await self._run_job(job)
            except Exception as exc:  # a bug or a database fault: keep it, retry later
                log.exception("analysis of session %s crashed", job.session_id)
                error = f"{type(exc).__name__}: {exc}"
                return await self._retry_or_fail(job.session_id, error)

    async def _run_job(self, job: Job) -> Outcome | Ready:
        session_id, account_id, path, snapshot = (
            job.session_id,
            job.account_id,
            job.path,
            job.snapshot,
        )
        day = budget.budget_day(self.clock())
        reserved, paid = await self._reserve(session_id, account_id, day)
        if reserved is not None:
            return reserved
        context = self.settings.ai_context_tokens
        fallback = self.settings.ai_offline_fallback
        try:
            async with self.model_slots:
                if path == ENHANCEMENT:
                    assert job.prompt_tree is not None
                    generated = await generate_enhancement(
                        self.provider,
                        snapshot,
                        flow_name=job.flow_name or "",
                        tree=job.prompt_tree,
                        context_tokens=context,
                    )
                else:
                    generated = await generate_new_flow(
                        self.provider, snapshot, context_tokens=context
                    )
        except TransientProviderError as exc:
            last = job.attempts >= self.settings.worker_max_attempts
            if fallback and last:
                why = f"the model was unavailable on all {job.attempts} attempts: {exc}"
                return await self._draft(job, day, paid, why)
            await self._refund(account_id, day, paid)
            return await self._retry_or_fail(
                session_id, f"model unavailable: {exc}", not_before=exc.retry_after
            )
        except AnalysisFailed as exc:
            self.usage.add(account_id, exc.usage, self.clock())  # the tokens were spent anyway
            observe_model_calls(exc.usage)
            if fallback:
                return await self._draft(job, day, paid, exc.describe())
            await self._refund(account_id, day, paid)
            return await self._fail(session_id, exc.describe())
        except PermanentProviderError as exc:
            # A bad key, a forbidden or unknown model is the settings' fault: every session
            # would get a draft while nobody notices, so those fail loudly (and can be
            # requeued once fixed). An empty, refused or malformed answer is the model's.
            if fallback and exc.status not in CONFIGURATION_STATUSES:
                return await self._draft(job, day, paid, f"model refused the request: {exc}")
            await self._refund(account_id, day, paid)
            return await self._fail(session_id, f"model refused the request: {exc}")
        return self._ready(job, generated, day, paid)

    async def _draft(self, job: Job, day: date, paid: bool, why: str) -> Outcome | Ready:
        """The offline draft in place of the model's answer; `failed` if even that is invalid."""
        # The error may quote the model's answer; it is stored and shown, so redact it too.
        why = job.redactor.text(why) or why
        try:
            generated = await offline_draft(
                job.path,
                job.snapshot,
                reason=why,
                flow_name=job.flow_name,
                tree=job.prompt_tree,
            )
        except AnalysisFailed as exc:
            await self._refund(job.account_id, day, paid)
            return await self._fail(
                job.session_id, f"{why}\nthe offline draft was not valid either: {exc.describe()}"
            )
        log.info("session %s: the model's answer could not be used; offline draft", job.session_id)
        return self._ready(job, generated, day, paid)

    def _ready(self, job: Job, generated: Generated, day: date, paid: bool) -> Ready:
        session_id, account_id = job.session_id, job.account_id
        self.usage.add(account_id, generated.usage, self.clock())
        observe_model_calls(generated.usage)
        generated.data = privacy.redact_generated(
            generated.data, job.redactor, original_tree=job.flow_tree
        )
        if job.redactor.counts:
            log.debug("session %s: redacted %s", session_id, job.redactor.summary())
        return Ready(job, generated, day, paid)

    async def _reserve(
        self,
        session_id: uuid.UUID,
        account_id: uuid.UUID,
        day: date,
    ) -> tuple[Outcome | None, bool]:
        """Reserve budget: (None, True) when reserved. When it is spent: (None, False) if the
        answer could merge into a pending proposal (analysed unpaid), else the session is
        parked until the next budget day."""
        if not self._budgeted:
            return None, False  # no limit: nothing to count
        async with self._tx() as db:
            session = await repo.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease"), False
            ok = await budget.reserve(
                db,
                account_id=account_id,
                day=day,
                limit=self.settings.daily_proposal_budget,
            )
            if ok:
                return None, True
            if await budget.merge_possible(
                db,
                account_id=account_id,
                domain=session.problem_domain,
                flow_id=session.matched_flow_id,
            ):
                return None, False
            self._park(session)
        return Outcome(session_id, "waiting"), False

    def _park(self, session: Any) -> None:
        until = budget.next_budget_day(self.clock())
        queue.wait_until(
            session,
            at=until,
            reason=f"daily proposal budget of {self.settings.daily_proposal_budget} spent; "
            f"waiting until {until.isoformat()}",
        )
        log.info(
            "daily proposal budget of %d spent for this account; session waits until %s",
            self.settings.daily_proposal_budget,
            until.isoformat(),
            extra={"session_id": str(session.id)},
        )

    async def _refund(self, account_id: uuid.UUID, day: date, paid: bool = True) -> None:
        if not self._budgeted or not paid:
            return
        async with self._tx() as db:
            await budget.refund(db, account_id=account_id, day=day)

    async def record(self, ready: list[Ready]) -> list[Outcome]:
        """Write model answers: all in one transaction, or one by one if that one fails."""
        if not ready:
            return []
        try:
            return await self._record(ready)
        except Exception:
            if len(ready) == 1:
                log.exception("writing the analysis of session %s failed", ready[0].job.session_id)
                job = ready[0].job
                return [await self._retry_or_fail(job.session_id, "could not write the proposal")]
            return [outcome for one in ready for outcome in await self.record([one])]

    async def _record(self, ready: list[Ready]) -> list[Outcome]:
        now = self.clock()
        by_id = {r.job.session_id: r for r in ready}
        async with self._tx() as db:
            sessions = await repo.claimed_sessions(db, list(by_id), self.worker_id, lock=True)
            held = {s.id: s for s in sessions}
            flows = await repo.flows_by_id(
                db,
                {
                    s.matched_flow_id
                    for s in sessions
                    if by_id[s.id].job.path == ENHANCEMENT and s.matched_flow_id
                },
            )
            items = []
            for session in sessions:
                flow = None
                if by_id[session.id].job.path == ENHANCEMENT:
                    flow = flows.get(session.matched_flow_id) if session.matched_flow_id else None
                    if flow is None:
                        raise RuntimeError("the matched flow was deleted during analysis")
                made = by_id[session.id].generated
                items.append(
                    placement.Analysed(
                        session=session,
                        snapshot=by_id[session.id].job.snapshot,
                        generated=made.data,
                        flow=flow,
                        generated_by=made.generated_by or None,
                        model_error=made.model_error,
                        people=by_id[session.id].job.people,
                    )
                )

            async def can_create(item: placement.Analysed) -> bool:
                """A new proposal spends a unit: the one reserved, or one free by now."""
                r = by_id[item.session.id]
                if not self._budgeted or r.paid:
                    return True
                r.paid = await budget.reserve(
                    db,
                    account_id=r.job.account_id,
                    day=r.day,
                    limit=self.settings.daily_proposal_budget,
                )
                return r.paid

            placed = await placement.place(
                db, items, now=now, redaction=self.settings.redaction, can_create=can_create
            )
            results: dict[uuid.UUID, Outcome] = {}
            for item, p in zip(items, placed, strict=True):
                if p is None:
                    self._park(item.session)
                    results[item.session.id] = Outcome(item.session.id, "waiting")
                    continue
                queue.complete(item.session, now=now, proposal_id=p.proposal.id)
                if item.generated_by == OFFLINE_FALLBACK:
                    # Completed, and the reason the model's answer was not used stays visible.
                    item.session.analysis_error = f"offline draft used: {item.model_error}"[:4000]
                results[item.session.id] = Outcome(
                    item.session.id, "merged" if p.merged else "proposed", str(p.proposal.id)
                )
            lost = [r for sid, r in by_id.items() if sid not in held and r.paid]
            merged = [
                by_id[i.session.id]
                for i, p in zip(items, placed, strict=True)
                if p is not None and p.merged and by_id[i.session.id].paid
            ]
            if self._budgeted:
                await self._give_back(db, lost, merged)
        return [results.get(sid) or Outcome(sid, "lost_lease") for sid in by_id]

    async def _give_back(self, db: AsyncSession, lost: list[Ready], merged: list[Ready]) -> None:
        """Refund what made no proposal: lost leases, and answers merged into an existing
        proposal (the budget counts proposals created). A merge's unit wakes one parked
        session of its account."""
        units: dict[tuple[uuid.UUID, date], int] = {}
        for r in [*lost, *merged]:
            units[(r.job.account_id, r.day)] = units.get((r.job.account_id, r.day), 0) + 1
        for (account_id, day), n in units.items():
            await budget.refund(db, account_id=account_id, day=day, units=n)
        woken: dict[uuid.UUID, int] = {}
        for r in merged:
            woken[r.job.account_id] = woken.get(r.job.account_id, 0) + 1
        for account_id, n in woken.items():
            await budget.wake_parked(db, account_id=account_id, limit=n)

    async def _finish_without_change(self, session_id: uuid.UUID, why: str) -> Outcome:
        now = self.clock()
        async with self._tx() as db:
            session = await repo.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            queue.complete(session, now=now)
        return Outcome(session_id, "done", why)

    async def _retry_or_fail(
        self, session_id: uuid.UUID, error: str, *, not_before: float | None = None
    ) -> Outcome:
        now = self.clock()
        async with self._tx() as db:
            session = await repo.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            if session.analysis_attempts >= self.settings.worker_max_attempts:
                queue.fail(
                    session,
                    now=now,
                    error=f"gave up after {session.analysis_attempts} attempts: {error}",
                )
                log.error(
                    "analysis failed after %d attempts: %s",
                    session.analysis_attempts,
                    error,
                    extra={"session_id": str(session_id)},
                )
                return Outcome(session_id, "failed", error)
            delay = queue.backoff_delay(
                session.analysis_attempts, base_seconds=self.settings.worker_retry_base_seconds
            )
            # A server that said when to come back is not asked sooner.
            delay = max(delay, not_before or 0.0)
            queue.retry_later(session, error=error, at=now + timedelta(seconds=delay))
            attempt = session.analysis_attempts
        log.warning(
            "analysis attempt %d failed, retrying in %.0fs: %s",
            attempt,
            delay,
            error,
            extra={"session_id": str(session_id)},
        )
        return Outcome(session_id, "retry", error)

    async def _fail(self, session_id: uuid.UUID, error: str) -> Outcome:
        now = self.clock()
        async with self._tx() as db:
            session = await repo.lock_if_leased(db, session_id, self.worker_id)
            if session is None:
                return Outcome(session_id, "lost_lease")
            queue.fail(session, error=error, now=now)
        log.error("analysis failed: %s", error, extra={"session_id": str(session_id)})
        return Outcome(session_id, "failed", error)
