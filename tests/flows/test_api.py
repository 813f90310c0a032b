"""Flows over HTTP: search, read, create with every problem, versions, compare, export, 409."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow, FlowVersion
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.helpers import create_flow, simple_tree

API = "/api/v1/flows"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def count(db: AsyncSession, model: Any) -> int:
    await db.commit()
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_list_searches_text_domain_and_origin(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await create_flow(db, world.account, key="printer-offline", name="Printer offline")
    vpn = await create_flow(
        db, world.account, key="vpn-drops", name="VPN drops", domain="networking"
    )
    vpn.description = "Tunnel falls over every hour"
    mail = await create_flow(
        db, world.account, key="mailbox-full", name="Mailbox full", domain="email"
    )
    mail.origin, mail.description = "ai_generated", "Quota reached"
    await create_flow(db, world.other_account, key="printer-jam", name="Printer jam")
    await db.commit()
    h = world.engineer.headers

    async def names(**params: Any) -> tuple[list[str], int]:
        response = await client.get(API, params=params, headers=h)
        assert response.status_code == 200, response.text
        return [f["name"] for f in response.json()["items"]], response.json()["total"]

    assert await names() == (["Mailbox full", "Printer offline", "VPN drops"], 3)
    assert await names(q="PRINTER") == (["Printer offline"], 1)
    assert await names(q="vpn-dr") == (["VPN drops"], 1)  # the key is searched too
    assert await names(q="tunnel FALLS") == (["VPN drops"], 1)  # and the description
    assert await names(q="nothing like it") == ([], 0)
    assert await names(domain="networking") == (["VPN drops"], 1)
    assert await names(origin="ai_generated") == (["Mailbox full"], 1)
    assert await names(origin="manual", domain="email") == ([], 0)
    assert await names(skip=1, limit=1) == (["Printer offline"], 3)
    bad = await client.get(API, params={"origin": "robot"}, headers=h)
    assert bad.status_code == 422


async def test_get_and_unknown(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    flow = await create_flow(db, world.account, key="printer-offline")
    await db.commit()
    got = await client.get(f"{API}/{flow.id}", headers=world.engineer.headers)
    assert got.status_code == 200
    body = got.json()
    assert body["key"] == "printer-offline" and body["version"] == 1
    assert body["tree_structure"] == simple_tree() and body["match_keywords"] == [
        "printer",
        "offline",
    ]
    missing = await client.get(
        f"{API}/{'0' * 8}-0000-4000-8000-{'0' * 12}", headers=world.admin.headers
    )
    assert missing.status_code == 404
    assert (await client.get(f"{API}/not-a-uuid", headers=world.admin.headers)).status_code == 422


async def test_create_validates_and_lists_every_problem(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    tree = simple_tree()
    tree["options"] = tree["options"][:1]  # a decision with one option
    tree["children"][0]["next_node_id"] = "ghost"  # an action leading nowhere
    tree["children"][1]["options"] = [{"id": "x", "label": "?", "next_node_id": "root"}]
    response = await client.post(
        API, headers=world.team_admin.headers, json={"name": "Broken", "tree_structure": tree}
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    locations = {p["location"] for p in problems}
    assert {"root", "restart", "power"} <= locations, problems
    assert await count(db, Flow) == 0 and await count(db, FlowVersion) == 0
    made = await client.post(
        API,
        headers=world.team_admin.headers,
        json={
            "name": "Printer offline",
            "tree_structure": simple_tree(),
            "problem_domain": "printing",
            "match_keywords": ["printer", " Printer ", "spooler"],
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["key"] == "printer-offline" and body["origin"] == "manual"
    assert body["author_id"] == str(world.team_admin.user.id)
    assert body["match_keywords"] == ["printer", "spooler"]
    again = await client.post(
        API,
        headers=world.team_admin.headers,
        json={"name": "Printer offline", "tree_structure": simple_tree()},
    )
    assert again.status_code == 201 and again.json()["key"] == "printer-offline-2"
    clash = await client.post(
        API,
        headers=world.admin.headers,
        json={"key": "printer-offline", "name": "x", "tree_structure": simple_tree()},
    )
    assert clash.status_code == 409
    assert await count(db, Flow) == 2


async def test_update_publishes_versions_and_refuses_stale_bases(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account, key="printer-offline")
    await db.commit()
    h = world.team_admin.headers
    changed = simple_tree()
    changed["children"][1]["title"] = "Power cycle the printer"
    put = await client.put(
        f"{API}/{flow.id}",
        headers=h,
        json={"tree_structure": changed, "change_note": "clearer", "base_version": 1},
    )
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.json()["name"] == "Printer offline"
    renamed = await client.put(f"{API}/{flow.id}", headers=h, json={"name": "Printer is offline"})
    assert renamed.json()["version"] == 3 and renamed.json()["tree_structure"] == changed
    stale = await client.put(
        f"{API}/{flow.id}", headers=h, json={"description": "late", "base_version": 2}
    )
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    broken = simple_tree()
    broken["children"] = []
    invalid = await client.put(f"{API}/{flow.id}", headers=h, json={"tree_structure": broken})
    assert invalid.status_code == 422 and len(invalid.json()["problems"]) >= 2
    versions = (await client.get(f"{API}/{flow.id}/versions", headers=h)).json()
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert versions[1]["change_note"] == "clearer"
    assert versions[1]["created_by"] == str(world.team_admin.user.id)
    one = await client.get(f"{API}/{flow.id}/versions/1", headers=world.engineer.headers)
    assert one.json()["tree_structure"] == simple_tree() and one.json()["name"] == "Printer offline"
    assert (await client.get(f"{API}/{flow.id}/versions/9", headers=h)).status_code == 404
    compare = await client.get(f"{API}/{flow.id}/compare", params={"from": 1, "to": 2}, headers=h)
    assert compare.status_code == 200
    assert compare.json()["from"] == 1 and "power" in str(compare.json()["changes"])
    same = await client.get(f"{API}/{flow.id}/compare", params={"from": 3, "to": 2}, headers=h)
    assert same.status_code == 200
    assert (
        await client.get(f"{API}/{flow.id}/compare", params={"from": 0, "to": 1}, headers=h)
    ).status_code == 422
    assert await count(db, FlowVersion) == 3


async def test_export_json_and_mermaid(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account, key="printer-offline")
    await db.commit()
    h = world.engineer.headers
    exported = await client.get(f"{API}/{flow.id}/export", headers=h)
    assert exported.status_code == 200
    assert exported.json() == {
        "key": "printer-offline",
        "name": "Printer offline",
        "description": "Printer shows offline",
        "problem_domain": "printing",
        "match_keywords": ["printer", "offline"],
        "tree_structure": simple_tree(),
    }
    mermaid = await client.get(f"{API}/{flow.id}/export", params={"format": "mermaid"}, headers=h)
    assert mermaid.status_code == 200
    assert mermaid.headers["content-type"].startswith("text/plain")
    text = mermaid.text
    assert text.lstrip().startswith("flowchart") and "Is the printer showing online?" in text
    bad = await client.get(f"{API}/{flow.id}/export", params={"format": "pdf"}, headers=h)
    assert bad.status_code == 422


async def test_engineers_read_but_do_not_write(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account)
    await db.commit()
    h = world.engineer.headers
    assert (
        await client.post(API, headers=h, json={"name": "x", "tree_structure": simple_tree()})
    ).status_code == 403
    assert (await client.put(f"{API}/{flow.id}", headers=h, json={"name": "y"})).status_code == 403
    assert await count(db, FlowVersion) == 1


async def test_success_rate_is_successes_over_uses_with_the_count(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    from resolutionflow.models import Session
    from resolutionflow.models.base import utcnow

    flow = await create_flow(db, world.account, key="printer-offline", name="Printer offline")
    other = await create_flow(db, world.other_account, key="printer-offline", name="Printer")
    flow.success_rate = 0.41  # the reinforcement moving average: a trend, not the rate
    statuses = ["resolved"] * 9 + ["escalated", "requesting_escalation", "active", "abandoned"]
    for status in statuses:
        db.add(
            Session(
                account_id=world.account.id,
                problem_summary="Printer offline",
                status=status,
                confidence_tier="high",
                confidence_score=0.9,
                matched_flow_id=flow.id,
                created_at=utcnow(),
                analysis_status="completed",
                analysis_attempts=0,
            )
        )
    db.add(
        Session(
            account_id=world.other_account.id,
            problem_summary="Printer",
            status="escalated",
            confidence_tier="high",
            confidence_score=0.9,
            matched_flow_id=other.id,
            created_at=utcnow(),
            analysis_status="completed",
            analysis_attempts=0,
        )
    )
    await db.commit()
    h = world.engineer.headers
    one = (await client.get(f"{API}/{flow.id}", headers=h)).json()
    assert (one["successes"], one["uses"], one["success_rate"]) == (9, 11, 0.818)
    assert one["success_text"] == "82% of 11 sessions"
    assert one["reinforcement_trend"] == 0.41
    listed = (await client.get(API, headers=h)).json()["items"]
    assert [(f["success_rate"], f["uses"]) for f in listed] == [(0.818, 11)]
