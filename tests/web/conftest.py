"""Web page test fixtures: the app with its pages, people of two accounts, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.models import Account, User
from tests.helpers import create_account, create_user

PASSWORD = "correct-horse"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def app_with_pages(settings: Settings) -> Any:
    """The app as served; includes the web router if the app factory does not yet."""
    from resolutionflow.web.router import web_router

    app = create_app(settings)
    if not any(getattr(route, "path", "") == "/review" for route in app.routes):
        app.include_router(web_router)
    return app


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the CSRF token of the signed-in pages."""
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": ""},
    )
    assert response.status_code == 303, response.text[:300]
    return csrf_of((await client.get("/notifications")).text)


@dataclass
class Member:
    user: User
    account: Account
    client: httpx.AsyncClient
    csrf: str


@dataclass
class WebWorld:
    account: Account
    other: Account
    engineer: Member
    team_admin: Member
    admin: Member
    outsider: Member  # team admin of the other account

    def by_role(self) -> dict[str, Member]:
        return {"engineer": self.engineer, "team_admin": self.team_admin, "admin": self.admin}


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit_enabled": False})


@pytest.fixture
def web_app(web_settings: Settings) -> Any:
    return app_with_pages(web_settings)


@pytest.fixture
async def anon(web_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def web(web_app: Any, db: AsyncSession) -> AsyncIterator[WebWorld]:
    account = await create_account(db, slug="northwind", name="Northwind")
    other = await create_account(db, slug="contoso", name="Contoso")
    people = {
        "engineer": await create_user(db, account, role="engineer"),
        "team_admin": await create_user(db, account, role="team_admin"),
        "admin": await create_user(db, account, role="admin"),
        "outsider": await create_user(db, other, role="team_admin"),
    }
    await db.commit()
    clients: list[httpx.AsyncClient] = []
    members: dict[str, Member] = {}
    for role, user in people.items():
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web_app), base_url="http://testserver"
        )
        clients.append(client)
        csrf = await sign_in(client, user.email)
        members[role] = Member(user=user, account=user_account(user, account, other), client=client,
                               csrf=csrf)  # fmt: skip
    yield WebWorld(account=account, other=other, **members)
    for client in clients:
        await client.aclose()


def user_account(user: User, account: Account, other: Account) -> Account:
    return account if user.account_id == account.id else other
