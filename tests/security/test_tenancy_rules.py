"""No hint across accounts for a taken e-mail; error pages that never crash; team admins review
their own team's proposals; risky commands in a proposal need an acknowledgement."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow, FlowProposal, User
from tests.fixtures.api import World
from tests.fixtures.web import WebWorld
from tests.helpers import create_proposal, create_team, simple_tree

# --- a taken e-mail -----------------------------------------------------------------------------


async def test_a_taken_email_gets_the_same_answer_in_any_account(
    client: httpx.AsyncClient, world: World
) -> None:
    own = await client.post(
        "/api/v1/users", json={"email": world.engineer.user.email}, headers=world.admin.headers
    )
    foreign = await client.post(
        "/api/v1/users", json={"email": world.outsider.user.email}, headers=world.admin.headers
    )
    assert own.status_code == foreign.status_code == 409
    assert own.json() == foreign.json()
    text = foreign.text.lower()
    assert world.outsider.user.email.lower() not in text and "exist" not in text


# --- error pages ------------------------------------------------------------------------------


async def test_script_request_for_an_unknown_or_foreign_session_is_a_404_page(
    web: WebWorld, db: AsyncSession
) -> None:
    foreign = await create_proposal(db, web.other)
    await db.commit()
    member = web.engineer
    for session_id in (uuid.uuid4(), foreign.source_session_id):
        response = await member.client.post(
            f"/sessions/{session_id}/scripts",
            data={
                "csrf_token": member.csrf,
                "request": "clear the print queue",
                "language": "powershell",
            },
        )
        assert response.status_code == 404, response.text[:300]
        assert "Not found" in response.text
        # The page still shows who is signed in: read from the copy, not the expired rows.
        assert member.user.email in response.text
    # The connection and the sign-in survive: the next page works.
    assert (await member.client.get("/sessions")).status_code == 200


# --- team admins and other teams' proposals ---------------------------------------------------


async def _teams(db: AsyncSession, world_account: Any, team_admin_id: uuid.UUID) -> tuple[Any, Any]:
    mine = await create_team(db, world_account, slug="service-desk")
    theirs = await create_team(db, world_account, slug="projects")
    user = await db.get(User, team_admin_id)
    assert user is not None
    user.team_id = mine.id
    await db.commit()
    return mine, theirs


async def _status(db: AsyncSession, proposal_id: uuid.UUID) -> str:
    await db.commit()  # a fresh snapshot
    stmt = select(FlowProposal.status).where(FlowProposal.id == proposal_id)
    return str((await db.execute(stmt)).scalar_one())


async def _proposal_of(db: AsyncSession, account: Any, team: Any, title: str) -> FlowProposal:
    proposal = await create_proposal(db, account, title=title)
    proposal.team_id = team.id if team is not None else None
    await db.commit()
    return proposal


async def test_team_admins_review_their_team_and_account_wide_proposals_only(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    mine, theirs = await _teams(db, world.account, world.team_admin.user.id)
    own = await _proposal_of(db, world.account, mine, "Own team")
    shared = await _proposal_of(db, world.account, None, "Account wide")
    other = await _proposal_of(db, world.account, theirs, "Other team")

    async def review(person: Any, proposal: FlowProposal) -> httpx.Response:
        return await client.post(
            f"/api/v1/flow-proposals/{proposal.id}/review",
            json={"action": "dismiss"},
            headers=person.headers,
        )

    refused = await review(world.team_admin, other)
    assert refused.status_code == 403 and "another team" in refused.json()["detail"]
    assert (await review(world.team_admin, own)).status_code == 200
    assert (await review(world.team_admin, shared)).status_code == 200
    assert (await review(world.admin, other)).status_code == 200  # admins review all
    # Reading stays open to every role.
    assert (
        await client.get(f"/api/v1/flow-proposals/{other.id}", headers=world.engineer.headers)
    ).status_code == 200


async def test_the_review_page_hides_actions_for_another_teams_proposal(
    web: WebWorld, db: AsyncSession
) -> None:
    mine, theirs = await _teams(db, web.account, web.team_admin.user.id)
    other = await _proposal_of(db, web.account, theirs, "Other team printer")
    own = await _proposal_of(db, web.account, mine, "Own team printer")
    member = web.team_admin
    page = await member.client.get(f"/review/{other.id}")
    assert page.status_code == 200
    assert 'id="review-form"' not in page.text and 'id="other-team"' in page.text
    assert 'id="review-form"' in (await member.client.get(f"/review/{own.id}")).text
    posted = await member.client.post(
        f"/review/{other.id}/decide", data={"csrf_token": member.csrf, "action": "reject"}
    )
    assert posted.status_code == 303
    refusal = await member.client.get(posted.headers["location"])
    assert "another team" in refusal.text
    edit = await member.client.get(f"/review/{other.id}/edit")
    assert edit.status_code == 403
    assert await _status(db, other.id) == "pending"
    admin_page = await web.admin.client.get(f"/review/{other.id}")
    assert 'id="review-form"' in admin_page.text


# --- risky commands in proposals --------------------------------------------------------------


def risky_tree() -> dict[str, Any]:
    tree = simple_tree()
    tree["children"][0]["description"] = (
        "Run `Remove-Item C:\\ -Recurse -Force` and `rm -rf /` to clear the spooler."
    )
    return tree


async def test_a_destructive_proposal_needs_an_acknowledgement_on_the_api(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account, tree=risky_tree(), title="Spooler stuck")
    await db.commit()
    detail = await client.get(
        f"/api/v1/flow-proposals/{proposal.id}", headers=world.team_admin.headers
    )
    risks = detail.json()["risks"]
    assert {(r["node_id"], r["severity"]) for r in risks} == {("restart", "high")}
    assert {r["command"] for r in risks} == {"Remove-Item C:\\ -Recurse -Force", "rm -rf /"}
    url = f"/api/v1/flow-proposals/{proposal.id}/review"
    refused = await client.post(url, json={"action": "approve"}, headers=world.team_admin.headers)
    assert refused.status_code == 400
    assert "acknowledge_risks" in refused.json()["detail"]
    assert {p["location"] for p in refused.json()["problems"]} == {"node restart"}
    assert (await db.execute(select(Flow))).scalars().all() == []  # nothing published
    approved = await client.post(
        url, json={"action": "approve", "acknowledge_risks": True}, headers=world.team_admin.headers
    )
    assert approved.status_code == 200, approved.text
    record = approved.json()["risk_acknowledgement"]
    assert record["by"] == str(world.team_admin.user.id) and record["at"]
    assert {f["command"] for f in record["findings"]} == {
        "Remove-Item C:\\ -Recurse -Force",
        "rm -rf /",
    }


async def test_a_modified_flow_is_checked_too(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account, title="Harmless at first")
    await db.commit()
    url = f"/api/v1/flow-proposals/{proposal.id}/review"
    body = {"action": "modify", "modified_flow_data": {"tree_structure": risky_tree()}}
    assert (await client.post(url, json=body, headers=world.admin.headers)).status_code == 400
    body["acknowledge_risks"] = True
    assert (await client.post(url, json=body, headers=world.admin.headers)).status_code == 200


async def test_a_safe_proposal_needs_no_acknowledgement(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    response = await client.post(
        f"/api/v1/flow-proposals/{proposal.id}/review",
        json={"action": "approve"},
        headers=world.admin.headers,
    )
    assert response.status_code == 200 and response.json()["risk_acknowledgement"] is None


async def test_the_review_page_shows_risks_and_asks_for_the_checkbox(
    web: WebWorld, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, web.account, tree=risky_tree(), title="Spooler stuck")
    await db.commit()
    member = web.team_admin
    page = await member.client.get(f"/review/{proposal.id}")
    assert 'id="proposal-risks"' in page.text and "rm -rf /" in page.text
    assert 'name="acknowledge_risks"' in page.text
    without = await member.client.post(
        f"/review/{proposal.id}/decide", data={"csrf_token": member.csrf, "action": "approve"}
    )
    assert without.status_code == 303
    shown = await member.client.get(without.headers["location"])
    assert "high-risk command" in shown.text and "acknowledge" in shown.text
    with_ack = await member.client.post(
        f"/review/{proposal.id}/decide",
        data={"csrf_token": member.csrf, "action": "approve", "acknowledge_risks": "yes"},
    )
    assert with_ack.status_code == 303
    assert await _status(db, proposal.id) == "approved"
    record = (
        await db.execute(
            select(FlowProposal.risk_acknowledgement).where(FlowProposal.id == proposal.id)
        )
    ).scalar_one()
    assert record and record["findings"]
