"""Admin pages: users, teams, tokens and the webhook, for admins only and with CSRF."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account, ApiToken, Team, User
from tests.fixtures.web import WebWorld

PAGES = ("/admin/users", "/admin/teams", "/admin/tokens", "/admin/webhook")


async def _follow(member, response):  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:300]
    return await member.client.get(response.headers["location"])


async def _fresh(db: AsyncSession, stmt):  # type: ignore[no-untyped-def]
    await db.commit()  # a fresh read of what the pages wrote
    return (await db.execute(stmt.execution_options(populate_existing=True))).scalars()


async def test_only_admins_see_or_use_the_admin_pages(web: WebWorld, db: AsyncSession) -> None:
    for member in (web.engineer, web.team_admin):
        page = (await member.client.get("/review")).text
        assert 'href="/admin"' not in page
        for url in PAGES:
            assert (await member.client.get(url)).status_code == 403, url
        refused = await member.client.post(
            "/admin/teams", data={"slug": "x", "name": "X", "csrf_token": member.csrf}
        )
        assert refused.status_code == 403
    assert 'href="/admin"' in (await web.admin.client.get("/review")).text
    for url in PAGES:
        response = await web.admin.client.get(url)
        assert response.status_code == 200 and 'aria-current="page"' in response.text, url
    for url, data in (
        ("/admin/teams", {"slug": "t", "name": "T"}),
        ("/admin/users", {"email": "x@example.com"}),
        ("/admin/tokens", {"name": "ci"}),
        ("/admin/webhook", {"remove": "yes"}),
    ):
        assert (await web.admin.client.post(url, data=data)).status_code == 403, url
    assert not list(await _fresh(db, select(Team).where(Team.slug == "t")))


async def test_admin_adds_a_team_and_a_user_changes_role_and_disables(
    web: WebWorld, db: AsyncSession
) -> None:
    admin = web.admin
    made = await admin.client.post(
        "/admin/teams", data={"slug": "field-ops", "name": "Field ops", "csrf_token": admin.csrf}
    )
    page = await _follow(admin, made)
    assert "Added the team Field ops" in page.text and "field-ops" in page.text
    bad_slug = {"slug": "Bad Slug", "name": "x", "csrf_token": admin.csrf}
    bad = await _follow(admin, await admin.client.post("/admin/teams", data=bad_slug))
    assert 'data-flash="error"' in bad.text and "lowercase" in bad.text
    added = await admin.client.post(
        "/admin/users",
        data={
            "email": "new.person@example.com",
            "name": "New Person",
            "role": "team_admin",
            "team": "field-ops",
            "password": "long-enough-pw",
            "csrf_token": admin.csrf,
        },
    )
    page = await _follow(admin, added)
    assert "Added new.person@example.com" in page.text
    user = next(iter(await _fresh(db, select(User).where(User.email == "new.person@example.com"))))
    assert user.role == "team_admin" and user.is_active and user.account_id == web.account.id
    team = next(iter(await _fresh(db, select(Team).where(Team.slug == "field-ops"))))
    assert user.team_id == team.id
    again = await _follow(
        admin,
        await admin.client.post(
            "/admin/users", data={"email": "new.person@example.com", "csrf_token": admin.csrf}
        ),
    )
    assert 'data-flash="error"' in again.text
    role = await admin.client.post(
        f"/admin/users/{user.id}",
        data={"change": "role", "role": "engineer", "csrf_token": admin.csrf},
    )
    assert "is now engineer" in (await _follow(admin, role)).text
    off = await admin.client.post(
        f"/admin/users/{user.id}", data={"change": "disable", "csrf_token": admin.csrf}
    )
    assert "can no longer sign in" in (await _follow(admin, off)).text
    user = next(iter(await _fresh(db, select(User).where(User.id == user.id))))
    assert user.role == "engineer" and not user.is_active
    short = await admin.client.post(
        f"/admin/users/{user.id}",
        data={"change": "password", "password": "short", "csrf_token": admin.csrf},
    )
    assert "at least 8 characters" in (await _follow(admin, short)).text
    new_pw = await admin.client.post(
        f"/admin/users/{user.id}",
        data={"change": "password", "password": "another-long-pw", "csrf_token": admin.csrf},
    )
    assert "has a new password" in (await _follow(admin, new_pw)).text
    self_off = await admin.client.post(
        f"/admin/users/{admin.user.id}", data={"change": "disable", "csrf_token": admin.csrf}
    )
    assert "yourself" in (await _follow(admin, self_off)).text


async def test_tokens_are_shown_once_and_revoked(
    web: WebWorld, db: AsyncSession, anon: httpx.AsyncClient
) -> None:
    admin = web.admin
    issued = await admin.client.post(
        "/admin/tokens", data={"name": "psa-sync", "csrf_token": admin.csrf}
    )
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    assert "set-cookie" not in issued.headers  # the secret is only in this answer
    secret = re.search(r'id="issued-token-value">([^<]+)<', issued.text)
    assert secret
    token = secret.group(1)
    me = await anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    listing = (await admin.client.get("/admin/tokens")).text
    assert token not in listing and "psa-sync" in listing
    record = next(iter(await _fresh(db, select(ApiToken).where(ApiToken.name == "psa-sync"))))
    revoked = await admin.client.post(
        f"/admin/tokens/{record.id}/revoke", data={"csrf_token": admin.csrf}
    )
    assert "Revoked the token psa-sync" in (await _follow(admin, revoked)).text
    me = await anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


async def test_webhook_is_checked_saved_and_removed(web: WebWorld, db: AsyncSession) -> None:
    admin = web.admin
    refused = await admin.client.post(
        "/admin/webhook",
        data={
            "webhook_url": "http://10.0.0.5/hook",
            "webhook_format": "slack",
            "csrf_token": admin.csrf,
        },
    )
    page = await _follow(admin, refused)
    assert 'data-flash="error"' in page.text
    account = next(iter(await _fresh(db, select(Account).where(Account.id == web.account.id))))
    assert not (account.settings or {}).get("webhook_url")
    removed = await admin.client.post(
        "/admin/webhook", data={"remove": "yes", "csrf_token": admin.csrf}
    )
    assert "The webhook is removed" in (await _follow(admin, removed)).text
