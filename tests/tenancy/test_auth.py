"""Sign-in: Bearer tokens, password sign-in with a session cookie, CSRF, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import User
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.helpers import create_user

ME = "/api/v1/auth/me"
PASSWORD = "correct-horse"  # what tests.helpers.create_user gives everyone


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def sign_in(browser: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:
    return await browser.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_bearer_token(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(ME, headers=world.engineer.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == world.engineer.user.email
    assert body["account_slug"] == "northwind" and body["csrf_token"] is None
    # Token callers need no CSRF token: a token cannot be sent by another site's form.
    posted = await client.post(
        "/api/v1/notifications/read", json={}, headers=world.engineer.headers
    )
    assert posted.status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer rf_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "rf_token-without-scheme"],
)
async def test_bad_tokens_are_401(client: httpx.AsyncClient, world: World, header: str) -> None:
    response = await client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"


async def test_nothing_at_all_is_401(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get("/api/v1/flows")).status_code == 401


async def test_issued_then_revoked_token(client: httpx.AsyncClient, world: World) -> None:
    issued = await client.post(
        "/api/v1/tokens", json={"name": "psa sync"}, headers=world.admin.headers
    )
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert token.startswith("rf_") and issued.json()["prefix"] == token[:10]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get(ME, headers=bearer)).status_code == 200
    listed = (await client.get("/api/v1/tokens", headers=world.admin.headers)).json()
    assert all("token" not in t for t in listed)  # shown once, stored as a hash
    revoked = await client.delete(
        f"/api/v1/tokens/{issued.json()['id']}", headers=world.admin.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get(ME, headers=bearer)).status_code == 401


async def test_password_sign_in_sets_the_cookie(browser: httpx.AsyncClient, world: World) -> None:
    response = await sign_in(browser, world.engineer.user.email)
    assert response.status_code == 200, response.text
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("rf_session=") and "HttpOnly" in set_cookie
    assert "samesite=lax" in set_cookie.lower()
    assert response.json()["csrf_token"]
    me = await browser.get(ME)
    assert me.status_code == 200 and me.json()["user"]["id"] == str(world.engineer.user.id)
    assert me.json()["csrf_token"] == response.json()["csrf_token"]
    out = await browser.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": response.json()["csrf_token"]}
    )
    assert out.status_code == 204
    assert (await browser.get(ME)).status_code == 401


async def test_cookie_writes_need_the_csrf_token(browser: httpx.AsyncClient, world: World) -> None:
    csrf = (await sign_in(browser, world.engineer.user.email)).json()["csrf_token"]
    url = "/api/v1/notifications/read"
    refused = await browser.post(url, json={})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    wrong = await browser.post(url, json={}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    ok = await browser.post(url, json={}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    form = await browser.post(url, data={"csrf_token": "forged"})
    assert form.status_code == 403
    # Reads are safe methods and need no token.
    assert (await browser.get("/api/v1/notifications")).status_code == 200


async def test_a_tampered_cookie_is_401(browser: httpx.AsyncClient, world: World) -> None:
    await sign_in(browser, world.engineer.user.email)
    value = browser.cookies["rf_session"]
    browser.cookies.clear()
    browser.cookies.set("rf_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert (await browser.get(ME)).status_code == 401


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "empty password"])
async def test_wrong_credentials_are_401(
    browser: httpx.AsyncClient, world: World, case: str
) -> None:
    email, password = {
        "wrong password": (world.admin.user.email, "not-the-password"),
        "unknown email": ("nobody@example.com", PASSWORD),
        "empty password": (world.admin.user.email, ""),
    }[case]
    response = await sign_in(browser, email, password)
    expected = 422 if not password else 401
    assert response.status_code == expected
    assert "set-cookie" not in response.headers


async def test_user_without_password_cannot_sign_in(
    browser: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    imported = await create_user(db, world.account, email="imported@example.com", password=None)
    await db.commit()
    assert imported.password_hash is None
    response = await sign_in(browser, "imported@example.com", "anything-at-all")
    assert response.status_code == 401 and response.json()["detail"] == "wrong email or password"


async def test_inactive_user_is_401_everywhere(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    assert (await sign_in(browser, world.engineer.user.email)).status_code == 200
    await db.execute(update(User).where(User.id == world.engineer.user.id).values(is_active=False))
    await db.commit()
    assert (await browser.get(ME)).status_code == 401  # an existing cookie stops working
    assert (await client.get(ME, headers=world.engineer.headers)).status_code == 401  # and tokens
    browser.cookies.clear()
    assert (await sign_in(browser, world.engineer.user.email)).status_code == 401


async def test_admin_deactivation_through_the_api(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/users/{world.team_admin.user.id}"
    response = await client.patch(url, json={"is_active": False}, headers=world.admin.headers)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get(ME, headers=world.team_admin.headers)).status_code == 401
