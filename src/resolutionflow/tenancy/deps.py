"""FastAPI dependencies: the database session, the caller, and role guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.db import get_sessionmaker
from resolutionflow.errors import Forbidden, Unauthorized
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    Principal,
    csrf_ok,
    principal_from_cookie,
    principal_from_token,
)
from resolutionflow.tenancy.roles import require_admin, require_reviewer

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for the request. Routes commit explicitly when they write;
    anything not committed is rolled back here."""
    settings = get_app_settings(request)
    write = request.method not in SAFE_METHODS
    async with get_sessionmaker(settings, write=write)() as db:
        try:
            yield db
        finally:
            await db.rollback()


DB = Annotated[AsyncSession, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


async def get_principal(request: Request, db: DB, settings: AppSettings) -> Principal:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        principal = await principal_from_token(db, token.strip())
        if db.dirty:
            await db.commit()  # last_used_at
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("sign in or send an API token")
    principal = await principal_from_cookie(db, settings, cookie)
    if request.method not in SAFE_METHODS:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            token = value if isinstance(value, str) else None
        if not csrf_ok(settings, principal, token):
            raise Forbidden("the form has expired or did not come from this site; reload the page")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_reviewer(principal: CurrentPrincipal) -> Principal:
    require_reviewer(principal.role)
    return principal


async def get_admin(principal: CurrentPrincipal) -> Principal:
    require_admin(principal.role)
    return principal


Reviewer = Annotated[Principal, Depends(get_reviewer)]
Admin = Annotated[Principal, Depends(get_admin)]
