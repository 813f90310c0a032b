"""The analytics dashboard of an account over 7, 30 or 90 days (SPEC §11).

Definitions. The period holds the sessions *created* at or after now minus the period (the
gap report's rule). Rates are over all the period's sessions of the group, rounded to 3
decimals, and None when the group is empty; times are in minutes (review times in hours),
rounded to 1 decimal, None when nothing was resolved. Time to resolve runs from created_at
to resolved_at of resolved sessions. First-time fix: a resolved session with no failed
action step (the first fix tried worked, or none was needed); the rate is over the resolved
sessions. Eventual success: a session where an action failed and a later action (higher
step_order) succeeded, each session counted once however many attempts failed; a session
whose actions all failed is not one. PSA figures cover the sessions with a PSA ticket. The
flywheel figures cover the proposals created in the period: acceptance rate =
(approved + modified) / (approved + modified + rejected). Trends count, per UTC day and ISO
week of creation, the sessions created and how many of them are now resolved or escalated.

Speed at a million sessions. Everything is grouped in the database over one index range of
the period's sessions (`ix_sessions_account_created`). The only step-level figures (failed
and successful actions of ticketed sessions) come from two small partial indexes holding
just the failed and the successful action steps with their step_order
(`ix_session_steps_failed_actions`, `..._succeeded_actions`), which PostgreSQL probes per
session of the period as index-only scans, never reading the ten-million-row steps table
(`db.tune_for_reports` holds the planner settings that keep it that way).
Rollups kept up to date on every write were not needed for the target; they would make
every import and resolve pay for a page that is read a few times a day, and sessions
imported with past dates would have to correct them. The result is cached like the gap
report, per account, period and data version.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.analytics import repository as repo
from resolutionflow.analytics.schemas import (
    Dashboard,
    FlowUse,
    FlywheelStats,
    PsaStats,
    TierStats,
    TrendPoint,
)
from resolutionflow.config import Settings, get_settings
from resolutionflow.db import tune_for_reports
from resolutionflow.flows.success import Success
from resolutionflow.gaps.cache import reports
from resolutionflow.gaps.detection import DEFAULT_PERIOD
from resolutionflow.gaps.service import check_period
from resolutionflow.models import Account
from resolutionflow.models.session import CONFIDENCE_TIERS
from resolutionflow.sessions import service as sessions_service

TOP_FLOWS = 10
MIN_FLOW_OUTCOMES = 5


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _minutes(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


async def _tiers(
    db: AsyncSession, account_id: uuid.UUID, since: datetime
) -> tuple[list[TierStats], dict[str, int]]:
    counts = await repo.tier_status_counts(db, account_id, since)
    times = await repo.resolve_times_by_tier(db, account_id, since)
    by_status: Counter[str] = Counter()
    per_tier: dict[str, Counter[str]] = {t: Counter() for t in CONFIDENCE_TIERS}
    for tier, status, n in counts:
        per_tier.setdefault(tier, Counter())[status] += n
        by_status[status] += n
    tiers = []
    for tier, statuses in per_tier.items():
        total = sum(statuses.values())
        escalated = sum(statuses[s] for s in repo.ESCALATED)
        mean, median = times.get(tier, (None, None))
        tiers.append(
            TierStats(
                tier=tier,
                sessions=total,
                resolved=statuses["resolved"],
                escalated=escalated,
                resolution_rate=rate(statuses["resolved"], total),
                escalation_rate=rate(escalated, total),
                mean_minutes_to_resolve=_minutes(mean),
                median_minutes_to_resolve=_minutes(median),
            )
        )
    return tiers, dict(sorted(by_status.items()))


async def _psa(db: AsyncSession, account_id: uuid.UUID, since: datetime) -> PsaStats:
    counts = await repo.psa_counts(db, account_id, since)
    sessions = sum(n for _, n, _ in counts)
    resolved = sum(n for s, n, _ in counts if s == "resolved")
    escalated = sum(n for s, n, _ in counts if s in repo.ESCALATED)
    times = await repo.psa_resolution_times(db, account_id, since) or (None, None)
    failed_resolved, eventual = await repo.psa_action_outcomes(db, account_id, since)
    first_time = resolved - failed_resolved
    return PsaStats(
        sessions_with_ticket=sessions,
        resolved=resolved,
        escalated=escalated,
        mean_minutes_to_resolution=_minutes(times[0]),
        median_minutes_to_resolution=_minutes(times[1]),
        time_logged_minutes=sum(m for _, _, m in counts),
        first_time_fixes=first_time,
        first_time_fix_rate=rate(first_time, resolved),
        eventual_successes=eventual,
    )


async def _flywheel(db: AsyncSession, account_id: uuid.UUID, since: datetime) -> FlywheelStats:
    counts = await repo.proposal_counts(db, account_id, since)
    by_type: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for kind, status, n, _ in counts:
        by_type[kind] += n
        by_status[status] += n
    accepted = by_status["approved"] + by_status["modified"]
    review = await repo.review_hours(db, account_id, since)
    uses = [
        FlowUse(
            flow_id=fid,
            name=name,
            uses=n,
            resolved=r,
            escalated=e,
            success_rate=Success(r, r + e).rate,
            success_text=Success(r, r + e).text,
        )
        for fid, name, n, r, e in await repo.flow_uses(db, account_id, since)
    ]
    by_success = [u for u in uses if u.resolved + u.escalated >= MIN_FLOW_OUTCOMES]
    return FlywheelStats(
        proposals=sum(by_type.values()),
        by_type=dict(sorted(by_type.items())),
        by_status=dict(sorted(by_status.items())),
        acceptance_rate=rate(accepted, accepted + by_status["rejected"]),
        median_hours_to_review=_minutes(review[1]) if review else None,
        flows_published=sum(p for _, _, _, p in counts),
        reinforcements=by_type["auto_reinforced"],
        top_flows_by_use=sorted(uses, key=lambda u: (-u.uses, u.name, str(u.flow_id)))[:TOP_FLOWS],
        top_flows_by_success=sorted(
            by_success, key=lambda u: (-(u.success_rate or 0.0), -u.uses, u.name)
        )[:TOP_FLOWS],
    )


def trends(
    days: dict[date, tuple[int, int, int]], first: date, last: date
) -> tuple[list[TrendPoint], list[TrendPoint]]:
    """Every day from `first` to `last` (zeros included), and the same summed per ISO week."""
    daily: list[TrendPoint] = []
    weekly: dict[str, list[int]] = {}
    day = first
    while day <= last:
        created, resolved, escalated = days.get(day, (0, 0, 0))
        daily.append(
            TrendPoint(
                period=day.isoformat(), created=created, resolved=resolved, escalated=escalated
            )
        )
        year, week, _ = day.isocalendar()
        sums = weekly.setdefault(f"{year}-W{week:02d}", [0, 0, 0])
        sums[0] += created
        sums[1] += resolved
        sums[2] += escalated
        day += timedelta(days=1)
    return daily, [
        TrendPoint(period=k, created=c, resolved=r, escalated=e) for k, (c, r, e) in weekly.items()
    ]


async def dashboard(
    db: AsyncSession,
    *,
    account: Account,
    period_days: int = DEFAULT_PERIOD,
    settings: Settings | None = None,
    use_cache: bool = True,
    now: datetime | None = None,
) -> Dashboard:
    """Every dashboard figure of the period; cached while the account's sessions are unchanged."""
    check_period(period_days)
    settings = settings or get_settings()
    version = await sessions_service.data_version(db, account_id=account.id)
    key = ("dashboard", account.id, period_days, version)
    cacheable = use_cache and now is None
    if cacheable:
        cached = reports.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    now = now or datetime.now(UTC)
    since = now - timedelta(days=period_days)
    await tune_for_reports(db)
    tiers, by_status = await _tiers(db, account.id, since)
    daily, weekly = trends(await repo.daily_counts(db, account.id, since), since.date(), now.date())
    board = Dashboard(
        generated_at=now,
        period_days=period_days,  # type: ignore[arg-type]  # checked by the API as PeriodDays
        since=since,
        sessions=sum(by_status.values()),
        by_status=by_status,
        tiers=tiers,
        psa=await _psa(db, account.id, since),
        flywheel=await _flywheel(db, account.id, since),
        daily=daily,
        weekly=weekly,
    )
    if cacheable:
        reports.put(key, board, settings.gaps_cache_seconds)
    return board
