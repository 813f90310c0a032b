"""The flow page's node figures (diagram overlay and table) and its ownership forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.fixtures.web import WebWorld
from tests.flowhealth.factory import five_walks
from tests.helpers import create_flow

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


async def test_the_flow_page_draws_node_figures_and_a_table(
    web: WebWorld, db: AsyncSession
) -> None:
    flow = await create_flow(db, web.account, key="printer")
    await five_walks(db, web.account, flow, T0)
    await db.commit()
    page = (await web.engineer.client.get(f"/flows/{flow.id}")).text
    overlay = dict(
        re.findall(r'class="fd-figure [^"]*" data-node="([^"]+)" data-reached="(\d+)"', page)
    )
    assert overlay == {"root": "5", "restart": "2", "power": "1", "done": "1"}
    assert 'class="fd-figure fd-fig-mixed" data-node="restart"' in page  # 1 of 2: 50%
    assert 'class="fd-figure fd-fig-good" data-node="done"' in page
    assert 'id="node-figures-table"' in page and 'id="path-figures-table"' in page
    row = page.split('<tr data-node="root">')[1].split("</tr>")[0]
    assert 'data-reached="5"' in row and "Yes: 3 (60%)" in row and "1 (20%)" in row
    assert "50 s" in row


async def test_verify_and_owner_forms(web: WebWorld, db: AsyncSession) -> None:
    flow = await create_flow(db, web.account, key="printer")
    flow.owner_id = web.team_admin.user.id
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    flow.verified_at, flow.review_by = long_ago, long_ago + timedelta(days=180)
    await db.commit()
    url = f"/flows/{flow.id}"

    engineer_page = (await web.engineer.client.get(url)).text
    assert 'id="verify-flow"' not in engineer_page and "(overdue)" in engineer_page
    refused = await web.engineer.client.post(
        f"{url}/verify", data={"csrf_token": web.engineer.csrf}
    )
    assert refused.status_code == 403
    owner_page = (await web.team_admin.client.get(url)).text
    assert 'id="verify-flow"' in owner_page and 'name="owner_id"' not in owner_page
    done = await web.team_admin.client.post(
        f"{url}/verify", data={"csrf_token": web.team_admin.csrf}
    )
    assert done.status_code == 303
    after = (await web.team_admin.client.get(done.headers["location"])).text
    assert "Verified; next review by" in after and "(overdue)" not in after
    await db.refresh(flow)
    assert flow.verified_at is not None and flow.verified_at > long_ago

    # An admin hands the flow to the engineer, who may then verify it.
    changed = await web.admin.client.post(
        f"{url}/owner", data={"csrf_token": web.admin.csrf, "owner_id": str(web.engineer.user.id)}
    )
    assert changed.status_code == 303
    assert 'id="verify-flow"' in (await web.engineer.client.get(url)).text
    not_admin = await web.team_admin.client.post(
        f"{url}/owner",
        data={"csrf_token": web.team_admin.csrf, "owner_id": str(web.team_admin.user.id)},
    )
    assert not_admin.status_code == 403
    await db.commit()  # end the test's read snapshot
    await db.refresh(flow)
    assert flow.owner_id == web.engineer.user.id


async def test_a_stale_flow_shows_in_the_gap_report_with_a_link(
    web: WebWorld, db: AsyncSession
) -> None:
    from resolutionflow.gaps.cache import reports

    reports.clear()
    flow = await create_flow(db, web.account, key="printer", name="Old printer flow")
    flow.review_by = datetime.now(UTC) - timedelta(days=10)
    await db.commit()
    page = (await web.engineer.client.get("/gaps")).text
    article = page.split('data-gap-type="stale_flow"')[1].split("</article>")[0]
    assert "Old printer flow" in article and f'href="/flows/{flow.id}"' in article
    assert "10 days ago" in article
    reports.clear()
