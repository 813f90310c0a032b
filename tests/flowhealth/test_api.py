"""Flow health over HTTP: figures, verifying (owner or admin), changing the owner (admin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.flowhealth.factory import five_walks
from tests.helpers import create_flow

API = "/api/v1/flows"
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def test_stats_for_every_reader_and_no_one_else(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account, key="printer")
    await five_walks(db, world.account, flow, T0)
    await db.commit()
    response = await client.get(f"{API}/printer/stats", headers=world.engineer.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sessions"] == 5 and body["version"] == 1
    root = next(n for n in body["nodes"] if n["node_id"] == "root")
    assert root["reached"] == 5 and root["free_text_rate"] == 0.2
    assert (await client.get(f"{API}/{flow.id}/stats", headers=world.engineer.headers)).json()[
        "sessions"
    ] == 5
    missing = await client.get(f"{API}/printer/stats?version=9", headers=world.engineer.headers)
    assert missing.status_code == 404
    bad = await client.get(f"{API}/printer/stats?version=0", headers=world.engineer.headers)
    assert bad.status_code == 422
    # Another account's admin gets the same 404 as for a flow that does not exist.
    foreign = await client.get(f"{API}/printer/stats", headers=world.outsider.headers)
    assert foreign.status_code == 404
    assert (await client.get(f"{API}/printer/stats")).status_code == 401


async def test_verify_is_for_the_owner_or_an_admin(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account, key="printer")
    flow.owner_id = world.team_admin.user.id
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    flow.verified_at, flow.review_by = long_ago, long_ago + timedelta(days=180)
    await db.commit()

    for person in (world.engineer, world.outsider):
        response = await client.post(f"{API}/printer/verify", headers=person.headers)
        assert response.status_code == (403 if person is world.engineer else 404), response.text
    await db.refresh(flow)
    assert flow.verified_at == long_ago  # nothing written on refusal

    for person in (world.team_admin, world.admin):
        response = await client.post(f"{API}/printer/verify", headers=person.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        verified = datetime.fromisoformat(body["verified_at"])
        review_by = datetime.fromisoformat(body["review_by"])
        assert verified > long_ago
        assert review_by - verified == timedelta(days=180)


async def test_only_an_admin_changes_the_owner(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await create_flow(db, world.account, key="printer")
    await db.commit()
    url = f"{API}/printer/owner"
    body = {"owner_email": world.engineer.user.email}
    assert (await client.put(url, json=body, headers=world.team_admin.headers)).status_code == 403
    response = await client.put(url, json=body, headers=world.admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["owner_id"] == str(world.engineer.user.id)
    # The new owner may now verify it.
    verify = await client.post(f"{API}/printer/verify", headers=world.engineer.headers)
    assert verify.status_code == 200
    # An owner from another account, or none given, is refused with the field named.
    for wrong in ({"owner_email": world.outsider.user.email}, {}):
        response = await client.put(url, json=wrong, headers=world.admin.headers)
        assert response.status_code == 422, response.text
        assert "owner_email" in response.text
    foreign_id = {"owner_id": str(world.outsider.user.id)}
    assert (await client.put(url, json=foreign_id, headers=world.admin.headers)).status_code == 404
    await db.commit()
    flow = (await db.execute(Flow.__table__.select().where(Flow.key == "printer"))).one()
    assert flow.owner_id == world.engineer.user.id
