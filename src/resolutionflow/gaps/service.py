"""The knowledge-gap report of an account over 7, 30 or 90 days, cached per data version."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings, get_settings
from resolutionflow.db import tune_for_reports
from resolutionflow.errors import Invalid, Problem
from resolutionflow.gaps import detection
from resolutionflow.gaps import repository as repo
from resolutionflow.gaps.cache import reports
from resolutionflow.gaps.detection import Gap, PatternGroup
from resolutionflow.gaps.patterns import group_summaries
from resolutionflow.gaps.schemas import KnowledgeGapRead, KnowledgeGapReport
from resolutionflow.models import Account
from resolutionflow.sessions import service as sessions_service


def check_period(period_days: int) -> int:
    """The period if it is one of those offered; Invalid (422) otherwise."""
    try:
        return detection.check_period(period_days)
    except ValueError as exc:
        raise Invalid(str(exc), problems=[Problem("period_days", "must be 7, 30 or 90")]) from None


async def detect_gaps(
    db: AsyncSession, *, account: Account, since: datetime, now: datetime | None = None
) -> list[Gap]:
    """The four signals over the sessions created at or after `since`, and the flow signals
    (stale and declining flows, see `flowhealth.staleness`), ordered by severity."""
    await tune_for_reports(db)
    summaries, ids = await repo.unmatched_sessions(db, account.id, since)
    # Grouping summaries is CPU work in this process while the other signals are work for the
    # database server: run them side by side. A thread is enough: the loop only needs the GIL
    # between round trips, and a process pool was measured no faster (both cores are shared
    # with the database either way) while adding a worker to start, warm and keep alive.
    grouping = asyncio.create_task(asyncio.to_thread(group_summaries, summaries))
    try:
        stats, answers = await repo.question_stats(db, account.id, since)
        outcomes = await repo.domain_outcomes(db, account.id, since)
        discoveries = await repo.discovery_counts(db, account.id, since)
    finally:
        groups = await grouping
    patterns = [
        PatternGroup(
            size=g.size,
            label=g.label,
            typical_summaries=g.typical_summaries,
            domain=g.domain,
            session_ids=[i for s in g.summaries for i in repo.split_ids(ids.get(s))],
        )
        for g in groups
    ]
    gaps = detection.weak_options(stats, answers)
    gaps += detection.high_escalation(outcomes)
    gaps += detection.uncharted_territory(discoveries)
    gaps += detection.repeated_patterns(patterns)
    gaps += detection.flagged_steps(await repo.flagged_steps(db, account.id, since))
    gaps += await _flow_gaps(db, account=account, since=since, now=now or datetime.now(UTC))
    return detection.order_gaps(gaps)


async def _flow_gaps(
    db: AsyncSession, *, account: Account, since: datetime, now: datetime
) -> list[Gap]:
    from resolutionflow.flowhealth.service import flow_signals

    return [
        Gap(**signal) for signal in await flow_signals(db, account=account, since=since, now=now)
    ]


async def knowledge_gaps(
    db: AsyncSession,
    *,
    account: Account,
    period_days: int = detection.DEFAULT_PERIOD,
    settings: Settings | None = None,
    use_cache: bool = True,
    now: datetime | None = None,
) -> KnowledgeGapReport:
    """The gap report; served from the cache while the account's sessions are unchanged."""
    check_period(period_days)
    settings = settings or get_settings()
    version = await sessions_service.data_version(db, account_id=account.id)
    key = ("gaps", account.id, period_days, version)
    cacheable = use_cache and now is None
    if cacheable:
        cached = reports.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    now = now or datetime.now(UTC)
    gaps = await detect_gaps(db, account=account, since=now - timedelta(days=period_days), now=now)
    report = KnowledgeGapReport(
        generated_at=now,
        period_days=period_days,  # type: ignore[arg-type]
        gaps=[KnowledgeGapRead.model_validate(g.as_dict()) for g in gaps],
    )
    if cacheable:
        reports.put(key, report, settings.gaps_cache_seconds)
    return report
