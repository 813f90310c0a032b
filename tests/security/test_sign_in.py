"""Sign-in limits, the end of a sign-in, CSRF on sign-out, cookies, and the start-up refusal."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.cli.serve import secret_key_problem
from resolutionflow.config import Settings
from tests.fixtures.api import World
from tests.fixtures.web import PASSWORD
from tests.helpers import create_account, create_user

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
REDIS_ENV = "RESOLUTIONFLOW_TEST_REDIS_URL"


@asynccontextmanager
async def client_for(
    settings: Settings, base_url: str = "http://testserver", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False, **overrides}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


async def person(db: AsyncSession, role: str = "engineer") -> Any:
    account = await create_account(db)
    user = await create_user(db, account, role=role)
    await db.commit()
    return user


# --- sign-in limits ---------------------------------------------------------------------------


async def test_wrong_passwords_are_limited_per_email_and_the_right_one_waits_too(
    settings: Settings, db: AsyncSession
) -> None:
    user = await person(db)
    async with client_for(settings, login_limit_per_email="5/15 minutes") as client:
        for _ in range(5):
            wrong = await client.post(LOGIN, json={"email": user.email, "password": "nope-nope"})
            assert wrong.status_code == 401
        limited = await client.post(LOGIN, json={"email": user.email, "password": "nope-nope"})
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 15 * 60
        right = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
        assert right.status_code == 429  # guessing has no reward while the limit holds
        # The limit is per e-mail (case-insensitive): another person signs in as usual.
        other = await person(db)
        ok = await client.post(LOGIN, json={"email": other.email.upper(), "password": PASSWORD})
        assert ok.status_code == 200


async def test_wrong_passwords_are_limited_per_address(
    settings: Settings, db: AsyncSession
) -> None:
    user = await person(db)
    async with client_for(settings, login_limit_per_address="4/15 minutes") as client:
        for n in range(4):  # four different e-mail addresses from one client
            wrong = await client.post(
                LOGIN, json={"email": f"x{n}@nowhere.example", "password": "nope-nope"}
            )
            assert wrong.status_code == 401
        limited = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
        assert limited.status_code == 429 and "retry-after" in limited.headers


async def test_the_web_sign_in_is_limited_too(settings: Settings, db: AsyncSession) -> None:
    user = await person(db)
    async with client_for(settings, login_limit_per_email="3/15 minutes") as client:

        async def attempt(password: str) -> httpx.Response:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            return await client.post(
                "/login",
                data={
                    "csrf_token": token.group(1),
                    "email": user.email,
                    "password": password,
                },
            )

        for _ in range(3):
            assert (await attempt("nope-nope")).status_code == 401
        limited = await attempt(PASSWORD)
        assert limited.status_code == 429
        assert "Too many failed sign-ins" in limited.text
        assert int(limited.headers["retry-after"]) >= 1


async def test_two_processes_share_the_limit_through_redis(
    settings: Settings, db: AsyncSession
) -> None:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("RESOLUTIONFLOW_REQUIRE_POSTGRES", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{REDIS_ENV} is required")
        pytest.skip(f"{REDIS_ENV} not set")
    user = await person(db)
    limits = {"redis_url": url, "login_limit_per_email": "4/15 minutes"}
    async with client_for(settings, **limits) as first, client_for(settings, **limits) as second:
        for n in range(4):
            client = first if n % 2 else second
            wrong = await client.post(LOGIN, json={"email": user.email, "password": "nope-nope"})
            assert wrong.status_code == 401
        assert (
            await first.post(LOGIN, json={"email": user.email, "password": PASSWORD})
        ).status_code == 429
        assert (
            await second.post(LOGIN, json={"email": user.email, "password": PASSWORD})
        ).status_code == 429


# --- the end of a sign-in ---------------------------------------------------------------------


async def _signed_in(client: httpx.AsyncClient, email: str) -> tuple[str, str]:
    response = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client.cookies["rf_session"], response.json()["csrf_token"]


async def test_sign_out_needs_csrf_and_ends_the_old_cookie(
    settings: Settings, db: AsyncSession
) -> None:
    user = await person(db)
    async with client_for(settings) as client:
        cookie, csrf = await _signed_in(client, user.email)
        refused = await client.post("/api/v1/auth/logout")
        assert refused.status_code == 403
        assert (await client.get(ME)).status_code == 200  # still signed in
        out = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
    async with client_for(settings) as replay:
        replay.cookies.set("rf_session", cookie)
        response = await replay.get(ME)
        assert response.status_code == 401  # a copied cookie is worth nothing after sign-out


async def test_a_password_change_ends_every_sign_in(
    settings: Settings, world: World, db: AsyncSession
) -> None:
    async with client_for(settings) as laptop, client_for(settings) as phone:
        await _signed_in(laptop, world.engineer.user.email)
        await _signed_in(phone, world.engineer.user.email)
        changed = await laptop.patch(
            f"/api/v1/users/{world.engineer.user.id}",
            json={"password": "a-brand-new-one"},
            headers=world.admin.headers,
        )
        assert changed.status_code == 200
        assert (await laptop.get(ME)).status_code == 401
        assert (await phone.get(ME)).status_code == 401
        again = await laptop.post(
            LOGIN, json={"email": world.engineer.user.email, "password": "a-brand-new-one"}
        )
        assert again.status_code == 200


async def test_web_sign_out_ends_the_cookie(settings: Settings, db: AsyncSession) -> None:
    user = await person(db)
    async with client_for(settings) as client:
        cookie, _ = await _signed_in(client, user.email)
        page = await client.get("/logout")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        out = await client.post("/logout", data={"csrf_token": token.group(1)})
        assert out.status_code == 303
    async with client_for(settings) as replay:
        replay.cookies.set("rf_session", cookie)
        assert (await replay.get(ME)).status_code == 401


# --- cookies ----------------------------------------------------------------------------------


async def test_cookie_is_secure_over_https_and_when_told(
    settings: Settings, db: AsyncSession
) -> None:
    user = await person(db)
    body = {"email": user.email, "password": PASSWORD}
    async with client_for(settings) as plain:
        cookie = (await plain.post(LOGIN, json=body)).headers["set-cookie"]
        assert "secure" not in cookie.lower()  # plain http for local use
    async with client_for(settings, base_url="https://testserver") as tls:
        cookie = (await tls.post(LOGIN, json=body)).headers["set-cookie"]
        assert "secure" in cookie.lower()
    async with client_for(settings, cookie_secure=True) as forced:
        cookie = (await forced.post(LOGIN, json=body)).headers["set-cookie"]
        assert "secure" in cookie.lower()
        # Over plain http such a cookie is dropped by the browser: the sign-in page says so.
        assert 'id="cookie-warning"' in (await forced.get("/login")).text
    async with client_for(settings) as plain:
        assert 'id="cookie-warning"' not in (await plain.get("/login")).text


# --- start-up ---------------------------------------------------------------------------------


def test_serve_refuses_several_processes_or_postgres_without_a_secret_key() -> None:
    sqlite = Settings(database_url="sqlite:///x.db", secret_key="")
    postgres = Settings(database_url="postgresql://u@h/db", secret_key="")
    assert secret_key_problem(sqlite, workers=1) is None
    assert "--workers 2" in (secret_key_problem(sqlite, workers=2) or "")
    assert "PostgreSQL" in (secret_key_problem(postgres, workers=1) or "")
    keyed = postgres.model_copy(update={"secret_key": "k" * 32})
    assert secret_key_problem(keyed, workers=4) is None


def test_the_serve_command_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from typer.testing import CliRunner

    from resolutionflow.cli.main import app
    from resolutionflow.config import reset_settings

    monkeypatch.setenv("RESOLUTIONFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("RESOLUTIONFLOW_SECRET_KEY", raising=False)
    reset_settings()
    try:
        result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    finally:
        reset_settings()
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "RESOLUTIONFLOW_SECRET_KEY" in lines[0]
