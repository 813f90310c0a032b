"""Flywheel fixtures: an account with reviewers and a flow, and a worker with a fixed clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.providers.offline import OfflineProvider
from resolutionflow.config import Settings
from resolutionflow.flywheel.worker import DrainStats, Worker
from resolutionflow.models import Account, FlowProposal, Session
from resolutionflow.sessions import importer
from tests.helpers import create_account, create_flow, create_user


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Desk:
    account: Account
    flow_id: uuid.UUID
    account_id: uuid.UUID
    settings: Settings
    clock: Clock

    def worker(self, provider: Any = None, **overrides: Any) -> Worker:
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        return Worker(settings, provider=provider or OfflineProvider(), clock=self.clock)

    async def drain(self, provider: Any = None, **overrides: Any) -> DrainStats:
        return await self.worker(provider, **overrides).drain()


@pytest.fixture
async def desk(db: AsyncSession, settings: Settings) -> Desk:
    account = await create_account(db, slug="desk")
    await create_user(db, account, role="team_admin")
    await create_user(db, account, role="admin")
    await create_user(db, account, role="engineer")
    flow = await create_flow(db, account, key="printer-offline")
    await db.commit()
    clock = Clock(datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0))
    fast = settings.model_copy(update={"worker_retry_base_seconds": 0.0, "worker_max_attempts": 3})
    return Desk(account=account, flow_id=flow.id, account_id=account.id, settings=fast, clock=clock)


async def import_lines(db: AsyncSession, account: Account, lines: list[dict[str, Any]]) -> None:
    summary = await importer.import_sessions(
        db, account=account, lines=[json.dumps(line) for line in lines]
    )
    assert summary.errors == [], summary.errors
    await db.commit()


async def statuses(db: AsyncSession) -> dict[str, int]:
    await db.commit()  # end the read snapshot: SQLite would keep showing the old rows
    rows = await db.execute(
        select(Session.analysis_status, func.count()).group_by(Session.analysis_status)
    )
    return {status: n for status, n in rows.all()}


async def proposals(db: AsyncSession) -> list[FlowProposal]:
    await db.commit()
    db.expire_all()
    return list(
        (await db.execute(select(FlowProposal).order_by(FlowProposal.created_at))).scalars()
    )


async def assert_nothing_lost(db: AsyncSession) -> None:
    """Every completed session is the source of a proposal or counted in exactly one."""
    completed = {
        str(s) for s in (await db.execute(
            select(Session.id).where(Session.analysis_status == "completed")
        )).scalars()
    }  # fmt: skip
    seen: dict[str, int] = {}
    for p in await proposals(db):
        ids = set(p.supporting_session_ids) | {str(p.source_session_id)}
        for sid in ids:
            seen[sid] = seen.get(sid, 0) + 1
    assert completed <= set(seen), f"completed without a proposal: {completed - set(seen)}"
    assert all(n == 1 for n in seen.values()), {k: v for k, v in seen.items() if v > 1}


ProviderFactory = Callable[[], Any]
