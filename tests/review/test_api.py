"""The review queue over HTTP, rule by rule (SPEC §8, seed 002), on each database."""

from __future__ import annotations

import asyncio
import copy
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow, FlowProposal, FlowVersion, User
from resolutionflow.models.base import utcnow
from resolutionflow.tenancy import security
from tests.fixtures.api import World
from tests.helpers import branch_diff, create_flow, create_proposal, create_team, simple_tree

API = "/api/v1/flow-proposals"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    # The world fixture hashes four passwords per test; argon2's defaults are built to be slow.
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def count(db: AsyncSession, model: Any) -> int:
    await db.commit()  # end the read snapshot so rows the API wrote are seen
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def fetch(db: AsyncSession, model: Any, obj_id: Any) -> Any:
    await db.commit()
    obj_id = uuid.UUID(str(obj_id))
    stmt = select(model).where(model.id == obj_id).execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one()


async def review(client: httpx.AsyncClient, who: Any, proposal: Any, **body: Any) -> httpx.Response:
    return await client.post(f"{API}/{proposal.id}/review", json=body, headers=who.headers)


# --- list ---------------------------------------------------------------------------------------


async def test_list_filters_sorts_and_counts(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    now = utcnow()
    a = await create_proposal(
        db,
        world.account,
        title="A",
        domain="printing",
        confidence=0.9,
        sessions=1,
        created_at=now - timedelta(hours=3),
    )
    b = await create_proposal(
        db,
        world.account,
        title="B",
        domain="email",
        confidence=0.2,
        sessions=7,
        created_at=now - timedelta(hours=1),
    )
    target = await create_flow(db, world.account)
    c = await create_proposal(
        db,
        world.account,
        title="C",
        proposal_type="enhancement",
        target=target,
        diff=branch_diff(),
        domain="printing",
        confidence=0.5,
        sessions=3,
        created_at=now - timedelta(hours=2),
    )
    d = await create_proposal(
        db,
        world.account,
        title="D",
        status="rejected",
        domain="printing",
        created_at=now - timedelta(hours=4),
    )
    await create_proposal(db, world.other_account, title="Foreign")
    await db.commit()
    h = world.engineer.headers  # every role reads the queue

    async def titles(**params: Any) -> tuple[list[str], int]:
        response = await client.get(API, params=params, headers=h)
        assert response.status_code == 200, response.text
        data = response.json()
        return [i["title"] for i in data["items"]], data["total"]

    assert await titles() == (["B", "C", "A", "D"], 4)
    assert await titles(sort_by="confidence") == (["A", "C", "D", "B"], 4)  # ties: newest
    assert await titles(sort_by="sessions") == (["B", "C", "A", "D"], 4)
    assert await titles(status="pending") == (["B", "C", "A"], 3)
    assert await titles(status="rejected") == (["D"], 1)
    assert await titles(type="enhancement") == (["C"], 1)
    assert await titles(domain="printing") == (["C", "A", "D"], 3)
    assert await titles(domain="printing", status="pending", type="new_flow") == (["A"], 1)
    assert await titles(skip=1, limit=2) == (["C", "A"], 4)
    assert await titles(skip=10) == ([], 4)
    page = (await client.get(API, params={"limit": 100}, headers=h)).json()
    assert (page["skip"], page["limit"]) == (0, 100)
    item = next(i for i in page["items"] if i["id"] == str(c.id))
    assert item["target_flow_id"] == str(target.id) and item["supporting_session_count"] == 3
    assert "proposed_flow_data" not in item  # summaries stay small
    assert {i["id"] for i in page["items"]} == {str(p.id) for p in (a, b, c, d)}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"skip": -1},
        {"sort_by": "oldest"},
        {"status": "bogus"},
        {"type": "new"},
        {"limit": "ten"},
    ],
)
async def test_list_bounds(client: httpx.AsyncClient, world: World, params: dict[str, Any]) -> None:
    response = await client.get(API, params=params, headers=world.engineer.headers)
    assert response.status_code == 422
    locations = [p["location"] for p in response.json()["problems"]]
    assert any(next(iter(params)) in loc for loc in locations), locations


# --- stats --------------------------------------------------------------------------------------


async def test_stats_use_the_week_windows(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    acc = world.account
    for status, reviewed in [
        ("approved", 2),
        ("modified", 1),
        ("approved", 8),
        ("rejected", 3),
        ("rejected", 10),
        ("dismissed", 1),
    ]:
        await create_proposal(
            db, acc, status=status, created_at=days(20), reviewed_at=days(reviewed)
        )
    await create_proposal(
        db, acc, proposal_type="auto_reinforced", status="auto_reinforced", created_at=days(2)
    )
    await create_proposal(
        db, acc, proposal_type="auto_reinforced", status="auto_reinforced", created_at=days(9)
    )
    sizes = {"printing": 6, "email": 5, "networking": 4, "m365": 3, "backup": 2, "security": 1}
    for domain, n in sizes.items():
        for _ in range(n):
            await create_proposal(db, acc, domain=domain)
    await create_proposal(db, acc, domain=None)
    await create_proposal(db, acc, domain="security", status="rejected", reviewed_at=days(30))
    await create_proposal(db, world.other_account, domain="security")
    await db.commit()
    response = await client.get(f"{API}/stats", headers=world.engineer.headers)
    assert response.status_code == 200, response.text
    assert (
        response.json()
        == {
            "pending_count": 22,
            "approved_this_week": 2,  # approved 2 days ago + modified 1 day ago; not 8 days ago
            "rejected_this_week": 1,
            "auto_reinforced_this_week": 1,
            "top_domains": [{"domain": d, "count": n} for d, n in list(sizes.items())[:5]],
        }
    )


# --- detail -------------------------------------------------------------------------------------


async def test_detail_of_a_new_flow_and_of_an_enhancement(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    new = await create_proposal(db, world.account)
    target = await create_flow(db, world.account)
    enh = await create_proposal(
        db, world.account, proposal_type="enhancement", target=target, diff=branch_diff()
    )
    await db.commit()
    h = world.engineer.headers
    detail = (await client.get(f"{API}/{new.id}", headers=h)).json()
    assert detail["flow"] == simple_tree() and detail["before"] is None
    assert detail["source_session_id"] == str(new.source_session_id)
    detail = (await client.get(f"{API}/{enh.id}", headers=h)).json()
    assert detail["before"] == simple_tree()
    labels = [o["label"] for o in detail["after"]["options"]]
    assert labels == ["Yes", "No", "Shows 'driver unavailable'"]
    assert detail["change"]["diff_description"] == "adds a branch"
    assert "comparison" in detail["change"] and detail["conflict"] is None
    assert detail["target_flow_version"] == detail["current_target_version"] == 1
    missing = await client.get(f"{API}/00000000-0000-4000-8000-000000000000", headers=h)
    assert missing.status_code == 404


# --- review: status and bookkeeping -------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "modified", "rejected", "auto_reinforced"])
async def test_only_pending_or_dismissed_can_be_reviewed(
    client: httpx.AsyncClient, world: World, db: AsyncSession, status: str
) -> None:
    proposal = await create_proposal(db, world.account, status=status)
    await db.commit()
    for action in ("approve", "reject", "dismiss"):
        response = await review(client, world.team_admin, proposal, action=action)
        assert response.status_code == 400
        assert response.json()["detail"] == f"Cannot review proposal in status: {status}"
    assert (await fetch(db, FlowProposal, proposal.id)).status == status


async def test_reject_records_reviewer_time_and_notes(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    before = utcnow()
    response = await review(
        client,
        world.team_admin,
        proposal,
        action="reject",
        reviewer_notes="Duplicate of the spooler flow",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "rejected" and body["published_flow_id"] is None
    stored = await fetch(db, FlowProposal, proposal.id)
    assert stored.reviewed_by == world.team_admin.user.id
    assert stored.reviewer_notes == "Duplicate of the spooler flow"
    reviewed = stored.reviewed_at.replace(tzinfo=before.tzinfo)
    assert before - timedelta(seconds=5) <= reviewed <= utcnow() + timedelta(seconds=5)
    assert await count(db, Flow) == 0


async def test_dismissed_can_be_reviewed_later(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    first = await review(client, world.admin, proposal, action="dismiss")
    assert first.json()["status"] == "dismissed" and await count(db, Flow) == 0
    later = await review(
        client, world.team_admin, proposal, action="approve", reviewer_notes="on second thought"
    )
    assert later.status_code == 200, later.text
    assert later.json()["status"] == "approved"
    assert later.json()["reviewed_by"] == str(world.team_admin.user.id)
    assert await count(db, Flow) == 1


async def test_engineers_cannot_review(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    response = await review(client, world.engineer, proposal, action="reject")
    assert response.status_code == 403
    assert (await fetch(db, FlowProposal, proposal.id)).status == "pending"


# --- review: new flows --------------------------------------------------------------------------


async def test_approve_new_flow_creates_the_flow(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    team = await create_team(db, world.account, slug="helpdesk")
    proposal = await create_proposal(db, world.account, title="Scanner to email fails")
    proposal.team_id = team.id
    (await fetch(db, User, world.team_admin.user.id)).team_id = team.id  # the team's own admin
    await db.commit()
    response = await review(client, world.team_admin, proposal, action="approve")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved" and body["published_flow_id"]
    flow = await fetch(db, Flow, body["published_flow_id"])
    assert (flow.name, flow.description) == (
        "Scanner to email fails",
        "About Scanner to email fails",
    )
    assert flow.tree_type == "troubleshooting" and flow.tree_structure == simple_tree()
    assert flow.match_keywords == ["printer"]
    assert flow.author_id == world.team_admin.user.id
    assert (flow.account_id, flow.team_id) == (world.account.id, team.id)
    assert flow.origin == "ai_generated"
    assert flow.source_session_id == proposal.source_session_id
    assert flow.version == 1 and await count(db, FlowVersion) == 1
    # The flow is an ordinary flow of the account from now on.
    got = await client.get(f"/api/v1/flows/{flow.id}", headers=world.engineer.headers)
    assert got.status_code == 200 and got.json()["name"] == "Scanner to email fails"


def broken_tree() -> dict[str, Any]:
    tree = simple_tree()
    tree["options"][1]["next_node_id"] = "nowhere"  # dangling link
    tree["children"][0]["id"] = "done"  # duplicate id, and 'restart' disappears
    tree["children"].append({"id": "", "type": "solution", "title": "x"})  # empty id
    return tree


async def test_invalid_new_flow_is_422_with_every_problem_and_nothing_written(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account, tree=broken_tree())
    await db.commit()
    response = await review(client, world.team_admin, proposal, action="approve")
    assert response.status_code == 422
    body = response.json()
    messages = " | ".join(f"{p['location']}: {p['message']}" for p in body["problems"])
    assert len(body["problems"]) >= 3, messages
    assert "nowhere" in messages and "done" in messages
    assert await count(db, Flow) == 0 and await count(db, FlowVersion) == 0
    stored = await fetch(db, FlowProposal, proposal.id)
    assert (stored.status, stored.reviewed_by, stored.published_flow_id) == ("pending", None, None)
    # The reviewer can then publish a corrected flow with modify.
    fixed = await review(
        client,
        world.team_admin,
        proposal,
        action="modify",
        modified_flow_data={"tree_structure": simple_tree("x-"), "match_keywords": ["scanner"]},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "modified"
    flow = await fetch(db, Flow, fixed.json()["published_flow_id"])
    assert flow.tree_structure["id"] == "x-root" and flow.match_keywords == ["scanner"]


async def test_modify_needs_flow_data_and_publishes_it(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    refused = await review(client, world.admin, proposal, action="modify")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "modified_flow_data is required for modify action"
    bad = await review(
        client,
        world.admin,
        proposal,
        action="modify",
        modified_flow_data={"tree_structure": broken_tree()},
    )
    assert bad.status_code == 422 and len(bad.json()["problems"]) >= 3
    assert await count(db, Flow) == 0
    edited = simple_tree("e-")  # a bare tree is accepted as well
    done = await review(client, world.admin, proposal, action="modify", modified_flow_data=edited)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "modified"
    flow = await fetch(db, Flow, done.json()["published_flow_id"])
    assert flow.tree_structure == edited and flow.origin == "ai_generated"


async def test_approving_twice_gives_one_flow(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account)
    await db.commit()
    first = await review(client, world.team_admin, proposal, action="approve")
    second = await review(client, world.admin, proposal, action="approve")
    assert (first.status_code, second.status_code) == (200, 400)
    assert second.json()["detail"] == "Cannot review proposal in status: approved"
    assert await count(db, Flow) == 1


async def test_auto_reinforced_cannot_be_approved(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account, proposal_type="auto_reinforced")
    await db.commit()
    for action in ("approve", "modify"):
        response = await review(
            client,
            world.team_admin,
            proposal,
            action=action,
            modified_flow_data={"tree_structure": simple_tree()},
        )
        assert response.status_code == 400
        assert response.json()["detail"] == "Cannot approve proposal of type: auto_reinforced"
    assert await count(db, Flow) == 0
    assert (await fetch(db, FlowProposal, proposal.id)).status == "pending"


# --- review: enhancements -----------------------------------------------------------------------


async def enhancement(db: AsyncSession, world: World, **kw: Any) -> tuple[Flow, Any]:
    target = await create_flow(db, world.account, key="printer-offline")
    proposal = await create_proposal(
        db, world.account, proposal_type="enhancement", target=target, diff=branch_diff(), **kw
    )
    await db.commit()
    return target, proposal


async def versions_of(db: AsyncSession, flow: Flow) -> list[int]:
    await db.commit()
    stmt = select(FlowVersion.version).where(FlowVersion.flow_id == flow.id)
    return sorted((await db.execute(stmt)).scalars())


async def test_approve_enhancement_publishes_a_new_version(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    target, proposal = await enhancement(db, world)
    response = await review(client, world.team_admin, proposal, action="approve")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["published_flow_id"] == str(target.id)
    flow = await fetch(db, Flow, target.id)
    assert flow.version == 2 and await versions_of(db, flow) == [1, 2]
    assert [o["label"] for o in flow.tree_structure["options"]][-1] == "Shows 'driver unavailable'"
    assert await count(db, Flow) == 1  # a version, not a second flow
    v2 = (
        await client.get(f"/api/v1/flows/{target.id}/versions/2", headers=world.engineer.headers)
    ).json()
    assert v2["proposal_id"] == str(proposal.id) and v2["created_by"] == str(
        world.team_admin.user.id
    )
    v1 = (
        await client.get(f"/api/v1/flows/{target.id}/versions/1", headers=world.engineer.headers)
    ).json()
    assert v1["tree_structure"] == simple_tree()


async def test_approve_enhancement_with_modified_flow_data_publishes_that(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    target, proposal = await enhancement(db, world)
    edited = simple_tree()
    edited["title"] = "Edited by the reviewer"
    response = await review(
        client,
        world.admin,
        proposal,
        action="modify",
        modified_flow_data={"tree_structure": edited},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "modified"
    flow = await fetch(db, Flow, target.id)
    assert flow.version == 2 and flow.tree_structure == edited
    # SPEC §8: a version published from an enhancement is ai_enhanced, from its session.
    assert flow.origin == "ai_enhanced"
    assert flow.source_session_id == proposal.source_session_id is not None


async def test_changed_target_gets_the_diff_reapplied(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    target, proposal = await enhancement(db, world)
    moved = simple_tree()
    moved["children"][1]["description"] = "Hold the power button for 30 seconds."
    put = await client.put(
        f"/api/v1/flows/{target.id}",
        headers=world.admin.headers,
        json={"tree_structure": moved, "base_version": 1},
    )
    assert put.status_code == 200 and put.json()["version"] == 2
    detail = (await client.get(f"{API}/{proposal.id}", headers=world.admin.headers)).json()
    assert detail["current_target_version"] == 2 and detail["conflict"] is None
    response = await review(client, world.team_admin, proposal, action="approve")
    assert response.status_code == 200, response.text
    flow = await fetch(db, Flow, target.id)
    assert flow.version == 3 and await versions_of(db, flow) == [1, 2, 3]
    assert flow.tree_structure["children"][1]["description"].startswith("Hold the power")
    assert len(flow.tree_structure["options"]) == 3


async def test_target_changed_beyond_the_diff_is_409_naming_the_conflict(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    target, proposal = await enhancement(db, world)
    moved = copy.deepcopy(simple_tree())
    moved["children"].append(
        {
            "id": "n-reseat",
            "type": "solution",
            "title": "Already here",
            "description": "d",
            "options": [],
            "next_node_id": None,
        }
    )
    moved["options"].append({"id": "o-x", "label": "Other", "next_node_id": "n-reseat"})
    put = await client.put(
        f"/api/v1/flows/{target.id}", headers=world.admin.headers, json={"tree_structure": moved}
    )
    assert put.status_code == 200, put.text
    response = await review(client, world.team_admin, proposal, action="approve")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "n-reseat" in detail and "no longer applies" in detail and "1 -> 2" in detail
    flow = await fetch(db, Flow, target.id)
    assert flow.version == 2 and await versions_of(db, flow) == [1, 2]
    assert (await fetch(db, FlowProposal, proposal.id)).status == "pending"


# --- the race -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["new_flow", "enhancement"])
async def test_two_reviewers_at_once_one_wins(
    client: httpx.AsyncClient, world: World, db: AsyncSession, kind: str
) -> None:
    if kind == "new_flow":
        proposal = await create_proposal(db, world.account)
        await db.commit()
        target = None
    else:
        target, proposal = await enhancement(db, world)
    flows_before = await count(db, Flow)
    responses = await asyncio.gather(
        review(client, world.team_admin, proposal, action="approve", reviewer_notes="first"),
        review(client, world.admin, proposal, action="approve", reviewer_notes="second"),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes in ([200, 400], [200, 409]), [r.text for r in responses]
    loser = next(r for r in responses if r.status_code != 200)
    assert (
        loser.json()["detail"]
        in (
            "Cannot review proposal in status: approved",
            "someone else reviewed this proposal at the same time; reload it",
        )
        or "changed since" in loser.json()["detail"]
    )
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = await fetch(db, FlowProposal, proposal.id)
    assert stored.status == "approved" and stored.reviewer_notes == winner["reviewer_notes"]
    if kind == "new_flow":
        assert await count(db, Flow) == flows_before + 1
    else:
        assert target is not None
        assert await count(db, Flow) == flows_before
        assert await versions_of(db, target) == [1, 2]


# --- reopening, version notes, notifications settled ---------------------------------------------


async def test_admin_reopens_a_rejected_or_dismissed_proposal(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    rejected = await create_proposal(db, world.account, title="Rejected one")
    dismissed = await create_proposal(db, world.account, title="Dismissed one")
    pending = await create_proposal(db, world.account, title="Pending one")
    await db.commit()
    await review(client, world.team_admin, rejected, action="reject", reviewer_notes="too vague")
    await review(client, world.team_admin, dismissed, action="dismiss")
    url = f"{API}/{rejected.id}/reopen"
    refused = await client.post(url, json={}, headers=world.team_admin.headers)
    assert refused.status_code == 403  # account admins only
    other = await client.post(url, json={}, headers=world.outsider.headers)
    assert other.status_code == 404
    assert (await fetch(db, FlowProposal, rejected.id)).status == "rejected"
    done = await client.post(url, json={"reason": "new evidence"}, headers=world.admin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "pending"
    assert done.json()["reviewer_notes"] == "Reopened (was rejected: too vague). new evidence"
    again = await client.post(f"{API}/{dismissed.id}/reopen", json={}, headers=world.admin.headers)
    assert again.status_code == 200 and again.json()["status"] == "pending"
    not_closed = await client.post(
        f"{API}/{pending.id}/reopen", json={}, headers=world.admin.headers
    )
    assert not_closed.status_code == 400 and "pending" in not_closed.json()["detail"]
    # Reopened, it can be decided again.
    approved = await review(client, world.team_admin, rejected, action="approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    closed = await client.post(url, json={}, headers=world.admin.headers)
    assert closed.status_code == 400  # a published proposal stays published


async def test_published_version_notes_name_the_proposal_and_keep_the_reviewers_note(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    proposal = await create_proposal(db, world.account, title="Scanner to email fails")
    target = await create_flow(db, world.account)
    enhancement = await create_proposal(
        db,
        world.account,
        proposal_type="enhancement",
        title="Driver reinstall",
        target=target,
        diff=branch_diff(),
    )
    await db.commit()
    one = await review(
        client, world.admin, proposal, action="approve", reviewer_notes="Checked on two tickets"
    )
    two = await review(client, world.admin, enhancement, action="approve")
    assert one.status_code == 200 and two.status_code == 200, (one.text, two.text)
    await db.commit()
    notes = {
        v.flow_id: v.change_note
        for v in (await db.execute(select(FlowVersion))).scalars()
        if v.proposal_id is not None
    }
    assert notes[uuid.UUID(one.json()["published_flow_id"])] == (
        "Published from the proposal “Scanner to email fails”. "
        "Reviewer's note: Checked on two tickets"
    )
    assert notes[target.id] == "Enhancement from the proposal “Driver reinstall”"
    assert not any(str(proposal.id) in n or str(enhancement.id) in n for n in notes.values())


async def test_a_decision_settles_the_notifications_about_it(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    from resolutionflow.notifications.service import notify_reviewers, proposal_pending_payload

    decided = await create_proposal(db, world.account, title="Decided")
    waiting = await create_proposal(db, world.account, title="Waiting")
    for p in (decided, waiting):
        await notify_reviewers(
            db,
            account_id=world.account.id,
            kind="proposal.pending",
            payload=proposal_pending_payload(p),
        )
    await db.commit()

    async def unread(person: Any) -> int:
        got = await client.get("/api/v1/notifications?unread_only=true", headers=person.headers)
        assert got.status_code == 200, got.text
        return int(got.json()["unread"])

    assert await unread(world.admin) == 2 and await unread(world.team_admin) == 2
    await review(client, world.team_admin, decided, action="reject", reviewer_notes="no")
    assert await unread(world.admin) == 1 and await unread(world.team_admin) == 1


async def test_a_teams_proposal_is_announced_to_its_own_team_admins_only(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    from resolutionflow.notifications.service import notify_reviewers, proposal_pending_payload

    desk = await create_team(db, world.account, slug="desk")
    field = await create_team(db, world.account, slug="field")
    (await fetch(db, User, world.team_admin.user.id)).team_id = desk.id
    for_desk = await create_proposal(db, world.account, title="For the desk")
    for_field = await create_proposal(db, world.account, title="For the field team")
    everyone = await create_proposal(db, world.account, title="Account-wide")
    for proposal, team in ((for_desk, desk.id), (for_field, field.id), (everyone, None)):
        proposal.team_id = team
        told = await notify_reviewers(
            db,
            account_id=world.account.id,
            kind="proposal.pending",
            payload=proposal_pending_payload(proposal),
            team_id=team,
        )
        assert told == (1 if team == field.id else 2), proposal.title  # the admin is always told
    await db.commit()

    async def titles(person: Any) -> set[str]:
        got = await client.get("/api/v1/notifications?unread_only=true", headers=person.headers)
        assert got.status_code == 200, got.text
        return {n["payload"]["title"] for n in got.json()["items"]}

    assert await titles(world.team_admin) == {"For the desk", "Account-wide"}
    assert await titles(world.admin) == {"For the desk", "For the field team", "Account-wide"}
    # Every notice the team admin holds leads to a proposal they can act on.
    for notice in ("For the desk", "Account-wide"):
        proposal = for_desk if notice == "For the desk" else everyone
        response = await review(client, world.team_admin, proposal, action="dismiss")
        assert response.status_code == 200, response.text
    assert await titles(world.team_admin) == set()
