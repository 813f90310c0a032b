"""The runner's web pages with plain forms (no JavaScript): landing, search, walk, two tabs,
finishing, feedback, CSRF, and another account's sessions."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import NodeFeedback, Session, SessionStep
from tests.fixtures.web import WebWorld
from tests.helpers import create_flow


async def _flow(db: AsyncSession, web: WebWorld) -> object:
    flow = await create_flow(db, web.account, key="printer", name="Printer offline")
    await create_flow(db, web.account, key="vpn", name="VPN will not connect", domain="networking")
    await db.commit()
    return flow


async def _start(web: WebWorld, flow: object | None) -> str:
    client, csrf = web.engineer.client, web.engineer.csrf
    data = {
        "csrf_token": csrf,
        "problem": "Printer on floor 2 is offline",
        "ticket": "T-7",
        "customer": "Fabrikam",
    }
    if flow is not None:
        data["flow_id"] = str(flow.id)  # type: ignore[attr-defined]
    started = await client.post("/start", data=data)
    assert started.status_code == 303, started.text
    found = re.fullmatch(r"/run/([0-9a-f-]{36})", started.headers["location"])
    assert found, started.headers["location"]
    return found.group(1)


async def test_engineers_land_on_start_and_everyone_has_the_menu_entry(web: WebWorld) -> None:
    home = await web.engineer.client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/start"
    for member in (web.team_admin, web.admin):
        landed = await member.client.get("/")
        assert landed.headers["location"] == "/review"
    for member in (web.engineer, web.admin):
        page = await member.client.get("/review")
        assert '<a href="/start"' in page.text and "Start a session" in page.text


async def test_search_shows_matching_flows_with_their_figures(
    web: WebWorld, db: AsyncSession
) -> None:
    flow = await _flow(db, web)
    page = await web.engineer.client.get("/start", params={"q": "printer offline on floor 2"})
    assert page.status_code == 200
    matches = re.findall(r'data-flow-id="([0-9a-f-]{36})"', page.text)
    assert matches[0] == str(flow.id)  # type: ignore[attr-defined]
    assert "Success rate" in page.text and "Use this flow" in page.text
    assert "Go on without a flow" in page.text
    blank = await web.engineer.client.get("/start")
    assert blank.status_code == 200 and "data-flow-id" not in blank.text


async def test_walk_with_forms_to_a_resolution(web: WebWorld, db: AsyncSession) -> None:
    flow = await _flow(db, web)
    client, csrf = web.engineer.client, web.engineer.csrf
    sid = await _start(web, flow)
    page = await client.get(f"/run/{sid}")
    assert page.status_code == 200
    assert "Is the printer showing online?" in page.text and "None of these" in page.text
    assert 'name="expected_order" value="0"' in page.text
    step = await client.post(
        f"/run/{sid}/walk",
        data={"csrf_token": csrf, "node_id": "root", "answer": "o-yes", "expected_order": "0"},
    )
    assert step.status_code == 303
    page = await client.get(f"/run/{sid}")
    assert "Restart the spooler" in page.text and "Worked" in page.text
    acted = await client.post(
        f"/run/{sid}/walk",
        data={
            "csrf_token": csrf,
            "node_id": "restart",
            "choice": "did_not_fix",
            "text": "no change",
            "expected_order": "1",
        },
    )
    assert acted.status_code == 303
    done = await client.post(
        f"/run/{sid}/walk",
        data={"csrf_token": csrf, "node_id": "done", "choice": "resolved", "expected_order": "2"},
    )
    assert done.status_code == 303
    page = await client.get(f"/run/{sid}")
    assert "This session is resolved" in page.text and "queued for the flywheel" in page.text
    await db.commit()
    session = await db.get(Session, uuid.UUID(sid))
    assert session is not None and session.status == "resolved"
    assert session.analysis_status == "pending" and session.match_score == 1.0
    steps = (
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
    assert [s.step_type for s in steps] == ["question", "action", "resolution"]
    assert steps[1].action_result == {"success": False, "details": "no change"}


async def test_a_stale_tab_is_told_to_reload_and_no_step_is_lost(
    web: WebWorld, db: AsyncSession
) -> None:
    flow = await _flow(db, web)
    client, csrf = web.engineer.client, web.engineer.csrf
    sid = await _start(web, flow)
    tab_one = await client.post(
        f"/run/{sid}/walk",
        data={"csrf_token": csrf, "node_id": "root", "answer": "o-no", "expected_order": "0"},
    )
    assert tab_one.status_code == 303
    tab_two = await client.post(
        f"/run/{sid}/walk",
        data={"csrf_token": csrf, "node_id": "root", "answer": "o-yes", "expected_order": "0"},
    )
    assert tab_two.status_code == 303  # back to the page, with the reason
    page = await client.get(f"/run/{sid}")
    assert "reload" in page.text and 'data-flash="error"' in page.text
    note = await client.post(
        f"/run/{sid}/steps",
        data={"csrf_token": csrf, "kind": "note", "text": "late note", "expected_order": "0"},
    )
    assert note.status_code == 303
    await db.commit()
    steps = (
        (await db.execute(select(SessionStep).where(SessionStep.session_id == uuid.UUID(sid))))
        .scalars()
        .all()
    )
    assert [s.selected_option for s in steps] == ["o-no"]
    back = await client.post(f"/run/{sid}/back", data={"csrf_token": csrf, "expected_order": "1"})
    assert back.status_code == 303
    page = await client.get(f"/run/{sid}")
    assert "Is the printer showing online?" in page.text and "No steps yet" in page.text


async def test_without_a_flow_free_steps_then_escalate(web: WebWorld, db: AsyncSession) -> None:
    client, csrf = web.engineer.client, web.engineer.csrf
    sid = await _start(web, None)
    page = await client.get(f"/run/{sid}")
    assert "Record what you do" in page.text and "Flag this step" not in page.text
    asked = await client.post(
        f"/run/{sid}/steps",
        data={
            "csrf_token": csrf,
            "kind": "question",
            "text": "Which VLAN?",
            "detail": "VLAN 20",
            "expected_order": "0",
        },
    )
    assert asked.status_code == 303
    acted = await client.post(
        f"/run/{sid}/steps",
        data={
            "csrf_token": csrf,
            "kind": "action",
            "text": "Moved port to VLAN 30",
            "worked": "no",
            "detail": "still offline",
            "expected_order": "1",
        },
    )
    assert acted.status_code == 303
    no_reason = await client.post(
        f"/run/{sid}/finish", data={"csrf_token": csrf, "outcome": "escalate", "text": ""}
    )
    assert no_reason.status_code == 303
    assert "reason" in (await client.get(f"/run/{sid}")).text
    escalated = await client.post(
        f"/run/{sid}/finish",
        data={"csrf_token": csrf, "outcome": "escalate", "text": "Needs the network team"},
    )
    assert escalated.status_code == 303
    await db.commit()
    session = await db.get(Session, uuid.UUID(sid))
    assert session is not None and session.status == "escalated"
    assert session.escalation_reason == "Needs the network team"
    assert session.confidence_tier == "discovery"


async def test_flag_a_step_and_it_shows_on_the_flow_page(web: WebWorld, db: AsyncSession) -> None:
    flow = await _flow(db, web)
    client, csrf = web.engineer.client, web.engineer.csrf
    sid = await _start(web, flow)
    flagged = await client.post(
        f"/run/{sid}/feedback",
        data={"csrf_token": csrf, "node_id": "restart", "note": "Which server? Unclear"},
    )
    assert flagged.status_code == 303
    assert "flagged" in (await client.get(f"/run/{sid}")).text
    page = await web.team_admin.client.get(f"/flows/{flow.id}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert 'id="flagged-nodes"' in page.text and "Which server? Unclear" in page.text
    await db.commit()
    assert len((await db.execute(select(NodeFeedback))).scalars().all()) == 1


async def test_forms_need_the_csrf_token_and_other_accounts_see_nothing(
    web: WebWorld, db: AsyncSession
) -> None:
    flow = await _flow(db, web)
    sid = await _start(web, flow)
    client = web.engineer.client
    forged = await client.post(f"/run/{sid}/walk", data={"node_id": "root", "answer": "o-yes"})
    assert forged.status_code == 403
    no_token = await client.post("/start", data={"problem": "x"})
    assert no_token.status_code == 403
    outsider: httpx.AsyncClient = web.outsider.client
    assert (await outsider.get(f"/run/{sid}")).status_code == 404
    stolen = await outsider.post(
        f"/run/{sid}/steps", data={"csrf_token": web.outsider.csrf, "kind": "note", "text": "x"}
    )
    assert stolen.status_code == 404
    search = await outsider.get("/start", params={"q": "printer offline"})
    assert str(flow.id) not in search.text  # type: ignore[attr-defined]
    await db.commit()
    steps = (
        (await db.execute(select(SessionStep).where(SessionStep.session_id == uuid.UUID(sid))))
        .scalars()
        .all()
    )
    assert steps == []
