"""FastAPI dependencies: the database session, the caller, and role guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from resolutionflow import logs
from resolutionflow.config import Settings
from resolutionflow.db import get_engine, get_sessionmaker
from resolutionflow.errors import Forbidden, Unauthorized
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    Principal,
    csrf_ok,
    principal_from_cookie,
    principal_from_token,
)
from resolutionflow.tenancy.roles import require_admin, require_reviewer
from resolutionflow.tenancy.tokencache import cache_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _app_settings(request: Request) -> Settings:
    # An async twin for injection: FastAPI runs a plain `def` dependency in a worker thread,
    # a thread hop on every request for what is an attribute read.
    return get_app_settings(request)


_autocommit: dict[str, tuple[AsyncEngine, AsyncEngine]] = {}


def _autocommit_bind(settings: Settings) -> AsyncEngine:
    """The engine in autocommit mode, for reads on PostgreSQL (same pool, cached per engine)."""
    engine = get_engine(settings)
    cached = _autocommit.get(settings.database_url)
    if cached is None or cached[0] is not engine:
        cached = (engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
        _autocommit[settings.database_url] = cached
    return cached[1]


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for the request. Routes commit explicitly when they write;
    anything not committed is rolled back here.

    Reads (GET, HEAD, OPTIONS) on PostgreSQL run in autocommit: under READ COMMITTED every
    statement takes its own snapshot anyway, so a transaction around them only costs a BEGIN
    and a ROLLBACK round trip per request. Their one write, a token's last_used_at, is a single
    statement committed at once. SQLite keeps its transaction, which gives reads one snapshot.
    """
    settings = get_app_settings(request)
    write = request.method not in SAFE_METHODS
    maker = get_sessionmaker(settings, write=write)
    options = {} if write or settings.is_sqlite else {"bind": _autocommit_bind(settings)}
    async with maker(**options) as db:
        try:
            yield db
        finally:
            if not options:  # autocommit has no transaction to roll back
                await db.rollback()


DB = Annotated[AsyncSession, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(_app_settings)]


async def get_principal(request: Request, db: DB, settings: AppSettings) -> Principal:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        # Reads may take the token's owner from this process's cache; writes ask the database.
        cache = cache_for(settings) if request.method in SAFE_METHODS else None
        principal = await principal_from_token(db, token.strip(), cache=cache)
        if db.dirty:
            await db.commit()  # last_used_at
        logs.bind(account=principal.account.slug)
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("sign in or send an API token")
    principal = await principal_from_cookie(db, settings, cookie)
    logs.bind(account=principal.account.slug)
    if request.method not in SAFE_METHODS:
        csrf: str | None = request.headers.get("x-csrf-token")
        if csrf is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            csrf = value if isinstance(value, str) else None
        if not csrf_ok(settings, principal, csrf):
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
