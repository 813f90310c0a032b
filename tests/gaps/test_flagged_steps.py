"""Signal 5: steps engineers flagged in the runner show in the gap report, per flow and node."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.gaps.cache import reports
from resolutionflow.gaps.detection import FlaggedStep, flagged_steps
from resolutionflow.gaps.service import knowledge_gaps
from resolutionflow.models import NodeFeedback
from resolutionflow.models.base import utcnow
from tests.helpers import create_account, create_flow


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    reports.clear()
    yield
    reports.clear()


def test_severity_follows_the_number_of_flags_and_the_most_flagged_come_first() -> None:
    rows = [
        FlaggedStep("f", "Printer", "printing", "root", "Queue state", count, [f"n{count}"])
        for count in (1, 2, 5, 7, 3, 4)
    ]
    gaps = flagged_steps(rows)
    assert [g.evidence["flag_count"] for g in gaps] == [7, 5, 4, 3, 2]
    assert [g.severity for g in gaps] == ["high", "high", "medium", "medium", "medium"]
    assert flagged_steps(rows[:1])[0].severity == "low"
    assert "“Queue state” in Printer" in gaps[0].title


async def test_the_report_counts_the_periods_flags_of_the_account_only(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    flow = await create_flow(db, account, name="Printer offline")
    theirs = await create_flow(db, other, name="Their flow")

    def flag(owner: Any, on: Any, node: str, note: str, age: timedelta = timedelta(0)) -> None:
        db.add(
            NodeFeedback(
                id=uuid.uuid4(),
                account_id=owner.id,
                flow_id=on.id,
                flow_version=1,
                node_id=node,
                note=note,
                created_at=utcnow() - age,
            )
        )

    flag(account, flow, "restart", "Which server?")
    flag(account, flow, "restart", "Spooler on the PC or the server?")
    flag(account, flow, "root", "Too old", age=timedelta(days=40))
    flag(other, theirs, "root", "theirs")
    await db.commit()
    report = await knowledge_gaps(db, account=account, period_days=30, use_cache=False)
    (gap,) = [g for g in report.gaps if g.gap_type == "flagged_steps"]
    assert gap.severity == "medium" and gap.domain == "printing"
    assert gap.evidence["flow_id"] == str(flow.id) and gap.evidence["node_id"] == "restart"
    assert gap.evidence["flag_count"] == 2
    assert sorted(gap.evidence["notes"]) == ["Spooler on the PC or the server?", "Which server?"]
    assert "Restart the spooler" in gap.title
