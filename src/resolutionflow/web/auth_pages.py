"""Sign-in and sign-out pages, the home redirect, and the stylesheet and script files."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from resolutionflow.errors import NotFound, RateLimited, Unauthorized
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    authenticate_password,
    cookie_is_secure,
    csrf_token_for,
    end_sessions,
    make_session_cookie,
    principal_from_cookie,
    set_session_cookie,
)
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.tenancy.ratelimit import client_address, limits_of
from resolutionflow.tenancy.roles import can_review
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render
from resolutionflow.web.templating import STATIC_DIR

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LOGIN_COOKIE = "rf_login"
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


def safe_next(value: str | None) -> str:
    """Only a path on this site: an open redirect to another host is never followed."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/")
async def home(request: Request, viewer: Viewer) -> RedirectResponse:
    """Engineers land on "Start a session"; team admins and admins on the review queue."""
    return RedirectResponse("/review" if can_review(viewer.role) else "/start", status_code=303)


@router.get("/login")
async def login_page(
    request: Request, db: DB, settings: AppSettings, next: str | None = None
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            await principal_from_cookie(db, settings, cookie)
            return RedirectResponse(safe_next(next), status_code=303)
        except Unauthorized:
            pass
    return await _login_form(request, settings, next=next)


async def _login_form(
    request: Request,
    settings: AppSettings,
    *,
    next: str | None,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    nonce = secrets.token_urlsafe(16)
    # A Secure cookie sent over plain http is dropped by the browser: say so, or sign-in
    # would seem to do nothing.
    cookie_lost = request.url.scheme != "https" and cookie_is_secure(settings, request.url.scheme)
    response = await render(
        request,
        "login.html",
        viewer=None,
        status_code=status_code,
        login_token=csrf_token_for(settings, f"login:{nonce}"),
        next=safe_next(next),
        error=error,
        email=email,
        cookie_lost=cookie_lost,
    )
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="lax", path="/login"
    )
    return response


@router.post("/login")
async def login_submit(request: Request, db: DB, settings: AppSettings) -> Response:
    form = await request.form()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    token = form.get("csrf_token")
    next_url = form_text(form, "next")
    email = form_text(form, "email")
    expected = csrf_token_for(settings, f"login:{nonce}")
    if not nonce or not isinstance(token, str) or not hmac.compare_digest(token, expected):
        return await _login_form(
            request,
            settings,
            next=next_url,
            email=email,
            status_code=403,
            error="The sign-in form expired. Please try again.",
        )
    password = form.get("password")
    limits, address = limits_of(request), client_address(request)
    try:
        await limits.check_sign_in(address, email)
    except RateLimited as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        page = await _login_form(
            request,
            settings,
            next=next_url,
            email=email,
            status_code=429,
            error=f"Too many failed sign-ins. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    try:
        user = await authenticate_password(db, email, password if isinstance(password, str) else "")
    except Unauthorized:
        await limits.sign_in_failed(address, email)
        return await _login_form(
            request,
            settings,
            next=next_url,
            email=email,
            status_code=401,
            error="Wrong email or password.",
        )
    response = RedirectResponse(safe_next(next_url), status_code=303)
    set_session_cookie(response, settings, request.url.scheme, make_session_cookie(settings, user))
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.get("/logout")
async def logout_page(request: Request, viewer: Viewer, db: DB) -> Response:
    return await render(request, "logout.html", viewer=viewer, db=db)


@router.post("/logout")
async def logout(form: Form, viewer: Viewer, db: DB, settings: AppSettings) -> Response:
    await end_sessions(db, user=viewer.user)
    await db.commit()
    response = redirect("/login", settings, message="You are signed out.", kind="info")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/static/{name}")
async def static_file(name: str) -> FileResponse:
    path = (STATIC_DIR / name).resolve()
    if (
        path.parent != STATIC_DIR.resolve()
        or not path.is_file()
        or path.suffix not in _STATIC_TYPES
    ):
        raise NotFound("no such file")
    return FileResponse(
        path, media_type=_STATIC_TYPES[path.suffix], headers={"Cache-Control": "max-age=300"}
    )
