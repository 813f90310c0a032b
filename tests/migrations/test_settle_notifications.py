"""Revision 0013 marks read the 'proposal pending' notifications of decided proposals only."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from resolutionflow.config import Settings
from resolutionflow.db import make_engine
from resolutionflow.migrations.runner import upgrade
from resolutionflow.models import Notification
from resolutionflow.notifications.service import notify_reviewers, proposal_pending_payload
from tests.helpers import create_account, create_proposal, create_team, create_user


def _in_thread(coro_fn) -> None:  # type: ignore[no-untyped-def]
    # Alembic runs its own event loop: keep ours in a thread of its own.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coro_fn())
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


def test_decided_proposals_notifications_are_settled(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(Settings(database_url=url), revision="0014")  # the revision before 0013
    ids: dict[str, object] = {}

    async def seed() -> None:
        engine = make_engine(url)
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            account = await create_account(db)
            await create_user(db, account, role="admin")
            for status in ("pending", "rejected", "approved", "dismissed"):
                proposal = await create_proposal(db, account, title=status)
                proposal.status = status
                await notify_reviewers(
                    db,
                    account_id=account.id,
                    kind="proposal.pending",
                    payload=proposal_pending_payload(proposal),
                )
                ids[status] = str(proposal.id)
            await db.commit()
        await engine.dispose()

    _in_thread(seed)
    upgrade(Settings(database_url=url))
    unread: list[str] = []

    async def read() -> None:
        engine = make_engine(url)
        async with async_sessionmaker(engine)() as db:
            rows = (await db.execute(select(Notification))).scalars().all()
            unread.extend(n.payload["proposal_id"] for n in rows if n.read_at is None)
        await engine.dispose()

    _in_thread(read)
    assert unread == [ids["pending"]]


def test_other_teams_notices_are_settled_for_team_admins(tmp_path: Path) -> None:
    """Revision 0017: a team admin's unread notices about another team's proposal are read;
    their own team's, account-wide ones and the admins' stay unread."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(Settings(database_url=url), revision="0013")  # the revision before 0017
    who: dict[str, str] = {}

    async def seed() -> None:
        engine = make_engine(url)
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            account = await create_account(db)
            desk = await create_team(db, account, slug="desk")
            field = await create_team(db, account, slug="field")
            admin = await create_user(db, account, role="admin")
            lead = await create_user(db, account, role="team_admin")
            lead.team_id = desk.id
            who.update({str(admin.id): "admin", str(lead.id): "lead"})
            for title, team in (("desk", desk.id), ("field", field.id), ("all", None)):
                proposal = await create_proposal(db, account, title=title)
                proposal.team_id = team
                for user in (admin, lead):  # as every reviewer used to be told
                    db.add(
                        Notification(
                            account_id=account.id,
                            user_id=user.id,
                            kind="proposal.pending",
                            payload=proposal_pending_payload(proposal),
                        )
                    )
            await db.commit()
        await engine.dispose()

    _in_thread(seed)
    upgrade(Settings(database_url=url))
    unread: set[tuple[str, str]] = set()

    async def read() -> None:
        engine = make_engine(url)
        async with async_sessionmaker(engine)() as db:
            for n in (await db.execute(select(Notification))).scalars():
                if n.read_at is None:
                    unread.add((who[str(n.user_id)], n.payload["title"]))
        await engine.dispose()

    _in_thread(read)
    assert unread == {
        ("admin", "desk"),
        ("admin", "field"),
        ("admin", "all"),
        ("lead", "desk"),
        ("lead", "all"),
    }
