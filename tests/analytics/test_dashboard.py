"""The dashboard figures over stored sessions and proposals, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.analytics.service import dashboard, trends
from resolutionflow.errors import Invalid
from resolutionflow.gaps.cache import reports
from resolutionflow.models import Account
from resolutionflow.models.base import utcnow
from tests.gaps.factory import NOW, action, add_session, question
from tests.helpers import create_account, create_flow, create_proposal


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    reports.clear()
    yield
    reports.clear()


async def _board(db: AsyncSession, account: Account, period: int = 30) -> Any:
    return await dashboard(db, account=account, period_days=period, use_cache=False)


def _ticket(n: int) -> dict[str, Any]:
    return {"psa_provider": "halo", "psa_ticket_id": f"T-{n}", "time_spent_minutes": 10 + n}


async def test_eventual_success_and_first_time_fix(db: AsyncSession) -> None:
    account = await create_account(db)
    plans = [
        # several failures, then a success: one eventual success, not a first-time fix
        ("resolved", [action(False), action(False), action(False), action(True)]),
        # success then failure: no later success
        ("resolved", [action(True), action(False)]),
        # only failures: not an eventual success
        ("escalated", [action(False), action(False)]),
        # first try works, and a session with no actions at all: both first-time fixes
        ("resolved", [action(True), action(True)]),
        ("resolved", [question("Is it plugged in?")]),
        # failure, success, failure, success: still one session
        ("escalated", [action(False), action(True), action(False), action(True)]),
    ]
    for n, (status, steps) in enumerate(plans):
        await add_session(
            db, account, status=status, steps=steps, minutes=10 * (n + 1), **_ticket(n)
        )
    # Without a ticket: not in the PSA figures.
    await add_session(db, account, steps=[action(False), action(True)])
    await db.commit()
    psa = (await _board(db, account)).psa
    assert psa.sessions_with_ticket == 6
    assert (psa.resolved, psa.escalated) == (4, 2)
    assert psa.eventual_successes == 2
    assert psa.first_time_fixes == 2
    assert psa.first_time_fix_rate == 0.5
    assert psa.time_logged_minutes == sum(10 + n for n in range(6))
    # resolved after 10, 20, 40 and 50 minutes
    assert psa.mean_minutes_to_resolution == 30.0
    assert psa.median_minutes_to_resolution == 30.0


async def test_confidence_tiers(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(db, account, key="printer-offline")
    for status, minutes in [
        ("resolved", 10),
        ("resolved", 20),
        ("resolved", 60),
        ("escalated", 5),
        ("active", 0),
    ]:
        await add_session(
            db, account, tier="high", flow_key=flow.key, status=status, minutes=minutes
        )
    await add_session(db, account, tier="discovery", status="requesting_escalation")
    await add_session(db, account, tier="discovery", age=timedelta(days=31))
    await db.commit()
    board = await _board(db, account)
    tiers = {t.tier: t for t in board.tiers}
    assert list(tiers) == ["high", "medium", "low", "discovery"]
    high = tiers["high"]
    assert (high.sessions, high.resolved, high.escalated) == (5, 3, 1)
    assert (high.resolution_rate, high.escalation_rate) == (0.6, 0.2)
    assert high.mean_minutes_to_resolve == 30.0
    assert high.median_minutes_to_resolve == 20.0
    assert tiers["discovery"].escalation_rate == 1.0
    assert tiers["medium"].sessions == 0 and tiers["medium"].resolution_rate is None
    assert board.sessions == 6
    assert board.by_status == {
        "active": 1,
        "escalated": 1,
        "requesting_escalation": 1,
        "resolved": 3,
    }


async def test_flywheel_figures_and_top_flows(db: AsyncSession) -> None:
    account = await create_account(db)
    busy = await create_flow(db, account, key="busy", name="Busy flow")
    quiet = await create_flow(db, account, key="quiet", name="Quiet flow")
    for k in range(6):
        await add_session(
            db, account, flow_key=busy.key, tier="high", status="escalated" if k < 2 else "resolved"
        )
    for _ in range(5):
        await add_session(db, account, flow_key=quiet.key, tier="high")
    reviewed = utcnow()
    for status in ("approved", "modified", "rejected", "dismissed", "pending"):
        await create_proposal(
            db,
            account,
            status=status,
            created_at=reviewed - timedelta(hours=4),
            reviewed_at=None if status == "pending" else reviewed,
        )
    await create_proposal(db, account, proposal_type="auto_reinforced", status="auto_reinforced")
    old = await create_proposal(db, account, status="rejected")
    old.created_at = NOW - timedelta(days=40)
    await db.commit()

    fly = (await _board(db, account)).flywheel
    assert fly.proposals == 6
    assert fly.by_type == {"auto_reinforced": 1, "new_flow": 5}
    assert fly.by_status["rejected"] == 1
    assert fly.acceptance_rate == 0.667
    assert fly.median_hours_to_review == 4.0
    assert fly.reinforcements == 1
    assert [(f.name, f.uses) for f in fly.top_flows_by_use] == [("Busy flow", 6), ("Quiet flow", 5)]
    assert [(f.name, f.success_rate) for f in fly.top_flows_by_success] == [
        ("Quiet flow", 1.0),
        ("Busy flow", 0.667),
    ]


async def test_trends_and_scope(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    await add_session(db, account, age=timedelta(days=2))
    await add_session(db, account, age=timedelta(days=2), status="escalated")
    await add_session(db, account, age=timedelta(hours=2))
    for _ in range(4):
        await add_session(
            db, other, age=timedelta(days=2), steps=[action(False), action(True)], **_ticket(1)
        )
    await db.commit()
    board = await _board(db, account, period=7)
    assert len(board.daily) == 8
    by_day = {p.period: (p.created, p.resolved, p.escalated) for p in board.daily}
    two_days_ago = (NOW - timedelta(days=2)).date().isoformat()
    assert by_day[two_days_ago] == (2, 1, 1)
    assert sum(p.created for p in board.daily) == sum(p.created for p in board.weekly) == 3
    assert board.psa.sessions_with_ticket == 0 and board.psa.eventual_successes == 0


def test_weeks_are_iso_weeks() -> None:
    from datetime import date

    days = {date(2026, 1, 4): (2, 1, 0), date(2026, 1, 5): (3, 0, 1)}  # Sunday, Monday
    daily, weekly = trends(days, date(2026, 1, 3), date(2026, 1, 6))
    assert [p.period for p in daily] == ["2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"]
    assert [(p.period, p.created) for p in weekly] == [("2026-W01", 2), ("2026-W02", 3)]


async def test_dashboard_period_and_cache(db: AsyncSession) -> None:
    account = await create_account(db)
    await db.commit()
    with pytest.raises(Invalid):
        await dashboard(db, account=account, period_days=60)
    first = await dashboard(db, account=account)
    assert await dashboard(db, account=account) is first
    await add_session(db, account)  # a finished session bumps the data version
    await db.commit()
    assert (await dashboard(db, account=account)).sessions == 1
