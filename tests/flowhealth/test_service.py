"""Per-node figures of a flow version, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import NotFound
from resolutionflow.flowhealth.service import flow_stats
from resolutionflow.flows.schemas import FlowUpdate
from resolutionflow.flows.service import publish_version
from resolutionflow.models import FlowVersion
from tests.flowhealth.factory import ask, five_walks, walk
from tests.helpers import create_account, create_flow

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


async def test_node_figures_count_reach_ends_options_time_and_paths(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(db, account, key="printer")
    await five_walks(db, account, flow, T0)
    # Sessions of another flow, and one without a flow, are not this flow's.
    other = await create_flow(db, account, key="other")
    await walk(db, account, other, T0, "resolved", [ask(T0, picked="o-no")])
    await walk(db, account, None, T0, "resolved", [ask(T0, picked="o-no")])
    await db.commit()

    stats = await flow_stats(db, account=account, key="printer")
    assert (stats.version, stats.sessions) == (1, 5)
    o = stats.outcomes
    assert (o.resolved, o.escalated, o.abandoned, o.active, o.success_rate) == (2, 1, 1, 1, 0.5)
    nodes = {n.node_id: n for n in stats.nodes}
    assert list(nodes) == ["root", "restart", "power", "done"]

    root = nodes["root"]
    assert root.reached == 5
    assert (root.ended.abandoned, root.ended.active, root.ended.resolved) == (1, 1, 0)
    assert root.answers == 5
    assert {x.option_id: (x.count, x.share) for x in root.options} == {
        "o-yes": (3, 0.6),
        "o-no": (1, 0.2),
    }
    assert (root.free_text_count, root.free_text_rate) == (1, 0.2)
    assert (root.median_seconds, root.timed_steps) == (50.0, 5)  # 30 40 50 60 120

    restart = nodes["restart"]
    assert restart.reached == 2
    assert (restart.reached_outcomes.resolved, restart.reached_outcomes.escalated) == (1, 1)
    assert restart.reached_outcomes.success_rate == 0.5
    assert (restart.ended.escalated, restart.ended.resolved) == (1, 0)
    assert restart.median_seconds == 90.0  # 60 and 120

    # A solution reached by an answer, with no step recorded there, counts as reached.
    assert (nodes["power"].reached, nodes["power"].ended.resolved) == (1, 1)
    assert (nodes["done"].reached, nodes["done"].ended.resolved) == (1, 1)

    paths = {tuple(p.nodes): (p.sessions, p.outcomes.success_rate) for p in stats.paths}
    assert paths == {
        ("root",): (2, 0.0),
        ("root", "restart", "done"): (1, 1.0),
        ("root", "restart"): (1, 0.0),
        ("root", "power"): (1, 1.0),
    }
    assert stats.paths[0].nodes == ["root"]  # most sessions first


async def test_each_version_counts_the_sessions_of_its_time(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(db, account, key="printer")
    await publish_version(db, account=account, flow=flow, changes=FlowUpdate(change_note="v2"))
    v2_at = T0 + timedelta(days=1)
    await db.execute(
        update(FlowVersion)
        .where(FlowVersion.flow_id == flow.id, FlowVersion.version == 2)
        .values(created_at=v2_at)
    )
    await walk(db, account, flow, T0, "resolved", [ask(T0, picked="o-no")])
    await walk(
        db, account, flow, v2_at + timedelta(hours=1), "escalated", [ask(v2_at, picked="o-yes")]
    )
    await walk(
        db, account, flow, v2_at + timedelta(hours=2), "abandoned", [ask(v2_at, picked="o-yes")]
    )
    await db.commit()

    current = await flow_stats(db, account=account, key="printer")
    first = await flow_stats(db, account=account, key="printer", version=1)
    assert (current.version, current.sessions, current.window_start) == (2, 2, v2_at)
    assert (first.version, first.sessions, first.window_end) == (1, 1, v2_at)
    assert first.outcomes.resolved == 1
    assert current.outcomes.escalated == 1 and current.outcomes.abandoned == 1
    by_id = {str(flow.id): await flow_stats(db, account=account, key=str(flow.id))}
    assert by_id[str(flow.id)].sessions == 2  # the id works as well as the key
    with pytest.raises(NotFound):
        await flow_stats(db, account=account, key="printer", version=3)


async def test_another_accounts_flow_is_not_found(db: AsyncSession) -> None:
    account = await create_account(db)
    stranger = await create_account(db)
    flow = await create_flow(db, stranger, key="theirs")
    await db.commit()
    for key in ("theirs", str(flow.id), "no-such-flow"):
        with pytest.raises(NotFound):
            await flow_stats(db, account=account, key=key)


async def test_a_flow_without_sessions_has_zero_figures(db: AsyncSession) -> None:
    account = await create_account(db)
    await create_flow(db, account, key="quiet")
    await db.commit()
    stats = await flow_stats(db, account=account, key="quiet")
    assert stats.sessions == 0 and stats.paths == []
    assert all(n.reached == 0 and n.median_seconds is None for n in stats.nodes)
    assert stats.outcomes.success_rate is None


async def test_figures_are_cached_until_a_session_changes(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(db, account, key="printer")
    await walk(db, account, flow, T0, "resolved", [ask(T0, picked="o-no")])
    await db.commit()
    assert (await flow_stats(db, account=account, key="printer")).sessions == 1
    await walk(db, account, flow, T0, "escalated", [ask(T0, picked="o-yes")])
    await db.commit()
    assert (await flow_stats(db, account=account, key="printer")).sessions == 2
