"""Per-user rate limits: 30 reads, 10 reviews a minute; 429 with Retry-After; shared via Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.app import create_app
from resolutionflow.config import Settings
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.helpers import create_proposal

REDIS_ENV = "RESOLUTIONFLOW_TEST_REDIS_URL"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@asynccontextmanager
async def limited_client(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": True, **overrides}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


async def test_the_31st_read_in_a_minute_is_refused(settings: Settings, world: World) -> None:
    async with limited_client(settings) as client:
        urls = ["/api/v1/flow-proposals", "/api/v1/flow-proposals/stats", "/api/v1/flows"]
        for n in range(30):
            response = await client.get(urls[n % 3], headers=world.engineer.headers)
            assert response.status_code == 200, (n, response.text)
        assert_limited(await client.get("/api/v1/flows", headers=world.engineer.headers))
        # Another person of the same account still has their whole allowance.
        other = await client.get("/api/v1/flow-proposals", headers=world.team_admin.headers)
        assert other.status_code == 200
        # Refusals come before any work: an unknown proposal is 429, not 404.
        missing = f"/api/v1/flow-proposals/{uuid.uuid4()}"
        assert_limited(await client.get(missing, headers=world.engineer.headers))


async def test_ten_reviews_a_minute(settings: Settings, world: World, db: AsyncSession) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    url = f"/api/v1/flow-proposals/{proposal.id}/review"
    async with limited_client(settings) as client:
        for n in range(10):
            response = await client.post(
                url, json={"action": "dismiss"}, headers=world.team_admin.headers
            )
            assert response.status_code == 200, (n, response.text)
        assert_limited(
            await client.post(url, json={"action": "dismiss"}, headers=world.team_admin.headers)
        )
        # Reviews and reads are separate allowances.
        read = await client.get(
            f"/api/v1/flow-proposals/{proposal.id}", headers=world.team_admin.headers
        )
        assert read.status_code == 200
        fresh = await client.post(url, json={"action": "dismiss"}, headers=world.admin.headers)
        assert fresh.status_code == 200


async def test_limits_come_from_the_settings(settings: Settings, world: World) -> None:
    async with limited_client(settings, rate_limit_reads="3/minute") as client:
        for _ in range(3):
            assert (
                await client.get("/api/v1/flows", headers=world.admin.headers)
            ).status_code == 200
        assert_limited(await client.get("/api/v1/flows", headers=world.admin.headers))
    async with limited_client(settings, rate_limit_enabled=False) as client:
        for _ in range(40):
            assert (
                await client.get("/api/v1/flows", headers=world.admin.headers)
            ).status_code == 200


async def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, "redis://127.0.0.1:6379/15")
    import redis.asyncio as redis

    try:
        connection = redis.from_url(url, socket_connect_timeout=1)
        await connection.ping()
        await connection.aclose()
    except Exception as exc:
        if os.environ.get("RESOLUTIONFLOW_REQUIRE_POSTGRES", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Redis at {url} is required but not reachable: {exc}")
        pytest.skip(f"Redis not reachable at {url} ({REDIS_ENV})")
    return url


async def test_two_app_instances_share_the_limit_through_redis(
    settings: Settings, world: World
) -> None:
    url = await redis_url()
    async with (
        limited_client(settings, redis_url=url, rate_limit_reads="6/minute") as first,
        limited_client(settings, redis_url=url, rate_limit_reads="6/minute") as second,
    ):
        h = world.engineer.headers
        for n in range(6):
            response = await (first if n % 2 else second).get("/api/v1/flows", headers=h)
            assert response.status_code == 200, (n, response.text)
        assert_limited(await first.get("/api/v1/flows", headers=h))
        assert_limited(await second.get("/api/v1/flows", headers=h))
        assert (await second.get("/api/v1/flows", headers=world.admin.headers)).status_code == 200
    # Without Redis each instance counts alone: the same traffic passes.
    async with (
        limited_client(settings, rate_limit_reads="6/minute") as first,
        limited_client(settings, rate_limit_reads="6/minute") as second,
    ):
        for n in range(8):
            client = first if n % 2 else second
            assert (
                await client.get("/api/v1/flows", headers=world.team_admin.headers)
            ).status_code == 200
