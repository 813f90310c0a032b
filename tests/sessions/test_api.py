"""Sessions over HTTP: create, add steps, resolve or escalate, transcript, import, retry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Session, SessionStep, Team, User
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.helpers import create_flow, session_line

API = "/api/v1/sessions"
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def count(db: AsyncSession, model: Any) -> int:
    await db.commit()
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_create_append_resolve_and_read(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h = world.engineer.headers
    body = session_line(external_id="psa-1", status="active", resolved_at=None)
    created = await client.post(API, json=body, headers=h)
    assert created.status_code == 201, created.text
    data = created.json()
    sid = data["id"]
    assert data["status"] == "active" and data["analysis_status"] is None
    assert data["engineer_id"] == str(world.engineer.user.id)  # the caller, when none is named
    assert [s["step_order"] for s in data["steps"]] == [0, 1, 2]
    first = data["steps"][0]
    assert first["context_message"] == "Is the printer showing online?"
    assert data["steps"][1]["was_free_text"] is True
    added = await client.post(
        f"{API}/{sid}/steps",
        headers=h,
        json={
            "steps": [{"step_type": "resolution", "content": {"text": "Reinstalled the driver"}}]
        },
    )
    assert added.status_code == 200, added.text
    assert [s["step_order"] for s in added.json()] == [0, 1, 2, 3]
    clash = await client.post(
        f"{API}/{sid}/steps",
        headers=h,
        json={"steps": [{"step_type": "info", "step_order": 1, "content": {"text": "dup"}}]},
    )
    assert clash.status_code == 422
    assert clash.json()["problems"][0]["location"] == "steps[0].step_order"
    resolved = await client.post(
        f"{API}/{sid}/resolve",
        headers=h,
        json={"resolution_summary": "Driver reinstalled", "time_spent_minutes": 20},
    )
    assert resolved.status_code == 200, resolved.text
    out = resolved.json()
    assert (out["status"], out["analysis_status"]) == ("resolved", "pending")
    assert out["resolution_summary"] == "Driver reinstalled" and out["resolved_at"]
    late = await client.post(
        f"{API}/{sid}/steps",
        headers=h,
        json={"steps": [{"step_type": "info", "content": {"text": "after the fact"}}]},
    )
    assert late.status_code == 400
    again = await client.post(f"{API}/{sid}/resolve", headers=h, json={})
    assert again.status_code == 400
    read = (await client.get(f"{API}/{sid}", headers=world.admin.headers)).json()
    assert len(read["steps"]) == 4
    transcript = read["transcript"]
    assert "Is the printer showing online?" in transcript and "driver unavailable" in transcript
    assert "Reinstalled the driver" in transcript
    duplicate = await client.post(API, json=body, headers=h)
    assert duplicate.status_code == 409 and "psa-1" in duplicate.json()["detail"]
    listed = (await client.get(API, params={"analysis_status": "pending"}, headers=h)).json()
    assert [s["id"] for s in listed] == [sid]
    assert await count(db, SessionStep) == 4


async def test_escalate_skips_analysis(client: httpx.AsyncClient, world: World) -> None:
    h = world.engineer.headers
    sid = (
        await client.post(
            API, headers=h, json=session_line(status="active", resolved_at=None, steps=[])
        )
    ).json()["id"]
    asked = await client.post(
        f"{API}/{sid}/escalate",
        headers=h,
        json={"escalation_reason": "needs onsite", "requesting": True},
    )
    assert asked.json()["status"] == "requesting_escalation"
    done = await client.post(
        f"{API}/{sid}/escalate", headers=h, json={"escalation_reason": "vendor case opened"}
    )
    assert done.status_code == 200, done.text
    out = done.json()
    assert (out["status"], out["analysis_status"]) == ("escalated", "skipped")
    assert out["escalation_reason"] == "vendor case opened"
    missing_reason = await client.post(f"{API}/{sid}/escalate", headers=h, json={})
    assert missing_reason.status_code == 422


async def test_create_with_references(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await create_flow(db, world.account, key="printer-offline")
    await db.commit()
    line = session_line(
        matched_flow="printer-offline",
        match_score=0.9,
        team="helpdesk",
        engineer="sam@example.com",
        confidence_tier=None,
    )
    made = await client.post(API, headers=world.engineer.headers, json=line)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["matched_flow_id"] and out["confidence_tier"] == "high"
    assert out["analysis_status"] == "pending"
    unknown = await client.post(
        API, headers=world.engineer.headers, json=session_line(matched_flow="no-such-flow")
    )
    assert unknown.status_code == 422
    assert unknown.json()["problems"][0]["location"] == "matched_flow"


async def test_import_json_lines(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    h = {**world.team_admin.headers, **NDJSON}
    good = [
        session_line(external_id=f"psa-{i}", team="helpdesk", engineer="sam@example.com")
        for i in range(3)
    ]
    lines = [json.dumps(g) for g in good] + [
        "{not json",
        json.dumps(session_line(external_id="psa-bad", status="finished")),
        "# a comment",
        "",
        json.dumps(["an", "array"]),
    ]
    body = "\n".join(lines) + "\n"
    first = await client.post(f"{API}/import", headers=h, content=body)
    assert first.status_code == 200, first.text
    out = first.json()
    assert (out["stored"], out["already_present"]) == (3, 0)
    assert (out["teams_created"], out["engineers_created"]) == (1, 1)
    assert [(e["line"], e["field"]) for e in out["errors"]] == [
        (4, "line"),
        (5, "status"),
        (8, "line"),
    ]
    again = (await client.post(f"{API}/import", headers=h, content=body)).json()
    assert (again["stored"], again["already_present"], len(again["errors"])) == (0, 3, 3)
    assert await count(db, Session) == 3
    assert await count(db, Team) == 1
    engineer = (await db.execute(select(User).where(User.email == "sam@example.com"))).scalar_one()
    assert engineer.password_hash is None and engineer.role == "engineer"
    assert (
        await client.post(
            f"{API}/import", headers={**world.engineer.headers, **NDJSON}, content=body
        )
    ).status_code == 403


async def test_strict_import_stores_nothing(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h = {**world.admin.headers, **NDJSON}
    body = "\n".join(
        [
            json.dumps(
                session_line(external_id="s-1", team="nightshift", engineer="new@example.com")
            ),
            json.dumps(session_line(external_id="s-2", problem_summary="   ")),
        ]
    )
    response = await client.post(f"{API}/import", params={"strict": True}, headers=h, content=body)
    assert response.status_code == 422
    out = response.json()
    assert out["stored"] == 0 and out["errors"][0]["line"] == 2
    assert out["errors"][0]["field"] == "problem_summary"
    assert await count(db, Session) == 0 and await count(db, Team) == 0
    users_before = await count(db, User)
    assert users_before == 4  # the world's people only
    not_utf8 = await client.post(f"{API}/import", headers=h, content=b"\xff\xfe{}")
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json()["detail"]


async def test_retry_a_failed_analysis(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h = world.team_admin.headers
    sid = (await client.post(API, headers=h, json=session_line())).json()["id"]
    not_failed = await client.post(f"{API}/{sid}/retry-analysis", headers=h)
    assert not_failed.status_code == 400 and "pending" in not_failed.json()["detail"]
    failed = {"analysis_status": "failed", "analysis_attempts": 5, "analysis_error": "timed out"}
    await db.execute(update(Session).values(**failed))
    await db.commit()
    engineer = await client.post(f"{API}/{sid}/retry-analysis", headers=world.engineer.headers)
    assert engineer.status_code == 403
    retried = await client.post(f"{API}/{sid}/retry-analysis", headers=h)
    assert retried.status_code == 200, retried.text
    out = retried.json()
    assert (out["analysis_status"], out["analysis_attempts"], out["analysis_error"]) == (
        "pending",
        0,
        None,
    )
    stored = (
        await db.execute(select(Session).execution_options(populate_existing=True))
    ).scalar_one()
    assert stored.analysis_status == "pending"
