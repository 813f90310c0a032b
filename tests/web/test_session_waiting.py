"""A session parked by the daily proposal budget says so on its page, and when it resumes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Session
from tests.fixtures.web import WebWorld
from tests.web.seed import seed


async def test_waiting_session_shows_why_and_when(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    session = await db.get(Session, seeded.session.id)
    assert session is not None
    page = (await web.engineer.client.get(f"/sessions/{session.id}")).text
    assert 'id="analysis-waiting"' not in page
    session.analysis_status = "waiting"
    session.analysis_not_before = datetime(2031, 3, 4, tzinfo=UTC)
    session.analysis_error = "daily proposal budget of 50 spent"
    await db.commit()
    page = (await web.engineer.client.get(f"/sessions/{session.id}")).text
    assert 'id="analysis-waiting"' in page
    assert "daily proposal budget" in page and "04 Mar 2031, 00:00 UTC" in page
    assert "worker --drain --budget" in page

    session.analysis_status = "failed"
    session.analysis_error = "model refused the request: too long"
    await db.commit()
    page = (await web.engineer.client.get(f"/sessions/{session.id}")).text
    assert 'id="analysis-failed"' in page and "model refused the request" in page
