"""The proposal detail page: every count of added nodes agrees with the tree shown."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flows.diff import added_node_ids, compare_trees, describe_addition
from resolutionflow.flows.fold import fold_session_into_flow
from resolutionflow.flows.merge import diff_between
from tests.fixtures.web import WebWorld
from tests.flows.test_enhancement_fold import enhanced, jammed
from tests.flows.test_fold import flow_of
from tests.helpers import create_flow, create_proposal
from tests.session_strategies import printer_offline_session


async def test_enhancement_detail_counts_agree_with_the_tree(
    web: WebWorld, db: AsyncSession
) -> None:
    base = flow_of(printer_offline_session())
    flow = await create_flow(db, web.account, key="printer-offline", tree=base)
    merged = enhanced(flow.tree_structure, jammed("jam-1"))
    for sid in ("jam-2", "jam-3"):  # the same divergence again: no second chain
        merged = fold_session_into_flow(merged, jammed(sid))
    diff = diff_between(flow.tree_structure, merged)
    proposal = await create_proposal(
        db,
        web.account,
        proposal_type="enhancement",
        target=flow,
        diff=diff,
        merged_tree=merged,
        sessions=3,
    )
    described = describe_addition(compare_trees(flow.tree_structure, merged))
    proposal.description = described
    proposal.proposed_diff = {**diff, "diff_description": described}
    await db.commit()
    page = (await web.team_admin.client.get(f"/review?proposal={proposal.id}")).text
    count = len(added_node_ids(flow.tree_structure, merged))
    assert count == 2  # the fuser action and its solution, once
    shown = {int(n) for n in re.findall(r"(\d+) (?:new )?node(?:s|\(s\))? added", page)}
    assert shown == {count}, shown
    assert not re.search(r"\d+ new nodes", page)
