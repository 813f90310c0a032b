"""The SQL of sign-in: who a cookie, a token or an e-mail address belongs to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, ApiToken, User


async def user_and_account(
    db: AsyncSession, user_id: uuid.UUID
) -> tuple[User, Account | None] | None:
    stmt = (
        select(User, Account)
        .outerjoin(Account, Account.id == User.account_id)
        .where(User.id == user_id)
    )
    found = (await db.execute(stmt)).one_or_none()
    return (found[0], found[1]) if found is not None else None


# One round trip for the token, its user and their account, on every request; built once.
_TOKEN_LOOKUP = (
    select(ApiToken, User, Account)
    .outerjoin(User, User.id == ApiToken.user_id)
    .outerjoin(Account, Account.id == User.account_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def token_with_owner(
    db: AsyncSession, token_hash: str
) -> tuple[ApiToken, User | None, Account | None] | None:
    found = (await db.execute(_TOKEN_LOOKUP, {"token_hash": token_hash})).one_or_none()
    return (found[0], found[1], found[2]) if found is not None else None


async def touch_token(db: AsyncSession, token_id: uuid.UUID, when: datetime) -> None:
    """Record when a token was last used (a plain UPDATE: the token row is not loaded)."""
    await db.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await db.execute(stmt)).scalar_one_or_none()
