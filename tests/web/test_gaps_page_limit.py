"""The gap page lists the largest recurring groups first and shows the rest on request."""

from __future__ import annotations

import random
import re

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.gaps.service import knowledge_gaps
from resolutionflow.web.analytics_pages import GROUPS_SHOWN
from tests.fixtures.web import WebWorld
from tests.gaps.factory import add_session

GROUPS = GROUPS_SHOWN + 5


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


async def _recurring_groups(db: AsyncSession, web: WebWorld) -> list[str]:
    """GROUPS distinct problems, each told by three unmatched sessions; the first is largest."""
    rng = random.Random(5)
    labels = []
    for index in range(GROUPS):
        summary = f"{_word(rng)} {_word(rng)}"
        labels.append(summary)
        for _ in range(4 if index == 0 else 3):
            await add_session(db, web.account, summary=summary, domain="hardware")
    await db.commit()
    return labels


def _listed(html: str) -> int:
    return len(re.findall(r'data-gap-type="repeated_pattern"', html))


async def test_first_groups_then_all_on_request(web: WebWorld, db: AsyncSession) -> None:
    labels = await _recurring_groups(db, web)
    client = web.engineer.client

    page = await client.get("/gaps?period=30")
    assert page.status_code == 200
    assert _listed(page.text) == GROUPS_SHOWN
    assert labels[0] in page.text  # the largest group is among those shown
    assert f"Showing the {GROUPS_SHOWN} largest of {GROUPS} recurring" in page.text
    assert 'href="/gaps?period=30&amp;groups=all"' in page.text

    everything = await client.get("/gaps?period=30&groups=all")
    assert everything.status_code == 200
    assert _listed(everything.text) == GROUPS
    assert all(label in everything.text for label in labels)
    assert f"Showing all {GROUPS} recurring" in everything.text
    assert 'href="/gaps?period=30">Show the' in everything.text

    # The data is not limited: the report behind the page still holds every group.
    report = await knowledge_gaps(db, account=web.account, period_days=30, use_cache=False)
    assert [g.gap_type for g in report.gaps].count("repeated_pattern") == GROUPS


async def test_few_groups_show_without_a_limit_note(web: WebWorld, db: AsyncSession) -> None:
    for _ in range(3):
        await add_session(db, web.account, summary="kelomi vadusa", domain="hardware")
    await db.commit()
    for query in ("", "&groups=all", "&groups=x"):
        page = await web.engineer.client.get(f"/gaps?period=30{query}")
        assert page.status_code == 200
        assert _listed(page.text) == 1 and 'id="groups-limit"' not in page.text
