"""The proposal_counts rollup always equals a GROUP BY over flow_proposals, whoever writes."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import create_engine, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.migrations.runner import upgrade
from resolutionflow.models import Account, FlowProposal, ProposalCount, Session
from tests.dbutil import sync_pg_url
from tests.helpers import create_account

Key = tuple[str, str, str]


async def _session(db: AsyncSession, account: Account) -> uuid.UUID:
    row = Session(
        account_id=account.id,
        problem_summary="Printer offline",
        status="resolved",
        confidence_tier="discovery",
        confidence_score=0.4,
    )
    db.add(row)
    await db.flush()
    return row.id


async def _proposal(
    db: AsyncSession,
    account: Account,
    *,
    status: str = "pending",
    kind: str = "new_flow",
    domain: str | None = "printing",
) -> FlowProposal:
    row = FlowProposal(
        account_id=account.id,
        source_session_id=await _session(db, account),
        proposal_type=kind,
        status=status,
        title="Printer offline",
        proposed_flow_data={},
        problem_domain=domain,
    )
    db.add(row)
    await db.flush()
    return row


async def _rollup(db: AsyncSession, account: Account) -> Counter[Key]:
    rows = await db.execute(
        select(
            ProposalCount.status,
            ProposalCount.proposal_type,
            ProposalCount.problem_domain,
            ProposalCount.n,
        ).where(ProposalCount.account_id == account.id)
    )
    return Counter({(s, t, d): n for s, t, d, n in rows if n})


async def _truth(db: AsyncSession, account: Account) -> Counter[Key]:
    domain = func.coalesce(FlowProposal.problem_domain, "")
    rows = await db.execute(
        select(FlowProposal.status, FlowProposal.proposal_type, domain, func.count())
        .where(FlowProposal.account_id == account.id)
        .group_by(FlowProposal.status, FlowProposal.proposal_type, domain)
    )
    return Counter({(s, t, d): n for s, t, d, n in rows})


async def test_rollup_follows_inserts_updates_and_deletes(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    first = await _proposal(db, account)
    await _proposal(db, account, domain=None)
    await _proposal(db, account, status="auto_reinforced", kind="auto_reinforced")
    await _proposal(db, other)
    assert await _rollup(db, account) == Counter(
        {
            ("pending", "new_flow", "printing"): 1,
            ("pending", "new_flow", ""): 1,
            ("auto_reinforced", "auto_reinforced", "printing"): 1,
        }
    )
    # A bulk insert of many rows in one statement.
    sessions = [await _session(db, account) for _ in range(5)]
    await db.execute(
        insert(FlowProposal),
        [
            dict(
                account_id=account.id,
                source_session_id=s,
                proposal_type="enhancement",
                status="pending",
                title="t",
                proposed_flow_data={},
                problem_domain="email",
                match_keywords=[],
                supporting_session_ids=[],
                supporting_summaries=[],
            )
            for s in sessions
        ],
    )
    # A review, a change of domain, an update that touches no counted column, a delete.
    first.status = "approved"
    await db.flush()
    await db.execute(
        update(FlowProposal)
        .where(FlowProposal.account_id == account.id, FlowProposal.problem_domain.is_(None))
        .values(problem_domain="networking")
    )
    await db.execute(update(FlowProposal).values(supporting_session_count=2))
    await db.execute(delete(FlowProposal).where(FlowProposal.source_session_id.in_(sessions[:2])))
    await db.commit()
    rollup = await _rollup(db, account)
    assert rollup == await _truth(db, account)
    assert rollup[("approved", "new_flow", "printing")] == 1
    assert rollup[("pending", "enhancement", "email")] == 3
    assert rollup[("pending", "new_flow", "networking")] == 1
    assert await _rollup(db, other) == Counter({("pending", "new_flow", "printing"): 1})


async def test_deleting_an_account_removes_its_counts(db: AsyncSession) -> None:
    account = await create_account(db)
    await _proposal(db, account)
    await db.commit()
    await db.execute(delete(Account).where(Account.id == account.id))
    await db.commit()
    left = await db.execute(select(func.count()).select_from(ProposalCount))
    assert left.scalar_one() == 0


def _sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "") if url.startswith("sqlite") else sync_pg_url(url)


def test_migration_counts_existing_proposals_and_installs_triggers(
    fresh_database_url: str,
) -> None:
    upgrade(Settings(database_url=fresh_database_url), "0003")
    engine = create_engine(_sync_url(fresh_database_url))
    account, session = uuid.uuid4().hex, uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, slug, name, settings, data_version, "
                "created_at) VALUES (:a, 'a', 'A', '{}', 0, '2026-01-01')"
            ),
            {"a": account},
        )
        conn.execute(
            text(
                "INSERT INTO sessions (id, account_id, problem_summary, status, "
                "confidence_tier, confidence_score, analysis_status, analysis_attempts,"
                " created_at) VALUES (:s, :a, 'p', 'resolved', 'low', 0.5, 'completed',"
                " 0, '2026-01-01')"
            ),
            {"s": session, "a": account},
        )
        conn.execute(
            text(
                "INSERT INTO flow_proposals (id, account_id, source_session_id, "
                "proposal_type, status, title, proposed_flow_data, match_keywords, "
                "confidence_score, supporting_session_count, supporting_session_ids, "
                "supporting_summaries, created_at) VALUES (:p, :a, :s, 'new_flow', "
                "'pending', 't', '{}', '[]', 0.5, 1, '[]', '[]', '2026-01-01')"
            ),
            {"p": uuid.uuid4().hex, "a": account, "s": session},
        )
    engine.dispose()
    upgrade(Settings(database_url=fresh_database_url))
    engine = create_engine(_sync_url(fresh_database_url))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE flow_proposals SET status = 'rejected'"))
            rows = conn.execute(
                text("SELECT status, problem_domain, n FROM proposal_counts ORDER BY status")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("pending", "", 0), ("rejected", "", 1)]
