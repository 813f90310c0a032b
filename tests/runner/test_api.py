"""The runner over HTTP: search, walk, free steps, step back, two tabs, finish, feedback."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.db import get_sessionmaker
from resolutionflow.models import NodeFeedback, Session, SessionStep
from resolutionflow.runner.schemas import FreeStepIn
from resolutionflow.runner.service import record_free_step
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import create_session
from tests.fixtures.api import World
from tests.helpers import create_flow, session_line

API = "/api/v1/runner"


async def _flows(db: AsyncSession, world: World) -> tuple[Any, Any]:
    printer = await create_flow(db, world.account, key="printer", name="Printer offline")
    vpn = await create_flow(
        db, world.account, key="vpn", name="VPN will not connect", domain="networking"
    )
    vpn.description = "The remote access client times out or rejects the credentials"
    vpn.match_keywords = ["vpn", "forticlient", "remote access", "tunnel"]
    await db.commit()
    return printer, vpn


async def _start(client: httpx.AsyncClient, world: World, flow: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "problem_summary": "Reception printer says offline",
        "psa_ticket_id": "T-1001",
        "customer": "Fabrikam",
    }
    if flow is not None:
        body["flow_id"] = str(flow.id)
    response = await client.post(f"{API}/sessions", json=body, headers=world.engineer.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_search_ranks_flows_by_meaning_with_their_figures(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, vpn = await _flows(db, world)
    for summary in ("FortiClient tunnel drops for a home worker", "Tunnel to the office fails"):
        await create_session(
            db,
            account=world.account,
            data=SessionIn.model_validate(
                session_line(problem_summary=summary, matched_flow="vpn")
            ),
        )
    await db.commit()
    h = world.engineer.headers
    found = await client.get(f"{API}/flows", params={"q": "remote tunnel keeps failing"}, headers=h)
    assert found.status_code == 200, found.text
    rows = found.json()
    assert rows[0]["flow_id"] == str(vpn.id)
    assert rows[0]["usage_count"] == 2 and 0 < rows[0]["score"] <= 1
    assert {"success_rate", "name", "description"} <= set(rows[0])
    printers = await client.get(f"{API}/flows", params={"q": "the printer is offline"}, headers=h)
    assert printers.json()[0]["flow_id"] == str(printer.id)
    empty = await client.get(f"{API}/flows", params={"q": ""}, headers=h)
    assert empty.status_code == 422


async def test_walk_a_flow_to_a_solution_and_the_session_is_queued(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, _ = await _flows(db, world)
    h = world.engineer.headers
    run = await _start(client, world, printer)
    sid = run["id"]
    assert run["node"]["id"] == "root" and run["next_order"] == 0 and run["status"] == "active"
    url = f"{API}/sessions/{sid}"
    step = await client.post(
        f"{url}/walk",
        headers=h,
        json={
            "node_id": "root",
            "choice": "option",
            "option_id": "o-yes",
            "text": "green light",
            "expected_order": 0,
        },
    )
    assert step.status_code == 200, step.text
    assert step.json()["node"]["id"] == "restart"
    wrong = await client.post(
        f"{url}/walk",
        headers=h,
        json={"node_id": "restart", "choice": "resolved", "expected_order": 1},
    )
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["location"] == "choice"
    acted = await client.post(
        f"{url}/walk",
        headers=h,
        json={
            "node_id": "restart",
            "choice": "worked",
            "text": "spooler restarted",
            "expected_order": 1,
        },
    )
    assert acted.json()["node"]["id"] == "done"
    done = await client.post(
        f"{url}/walk",
        headers=h,
        json={"node_id": "done", "choice": "resolved", "expected_order": 2},
    )
    out = done.json()
    assert out["status"] == "resolved" and out["analysis_status"] == "pending"
    assert out["match_score"] == 1.0
    steps = out["steps"]
    assert [s["step_type"] for s in steps] == ["question", "action", "resolution"]
    assert steps[0]["context_message"] == "Is the printer showing online?"
    assert steps[0]["selected_option"] == "o-yes" and steps[0]["was_free_text"] is False
    assert steps[0]["free_text_input"] == "green light"
    assert steps[0]["options_presented"][1] == {"value": "o-no", "label": "No"}
    assert steps[1]["action_result"] == {"success": True, "details": "spooler restarted"}
    await db.commit()
    session = await db.get(Session, __import__("uuid").UUID(sid))
    assert session is not None
    await db.refresh(session)
    assert session.confidence_tier == "high" and session.psa_ticket_id == "T-1001"
    assert session.customer == "Fabrikam" and session.engineer_id == world.engineer.user.id
    assert session.time_spent_minutes and session.time_spent_minutes >= 1
    again = await client.post(
        f"{url}/walk", headers=h, json={"node_id": "done", "choice": "resolved"}
    )
    assert again.status_code == 400


async def test_none_of_these_leaves_the_flow_and_free_steps_follow(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, _ = await _flows(db, world)
    h = world.engineer.headers
    sid = (await _start(client, world, printer))["id"]
    url = f"{API}/sessions/{sid}"
    blank = await client.post(
        f"{url}/walk", headers=h, json={"node_id": "root", "choice": "none_of_these", "text": "  "}
    )
    assert blank.status_code == 422 and blank.json()["problems"][0]["location"] == "text"
    typed = await client.post(
        f"{url}/walk",
        headers=h,
        json={"node_id": "root", "choice": "none_of_these", "text": "Panel shows paper jam"},
    )
    body = typed.json()
    assert body["node"] is None and body["left_flow"] is True
    assert body["steps"][0]["was_free_text"] is True
    assert body["steps"][0]["selected_option"] is None
    action = await client.post(
        f"{url}/steps",
        headers=h,
        json={
            "kind": "action",
            "text": "Cleared the jam",
            "worked": True,
            "detail": "prints",
        },
    )
    assert action.status_code == 200, action.text
    no_result = await client.post(
        f"{url}/steps", headers=h, json={"kind": "action", "text": "Rebooted"}
    )
    assert no_result.status_code == 422
    resolved = await client.post(
        f"{url}/resolve", headers=h, json={"resolution_summary": "Cleared a paper jam"}
    )
    out = resolved.json()
    assert out["status"] == "resolved" and out["match_score"] == 0.0
    assert out["steps"][-1]["step_type"] == "resolution"
    assert out["steps"][-1]["content"]["text"] == "Cleared a paper jam"


async def test_without_a_flow_steps_are_recorded_freely(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.engineer.headers
    run = await _start(client, world)
    assert run["flow_id"] is None and run["node"] is None
    url = f"{API}/sessions/{run['id']}"
    asked = await client.post(
        f"{url}/steps",
        headers=h,
        json={
            "kind": "question",
            "text": "Which port is the printer on?",
            "detail": "Port 3",
            "expected_order": 0,
        },
    )
    assert asked.status_code == 200, asked.text
    step = asked.json()["steps"][0]
    assert step["context_message"] == "Which port is the printer on?"
    assert step["free_text_input"] == "Port 3" and step["was_free_text"] is True
    note = await client.post(f"{url}/steps", headers=h, json={"kind": "note", "text": "Called"})
    assert note.json()["steps"][1]["step_type"] == "info"
    walk = await client.post(f"{url}/walk", headers=h, json={"node_id": "root", "choice": "option"})
    assert walk.status_code == 400
    escalated = await client.post(f"{url}/escalate", headers=h, json={"reason": "Vendor RMA"})
    out = escalated.json()
    assert out["status"] == "escalated" and out["analysis_status"] == "skipped"
    assert out["match_score"] is None


async def test_step_back_and_two_tabs_never_lose_a_step(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, _ = await _flows(db, world)
    h = world.engineer.headers
    sid = (await _start(client, world, printer))["id"]
    url = f"{API}/sessions/{sid}"
    # Both tabs load the session at step 0; the first answers, the second (stale) is refused.
    first = await client.post(
        f"{url}/walk",
        headers=h,
        json={"node_id": "root", "choice": "option", "option_id": "o-yes", "expected_order": 0},
    )
    assert first.status_code == 200
    stale = await client.post(
        f"{url}/walk",
        headers=h,
        json={"node_id": "root", "choice": "option", "option_id": "o-no", "expected_order": 0},
    )
    assert stale.status_code == 409 and "reload" in stale.json()["detail"]
    stale_note = await client.post(
        f"{url}/steps", headers=h, json={"kind": "note", "text": "from tab 2", "expected_order": 0}
    )
    assert stale_note.status_code == 409
    stale_back = await client.post(f"{url}/back", headers=h, json={"expected_order": 0})
    assert stale_back.status_code == 409
    state = (await client.get(url, headers=h)).json()
    assert [s["selected_option"] for s in state["steps"]] == ["o-yes"]
    back = await client.post(f"{url}/back", headers=h, json={"expected_order": 1})
    assert back.status_code == 200 and back.json()["node"]["id"] == "root"
    assert back.json()["steps"] == []
    nothing = await client.post(f"{url}/back", headers=h, json={"expected_order": 0})
    assert nothing.status_code == 400
    # Without expected_order (API clients), concurrent notes all land, each at its own order.
    notes = await asyncio.gather(
        *[
            client.post(f"{url}/steps", headers=h, json={"kind": "note", "text": f"n{i}"})
            for i in range(4)
        ]
    )
    assert all(r.status_code == 200 for r in notes), [r.text for r in notes]
    final = (await client.get(url, headers=h)).json()["steps"]
    assert sorted(s["content"]["text"] for s in final) == ["n0", "n1", "n2", "n3"]
    assert [s["step_order"] for s in final] == [0, 1, 2, 3]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # concurrent writers
async def test_concurrent_writers_on_postgres_each_keep_their_step(
    settings: Any, world: World, db: AsyncSession
) -> None:
    """Two transactions that read the same next step_order: the loser retries at the next."""
    session = await create_session(
        db,
        account=world.account,
        data=SessionIn.model_validate(session_line(status="active", resolved_at=None, steps=[])),
    )
    await db.commit()
    maker = get_sessionmaker(settings, write=True)
    gate = asyncio.Barrier(2) if hasattr(asyncio, "Barrier") else None

    async def writer(text: str) -> None:
        async with maker() as own:
            account = await own.merge(world.account)
            if gate is not None:
                await gate.wait()
            await record_free_step(
                own, account=account, session_id=session.id, data=FreeStepIn(kind="note", text=text)
            )
            await own.commit()

    await asyncio.gather(writer("tab one"), writer("tab two"))
    rows = (
        (
            await db.execute(
                select(SessionStep)
                .where(SessionStep.session_id == session.id)
                .order_by(SessionStep.step_order)
            )
        )
        .scalars()
        .all()
    )
    assert sorted(r.content["text"] for r in rows) == ["tab one", "tab two"]
    assert [r.step_order for r in rows] == [0, 1]


async def test_abandon_and_feedback_on_a_node(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, _ = await _flows(db, world)
    h = world.engineer.headers
    sid = (await _start(client, world, printer))["id"]
    url = f"{API}/sessions/{sid}"
    flag = await client.post(
        f"{url}/feedback", headers=h, json={"node_id": "root", "note": "Which panel? Unclear"}
    )
    assert flag.status_code == 201, flag.text
    assert flag.json()["flow_version"] == 1 and flag.json()["node_id"] == "root"
    unknown = await client.post(f"{url}/feedback", headers=h, json={"node_id": "nope", "note": "x"})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["location"] == "node_id"
    abandoned = await client.post(f"{url}/abandon", headers=h, json={"reason": "User went home"})
    out = abandoned.json()
    assert out["status"] == "abandoned" and out["analysis_status"] == "skipped"
    assert out["steps"][-1]["content"]["text"] == "Abandoned: User went home"
    # Feedback can still be given once the session is over.
    later = await client.post(
        f"{url}/feedback", headers=h, json={"node_id": "root", "note": "Options overlap"}
    )
    assert later.status_code == 201
    listed = await client.get(f"{API}/flows/{printer.id}/feedback", headers=h)
    assert listed.status_code == 200
    nodes = listed.json()
    assert nodes[0]["node_id"] == "root" and nodes[0]["count"] == 2
    assert nodes[0]["notes"][0] == "Options overlap"
    outsider = await client.get(
        f"{API}/flows/{printer.id}/feedback", headers=world.outsider.headers
    )
    assert outsider.status_code == 404
    stored = (await db.execute(select(NodeFeedback))).scalars().all()
    assert len(stored) == 2 and all(f.user_id == world.engineer.user.id for f in stored)


async def test_another_account_cannot_start_on_or_touch_a_session(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    printer, _ = await _flows(db, world)
    outsider = world.outsider.headers
    start = await client.post(
        f"{API}/sessions",
        headers=outsider,
        json={"problem_summary": "x", "flow_id": str(printer.id)},
    )
    assert start.status_code == 404
    sid = (await _start(client, world, printer))["id"]
    for path, body in [
        ("walk", {"node_id": "root", "choice": "option", "option_id": "o-yes"}),
        ("steps", {"kind": "note", "text": "x"}),
        ("resolve", {}),
        ("feedback", {"node_id": "root", "note": "x"}),
    ]:
        response = await client.post(f"{API}/sessions/{sid}/{path}", headers=outsider, json=body)
        assert response.status_code == 404, (path, response.text)
    assert os.environ.get("NEVER_SET_BY_TESTS") is None
