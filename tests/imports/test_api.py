"""Import routes: roles, accounts kept apart, webhooks checked by each vendor's signature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.imports import webhooks
from resolutionflow.models import Session
from tests.fixtures.api import World
from tests.imports.fakes import FakeHalo

DATA = Path(__file__).resolve().parents[1] / "data"
SECRET = "a-webhook-secret-of-length"


async def _statuses(db: AsyncSession) -> dict[str, tuple[str, Any]]:
    await db.rollback()  # end the previous read: see what the app committed since
    rows = await db.execute(select(Session.external_id, Session.status, Session.account_id))
    return {e: (s, a) for e, s, a in rows}


async def test_psa_file_route(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    body = (DATA / "psa" / "autotask_tickets.json").read_bytes()
    refused = await client.post(
        "/api/v1/imports/psa/autotask", content=body, headers=world.engineer.headers
    )
    assert refused.status_code == 403
    answer = await client.post(
        "/api/v1/imports/psa/autotask", content=body, headers=world.team_admin.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 4
    again = await client.post(
        "/api/v1/imports/psa/autotask", content=body, headers=world.team_admin.headers
    )
    assert again.json()["already_present"] == 4 and again.json()["stored"] == 0
    bad = await client.post(
        "/api/v1/imports/psa/autotask", content=b"{oops", headers=world.team_admin.headers
    )
    assert bad.status_code == 422
    unknown = await client.post(
        "/api/v1/imports/psa/zendesk", content=b"[]", headers=world.team_admin.headers
    )
    assert unknown.status_code == 422


async def test_connector_routes_never_show_credentials_or_cross_accounts(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    fake = FakeHalo().start()
    try:
        put = await client.put(
            "/api/v1/imports/connectors/halopsa",
            headers=world.admin.headers,
            json={"base_url": fake.base_url, "credentials": fake.credentials},
        )
        assert put.status_code == 200, put.text
        assert "halo-secret" not in put.text
        assert (
            await client.put(
                "/api/v1/imports/connectors/halopsa",
                headers=world.team_admin.headers,
                json={"base_url": fake.base_url},
            )
        ).status_code == 403
        pulled = await client.post(
            "/api/v1/imports/connectors/halopsa/pull?page_size=2", headers=world.admin.headers
        )
        assert pulled.status_code == 200, pulled.text
        assert pulled.json()["stored"] == 3 and pulled.json()["done"] is True
        listed = await client.get("/api/v1/imports/connectors", headers=world.admin.headers)
        assert listed.json()[0]["cursor"]["updated_since"] is not None
        other = await client.get("/api/v1/imports/connectors", headers=world.outsider.headers)
        assert other.json() == []
        outsider_pull = await client.post(
            "/api/v1/imports/connectors/halopsa/pull", headers=world.outsider.headers
        )
        assert outsider_pull.status_code == 400
        assert {a for _s, a in (await _statuses(db)).values()} == {world.account.id}
    finally:
        fake.stop()


@pytest.mark.parametrize("vendor", ["connectwise", "autotask", "halopsa"])
async def test_webhooks_check_signatures_and_close_tickets(
    client: httpx.AsyncClient, world: World, db: AsyncSession, vendor: str
) -> None:
    base = {
        "connectwise": "https://cw.example/v4_6_release/apis/3.0",
        "autotask": "https://webservices5.autotask.net/ATServicesRest/V1.0",
        "halopsa": "https://acme.halopsa.example",
    }[vendor]
    creds = {
        "connectwise": {"company_id": "a", "public_key": "b", "private_key": "c", "client_id": "d"},
        "autotask": {"username": "a", "secret": "b", "integration_code": "c"},
        "halopsa": {"client_id": "a", "client_secret": "b"},
    }[vendor]
    assert (
        await client.put(
            f"/api/v1/imports/connectors/{vendor}",
            headers=world.admin.headers,
            json={"base_url": base, "credentials": creds, "webhook_secret": SECRET},
        )
    ).status_code == 200

    def payload(closed: bool) -> bytes:
        if vendor == "connectwise":
            ticket = {
                "id": 501,
                "summary": "Scanner not sending to e-mail",
                "status": {"name": ">Closed" if closed else "New"},
                "closedFlag": closed,
                "_info": {"dateEntered": "2026-10-10T09:00:00Z"},
                "closedDate": "2026-10-10T10:00:00Z" if closed else None,
            }
            return json.dumps(
                {"Action": "updated", "Type": "ticket", "ID": 501, "Entity": json.dumps(ticket)}
            ).encode()
        if vendor == "autotask":
            fields = {
                "title": "Scanner not sending to e-mail",
                "status": 5 if closed else 1,
                "createDate": "2026-10-10T09:00:00Z",
                "completedDate": "2026-10-10T10:00:00Z" if closed else None,
                "resolution": "Updated SMTP relay password" if closed else None,
            }
            return json.dumps(
                {"Action": "Update", "EntityType": "Ticket", "Id": 501, "Fields": fields}
            ).encode()
        return json.dumps(
            {
                "id": 501,
                "summary": "Scanner not sending to e-mail",
                "status_id": 9 if closed else 1,
                "dateoccurred": "2026-10-10T09:00:00Z",
                "dateclosed": "2026-10-10T10:00:00Z" if closed else None,
            }
        ).encode()

    url = f"/api/v1/imports/webhooks/{vendor}/northwind"
    header = webhooks.SIGNATURE_HEADERS[vendor]
    opened = payload(False)
    forged = await client.post(
        url, content=opened, headers={header: webhooks.sign(vendor, "wrong-secret", opened)}
    )
    assert forged.status_code == 401
    unsigned = await client.post(url, content=opened)
    assert unsigned.status_code == 401
    nobody = await client.post(
        f"/api/v1/imports/webhooks/{vendor}/no-such-account",
        content=opened,
        headers={header: webhooks.sign(vendor, SECRET, opened)},
    )
    assert nobody.status_code == 401
    assert await _statuses(db) == {}

    first = await client.post(
        url, content=opened, headers={header: webhooks.sign(vendor, SECRET, opened)}
    )
    assert first.status_code == 200, first.text
    assert (await _statuses(db))[f"{vendor}:501"][0] == "active"
    closed = payload(True)
    done = await client.post(
        url, content=closed, headers={header: webhooks.sign(vendor, SECRET, closed)}
    )
    assert done.json()["updated"] == 1
    db.expire_all()
    assert (await _statuses(db))[f"{vendor}:501"][0] == "resolved"
    again = await client.post(
        url, content=closed, headers={header: webhooks.sign(vendor, SECRET, closed)}
    )
    assert again.json()["already_present"] == 1
    if vendor != "halopsa":  # HMAC-signed bodies: a body changed after signing is refused
        tampered = closed.replace(b"Scanner", b"Scammer")
        signature = webhooks.sign(vendor, SECRET, closed)
        answer = await client.post(url, content=tampered, headers={header: signature})
        assert answer.status_code == 401


async def test_articles_route(client: httpx.AsyncClient, world: World) -> None:
    text = (DATA / "articles" / "printer-troubleshooting.md").read_text()
    body = {
        "articles": [
            {"name": "printer-troubleshooting.md", "text": text},
            {"name": "blank.md", "text": " "},
        ]
    }
    refused = await client.post(
        "/api/v1/imports/articles", json=body, headers=world.engineer.headers
    )
    assert refused.status_code == 403
    answer = await client.post(
        "/api/v1/imports/articles", json=body, headers=world.team_admin.headers
    )
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()] == ["created", "error"]
    queue = await client.get("/api/v1/flow-proposals", headers=world.team_admin.headers)
    assert queue.json()["total"] == 1
    other = await client.get("/api/v1/flow-proposals", headers=world.outsider.headers)
    assert other.json()["total"] == 0
