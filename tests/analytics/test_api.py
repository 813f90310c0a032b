"""The analytics endpoints: every role of the account reads them; other accounts see nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.gaps.cache import reports
from tests.fixtures.api import World
from tests.gaps.factory import action, add_session, question

PATHS = ("/api/v1/analytics/knowledge-gaps", "/api/v1/analytics/dashboard")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    reports.clear()
    yield
    reports.clear()


async def _seed(db: AsyncSession, world: World) -> list[str]:
    ids = []
    for text in (
        "Northwind VPN drops every hour",
        "Northwind VPN keeps dropping",
        "Northwind VPN dropped again",
        "Northwind VPN drops constantly",
    ):
        session = await add_session(
            db,
            world.account,
            summary=text,
            domain="networking",
            psa_ticket_id="T-1",
            steps=[question("Is the tunnel up?", free="no idea"), action(False), action(True)],
        )
        ids.append(str(session.id))
    await db.commit()
    return ids


@pytest.mark.parametrize("path", PATHS)
async def test_every_role_reads_its_account(
    client: httpx.AsyncClient, world: World, db: AsyncSession, path: str
) -> None:
    ids = await _seed(db, world)
    for person in (world.engineer, world.team_admin, world.admin):
        response = await client.get(path, headers=person.headers, params={"period_days": 30})
        assert response.status_code == 200, response.text
    body = response.json()
    if path.endswith("knowledge-gaps"):
        (pattern,) = [g for g in body["gaps"] if g["gap_type"] == "repeated_pattern"]
        assert sorted(pattern["evidence"]["session_ids"]) == sorted(ids)
        assert {"generated_at", "gaps"} <= set(body)
    else:
        assert body["sessions"] == 4
        assert body["psa"]["eventual_successes"] == 4


@pytest.mark.parametrize("path", PATHS)
async def test_another_account_sees_nothing_of_this_one(
    client: httpx.AsyncClient, world: World, db: AsyncSession, path: str
) -> None:
    ids = await _seed(db, world)
    response = await client.get(path, headers=world.outsider.headers)
    assert response.status_code == 200
    text = response.text
    assert all(i not in text for i in ids)
    assert "Northwind" not in text and "tunnel" not in text
    body = response.json()
    if path.endswith("knowledge-gaps"):
        assert body["gaps"] == []
    else:
        assert body["sessions"] == 0 and body["psa"]["sessions_with_ticket"] == 0


@pytest.mark.parametrize("path", PATHS)
async def test_periods(client: httpx.AsyncClient, world: World, path: str) -> None:
    for period in (7, 30, 90):
        response = await client.get(
            path, headers=world.engineer.headers, params={"period_days": period}
        )
        assert response.status_code == 200
        assert response.json()["period_days"] == period
    response = await client.get(path, headers=world.engineer.headers, params={"period_days": 14})
    assert response.status_code == 422
    assert "period_days" in response.text


@pytest.mark.parametrize("path", PATHS)
async def test_anonymous_callers_are_refused(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 401
