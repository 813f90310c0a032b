"""What every page shares: who is signed in, CSRF checks on forms, flash messages, rendering,
and turning service errors into HTML pages or a redirect to the sign-in page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from resolutionflow.config import Settings
from resolutionflow.errors import Forbidden, Problem, ResolutionFlowError, Unauthorized
from resolutionflow.notifications import service as notifications
from resolutionflow.tenancy.auth import (
    SESSION_COOKIE,
    Principal,
    csrf_ok,
    csrf_token_for,
    principal_from_cookie,
    secret_of,
)
from resolutionflow.tenancy.deps import DB, AppSettings, get_app_settings
from resolutionflow.tenancy.roles import can_review
from resolutionflow.web.templating import templates

log = logging.getLogger(__name__)

FLASH_COOKIE = "rf_flash"


class SignInRequired(Exception):
    """Raised by page dependencies when nobody is signed in; becomes a redirect to /login."""


async def current_viewer(request: Request, db: DB, settings: AppSettings) -> Principal:
    """The signed-in person, from the session cookie only (pages never take API tokens)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise SignInRequired()
    try:
        principal = await principal_from_cookie(db, settings, cookie)
    except Unauthorized:
        raise SignInRequired() from None
    request.state.principal = principal
    request.state.viewer_card = viewer_card(principal)
    return principal


def viewer_card(principal: Principal) -> Any:
    """What the page layout shows of the viewer, as plain values taken while the rows are
    fresh: an error page renders after a rollback has expired them, when reading them would
    need a database round trip the error handler cannot make."""
    user, account = principal.user, principal.account
    return SimpleNamespace(
        user=SimpleNamespace(id=user.id, name=user.name, email=user.email, role=user.role),
        account=SimpleNamespace(id=account.id, name=account.name, slug=account.slug),
        role=user.role,
        via=principal.via,
        session_nonce=principal.session_nonce,
    )


Viewer = Annotated[Principal, Depends(current_viewer)]


async def checked_form(request: Request, viewer: Viewer, settings: AppSettings) -> FormData:
    """The posted form, once its CSRF token is shown to belong to this sign-in."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str):
        token = request.headers.get("x-csrf-token")
    if not csrf_ok(settings, viewer, token):
        raise Forbidden("this form has expired or did not come from this site; reload the page")
    return form


Form = Annotated[FormData, Depends(checked_form)]


def require_csrf_header(request: Request, viewer: Principal, settings: Settings) -> None:
    if not csrf_ok(settings, viewer, request.headers.get("x-csrf-token")):
        raise Forbidden("the page has expired; reload it")


def form_text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


# Flash messages: one signed cookie, read and cleared by the next page rendered.
def _flash_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(secret_of(settings), salt="rf-flash")


def redirect(
    url: str,
    settings: Settings,
    *,
    message: str | None = None,
    kind: str = "success",
    problems: list[Problem] | None = None,
    link: tuple[str, str] | None = None,
) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message:
        data: dict[str, Any] = {"k": kind, "m": message[:600]}
        if problems:
            data["p"] = [str(p)[:300] for p in problems[:20]]
        if link:
            data["l"] = list(link)
        value = _flash_serializer(settings).dumps(data)
        response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", path="/")
    return response


def _read_flash(request: Request, settings: Settings) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _flash_serializer(settings).loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return {
        "kind": data.get("k", "info"),
        "message": data.get("m", ""),
        "problems": data.get("p") or [],
        "link": data.get("l"),
    }


async def render(
    request: Request,
    template: str,
    *,
    viewer: Principal | None,
    db: AsyncSession | None = None,
    status_code: int = 200,
    flash: dict[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the site layout, with the viewer's unread count and any pending flash."""
    settings = get_app_settings(request)
    had_cookie = FLASH_COOKIE in request.cookies
    flash = flash or _read_flash(request, settings)
    unread = 0
    if viewer is not None and db is not None:
        # A failed write rolls back and expires every loaded row; reload the viewer's before
        # the layout reads them (lazy loads cannot run here).
        for row in (viewer.user, viewer.account):
            if inspect(row).expired_attributes:  # type: ignore[attr-defined]
                await db.refresh(row)
        unread = await notifications.unread_count(db, user=viewer.user)
    csrf = csrf_token_for(settings, viewer.session_nonce) if viewer is not None else ""
    response = templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "is_reviewer": viewer is not None and can_review(viewer.role),
            "csrf_token": csrf,
            "unread": unread,
            "flash": flash,
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    if had_cookie:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _error_title(status: int) -> str:
    return {
        400: "That cannot be done",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        422: "Not valid",
        429: "Too many requests",
    }.get(status, "Something went wrong")


async def error_page(
    request: Request, status: int, message: str, problems: list[Any], *, anonymous: bool = False
) -> Response:
    # The viewer's rows may be expired (a rollback) or unusable (an unexpected failure): the
    # page shows the plain copy taken at sign-in, never the rows.
    viewer = None if anonymous else getattr(request.state, "viewer_card", None)
    return await render(
        request,
        "error.html",
        viewer=viewer,
        status_code=status,
        title=_error_title(status),
        message=message,
        problems=problems,
    )


class PageRoute(APIRoute):
    """A route whose errors are pages: signed-out visitors go to /login, service errors and
    bad parameters render the error page with the right status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                if request.method != "GET":
                    target = "/"
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            except ResolutionFlowError as exc:
                return await error_page(request, exc.status_code, exc.message, exc.problems)
            except StarletteHTTPException as exc:  # a body over the limit, mostly
                return await error_page(request, exc.status_code, str(exc.detail), [])
            except RequestValidationError as exc:
                problems = [
                    Problem(".".join(str(p) for p in e.get("loc", ())[1:]), e.get("msg", ""))
                    for e in exc.errors()
                ]
                status = 404 if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()) else 422
                message = "no such page" if status == 404 else "the address has a bad parameter"
                return await error_page(request, status, message, problems)
            except Exception:
                log.exception("page error on %s %s", request.method, request.url.path)
                return await error_page(
                    request,
                    500,
                    "something went wrong on our side; it was logged",
                    [],
                    anonymous=True,
                )

        return page_handler
