"""Creating and finding accounts, teams, users and API tokens."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts import repository as repo
from resolutionflow.errors import Conflict, Invalid, NotFound, Problem
from resolutionflow.models import ROLES, Account, ApiToken, Team, User
from resolutionflow.models.base import utcnow
from resolutionflow.notifications.egress import check_webhook_url
from resolutionflow.tenancy.auth import end_sessions
from resolutionflow.tenancy.scope import get_scoped
from resolutionflow.tenancy.security import MIN_PASSWORD_LENGTH, hash_password, new_token

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_slug(slug: str, field: str = "slug") -> str:
    slug = slug.strip()
    if not SLUG_RE.match(slug):
        raise Invalid(
            f"{field} '{slug}' must be lowercase letters, digits and dashes (at most 63)",
            problems=[Problem(field, "must be lowercase letters, digits and dashes")],
        )
    return slug


def check_email(email: str) -> str:
    email = email.strip()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise Invalid(f"'{email}' is not an email address", problems=[Problem("email", "invalid")])
    return email


def check_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(
            f"role '{role}' is not one of {', '.join(ROLES)}",
            problems=[Problem("role", f"must be one of {', '.join(ROLES)}")],
        )
    return role


async def create_account(db: AsyncSession, *, slug: str, name: str) -> Account:
    slug = check_slug(slug)
    if not name.strip():
        raise Invalid("name must not be empty", problems=[Problem("name", "must not be empty")])
    if await repo.account_by_slug(db, slug):
        raise Conflict(f"account '{slug}' already exists")
    account = Account(slug=slug, name=name.strip(), settings={})
    db.add(account)
    await db.flush()
    return account


async def get_account(db: AsyncSession, *, slug: str) -> Account:
    account = await repo.account_by_slug(db, slug)
    if account is None:
        raise NotFound(f"account '{slug}' not found")
    return account


async def list_accounts(db: AsyncSession) -> list[Account]:
    return await repo.list_accounts(db)


async def create_team(db: AsyncSession, *, account: Account, slug: str, name: str) -> Team:
    slug = check_slug(slug, "team")
    if await repo.team_by_slug(db, account.id, slug):
        raise Conflict(f"team '{slug}' already exists in account '{account.slug}'")
    team = Team(account_id=account.id, slug=slug, name=name.strip() or slug)
    await repo.add(db, team)
    return team


async def get_team(db: AsyncSession, *, account: Account, slug: str) -> Team:
    team = await repo.team_by_slug(db, account.id, slug)
    if team is None:
        raise NotFound(f"team '{slug}' not found in account '{account.slug}'")
    return team


async def create_user(
    db: AsyncSession,
    *,
    account: Account,
    email: str,
    role: str = "engineer",
    password: str | None = None,
    name: str | None = None,
    team: Team | None = None,
) -> User:
    email = check_email(email)
    check_role(role)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            problems=[Problem("password", f"at least {MIN_PASSWORD_LENGTH} characters")],
        )
    if await repo.user_by_email(db, email):
        # The same answer whether the address is taken in this account or another: emails are
        # unique across the installation, and saying where would tell one tenant about another.
        raise Conflict(
            "this email address cannot be used for a new user: choose another address",
            problems=[Problem("email", "cannot be used for a new user")],
        )
    user = User(
        account_id=account.id,
        team_id=team.id if team else None,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password else None,
        is_active=True,
    )
    await repo.add(db, user)
    return user


async def set_password(
    db: AsyncSession, *, account: Account, user_id: uuid.UUID, password: str
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    user = await get_scoped(db, User, user_id, account.id, what="user")
    user.password_hash = hash_password(password)
    await end_sessions(db, user=user)
    return user


async def user_by_email(db: AsyncSession, *, email: str) -> User:
    user = await repo.user_by_email(db, email)
    if user is None:
        raise NotFound(f"no user with email '{email}'")
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken


async def create_token(db: AsyncSession, *, user: User, name: str = "") -> IssuedToken:
    """Issue an API token for `user`; the plain token exists only in the return value."""
    token, token_hash, prefix = new_token()
    record = ApiToken(
        account_id=user.account_id, user_id=user.id, name=name, token_hash=token_hash, prefix=prefix
    )
    db.add(record)
    await db.flush()
    return IssuedToken(token=token, record=record)


async def revoke_token(db: AsyncSession, *, account: Account, token_id: uuid.UUID) -> ApiToken:
    record = await get_scoped(db, ApiToken, token_id, account.id, what="token")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        await db.flush()
    return record


async def list_users(db: AsyncSession, *, account: Account) -> list[User]:
    return await repo.list_users(db, account.id)


async def list_teams(db: AsyncSession, *, account: Account) -> list[Team]:
    return await repo.list_teams(db, account.id)


async def update_user(
    db: AsyncSession,
    *,
    account: Account,
    user_id: uuid.UUID,
    acting: User,
    role: str | None = None,
    password: str | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> User:
    user = await get_scoped(db, User, user_id, account.id, what="user")
    if user.id == acting.id and (role not in (None, acting.role) or is_active is False):
        raise Conflict("you cannot change your own role or deactivate yourself")
    if role is not None:
        user.role = check_role(role)
    if password is not None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        user.password_hash = hash_password(password)
        await end_sessions(db, user=user)
    if name is not None:
        user.name = name
    if is_active is not None:
        user.is_active = is_active
    await db.flush()
    return user


async def get_user(db: AsyncSession, *, account: Account, user_id: uuid.UUID) -> User:
    return await get_scoped(db, User, user_id, account.id, what="user")


async def list_tokens(db: AsyncSession, *, account: Account) -> list[ApiToken]:
    return await repo.list_tokens(db, account.id)


WEBHOOK_KEYS = ("webhook_url", "webhook_format")


def account_settings(account: Account) -> dict[str, str | None]:
    stored = account.settings or {}
    return {
        "webhook_url": stored.get("webhook_url"),
        "webhook_format": stored.get("webhook_format") or "slack",
    }


async def update_settings(
    db: AsyncSession,
    *,
    account: Account,
    webhook_url: str | None,
    webhook_format: str,
    allow_http_loopback: bool = False,
) -> dict[str, str | None]:
    if webhook_url:
        webhook_url = await check_webhook_url(webhook_url, allow_http_loopback=allow_http_loopback)
    account.settings = {
        **(account.settings or {}),
        "webhook_url": webhook_url,
        "webhook_format": webhook_format,
    }
    await db.flush()
    return account_settings(account)


# -- lookups other areas need (the importer and the notifier) ------------------------------


async def team_by_slug(db: AsyncSession, *, account_id: uuid.UUID, slug: str) -> Team | None:
    return await repo.team_by_slug(db, account_id, slug)


async def teams_by_slugs(
    db: AsyncSession, *, account_id: uuid.UUID, slugs: Iterable[str]
) -> dict[str, Team]:
    return await repo.teams_by_slugs(db, account_id, slugs)


async def find_user_by_email(db: AsyncSession, *, email: str) -> User | None:
    """Any account's user with this address, or None: addresses are unique across accounts."""
    return await repo.user_by_email(db, email)


async def user_in_account(db: AsyncSession, *, account_id: uuid.UUID, email: str) -> User | None:
    """The account's user with this address (any case, spaces ignored), or None: a user of
    another account is never returned."""
    found = await repo.user_by_email(db, email.strip().lower())
    return found if found is not None and found.account_id == account_id else None


async def find_account(db: AsyncSession, *, slug: str) -> Account | None:
    """The account with this slug, or None (for answers that must not reveal which exist)."""
    return await repo.account_by_slug(db, slug)


async def users_by_emails(db: AsyncSession, *, emails: Iterable[str]) -> dict[str, User]:
    return await repo.users_by_emails(db, emails)


async def reviewers(db: AsyncSession, *, account_id: uuid.UUID) -> list[User]:
    """The account's active team admins and admins."""
    return await repo.reviewers(db, account_id)


async def add_imported_team(db: AsyncSession, *, account_id: uuid.UUID, slug: str) -> Team:
    """A team an imported session names and the account does not have yet: made on first use."""
    team = Team(account_id=account_id, slug=slug, name=slug)
    await repo.add(db, team)
    return team


async def add_imported_engineer(
    db: AsyncSession, *, account_id: uuid.UUID, team_id: uuid.UUID | None, email: str
) -> User:
    """An engineer an imported session names: a user without a password (cannot sign in until
    an admin sets one)."""
    user = User(
        account_id=account_id,
        team_id=team_id,
        email=email,
        role="engineer",
        password_hash=None,
        is_active=True,
    )
    await repo.add(db, user)
    return user
