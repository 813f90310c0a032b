"""The demo's import step: sample tickets and articles in, twice without change."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.demo.imports import load_demo_imports
from resolutionflow.models import FlowProposal, Session
from tests.helpers import create_account


async def test_demo_imports_tickets_and_articles(db: AsyncSession, settings: Settings) -> None:
    await create_account(db, slug="northwind")
    await db.commit()
    first = await load_demo_imports(settings, account_slug="northwind")
    assert first["tickets"]["stored"] == 3
    assert sorted(a["shape"] for a in first["articles"]) == ["if_then", "symptoms"]
    again = await load_demo_imports(settings, account_slug="northwind")
    assert again["tickets"]["already_present"] == 3
    assert {a["status"] for a in again["articles"]} == {"already_present"}
    sessions = (await db.execute(select(func.count()).select_from(Session))).scalar_one()
    proposals = (await db.execute(select(func.count()).select_from(FlowProposal))).scalar_one()
    assert (sessions, proposals) == (5, 2)
