"""The gap report's flow signals on SQLite and PostgreSQL: stale flows and declining flows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flowhealth.service import verify_flow
from resolutionflow.gaps.cache import reports
from resolutionflow.gaps.service import knowledge_gaps
from tests.flowhealth.factory import ask, walk
from tests.helpers import create_account, create_flow, create_user

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    reports.clear()
    yield
    reports.clear()


def _of(report: Any, kind: str) -> list[Any]:
    return [g for g in report.gaps if g.gap_type == kind]


async def test_flows_past_review_by_are_reported_until_verified(db: AsyncSession) -> None:
    account = await create_account(db)
    owner = await create_user(db, account, role="team_admin", email="owner@example.com")
    due = await create_flow(db, account, key="due", name="Old printer flow")
    due.owner_id = owner.id
    due.review_by = NOW - timedelta(days=40)
    await create_flow(db, account, key="fresh", name="Fresh flow")  # review_by in the future
    stranger = await create_account(db)
    theirs = await create_flow(db, stranger, key="theirs")
    theirs.review_by = NOW - timedelta(days=400)
    await db.commit()

    report = await knowledge_gaps(db, account=account, period_days=30, use_cache=False, now=NOW)
    stale = _of(report, "stale_flow")
    assert [g.evidence["flow_key"] for g in stale] == ["due"]
    assert stale[0].severity == "medium" and stale[0].evidence["days_overdue"] == 40
    assert stale[0].evidence["owner_email"] == "owner@example.com"

    await verify_flow(db, account=account, user=owner, key="due")
    await db.commit()
    report = await knowledge_gaps(db, account=account, period_days=30, use_cache=False)
    assert _of(report, "stale_flow") == []


async def test_a_clear_fall_in_success_is_reported_a_small_one_is_not(db: AsyncSession) -> None:
    account = await create_account(db)
    falling = await create_flow(db, account, key="falling", name="Falling flow")
    steady = await create_flow(db, account, key="steady", name="Steady flow")
    earlier, recent = NOW - timedelta(days=45), NOW - timedelta(days=5)
    steps = [ask(earlier, picked="o-no")]
    # falling: 8 of 8 resolved before, 2 of 8 in the period. steady: 6/8, then 5/8.
    for flow, before, after in ((falling, 8, 2), (steady, 6, 5)):
        for i in range(8):
            await walk(db, account, flow, earlier, "resolved" if i < before else "escalated", steps)
            await walk(db, account, flow, recent, "resolved" if i < after else "abandoned", steps)
    await db.commit()

    report = await knowledge_gaps(db, account=account, period_days=30, use_cache=False, now=NOW)
    falls = _of(report, "declining_flow")
    assert [g.evidence["flow_key"] for g in falls] == ["falling"]
    e = falls[0].evidence
    assert (e["earlier_finished"], e["earlier_resolved"]) == (8, 8)
    assert (e["recent_finished"], e["recent_resolved"]) == (8, 2)
    assert falls[0].severity == "high"
    # Too few sessions in a window: no signal, however large the fall.
    report7 = await knowledge_gaps(db, account=account, period_days=7, use_cache=False, now=NOW)
    assert _of(report7, "declining_flow") == []
