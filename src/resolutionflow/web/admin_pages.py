"""Account administration pages (admins only): users, teams, API tokens and the webhook.

Every page and form calls the same account services as the JSON API; forms carry the CSRF
token, and a new token's secret is shown once in the answer to the form, never in a cookie.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from resolutionflow.accounts import service as accounts
from resolutionflow.errors import ResolutionFlowError
from resolutionflow.models import ROLES
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.tenancy.roles import require_admin
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SECTIONS = (
    ("/admin/users", "Users"),
    ("/admin/teams", "Teams"),
    ("/admin/tokens", "API tokens"),
    ("/admin/webhook", "Webhook"),
)
WEBHOOK_FORMATS = ("slack", "teams")


def _admin(viewer: Principal) -> Principal:
    require_admin(viewer.role)
    return viewer


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def _page(request: Request, viewer: Principal, db: DB, template: str, **ctx: Any) -> Response:
    return await render(request, template, viewer=viewer, db=db, sections=SECTIONS, **ctx)


def _failed(url: str, settings: AppSettings, exc: ResolutionFlowError) -> Response:
    return redirect(url, settings, message=exc.message, kind="error", problems=exc.problems)


# --- users -------------------------------------------------------------------------------------


@router.get("/admin")
async def admin_home(viewer: Viewer, settings: AppSettings) -> Response:
    _admin(viewer)
    return redirect("/admin/users", settings)


@router.get("/admin/users")
async def users_page(request: Request, viewer: Viewer, db: DB) -> Response:
    _admin(viewer)
    users = await accounts.list_users(db, account=viewer.account)
    teams = await accounts.list_teams(db, account=viewer.account)
    return await _page(
        request,
        viewer,
        db,
        "admin_users.html",
        users=users,
        teams=teams,
        roles=ROLES,
        team_names={t.id: t.name for t in teams},
    )


@router.post("/admin/users")
async def users_create(viewer: Viewer, form: Form, db: DB, settings: AppSettings) -> Response:
    _admin(viewer)
    email = form_text(form, "email")
    try:
        slug = form_text(form, "team")
        team = await accounts.get_team(db, account=viewer.account, slug=slug) if slug else None
        await accounts.create_user(
            db,
            account=viewer.account,
            email=email,
            role=form_text(form, "role") or "engineer",
            password=form_text(form, "password") or None,
            name=form_text(form, "name") or None,
            team=team,
        )
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/users", settings, exc)
    return redirect("/admin/users", settings, message=f"Added {email}.")


@router.post("/admin/users/{user_id}")
async def users_change(
    user_id: uuid.UUID, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    _admin(viewer)
    what = form_text(form, "change")
    changes: dict[str, Any] = {}
    if what == "role":
        changes["role"] = form_text(form, "role")
    elif what in ("disable", "enable"):
        changes["is_active"] = what == "enable"
    elif what == "password":
        changes["password"] = form_text(form, "password")
    else:
        return redirect("/admin/users", settings, message="Nothing to change.", kind="error")
    try:
        user = await accounts.update_user(
            db, account=viewer.account, user_id=user_id, acting=viewer.user, **changes
        )
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/users", settings, exc)
    done = {
        "role": f"is now {user.role.replace('_', ' ')}",
        "disable": "can no longer sign in",
        "enable": "can sign in again",
        "password": "has a new password; their other sign-ins are ended",
    }[what]
    return redirect("/admin/users", settings, message=f"{user.email} {done}.")


# --- teams -------------------------------------------------------------------------------------


@router.get("/admin/teams")
async def teams_page(request: Request, viewer: Viewer, db: DB) -> Response:
    _admin(viewer)
    teams = await accounts.list_teams(db, account=viewer.account)
    users = await accounts.list_users(db, account=viewer.account)
    members = {t.id: sum(1 for u in users if u.team_id == t.id) for t in teams}
    return await _page(request, viewer, db, "admin_teams.html", teams=teams, members=members)


@router.post("/admin/teams")
async def teams_create(viewer: Viewer, form: Form, db: DB, settings: AppSettings) -> Response:
    _admin(viewer)
    slug = form_text(form, "slug")
    try:
        team = await accounts.create_team(
            db, account=viewer.account, slug=slug, name=form_text(form, "name")
        )
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/teams", settings, exc)
    return redirect("/admin/teams", settings, message=f"Added the team {team.name}.")


# --- tokens ------------------------------------------------------------------------------------


async def _tokens_page(
    request: Request, viewer: Principal, db: DB, issued: Any = None, status_code: int = 200
) -> Response:
    tokens = await accounts.list_tokens(db, account=viewer.account)
    users = await accounts.list_users(db, account=viewer.account)
    return await render(
        request,
        "admin_tokens.html",
        viewer=viewer,
        db=db,
        sections=SECTIONS,
        tokens=tokens,
        users=users,
        emails={u.id: u.email for u in users},
        issued=issued,
        status_code=status_code,
    )


@router.get("/admin/tokens")
async def tokens_page(request: Request, viewer: Viewer, db: DB) -> Response:
    _admin(viewer)
    return await _tokens_page(request, viewer, db)


@router.post("/admin/tokens")
async def tokens_create(
    request: Request, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    _admin(viewer)
    try:
        user = viewer.user
        raw = form_text(form, "user_id")
        if raw:
            user_id = _uuid(raw)
            if user_id is None:
                return redirect("/admin/tokens", settings, message="No such user.", kind="error")
            user = await accounts.get_user(db, account=viewer.account, user_id=user_id)
        issued = await accounts.create_token(db, user=user, name=form_text(form, "name")[:200])
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/tokens", settings, exc)
    # Shown in this answer only: the secret never goes into a cookie or an address.
    response = await _tokens_page(
        request,
        viewer,
        db,
        issued={"token": issued.token, "name": issued.record.name, "email": user.email},
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/admin/tokens/{token_id}/revoke")
async def tokens_revoke(
    token_id: uuid.UUID, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    _admin(viewer)
    try:
        record = await accounts.revoke_token(db, account=viewer.account, token_id=token_id)
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/tokens", settings, exc)
    label = record.name or record.prefix
    return redirect("/admin/tokens", settings, message=f"Revoked the token {label}.")


# --- webhook -----------------------------------------------------------------------------------


@router.get("/admin/webhook")
async def webhook_page(request: Request, viewer: Viewer, db: DB) -> Response:
    _admin(viewer)
    return await _page(
        request,
        viewer,
        db,
        "admin_webhook.html",
        hook=accounts.account_settings(viewer.account),
        formats=WEBHOOK_FORMATS,
    )


@router.post("/admin/webhook")
async def webhook_save(viewer: Viewer, form: Form, db: DB, settings: AppSettings) -> Response:
    _admin(viewer)
    remove = form_text(form, "remove") == "yes"
    url = None if remove else form_text(form, "webhook_url")[:2000] or None
    fmt = form_text(form, "webhook_format")
    fmt = fmt if fmt in WEBHOOK_FORMATS else "slack"
    try:
        await accounts.update_settings(
            db,
            account=viewer.account,
            webhook_url=url,
            webhook_format=fmt,
            allow_http_loopback=settings.webhook_allow_http_loopback,
        )
        await db.commit()
    except ResolutionFlowError as exc:
        await db.rollback()
        return _failed("/admin/webhook", settings, exc)
    message = "The webhook is saved." if url else "The webhook is removed."
    return redirect("/admin/webhook", settings, message=message)
