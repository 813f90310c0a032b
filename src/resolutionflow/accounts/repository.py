"""SQL for accounts, teams, users and tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, ApiToken, Team, User


async def account_by_slug(db: AsyncSession, slug: str) -> Account | None:
    return (await db.execute(select(Account).where(Account.slug == slug))).scalar_one_or_none()


async def list_accounts(db: AsyncSession) -> list[Account]:
    return list((await db.execute(select(Account).order_by(Account.slug))).scalars())


async def team_by_slug(db: AsyncSession, account_id: uuid.UUID, slug: str) -> Team | None:
    stmt = select(Team).where(Team.account_id == account_id, Team.slug == slug)
    return (await db.execute(stmt)).scalar_one_or_none()


async def teams_by_slugs(
    db: AsyncSession, account_id: uuid.UUID, slugs: Iterable[str]
) -> dict[str, Team]:
    wanted = set(slugs)
    if not wanted:
        return {}
    stmt = select(Team).where(Team.account_id == account_id, Team.slug.in_(wanted))
    return {t.slug: t for t in (await db.execute(stmt)).scalars()}


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.lower())
    return (await db.execute(stmt)).scalar_one_or_none()


async def users_by_emails(db: AsyncSession, emails: Iterable[str]) -> dict[str, User]:
    wanted = {e.lower() for e in emails}
    if not wanted:
        return {}
    stmt = select(User).where(func.lower(User.email).in_(wanted))
    return {u.email.lower(): u for u in (await db.execute(stmt)).scalars()}


async def list_users(db: AsyncSession, account_id: uuid.UUID) -> list[User]:
    stmt = select(User).where(User.account_id == account_id).order_by(User.email)
    return list((await db.execute(stmt)).scalars())


async def reviewers(db: AsyncSession, account_id: uuid.UUID) -> list[User]:
    stmt = (
        select(User)
        .where(
            User.account_id == account_id,
            User.role.in_(("team_admin", "admin")),
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    return list((await db.execute(stmt)).scalars())


async def list_tokens(db: AsyncSession, account_id: uuid.UUID) -> list[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.account_id == account_id)
        .order_by(ApiToken.created_at.desc())
    )
    return list((await db.execute(stmt)).scalars())


async def list_teams(db: AsyncSession, account_id: uuid.UUID) -> list[Team]:
    stmt = select(Team).where(Team.account_id == account_id).order_by(Team.slug)
    return list((await db.execute(stmt)).scalars())


async def add(db: AsyncSession, row: Team | User) -> None:
    """A new team or user, written now so its id can be referred to."""
    db.add(row)
    await db.flush()
