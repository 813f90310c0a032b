"""Sign-in with a password (session cookie), sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Response

from resolutionflow.accounts.schemas import LoginIn, MeRead, UserRead
from resolutionflow.models import Account
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    authenticate_password,
    csrf_token_for,
    make_session_cookie,
)
from resolutionflow.tenancy.deps import DB, AppSettings, CurrentPrincipal

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=MeRead, summary="Sign in with email and password")
async def login(body: LoginIn, response: Response, db: DB, settings: AppSettings) -> MeRead:
    user = await authenticate_password(db, body.email, body.password)
    account = await db.get(Account, user.account_id)
    assert account is not None
    cookie = make_session_cookie(settings, user)
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=SESSION_MAX_AGE, httponly=True, samesite="lax",
        secure=False, path="/",
    )  # fmt: skip
    from resolutionflow.tenancy.auth import principal_from_cookie

    principal = await principal_from_cookie(db, settings, cookie)
    return MeRead(
        user=UserRead.model_validate(user),
        account_slug=account.slug,
        account_name=account.name,
        csrf_token=csrf_token_for(settings, principal.session_nonce),
    )


@router.post("/logout", status_code=204, summary="Sign out (clears the session cookie)")
async def logout(response: Response) -> Response:
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
