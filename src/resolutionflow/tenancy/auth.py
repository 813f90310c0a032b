"""Who is calling: Bearer API tokens for machines, signed session cookies for people."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.errors import Unauthorized
from resolutionflow.models import Account, User
from resolutionflow.models.base import utcnow
from resolutionflow.tenancy import repository as repo
from resolutionflow.tenancy.security import hash_token, verify_password
from resolutionflow.tenancy.tokencache import TokenCache

SESSION_COOKIE = "rf_session"
SESSION_MAX_AGE = 12 * 3600
_process_secret = secrets.token_urlsafe(32)


def secret_of(settings: Settings) -> str:
    return settings.secret_key or _process_secret


@dataclass(frozen=True)
class Principal:
    """The signed-in user, their account, and how they proved it."""

    user: User
    account: Account
    via: str  # "token" | "cookie"
    session_nonce: str = ""

    @property
    def role(self) -> str:
        return self.user.role


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_of(settings), salt="rf-session")


def make_session_cookie(settings: Settings, user: User) -> str:
    """A signed cookie value naming the user, with a nonce the CSRF token is bound to and the
    user's session generation (bumping it ends every sign-in made before)."""
    nonce = secrets.token_urlsafe(16)
    return _serializer(settings).dumps(
        {"uid": str(user.id), "n": nonce, "g": user.session_generation or 0}
    )


def cookie_is_secure(settings: Settings, scheme: str) -> bool:
    """Mark the cookie Secure when told to, else when the request came over https."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return scheme == "https"


def set_session_cookie(response: Any, settings: Settings, scheme: str, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(settings, scheme),
        path="/",
    )


async def end_sessions(db: AsyncSession, *, user: User) -> None:
    """End every sign-in of this user (sign-out, password change): older cookies stop working."""
    user.session_generation = (user.session_generation or 0) + 1
    await db.flush()


def csrf_token_for(settings: Settings, nonce: str) -> str:
    return hmac.new(
        secret_of(settings).encode(), f"csrf:{nonce}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_ok(settings: Settings, principal: Principal, token: str | None) -> bool:
    if principal.via != "cookie":
        return True
    if not token:
        return False
    return hmac.compare_digest(token, csrf_token_for(settings, principal.session_nonce))


async def _active_user_and_account(db: AsyncSession, user_id: uuid.UUID) -> tuple[User, Account]:
    found = await repo.user_and_account(db, user_id)
    if found is None or not found[0].is_active or found[1] is None:
        raise Unauthorized("sign in again")
    return found[0], found[1]


def _touch_due(last_used_at: datetime | None, now: datetime) -> bool:
    # Touch at most once a minute: a write per request would serialise readers on SQLite.
    return last_used_at is None or (now - last_used_at).total_seconds() > 60


async def principal_from_token(
    db: AsyncSession, token: str, *, cache: TokenCache | None = None
) -> Principal:
    """The token's user and account. With a cache (reads on PostgreSQL), a token found valid
    before is taken from it, unless a change to it was notified since."""
    token_hash = hash_token(token)
    now = utcnow()
    if cache is not None:
        known = cache.get(token_hash)
        if known is not None:
            cached_user, cached_account = known.user_and_account(db)
            if _touch_due(known.last_used_at, now):
                await repo.touch_token(db, known.token_id, now)
                await db.commit()
                cache.touched(token_hash, now)
            return Principal(user=cached_user, account=cached_account, via="token")
        generation = cache.generation
    found = await repo.token_with_owner(db, token_hash)
    if found is None or found[0].revoked_at is not None:
        raise Unauthorized("the API token is not valid")
    record, user, account = found
    if user is None or not user.is_active or account is None:
        raise Unauthorized("sign in again")
    if _touch_due(record.last_used_at, now):
        record.last_used_at = now
    if cache is not None:
        cache.put(token_hash, record, user, account, generation)
    return Principal(user=user, account=account, via="token")


async def principal_from_cookie(db: AsyncSession, settings: Settings, value: str) -> Principal:
    try:
        data = _serializer(settings).loads(value, max_age=SESSION_MAX_AGE)
        user_id = uuid.UUID(data["uid"])
        nonce = str(data["n"])
        generation = int(data.get("g", 0))
    except (SignatureExpired, BadSignature, KeyError, ValueError, TypeError, AttributeError):
        raise Unauthorized("your sign-in has expired; sign in again") from None
    user, account = await _active_user_and_account(db, user_id)
    if generation != (user.session_generation or 0):
        raise Unauthorized("you were signed out; sign in again")
    return Principal(user=user, account=account, via="cookie", session_nonce=nonce)


async def authenticate_password(db: AsyncSession, email: str, password: str) -> User:
    user = await repo.user_by_email(db, email)
    # Verify even for unknown users so timing does not reveal which emails exist.
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        raise Unauthorized("wrong email or password")
    return user
