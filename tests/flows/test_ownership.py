"""Flow ownership: publication verifies a flow and sets its review-by date; use does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import reset_settings
from resolutionflow.flows.schemas import FlowIn, FlowUpdate
from resolutionflow.flows.service import create_flow, publish_version
from resolutionflow.flywheel.reinforcement import apply_reinforcements
from tests.helpers import create_account, create_user, simple_tree


async def test_a_new_flow_is_owned_by_its_author_and_verified_at_publication(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESOLUTIONFLOW_FLOW_REVIEW_DAYS", "30")
    reset_settings()
    account = await create_account(db)
    author = await create_user(db, account, role="team_admin")
    data = FlowIn(key="p", name="Printer", tree_structure=simple_tree())
    flow = await create_flow(db, account=account, data=data, author=author)
    assert flow.owner_id == author.id
    assert flow.verified_at is not None and flow.review_by is not None
    assert flow.review_by - flow.verified_at == timedelta(days=30)

    # Use moves the success rate, never the verification.
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    flow.verified_at, flow.review_by = long_ago, long_ago + timedelta(days=30)
    await db.flush()
    await apply_reinforcements(db, {flow.id: 2}, datetime.now(UTC))
    await db.refresh(flow)
    assert flow.success_rate is not None and flow.success_rate > 0
    assert flow.verified_at == long_ago

    # Publishing a new version is a person confirming the flow: verified again.
    await publish_version(db, account=account, flow=flow, changes=FlowUpdate(change_note="v2"))
    assert flow.version == 2 and flow.verified_at > long_ago
    assert flow.review_by - flow.verified_at == timedelta(days=30)
    assert flow.owner_id == author.id


async def test_a_flow_without_an_author_has_no_owner(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(
        db, account=account, data=FlowIn(key="q", name="Q", tree_structure=simple_tree())
    )
    assert flow.owner_id is None
    assert flow.review_by - flow.verified_at == timedelta(days=180)
