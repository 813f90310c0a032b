"""Every page renders for every role, signed-out visitors go to sign in, accounts stay apart."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.review import service as review_service
from tests.fixtures.web import WebWorld, sign_in
from tests.web.seed import seed


async def test_every_page_renders_for_every_role(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    for role, member in web.by_role().items():
        for url in seeded.pages():
            response = await member.client.get(url)
            assert response.status_code == 200, (role, url, response.text[:300])
            assert "text/html" in response.headers["content-type"]
            assert "<main" in response.text and member.user.email in response.text


async def test_pages_show_their_objects(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    client = web.team_admin.client
    queue = (await client.get("/review")).text
    assert "Scanner jams zeta" in queue and "Printer driver zeta" in queue
    detail = (await client.get(f"/review/{seeded.new_flow.id}")).text
    assert "<svg" in detail and "Printer state" in detail  # the proposed flow, drawn
    assert f"/sessions/{seeded.new_flow.source_session_id}" in detail
    enhancement = (await client.get(f"/review/{seeded.enhancement.id}")).text
    assert 'id="flow-before"' in enhancement and 'id="flow-after"' in enhancement
    assert "fd-added" in enhancement  # the new branch is highlighted
    flow_page = (await client.get(f"/flows/{seeded.flow.id}")).text
    assert "Version 1" in flow_page and "export.json" in flow_page
    session = (await client.get(f"/sessions/{seeded.session.id}")).text
    assert "Is the printer showing online?" in session and "driver unavailable" in session


async def test_signed_out_visitors_go_to_sign_in(
    web: WebWorld, db: AsyncSession, anon: httpx.AsyncClient
) -> None:
    seeded = await seed(db, web.account)
    for url in seeded.pages():
        response = await anon.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next="), url
    for url in (f"/review/{seeded.new_flow.id}/decide", f"/flows/{seeded.flow.id}/edit"):
        response = await anon.post(url, data={"action": "approve"})
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_sign_in_errors_and_safe_redirects(web: WebWorld, anon: httpx.AsyncClient) -> None:
    page = await anon.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = await anon.post(
        "/login", data={"email": web.engineer.user.email, "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    forged = httpx.AsyncClient(transport=anon._transport, base_url="http://testserver")
    no_cookie = await forged.post(
        "/login",
        data={"email": web.engineer.user.email, "password": "correct-horse", "csrf_token": token},
    )
    assert no_cookie.status_code == 403 and "rf_session" not in no_cookie.cookies
    page = await anon.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    away = await anon.post(
        "/login",
        data={
            "email": web.engineer.user.email,
            "password": "correct-horse",
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert away.status_code == 303 and away.headers["location"] == "/"


async def test_another_accounts_objects_are_not_found(web: WebWorld, db: AsyncSession) -> None:
    seeded = await seed(db, web.account)
    outsider = web.outsider.client
    for url in (
        f"/review/{seeded.new_flow.id}",
        f"/review/{seeded.new_flow.id}/edit",
        f"/flows/{seeded.flow.id}",
        f"/flows/{seeded.flow.id}/edit",
        f"/flows/{seeded.flow.id}/export.json",
        f"/sessions/{seeded.session.id}",
    ):
        response = await outsider.get(url)
        assert response.status_code == 404, url
        assert not [s for s in seeded.secrets if s in response.text and s not in url], url
    for url in (
        "/review",
        "/review?status=all",
        f"/review?proposal={seeded.new_flow.id}",
        "/flows",
        "/sessions",
        f"/sessions?ids={seeded.session.id}",
        "/notifications",
        "/analytics",
        "/start?q=printer+offline+label",
    ):
        response = await outsider.get(url)
        leaked = [s for s in seeded.secrets if s in response.text and s not in url]
        assert response.status_code in (200, 404) and not leaked, (url, leaked)
    decided = await outsider.post(
        f"/review/{seeded.new_flow.id}/decide",
        data={"action": "reject", "csrf_token": web.outsider.csrf},
    )
    assert decided.status_code == 303
    await db.refresh(seeded.new_flow)
    assert seeded.new_flow.status == "pending"


async def test_navigation_and_unread_count(web: WebWorld, db: AsyncSession) -> None:
    await seed(db, web.account)
    admin_page = (await web.team_admin.client.get("/flows")).text
    assert 'aria-current="page">Flows' in admin_page.replace("\n", "")
    assert 'aria-label="1 unread"' in admin_page
    engineer_page = (await web.engineer.client.get("/flows")).text
    assert "unread" not in engineer_page.split("<main")[0]  # engineers are not notified


async def test_second_sign_in_shows_pages(web: WebWorld, anon: httpx.AsyncClient) -> None:
    await sign_in(anon, web.admin.user.email)
    assert (await anon.get("/review")).status_code == 200


async def test_an_offline_draft_says_so_with_the_models_error(
    web: WebWorld, db: AsyncSession
) -> None:
    seeded = await seed(db, web.account)
    seeded.new_flow.generated_by = "offline_fallback"
    seeded.new_flow.model_error = "the model's flow was still invalid: missing <tree_structure>"
    seeded.enhancement.generated_by = "openai"
    await db.commit()
    client = web.team_admin.client
    draft = (await client.get(f"/review/{seeded.new_flow.id}")).text
    assert "The model's answer could not be used; this is the offline draft" in draft
    assert "still invalid: missing &lt;tree_structure&gt;" in draft  # escaped, shown
    model_made = (await client.get(f"/review/{seeded.enhancement.id}")).text
    assert "offline-draft-note" not in model_made
    shown = await review_service.detail(db, account=web.account, proposal_id=seeded.new_flow.id)
    assert (shown.generated_by, shown.model_error) == (
        "offline_fallback",
        seeded.new_flow.model_error,
    )


async def test_flow_pages_show_successes_over_uses_and_label_the_trend(
    web: WebWorld, db: AsyncSession
) -> None:
    from resolutionflow.models import Session
    from resolutionflow.models.base import utcnow
    from tests.helpers import create_flow

    flow = await create_flow(db, web.account, key="printer-offline", name="Printer offline")
    flow.success_rate = 0.41  # the reinforcement moving average
    for status in ["resolved"] * 10:
        db.add(
            Session(
                account_id=web.account.id,
                problem_summary="Printer offline",
                status=status,
                confidence_tier="high",
                confidence_score=0.9,
                matched_flow_id=flow.id,
                created_at=utcnow(),
                resolved_at=utcnow(),
                analysis_status="completed",
                analysis_attempts=0,
            )
        )
    await db.commit()
    library = (await web.engineer.client.get("/flows")).text
    assert "100% of 10 sessions" in library and "41%" not in library
    page = (await web.engineer.client.get(f"/flows/{flow.id}")).text
    assert "100% of 10 sessions" in page
    assert "Reinforcement trend" in page
    analytics = (await web.engineer.client.get("/analytics")).text
    assert "100% of 10 sessions" in analytics
