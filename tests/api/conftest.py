"""API test fixtures: the app on each database, people of two accounts, authenticated clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts import service as accounts
from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.models import Account, User
from tests.helpers import create_account, create_user


@dataclass
class Person:
    user: User
    account: Account
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_person(db: AsyncSession, account: Account, role: str) -> Person:
    user = await create_user(db, account, role=role)
    issued = await accounts.create_token(db, user=user)
    return Person(user=user, account=account, token=issued.token)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit_enabled": False})


@pytest.fixture
async def app(app_settings: Settings) -> Any:
    return create_app(app_settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class World:
    account: Account
    other_account: Account
    engineer: Person
    team_admin: Person
    admin: Person
    outsider: Person  # an admin of the other account


@pytest.fixture
async def world(db: AsyncSession) -> World:
    account = await create_account(db, slug="northwind", name="Northwind")
    other = await create_account(db, slug="contoso", name="Contoso")
    w = World(
        account=account,
        other_account=other,
        engineer=await make_person(db, account, "engineer"),
        team_admin=await make_person(db, account, "team_admin"),
        admin=await make_person(db, account, "admin"),
        outsider=await make_person(db, other, "admin"),
    )
    await db.commit()
    return w
