"""Form posts from the pages: CSRF on every one, reviews with their messages, the flow editor."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Flow, FlowProposal
from tests.fixtures.web import WebWorld
from tests.helpers import create_proposal, simple_tree
from tests.web.seed import seed


async def _follow(member, response):  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:300]
    return await member.client.get(response.headers["location"])


async def test_form_posts_need_the_csrf_token(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    client = web.team_admin.client
    tree = json.dumps(simple_tree())
    for url, data in (
        (f"/review/{seeded.new_flow.id}/decide", {"action": "approve"}),
        (f"/review/{seeded.new_flow.id}/edit", {"tree_json": tree}),
        (f"/flows/{seeded.flow.id}/edit", {"tree_json": tree}),
        ("/notifications/read", {}),
        ("/logout", {}),
    ):
        for token in (None, "forged-token", web.admin.csrf):  # another sign-in's token fails too
            body = dict(data, **({"csrf_token": token} if token else {}))
            response = await client.post(url, data=body)
            assert response.status_code == 403, (url, token, response.status_code)
    validate = await client.post("/flows/validate", content=tree)
    assert validate.status_code == 403
    await db.refresh(seeded.new_flow)
    await db.refresh(seeded.flow)
    assert seeded.new_flow.status == "pending" and seeded.flow.version == 1
    assert (await client.get("/review")).status_code == 200  # still signed in


async def test_engineers_see_no_review_actions(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    page = (await web.engineer.client.get(f"/review/{seeded.new_flow.id}")).text
    assert 'name="action"' not in page and "/edit" not in page.split("<main")[1]
    flow_page = (await web.engineer.client.get(f"/flows/{seeded.flow.id}")).text
    assert "Edit flow" not in flow_page
    for url in (f"/review/{seeded.new_flow.id}/edit", f"/flows/{seeded.flow.id}/edit"):
        assert (await web.engineer.client.get(url)).status_code == 403
    refused = await web.engineer.client.post(
        f"/review/{seeded.new_flow.id}/decide",
        data={"action": "approve", "csrf_token": web.engineer.csrf},
    )
    assert refused.status_code == 403
    admin_page = (await web.team_admin.client.get(f"/review/{seeded.new_flow.id}")).text
    assert 'value="approve"' in admin_page and 'value="reject"' in admin_page


async def test_approve_publishes_and_says_so(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    member = web.team_admin
    response = await member.client.post(
        f"/review/{seeded.new_flow.id}/decide",
        data={
            "action": "approve",
            "reviewer_notes": "looks right",
            "csrf_token": member.csrf,
            "back": "status=all",
        },
    )
    assert response.headers["location"] == f"/review/{seeded.new_flow.id}?status=all"
    page = await _follow(member, response)
    assert "Approved and published" in page.text and 'data-flash="success"' in page.text
    await db.refresh(seeded.new_flow)
    assert seeded.new_flow.status == "approved" and seeded.new_flow.published_flow_id
    assert f"/flows/{seeded.new_flow.published_flow_id}" in page.text
    again = await member.client.post(
        f"/review/{seeded.new_flow.id}/decide",
        data={"action": "reject", "reviewer_notes": "late", "csrf_token": member.csrf},
    )
    page = await _follow(member, again)
    assert 'data-flash="error"' in page.text and "Cannot review proposal in status" in page.text
    library = (await member.client.get("/flows?q=scanner")).text
    assert "Scanner jams zeta" in library


async def test_enhancement_approve_makes_version_two(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    member = web.admin
    page = (await member.client.get(f"/review/{seeded.enhancement.id}")).text
    assert "Approve &amp; publish version 2" in page
    response = await member.client.post(
        f"/review/{seeded.enhancement.id}/decide",
        data={"action": "approve", "csrf_token": member.csrf},
    )
    await _follow(member, response)
    flow = await db.get(Flow, seeded.flow.id)
    await db.refresh(flow)
    assert flow is not None and flow.version == 2
    flow_page = (await member.client.get(f"/flows/{flow.id}")).text
    assert "Version 2" in flow_page and "1 node added" in flow_page


async def test_invalid_proposal_hides_approve_and_explains_422(
    web: WebWorld, db: AsyncSession
) -> None:
    broken = simple_tree()
    broken["options"][0]["next_node_id"] = "nowhere"
    proposal = await create_proposal(db, web.account, title="Broken flow", tree=broken)
    await db.commit()
    member = web.team_admin
    page = (await member.client.get(f"/review/{proposal.id}")).text
    assert 'value="approve"' not in page and "nowhere" in page
    response = await member.client.post(
        f"/review/{proposal.id}/decide", data={"action": "approve", "csrf_token": member.csrf}
    )
    page = (await _follow(member, response)).text
    assert "cannot be published" in page and "nowhere" in page


async def test_reinforcements_offer_no_approve(web: WebWorld, db: AsyncSession) -> None:
    proposal = await create_proposal(
        db,
        web.account,
        proposal_type="auto_reinforced",
        status="auto_reinforced",
        title="Reinforcement: printer",
    )
    await db.commit()
    page = (await web.team_admin.client.get(f"/review/{proposal.id}?status=all")).text
    assert 'value="approve"' not in page and "Nothing to review" in page


async def test_flow_editor_publishes_only_valid_flows(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    member = web.team_admin
    editor = (await member.client.get(f"/flows/{seeded.flow.id}/edit")).text
    assert 'id="editor-data"' in editor and "Publish version 2" in editor
    broken = simple_tree()
    broken["options"][1]["next_node_id"] = ""
    response = await member.client.post(
        f"/flows/{seeded.flow.id}/edit",
        data={
            "csrf_token": member.csrf,
            "tree_json": json.dumps(broken),
            "name": "Printer",
            "base_version": "1",
        },
    )
    assert response.status_code == 422
    assert 'data-node-id="root"' in response.text and "leads nowhere" in response.text
    fixed = simple_tree()
    fixed["title"] = "Printer state, checked"
    response = await member.client.post(
        f"/flows/{seeded.flow.id}/edit",
        data={
            "csrf_token": member.csrf,
            "tree_json": json.dumps(fixed),
            "name": "Printer",
            "keywords": "printer, queue",
            "base_version": "1",
            "note": "clearer title",
        },
    )
    page = (await _follow(member, response)).text
    assert "Published version 2" in page
    stale = await member.client.post(
        f"/flows/{seeded.flow.id}/edit",
        data={
            "csrf_token": member.csrf,
            "tree_json": json.dumps(fixed),
            "name": "Printer",
            "base_version": "1",
        },
    )
    assert stale.status_code == 409 and "Your edits are still here" in stale.text


async def test_edit_and_publish_a_proposal(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    member = web.team_admin
    tree = simple_tree()
    tree["title"] = "Edited before publishing"
    response = await member.client.post(
        f"/review/{seeded.new_flow.id}/edit",
        data={
            "csrf_token": member.csrf,
            "tree_json": json.dumps(tree),
            "name": "Scanner jams",
            "keywords": "scanner",
            "note": "tidied",
        },
    )
    page = (await _follow(member, response)).text
    assert "Edited and published" in page
    proposal = await db.get(FlowProposal, seeded.new_flow.id)
    await db.refresh(proposal)
    assert proposal is not None and proposal.status == "modified"
    flow = await db.get(Flow, proposal.published_flow_id)
    assert flow is not None and flow.tree_structure["title"] == "Edited before publishing"


async def test_live_validation_returns_problems_and_diagram(web: WebWorld) -> None:
    member = web.team_admin
    tree = simple_tree()
    tree["children"][0]["next_node_id"] = None
    response = await member.client.post(
        "/flows/validate",
        content=json.dumps({"tree": tree}),
        headers={"X-CSRF-Token": member.csrf, "Content-Type": "application/json"},
    )
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert [p["location"] for p in body["problems"]] == ["restart", "done"]  # done: unreachable
    assert body["svg"].startswith("<svg") and "fd-has-problem" in body["svg"]
    ok = await member.client.post(
        "/flows/validate",
        content=json.dumps({"tree": simple_tree()}),
        headers={"X-CSRF-Token": member.csrf},
    )
    assert ok.json()["valid"] is True and ok.json()["problems"] == []


async def test_notifications_mark_read(web: WebWorld, db: AsyncSession) -> None:
    await seed(db, web.account)
    member = web.team_admin
    page = (await member.client.get("/notifications")).text
    assert "Scanner jams zeta" in page and "Mark all as read" in page
    response = await member.client.post("/notifications/read", data={"csrf_token": member.csrf})
    page = (await _follow(member, response)).text
    assert "Marked 1 notification(s) as read" in page and "unread" not in page.split("<main")[0]


async def test_reject_needs_a_reason_and_an_admin_can_reopen(
    web: WebWorld, db: AsyncSession
) -> None:
    seeded = await seed(db, web.account)
    member = web.team_admin
    url = f"/review/{seeded.new_flow.id}/decide"
    page = (await member.client.get(f"/review/{seeded.new_flow.id}")).text
    assert 'id="reject-form"' in page and "Confirm rejection" in page
    bare = await member.client.post(url, data={"action": "reject", "csrf_token": member.csrf})
    shown = await _follow(member, bare)
    assert 'data-flash="error"' in shown.text and "a reason is required" in shown.text
    await db.commit()  # a fresh read of what the pages wrote
    await db.refresh(seeded.new_flow)
    assert seeded.new_flow.status == "pending"
    done = await member.client.post(
        url,
        data={
            "action": "reject",
            "reviewer_notes": "Duplicates the scanner flow",
            "csrf_token": member.csrf,
        },
    )
    shown = await _follow(member, done)
    assert "Rejected:" in shown.text and "Reason for rejecting" in shown.text
    assert "Duplicates the scanner flow" in shown.text
    assert 'id="reopen-form"' not in shown.text  # team admins do not reopen
    reopen = f"/review/{seeded.new_flow.id}/reopen"
    refused = await member.client.post(reopen, data={"csrf_token": member.csrf})
    assert refused.status_code == 403
    admin = web.admin
    page = (await admin.client.get(f"/review/{seeded.new_flow.id}")).text
    assert 'id="reopen-form"' in page
    assert (await admin.client.post(reopen, data={})).status_code == 403  # no CSRF token
    back = await admin.client.post(reopen, data={"csrf_token": admin.csrf, "reason": "asked"})
    shown = await _follow(admin, back)
    assert "is pending again" in shown.text and 'id="review-form"' in shown.text
    await db.commit()  # a fresh read of what the pages wrote
    await db.refresh(seeded.new_flow)
    assert seeded.new_flow.status == "pending"
    assert seeded.new_flow.reviewer_notes.startswith("Reopened (was rejected")


async def test_badge_drops_when_the_proposal_is_decided(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    member = web.team_admin
    page = (await member.client.get("/review")).text
    assert 'aria-label="1 unread"' in page
    notes = (await member.client.get("/notifications")).text
    assert "New flow to review" in notes and "New new" not in notes
    await member.client.post(
        f"/review/{seeded.new_flow.id}/decide",
        data={"action": "dismiss", "csrf_token": member.csrf},
    )
    for person in (member, web.admin):
        assert "unread" not in (await person.client.get("/review")).text.split("<main")[0]


async def test_a_new_flow_is_written_from_scratch(web: WebWorld, db: AsyncSession) -> None:
    from sqlalchemy import select

    member = web.team_admin
    assert 'href="/flows/new"' in (await member.client.get("/flows")).text
    assert 'href="/flows/new"' not in (await web.engineer.client.get("/flows")).text
    assert (await web.engineer.client.get("/flows/new")).status_code == 403
    page = await member.client.get("/flows/new")
    assert page.status_code == 200 and "Publish the new flow" in page.text
    tree = json.dumps(simple_tree())
    unnamed = await member.client.post(
        "/flows/new", data={"tree_json": tree, "csrf_token": member.csrf}
    )
    assert unnamed.status_code == 422 and "give the flow a name" in unnamed.text
    broken = await member.client.post(
        "/flows/new",
        data={
            "name": "Badge reader",
            "tree_json": json.dumps({"id": "a", "type": "decision"}),
            "csrf_token": member.csrf,
        },
    )
    assert broken.status_code == 422
    assert (
        await web.engineer.client.post(
            "/flows/new",
            data={
                "name": "Badge reader",
                "tree_json": tree,
                "csrf_token": web.engineer.csrf,
            },
        )
    ).status_code == 403
    made = await member.client.post(
        "/flows/new",
        data={
            "name": "Badge reader offline",
            "problem_domain": "hardware",
            "keywords": "badge, door",
            "description": "The door badge reader shows red",
            "note": "first draft",
            "tree_json": tree,
            "csrf_token": member.csrf,
        },
    )
    assert made.status_code == 303, made.text[:300]
    page = await _follow(member, made)
    assert "Published the new flow" in page.text and "Badge reader offline" in page.text
    await db.commit()
    flow = (await db.execute(select(Flow).where(Flow.name == "Badge reader offline"))).scalar_one()
    assert flow.account_id == web.account.id and flow.origin == "manual"
    assert flow.problem_domain == "hardware" and flow.match_keywords == ["badge", "door"]
    assert flow.tree_structure == simple_tree() and flow.version == 1
