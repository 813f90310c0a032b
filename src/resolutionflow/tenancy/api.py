"""Sign-in with a password (session cookie), sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from resolutionflow.errors import Forbidden, Unauthorized
from resolutionflow.models import Account
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    authenticate_password,
    csrf_ok,
    csrf_token_for,
    end_sessions,
    make_session_cookie,
    principal_from_cookie,
    set_session_cookie,
)
from resolutionflow.tenancy.deps import DB, AppSettings, CurrentPrincipal
from resolutionflow.tenancy.ratelimit import client_address, limits_of
from resolutionflow.tenancy.schemas import LoginIn, MeRead, UserRead

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=MeRead, summary="Sign in with email and password")
async def login(
    body: LoginIn, request: Request, response: Response, db: DB, settings: AppSettings
) -> MeRead:
    limits, address = limits_of(request), client_address(request)
    await limits.check_sign_in(address, body.email)
    try:
        user = await authenticate_password(db, body.email, body.password)
    except Unauthorized:
        await limits.sign_in_failed(address, body.email)
        raise
    account = await db.get(Account, user.account_id)
    assert account is not None
    cookie = make_session_cookie(settings, user)
    set_session_cookie(response, settings, request.url.scheme, cookie)
    principal = await principal_from_cookie(db, settings, cookie)
    return MeRead(
        user=UserRead.model_validate(user),
        account_slug=account.slug,
        account_name=account.name,
        csrf_token=csrf_token_for(settings, principal.session_nonce),
    )


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: ends every sign-in of this user (needs the X-CSRF-Token header)",
)
async def logout(request: Request, response: Response, db: DB, settings: AppSettings) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            principal = await principal_from_cookie(db, settings, cookie)
        except Unauthorized:
            principal = None  # already signed out: only the cookie is left to clear
        if principal is not None:
            if not csrf_ok(settings, principal, request.headers.get("x-csrf-token")):
                raise Forbidden("sign-out needs the X-CSRF-Token header of this sign-in")
            await end_sessions(db, user=principal.user)
            await db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=MeRead, summary="The signed-in user")
async def me(principal: CurrentPrincipal, settings: AppSettings) -> MeRead:
    return MeRead(
        user=UserRead.model_validate(principal.user),
        account_slug=principal.account.slug,
        account_name=principal.account.name,
        csrf_token=(
            csrf_token_for(settings, principal.session_nonce) if principal.via == "cookie" else None
        ),
    )
