"""Account administration over HTTP: users, teams, API tokens, settings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from resolutionflow.accounts import service
from resolutionflow.accounts.schemas import (
    AccountSettingsRead,
    AccountSettingsUpdate,
    TeamCreate,
    TeamRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from resolutionflow.tenancy.auth import make_session_cookie, set_session_cookie
from resolutionflow.tenancy.deps import DB, Admin, AppSettings, CurrentPrincipal

router = APIRouter(tags=["administration"])


@router.get("/users", response_model=list[UserRead], summary="Users of the account (admin)")
async def list_users(principal: Admin, db: DB) -> list[UserRead]:
    users = await service.list_users(db, account=principal.account)
    return [UserRead.model_validate(u) for u in users]


@router.post("/users", response_model=UserRead, status_code=201, summary="Add a user (admin)")
async def create_user(body: UserCreate, principal: Admin, db: DB) -> UserRead:
    team = (
        await service.get_team(db, account=principal.account, slug=body.team) if body.team else None
    )
    user = await service.create_user(
        db,
        account=principal.account,
        email=body.email,
        role=body.role,
        password=body.password,
        name=body.name,
        team=team,
    )
    await db.commit()
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserRead, summary="Change a user (admin)")
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: Admin,
    db: DB,
    request: Request,
    response: Response,
    settings: AppSettings,
) -> UserRead:
    user = await service.update_user(
        db,
        account=principal.account,
        user_id=user_id,
        acting=principal.user,
        role=body.role,
        password=body.password,
        name=body.name,
        is_active=body.is_active,
    )
    await db.commit()
    if body.password is not None and user.id == principal.user.id and principal.via == "cookie":
        # A new password ends every sign-in, this one included: give this one a fresh cookie.
        cookie = make_session_cookie(settings, user)
        set_session_cookie(response, settings, request.url.scheme, cookie)
    return UserRead.model_validate(user)


@router.get("/teams", response_model=list[TeamRead], summary="Teams of the account")
async def list_teams(principal: CurrentPrincipal, db: DB) -> list[TeamRead]:
    return [
        TeamRead.model_validate(t) for t in await service.list_teams(db, account=principal.account)
    ]


@router.post("/teams", response_model=TeamRead, status_code=201, summary="Add a team (admin)")
async def create_team(body: TeamCreate, principal: Admin, db: DB) -> TeamRead:
    team = await service.create_team(db, account=principal.account, slug=body.slug, name=body.name)
    await db.commit()
    return TeamRead.model_validate(team)


@router.get("/tokens", response_model=list[TokenRead], summary="API tokens of the account (admin)")
async def list_tokens(principal: Admin, db: DB) -> list[TokenRead]:
    return [
        TokenRead.model_validate(t)
        for t in await service.list_tokens(db, account=principal.account)
    ]


@router.post(
    "/tokens", response_model=TokenCreated, status_code=201, summary="Issue a token (admin)"
)
async def create_token(body: TokenCreate, principal: Admin, db: DB) -> TokenCreated:
    user = principal.user
    if body.user_id is not None:
        user = await service.get_user(db, account=principal.account, user_id=body.user_id)
    issued = await service.create_token(db, user=user, name=body.name)
    await db.commit()
    return TokenCreated(**TokenRead.model_validate(issued.record).model_dump(), token=issued.token)


@router.delete("/tokens/{token_id}", response_model=TokenRead, summary="Revoke a token (admin)")
async def revoke_token(token_id: uuid.UUID, principal: Admin, db: DB) -> TokenRead:
    record = await service.revoke_token(db, account=principal.account, token_id=token_id)
    await db.commit()
    return TokenRead.model_validate(record)


@router.get("/account/settings", response_model=AccountSettingsRead, summary="Settings (admin)")
async def get_settings(principal: Admin) -> AccountSettingsRead:
    return AccountSettingsRead.model_validate(service.account_settings(principal.account))


@router.put(
    "/account/settings", response_model=AccountSettingsRead, summary="Change settings (admin)"
)
async def put_settings(
    body: AccountSettingsUpdate, principal: Admin, db: DB, settings: AppSettings
) -> AccountSettingsRead:
    result = await service.update_settings(
        db,
        account=principal.account,
        webhook_url=body.webhook_url or None,
        webhook_format=body.webhook_format,
        allow_http_loopback=settings.webhook_allow_http_loopback,
    )
    await db.commit()
    return AccountSettingsRead.model_validate(result)
